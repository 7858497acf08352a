/**
 * Two checkouts against the same "bare + same SQL" baseline, in one run: `bun run bench/ab-json.ts <other
 * checkout> [--stores sqlite,postgres] [--requests threadsList,itemsList] [--reps 3] [--seconds 3]
 * [--connections 64]`. For each store it starts the bare-SQL server (1,000 threads, 1,000 items in the first),
 * this checkout's ChatKit server and the other's (seeded alike), and measures each JSON request on each with
 * wrk in alternation (the order rotating every repetition): requests per second, their ratio to the baseline
 * of the same repetition, and server CPU per request. For checking one change on a shared machine; the
 * published figures are `bun run bench`'s.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { type JsonRequestName, REQUESTS } from './fixtures'
import { killAll, type RunningServer, runWrk, startServer } from './lib/proc'
import { median } from './lib/report'
import { Databases, type StoreName } from './lib/targets'
import { captureBodies } from './workloads/json'

const { values: flags, positionals } = parseArgs({
	args: Bun.argv.slice(2),
	allowPositionals: true,
	options: {
		stores: { type: 'string', default: 'sqlite,postgres' },
		requests: { type: 'string', default: 'threadsList,itemsList' },
		reps: { type: 'string', default: '3' },
		seconds: { type: 'string', default: '3' },
		connections: { type: 'string', default: '64' }
	}
})
const other = positionals[0]
if (!other) {
	console.error('usage: bun run bench/ab-json.ts <other checkout> [--stores sqlite,postgres]')
	process.exit(1)
}
const reps = Math.max(1, Number(flags.reps) || 3)
const seconds = Math.max(1, Number(flags.seconds) || 3)
const connections = Math.max(1, Number(flags.connections) || 64)
const requests = (flags.requests ?? '').split(',') as JsonRequestName[]
const tmpDir = mkdtempSync(join(tmpdir(), 'chatkit-ab-json-'))
const databases = new Databases(tmpDir)

const fmt = (values: number[], digits = 0) =>
	`${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`

console.log(
	`load average at the start ${(loadavg()[0] ?? 0).toFixed(2)}; c${connections}, ${reps} reps of ${seconds} s`
)
try {
	for (const store of (flags.stores ?? '').split(',') as StoreName[]) {
		const seeded = { paceMs: 0, threads: 1000, items: 1000 }
		const chatkits = [
			await startServer('this checkout', {
				kind: 'chatkit',
				store: await databases.url(store),
				...seeded
			}),
			await startServer(
				other,
				{ kind: 'chatkit', store: await databases.url(store), ...seeded },
				{ script: join(resolve(other), 'bench/server.ts') }
			)
		]
		const bodies = await captureBodies(chatkits)
		const servers = [
			await startServer('bare + same SQL', {
				kind: 'bare-sql',
				store: await databases.url(store),
				responses: bodies,
				...seeded
			}),
			...chatkits
		]
		await captureBodies(servers)
		for (const server of servers)
			for (const name of requests)
				await runWrk(server, JSON.stringify(REQUESTS[name]), connections, 1, tmpDir)
		for (const name of requests) {
			const body = JSON.stringify(REQUESTS[name])
			const rps: number[][] = servers.map(() => [])
			const cpu: number[][] = servers.map(() => [])
			const ratios: number[][] = servers.map(() => [])
			for (let rep = 0; rep < reps; rep++) {
				const order = servers.map((_, i) => (i + rep) % servers.length)
				const figures: { rps: number; cpu: number }[] = []
				for (const index of order) {
					const run = await runWrk(
						servers[index] as RunningServer,
						body,
						connections,
						seconds,
						tmpDir
					)
					figures[index] = { rps: run.rps, cpu: (run.serverCpuSeconds * 1e6) / run.requests }
					console.error(
						`${store} ${name} rep ${rep + 1}: ${servers[index]?.label} ${run.rps.toFixed(0)} req/s, ${figures[index]?.cpu.toFixed(1)} µs/req`
					)
				}
				for (const [index, figure] of figures.entries()) {
					rps[index]?.push(figure.rps)
					cpu[index]?.push(figure.cpu)
					ratios[index]?.push(figure.rps / (figures[0]?.rps ?? 1))
				}
			}
			console.log(
				`\n${store}, ${name} c${connections}: req/s, ratio to bare + same SQL, server CPU µs/req (median (min–max))`
			)
			for (const [index, server] of servers.entries())
				console.log(
					`  ${server.label.padEnd(24)} ${fmt(rps[index] ?? []).padEnd(24)} ${fmt(ratios[index] ?? [], 2).padEnd(20)} ${fmt(cpu[index] ?? [], 1)}`
				)
		}
		for (const server of servers) await server.stop()
	}
	console.log(`load average at the end ${(loadavg()[0] ?? 0).toFixed(2)}`)
} finally {
	killAll()
	await databases.cleanup()
	rmSync(tmpDir, { recursive: true, force: true })
}
