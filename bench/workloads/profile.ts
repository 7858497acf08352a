import { mkdirSync, readdirSync, renameSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { REQUESTS, TURN_EVENTS } from '../fixtures'
import { type BenchContext, seconds } from '../lib/context'
import { runClient, runWrk, startServer } from '../lib/proc'
import { summarizeProfile } from '../lib/profile-summary'
import { STORE_LABELS } from '../lib/targets'

/** Where the profiles go (`.data/` is ignored by git). */
export const PROFILE_DIR = resolve(import.meta.dir, '..', '..', '.data', 'bench-profiles')

/**
 * Not a measurement: runs the ChatKit server under `bun --cpu-prof-md` (and `--cpu-prof`, for Chrome
 * DevTools) through the JSON and streaming loads, one server per store and load, and writes the profiles
 * to .data/bench-profiles/<store>-<load>.{md,cpuprofile}, with a per-function summary by sample count
 * in <store>-<load>.txt. The JSON server holds 1,000 threads; the streaming one starts empty.
 */
export const profileWorkload = async (ctx: BenchContext) => {
	mkdirSync(PROFILE_DIR, { recursive: true })
	const loads = [
		{
			name: 'json',
			run: (server: Parameters<typeof runWrk>[0]) =>
				runWrk(server, JSON.stringify(REQUESTS.threadsList), 64, seconds(ctx, 10), ctx.tmpDir)
		},
		{
			name: 'stream',
			run: (server: Parameters<typeof runWrk>[0]) =>
				runClient(server, {
					mode: 'closed',
					concurrency: 16,
					body: JSON.stringify(REQUESTS.threadsCreate),
					expect: TURN_EVENTS,
					warmupS: 1,
					durationS: seconds(ctx, 10)
				})
		}
	]
	for (const store of ctx.stores)
		for (const load of loads) {
			const dir = join(ctx.tmpDir, `profile-${store}-${load.name}`)
			ctx.log(`profiling ${STORE_LABELS[store]} under the ${load.name} load`)
			const server = await startServer(
				`${STORE_LABELS[store]} (profiled)`,
				{
					kind: 'chatkit',
					store: await ctx.databases.url(store),
					threads: load.name === 'json' ? 1000 : 0,
					items: load.name === 'json' ? 1000 : 0,
					paceMs: 0
				},
				{ bunFlags: ['--cpu-prof', '--cpu-prof-md', `--cpu-prof-dir=${dir}`] }
			)
			try {
				await load.run(server)
			} finally {
				await server.stop()
			}
			for (const file of readdirSync(dir)) {
				const extension = file.endsWith('.md') ? 'md' : 'cpuprofile'
				const target = join(PROFILE_DIR, `${store}-${load.name}.${extension}`)
				renameSync(join(dir, file), target)
				ctx.log(`  ${target}`)
				if (extension === 'cpuprofile') {
					const summary = join(PROFILE_DIR, `${store}-${load.name}.txt`)
					await Bun.write(summary, summarizeProfile(target, 40))
					ctx.log(`  ${summary} (self and inclusive share of samples per function)`)
				}
			}
		}
}
