import { existsSync } from 'node:fs'
import { AGENT_PLUGIN, REQUESTS, TURN_EVENTS } from '../fixtures'
import { type BenchContext, seconds, stopAll } from '../lib/context'
import { type ClientRun, type RunningServer, runClient, startServer } from '../lib/proc'
import { at, goal, median, type Row, ratios } from '../lib/report'
import { STORE_LABELS, type StoreName } from '../lib/targets'

export const STREAM_GOALS: Record<StoreName, number> = { memory: 0.6, sqlite: 0.25, postgres: 0.25 }
/** Goals against bare Bun.serve doing the same INSERTs (bench/bare-sql.ts) on the same database. */
export const STREAM_SQL_GOALS: Partial<Record<StoreName, number>> = { sqlite: 0.8, postgres: 0.7 }
export const SQL_BASELINE_LABELS: Partial<Record<StoreName, string>> = {
	sqlite: 'bare Bun.serve + same SQL, SQLite file',
	postgres: 'bare Bun.serve + same SQL, PostgreSQL'
}
const CONCURRENCY = [1, 16, 256]
const AGENT_LABEL = 'ChatKit, agent plugin (memory)'

/** Check that a server streams exactly the baseline's bytes, ids and timestamps aside. */
const normalizedTurn = async (server: RunningServer) => {
	const response = await fetch(server.url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(REQUESTS.threadsCreate)
	})
	const text = await response.text()
	return text
		.replace(/"(thr|msg)_[0-9a-f]{16,28}"/g, '"<id>"')
		.replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"<time>"')
}

const startStreamingServers = async (ctx: BenchContext) => {
	const servers: RunningServer[] = []
	const stores = new Map<string, StoreName>()
	servers.push(await startServer('bare Bun.serve', { kind: 'bare', paceMs: 0 }))
	servers.push(await startServer('Elysia alone', { kind: 'elysia', paceMs: 0 }))
	const sqlBaselines = new Map<StoreName, RunningServer>()
	for (const store of ctx.stores) {
		const label = SQL_BASELINE_LABELS[store]
		if (!label) continue
		const server = await startServer(label, {
			kind: 'bare-sql',
			store: await ctx.databases.url(store),
			paceMs: 0
		})
		servers.push(server)
		sqlBaselines.set(store, server)
	}
	for (const store of ctx.stores) {
		const server = await startServer(STORE_LABELS[store], {
			kind: 'chatkit',
			store: await ctx.databases.url(store),
			paceMs: 0
		})
		servers.push(server)
		stores.set(server.label, store)
	}
	if (existsSync(AGENT_PLUGIN))
		servers.push(
			await startServer(AGENT_LABEL, {
				kind: 'chatkit',
				store: 'memory',
				paceMs: 0,
				responder: 'agent'
			})
		)
	else ctx.log('no plugins/agent: the agent row is skipped')
	const expected = await normalizedTurn(at(servers, 0))
	for (const server of servers.slice(1)) {
		const actual = await normalizedTurn(server)
		if (actual !== expected) {
			const at = [...actual].findIndex((char, i) => char !== expected[i])
			throw new Error(
				`${server.label} does not stream the baseline's bytes: at ${at}, ${JSON.stringify(actual.slice(at - 80, at + 80))} instead of ${JSON.stringify(expected.slice(at - 80, at + 80))}`
			)
		}
	}
	return { servers, stores, sqlBaselines }
}

/** Workload 2: threads.create with a zero-latency 100-delta answer (107 events), closed loop at 1, 16 and 256 clients. */
export const streamWorkload = async (ctx: BenchContext) => {
	const { servers, stores, sqlBaselines } = await startStreamingServers(ctx)
	try {
		const body = JSON.stringify(REQUESTS.threadsCreate)
		for (const concurrency of CONCURRENCY) {
			const runs = new Map<string, ClientRun[]>()
			for (let rep = 0; rep < ctx.reps; rep++) {
				ctx.log(`streaming c${concurrency}, repetition ${rep + 1}/${ctx.reps}`)
				for (const server of servers) {
					const run = await runClient(server, {
						mode: 'closed',
						concurrency,
						body,
						expect: TURN_EVENTS,
						warmupS: rep === 0 ? seconds(ctx, 1) : seconds(ctx, 0.5),
						durationS: seconds(ctx, 3)
					})
					runs.set(server.label, [...(runs.get(server.label) ?? []), run])
				}
			}
			const baseline = (runs.get(at(servers, 0).label) ?? []).map(
				(run) => run.result.ok / run.result.seconds
			)
			servers.forEach((server, index) => {
				const list = runs.get(server.label) ?? []
				const perSecond = list.map((run) => run.result.ok / run.result.seconds)
				const r = index === 0 ? undefined : ratios(perSecond, baseline)
				const store = stores.get(server.label)
				const failed = list.reduce((sum, run) => sum + run.result.failed, 0)
				const failures = [...new Set(list.flatMap((run) => run.result.failures))].slice(0, 2)
				const cpuPerEvent = median(
					list.map((run) => (run.serverCpuSeconds / Math.max(1, run.result.events)) * 1e6)
				)
				const clientLoad = median(list.map((run) => run.result.clientCpuSeconds))
				const row: Row = {
					workload: `stream c${concurrency}`,
					variant: server.label,
					metric: 'streams/s',
					values: perSecond,
					ratios: r,
					goal: r && store ? goal(r, STREAM_GOALS[store], 'min') : undefined,
					notes: `server CPU ${cpuPerEvent.toFixed(2)} µs/event, client CPU ${clientLoad.toFixed(1)} s/run${failed ? `, ${failed} FAILED (${failures.join('; ')})` : ', all whole'}`
				}
				ctx.rows.push(row)
				const sqlBaseline = store && sqlBaselines.get(store)
				const sqlGoal = store && STREAM_SQL_GOALS[store]
				if (sqlBaseline && sqlGoal) {
					const against = (runs.get(sqlBaseline.label) ?? []).map(
						(run) => run.result.ok / run.result.seconds
					)
					const sqlRatios = ratios(perSecond, against)
					ctx.rows.push({
						workload: `stream c${concurrency}`,
						variant: `${server.label} vs ${sqlBaseline.label}`,
						metric: 'streams/s',
						values: perSecond,
						ratios: sqlRatios,
						goal: goal(sqlRatios, sqlGoal, 'min'),
						notes: 'ratio to the bare server doing the same INSERTs on the same kind of database'
					})
				}
			})
		}
	} finally {
		await stopAll(servers)
	}
}
