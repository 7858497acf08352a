/**
 * Two checkouts against the same "bare + same SQL" baseline, in one run: `bun run bench/ab-stream.ts <other
 * checkout> [--stores sqlite,postgres] [--reps 3] [--seconds 3] [--concurrency 16]`. For each store it starts
 * the bare-SQL server, this checkout's ChatKit server and the other's, and measures streaming turns on each in
 * alternation (the order rotating every repetition): streams per second, their ratio to the baseline of the
 * same repetition, and server CPU per event. For checking one change; the published figures are `bun run bench`'s.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { REQUESTS, TURN_EVENTS } from './fixtures'
import { killAll, type RunningServer, runClient, startServer } from './lib/proc'
import { median } from './lib/report'
import { Databases, type StoreName } from './lib/targets'

const { values: flags, positionals } = parseArgs({
	args: Bun.argv.slice(2),
	allowPositionals: true,
	options: {
		stores: { type: 'string', default: 'sqlite,postgres' },
		reps: { type: 'string', default: '3' },
		seconds: { type: 'string', default: '3' },
		concurrency: { type: 'string', default: '16' }
	}
})
const other = positionals[0]
if (!other) {
	console.error('usage: bun run bench/ab-stream.ts <other checkout> [--stores sqlite,postgres]')
	process.exit(1)
}
const reps = Math.max(1, Number(flags.reps) || 3)
const seconds = Math.max(1, Number(flags.seconds) || 3)
const concurrency = Math.max(1, Number(flags.concurrency) || 16)
const tmpDir = mkdtempSync(join(tmpdir(), 'chatkit-ab-'))
const databases = new Databases(tmpDir)

const measure = async (server: RunningServer) => {
	const run = await runClient(server, {
		mode: 'closed',
		concurrency,
		body: JSON.stringify(REQUESTS.threadsCreate),
		expect: TURN_EVENTS,
		warmupS: 1,
		durationS: seconds
	})
	return {
		streams: run.result.ok / seconds,
		cpu: (run.serverCpuSeconds * 1e6) / (run.result.ok * TURN_EVENTS)
	}
}

const fmt = (values: number[], digits = 0) =>
	`${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`

console.log(
	`load average at the start ${(loadavg()[0] ?? 0).toFixed(2)}; c${concurrency}, ${reps} reps of ${seconds} s`
)
try {
	for (const store of (flags.stores ?? '').split(',') as StoreName[]) {
		const servers = [
			await startServer('bare + same SQL', {
				kind: 'bare-sql',
				store: await databases.url(store),
				paceMs: 0
			}),
			await startServer('this checkout', {
				kind: 'chatkit',
				store: await databases.url(store),
				paceMs: 0,
				threads: 0,
				items: 0
			}),
			await startServer(
				other,
				{ kind: 'chatkit', store: await databases.url(store), paceMs: 0, threads: 0, items: 0 },
				{ script: join(resolve(other), 'bench/server.ts') }
			)
		]
		const streams: number[][] = servers.map(() => [])
		const cpu: number[][] = servers.map(() => [])
		const ratios: number[][] = servers.map(() => [])
		for (let rep = 0; rep < reps; rep++) {
			const order = servers.map((_, i) => (i + rep) % servers.length)
			const figures: { streams: number; cpu: number }[] = []
			for (const index of order) {
				const figure = await measure(servers[index] as RunningServer)
				figures[index] = figure
				console.error(
					`${store} rep ${rep + 1}: ${servers[index]?.label} ${figure.streams.toFixed(0)} streams/s, ${figure.cpu.toFixed(2)} µs/event`
				)
			}
			for (const [index, figure] of figures.entries()) {
				streams[index]?.push(figure.streams)
				cpu[index]?.push(figure.cpu)
				ratios[index]?.push(figure.streams / (figures[0]?.streams ?? 1))
			}
		}
		console.log(
			`\n${store}, c${concurrency}: streams/s, ratio to bare + same SQL, server CPU µs/event (median (min–max))`
		)
		for (const [index, server] of servers.entries())
			console.log(
				`  ${server.label.padEnd(24)} ${fmt(streams[index] ?? []).padEnd(22)} ${fmt(ratios[index] ?? [], 2).padEnd(20)} ${fmt(cpu[index] ?? [], 2)}`
			)
		for (const server of servers) await server.stop()
	}
	console.log(`load average at the end ${(loadavg()[0] ?? 0).toFixed(2)}`)
} finally {
	killAll()
	await databases.cleanup()
	rmSync(tmpDir, { recursive: true, force: true })
}
