/**
 * Two revisions side by side: `bun run bench/compare.ts <other checkout> [--load stream|json]
 * [--store memory|sqlite|postgres] [--responder streamText|agent] [--reps 5] [--seconds 3]`.
 *
 * Starts this checkout's bench/server.ts and the other's (e.g. a `git worktree add /tmp/before <rev>`) with
 * the same configuration, pinned like `bun run bench`, and measures them in alternation: server CPU per
 * event (streaming turns at c16) or per request (`threads.list` at c64). Prints each repetition and the
 * medians. For checking a change quickly; the published figures come from `bun run bench`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { REQUESTS, TURN_EVENTS } from './fixtures'
import { killAll, type RunningServer, runClient, runWrk, startServer } from './lib/proc'
import { at, median } from './lib/report'
import { Databases, type StoreName } from './lib/targets'

const { values: flags, positionals } = parseArgs({
	args: Bun.argv.slice(2),
	allowPositionals: true,
	options: {
		load: { type: 'string', default: 'stream' },
		store: { type: 'string', default: 'memory' },
		reps: { type: 'string', default: '5' },
		seconds: { type: 'string', default: '3' },
		responder: { type: 'string', default: 'streamText' }
	}
})
const other = positionals[0]
if (!other) {
	console.error('usage: bun run bench/compare.ts <other checkout> [--load stream|json] [--store memory]')
	process.exit(1)
}
const reps = Math.max(1, Number(flags.reps) || 5)
const seconds = Math.max(1, Number(flags.seconds) || 3)
const tmpDir = mkdtempSync(join(tmpdir(), 'chatkit-compare-'))
const databases = new Databases(tmpDir)

const start = async (label: string, script?: string): Promise<RunningServer> => {
	const store = await databases.url(flags.store as StoreName)
	const threads = flags.load === 'json' ? 1000 : 0
	const responder = flags.responder === 'agent' ? 'agent' : 'streamText'
	return startServer(label, { kind: 'chatkit', store, paceMs: 0, threads, items: 0, responder }, { script })
}

const measure = async (server: RunningServer): Promise<number> => {
	if (flags.load === 'json') {
		const run = await runWrk(server, JSON.stringify(REQUESTS.threadsList), 64, seconds, tmpDir)
		return (run.serverCpuSeconds * 1e6) / run.requests
	}
	const run = await runClient(server, {
		mode: 'closed',
		concurrency: 16,
		body: JSON.stringify(REQUESTS.threadsCreate),
		expect: TURN_EVENTS,
		warmupS: 1,
		durationS: seconds
	})
	return (run.serverCpuSeconds * 1e6) / (run.result.ok * TURN_EVENTS)
}

const unit = flags.load === 'json' ? 'µs CPU/request' : 'µs CPU/event'
try {
	const servers = [
		await start('this checkout'),
		await start(other, join(resolve(other), 'bench/server.ts'))
	]
	const figures: number[][] = [[], []]
	for (let rep = 0; rep < reps; rep++)
		for (const [index, server] of servers.entries()) {
			const figure = await measure(server)
			at(figures, index).push(figure)
			console.error(`rep ${rep + 1}: ${server.label} ${figure.toFixed(2)} ${unit}`)
		}
	const [ours, theirs] = figures.map(median) as [number, number]
	console.log(`${flags.load} on ${flags.store}, median of ${reps}:`)
	console.log(`  this checkout  ${ours.toFixed(2)} ${unit}`)
	console.log(
		`  ${other}  ${theirs.toFixed(2)} ${unit}  (this checkout: ${((ours / theirs - 1) * 100).toFixed(1)}%)`
	)
	for (const server of servers) await server.stop()
} finally {
	killAll()
	await databases.cleanup()
	rmSync(tmpDir, { recursive: true, force: true })
}
