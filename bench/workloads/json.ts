import { type JsonRequestName, REQUESTS } from '../fixtures'
import { type BenchContext, post, seconds, stopAll } from '../lib/context'
import { type RunningServer, runWrk, startServer, type WrkResult } from '../lib/proc'
import { goal, median, type Row, ratios } from '../lib/report'
import { STORE_LABELS, type StoreName } from '../lib/targets'
import { SQL_BASELINE_LABELS } from './stream'

export const JSON_GOALS: Record<StoreName, number | undefined> = {
	memory: 0.8,
	sqlite: 0.5,
	postgres: undefined
}

/** `threads.list` against bare Bun.serve running the same SELECT on the same kind of database. */
const THREADS_LIST_SQL_GOAL = 0.9

const LABELS: Record<JsonRequestName, string> = { threadsList: 'threads.list', itemsList: 'items.list' }

/** Start one ChatKit server per store (1,000 threads, 1,000 items), seeded through the Store API. */
export const startChatKits = async (ctx: BenchContext, threads: number, items: number) => {
	const servers: { store: StoreName; server: RunningServer }[] = []
	for (const store of ctx.stores) {
		ctx.log(`starting ChatKit on ${store} with ${threads.toLocaleString('en-US')} threads`)
		const url = await ctx.databases.url(store)
		const server = await startServer(STORE_LABELS[store], {
			kind: 'chatkit',
			store: url,
			threads,
			items,
			paceMs: 0
		})
		servers.push({ store, server })
	}
	return servers
}

/** The exact bodies ChatKit answers with, checked identical on every server (the baselines send these bytes). */
export const captureBodies = async (servers: RunningServer[]) => {
	const bodies = { threadsList: '', itemsList: '' }
	for (const name of ['threadsList', 'itemsList'] as const) {
		for (const server of servers) {
			const { status, text } = await post(server, REQUESTS[name])
			if (status !== 200)
				throw new Error(`${server.label} answered ${name} with ${status}: ${text.slice(0, 200)}`)
			if (bodies[name] && bodies[name] !== text)
				throw new Error(`${server.label} answers ${name} with other bytes`)
			bodies[name] = text
		}
	}
	const page = JSON.parse(bodies.threadsList) as { data: unknown[] }
	if (page.data.length !== 20)
		throw new Error(`threads.list returned ${page.data.length} threads instead of 20`)
	return bodies
}

interface Cell {
	request: JsonRequestName
	connections: number
	seconds: number
}

const rowsFor = (
	cell: Cell,
	names: string[],
	results: Map<string, WrkResult[]>,
	stores: Map<string, StoreName>
): Row[] => {
	const workload = `JSON ${LABELS[cell.request]} c${cell.connections}`
	const baseline = results.get(names[0] ?? '') ?? []
	return names.flatMap((name, index) => {
		const runs = results.get(name) ?? []
		const rps = runs.map((run) => run.rps)
		const store = stores.get(name)
		const bound = store && cell.connections > 1 ? JSON_GOALS[store] : undefined
		const r =
			index === 0
				? undefined
				: ratios(
						rps,
						baseline.map((run) => run.rps)
					)
		const errors = runs.reduce((sum, run) => sum + run.errors, 0)
		const cpu = median(runs.map((run) => (run.serverCpuSeconds / run.requests) * 1e6))
		return [
			{
				workload,
				variant: name,
				metric: 'req/s',
				values: rps,
				ratios: r,
				goal: r && bound !== undefined ? goal(r, bound, 'min') : undefined,
				notes: `p50 ${median(runs.map((run) => run.p50Ms)).toFixed(2)} ms, p99 ${median(runs.map((run) => run.p99Ms)).toFixed(2)} ms, server CPU ${cpu.toFixed(1)} µs/req${errors ? `, ${errors} ERRORS` : ''}`
			}
		]
	})
}

/** Workload 1: threads.list (20 of 1,000 threads) and items.list (20 of 1,000 items), wrk c64 and c1. */
export const jsonWorkload = async (ctx: BenchContext) => {
	const chatkits = await startChatKits(ctx, 1000, 1000)
	const others: RunningServer[] = []
	try {
		const bodies = await captureBodies(chatkits.map((entry) => entry.server))
		others.push(await startServer('bare Bun.serve', { kind: 'bare', responses: bodies, paceMs: 0 }))
		others.push(await startServer('Elysia alone', { kind: 'elysia', responses: bodies, paceMs: 0 }))
		const sqlBaselines = new Map<StoreName, RunningServer>()
		/** The same SQL through one Elysia route: what the framework under ChatKit costs by itself. */
		const elysiaSql = new Map<StoreName, RunningServer>()
		for (const { store } of chatkits) {
			const label = SQL_BASELINE_LABELS[store]
			if (!label) continue
			const seeded = {
				store: await ctx.databases.url(store),
				threads: 1000,
				items: 1000,
				responses: bodies,
				paceMs: 0
			}
			const server = await startServer(label, { kind: 'bare-sql', ...seeded })
			others.push(server)
			sqlBaselines.set(store, server)
			const elysia = await startServer(label.replace('bare Bun.serve', 'Elysia alone'), {
				kind: 'elysia-sql',
				...seeded,
				store: await ctx.databases.url(store)
			})
			others.push(elysia)
			elysiaSql.set(store, elysia)
		}
		await captureBodies(others)
		const servers = [...others, ...chatkits.map((entry) => entry.server)]
		const stores = new Map(chatkits.map((entry) => [entry.server.label, entry.store]))
		ctx.log('warming up')
		for (const server of servers)
			for (const name of ['threadsList', 'itemsList'] as const)
				await runWrk(server, JSON.stringify(REQUESTS[name]), 64, seconds(ctx, 1), ctx.tmpDir)
		const cells: Cell[] = [
			{ request: 'threadsList', connections: 64, seconds: seconds(ctx, 10) },
			{ request: 'threadsList', connections: 1, seconds: seconds(ctx, 3) },
			{ request: 'itemsList', connections: 64, seconds: seconds(ctx, 3) },
			{ request: 'itemsList', connections: 1, seconds: seconds(ctx, 2) }
		]
		for (const cell of cells) {
			const results = new Map<string, WrkResult[]>()
			for (let rep = 0; rep < ctx.reps; rep++) {
				ctx.log(
					`JSON ${LABELS[cell.request]} c${cell.connections}, repetition ${rep + 1}/${ctx.reps}`
				)
				for (const server of servers) {
					const result = await runWrk(
						server,
						JSON.stringify(REQUESTS[cell.request]),
						cell.connections,
						cell.seconds,
						ctx.tmpDir
					)
					results.set(server.label, [...(results.get(server.label) ?? []), result])
				}
			}
			ctx.rows.push(
				...rowsFor(
					cell,
					servers.map((server) => server.label),
					results,
					stores
				)
			)
			for (const [store, server] of elysiaSql) {
				const baseline = sqlBaselines.get(store)
				if (!baseline) continue
				const rps = (results.get(server.label) ?? []).map((run) => run.rps)
				ctx.rows.push({
					workload: `JSON ${LABELS[cell.request]} c${cell.connections}`,
					variant: `${server.label} vs ${baseline.label}`,
					metric: 'req/s',
					values: rps,
					ratios: ratios(
						rps,
						(results.get(baseline.label) ?? []).map((run) => run.rps)
					),
					notes: 'the ceiling for anything built on Elysia: the same SELECT through one Elysia route'
				})
			}
			for (const { store, server } of chatkits) {
				const baseline = sqlBaselines.get(store)
				if (!baseline) continue
				const rps = (results.get(server.label) ?? []).map((run) => run.rps)
				const r = ratios(
					rps,
					(results.get(baseline.label) ?? []).map((run) => run.rps)
				)
				ctx.rows.push({
					workload: `JSON ${LABELS[cell.request]} c${cell.connections}`,
					variant: `${server.label} vs ${baseline.label}`,
					metric: 'req/s',
					values: rps,
					ratios: r,
					goal:
						cell.request === 'threadsList' && cell.connections > 1
							? goal(r, THREADS_LIST_SQL_GOAL, 'min')
							: undefined,
					notes: 'ratio to the bare server running the same SELECT on the same kind of database'
				})
			}
		}
	} finally {
		await stopAll([...others, ...chatkits.map((entry) => entry.server)])
	}
}
