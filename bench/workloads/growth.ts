import { type JsonRequestName, REQUESTS } from '../fixtures'
import { type BenchContext, seconds, stopAll } from '../lib/context'
import { type RunningServer, runWrk, startServer, type WrkResult } from '../lib/proc'
import { median, type Row, ratios } from '../lib/report'
import { STORE_LABELS, type StoreName } from '../lib/targets'
import { captureBodies } from './json'

const SIZES = [1000, 10_000, 100_000]
const LABELS: Record<JsonRequestName, string> = { threadsList: 'threads.list', itemsList: 'items.list' }

/**
 * Workload 4: the JSON requests against stores holding 1,000, 10,000 and 100,000 threads (and the same
 * 1,000-item thread): latency at c1 for both requests, throughput at c64 for threads.list. The cost should
 * not grow with the store. Database statistics are refreshed (ANALYZE) after seeding.
 */
export const growthWorkload = async (ctx: BenchContext) => {
	const servers: { store: StoreName; size: number; server: RunningServer }[] = []
	let bare: RunningServer | undefined
	try {
		for (const store of ctx.stores)
			for (const size of SIZES) {
				ctx.log(`seeding ChatKit on ${store} with ${size.toLocaleString('en-US')} threads`)
				const seedStart = performance.now()
				const server = await startServer(
					`${STORE_LABELS[store]}, ${size.toLocaleString('en-US')} threads`,
					{
						kind: 'chatkit',
						store: await ctx.databases.url(store),
						threads: size,
						items: 1000,
						paceMs: 0
					}
				)
				ctx.log(`  ready in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`)
				servers.push({ store, size, server })
			}
		const bodies = await captureBodies(
			servers.filter((entry) => entry.size === SIZES[0]).map((entry) => entry.server)
		)
		for (const entry of servers) {
			const { text } = await fetch(entry.server.url, {
				method: 'POST',
				body: JSON.stringify(REQUESTS.threadsList)
			}).then(async (response) => ({ text: await response.text() }))
			if ((JSON.parse(text) as { data: unknown[] }).data.length !== 20)
				throw new Error(`${entry.server.label} did not return 20 threads`)
		}
		bare = await startServer('bare Bun.serve', { kind: 'bare', responses: bodies, paceMs: 0 })
		const all = [bare, ...servers.map((entry) => entry.server)]
		ctx.log('warming up')
		for (const server of all)
			for (const name of ['threadsList', 'itemsList'] as const)
				await runWrk(server, JSON.stringify(REQUESTS[name]), 64, 1, ctx.tmpDir)
		const cells = [
			{ request: 'threadsList', connections: 1, seconds: 1 },
			{ request: 'itemsList', connections: 1, seconds: 1 },
			{ request: 'threadsList', connections: 64, seconds: 2 }
		] as const
		for (const { request, connections, seconds: duration } of cells) {
			const results = new Map<string, WrkResult[]>()
			for (let rep = 0; rep < ctx.reps; rep++) {
				ctx.log(`growth ${LABELS[request]} c${connections}, repetition ${rep + 1}/${ctx.reps}`)
				for (const server of all) {
					const result = await runWrk(
						server,
						JSON.stringify(REQUESTS[request]),
						connections,
						seconds(ctx, duration),
						ctx.tmpDir
					)
					results.set(server.label, [...(results.get(server.label) ?? []), result])
				}
			}
			const baseline = results.get(bare.label) ?? []
			const metric = connections === 1 ? 'p50 latency ms' : 'req/s'
			const value = (run: WrkResult) => (connections === 1 ? run.p50Ms : run.rps)
			const smallest = new Map<StoreName, number[]>()
			for (const server of all) {
				const runs = results.get(server.label) ?? []
				const entry = servers.find((candidate) => candidate.server === server)
				const values = runs.map(value)
				if (entry && entry.size === SIZES[0]) smallest.set(entry.store, values)
				const growth =
					entry && entry.size !== SIZES[0]
						? median(ratios(values, smallest.get(entry.store) ?? []))
						: undefined
				const row: Row = {
					workload: `growth ${LABELS[request]} c${connections}`,
					variant: server.label,
					metric,
					values,
					ratios: server === bare ? undefined : ratios(values, baseline.map(value)),
					notes: `${growth === undefined ? '' : `${growth.toFixed(2)}× its 1,000-thread figure; `}p99 ${median(runs.map((run) => run.p99Ms)).toFixed(2)} ms${runs.some((run) => run.errors) ? ', ERRORS' : ''}`
				}
				ctx.rows.push(row)
			}
		}
	} finally {
		await stopAll([bare, ...servers.map((entry) => entry.server)])
	}
}
