import postgres from 'postgres'
import { BENCH_USER, REQUESTS, TURN_EVENTS } from '../fixtures'
import { type BenchContext, seconds, stopAll } from '../lib/context'
import { type ClientRun, type RunningServer, runClient, startServer } from '../lib/proc'
import { goal, median, type Row, ratios } from '../lib/report'
import { STORE_LABELS } from '../lib/targets'

const SIZES = [1000, 10_000, 100_000]
const CONCURRENCY = 16
/** The figure at 100,000 threads within 10% of the one at 1,000. */
const GROWTH_GOAL = 0.9

/** `count` threads of the benchmark user in one statement, older than any a turn creates. */
const seedThreads = async (url: string, count: number) => {
	const sql = postgres(url, { max: 1, onnotice: () => {} })
	try {
		await sql.unsafe(
			`insert into chatkit_threads (tenant_id, user_id, id, created_at, data)
			select '', $1, 'thr_seed_' || i, now() - interval '1 day' + i * interval '1 ms',
				json_build_object('id', 'thr_seed_' || i, 'created_at', now(), 'status', json_build_object('type', 'active'), 'metadata', '{}'::json)
			from generate_series(1, $2::int) i`,
			[BENCH_USER.id, count]
		)
	} finally {
		await sql.end({ timeout: 1 })
	}
}

/**
 * Workload 4b: PostgreSQL streaming turns (c16) when the user already has 1,000, 10,000 and 100,000 threads,
 * with plans as production has them: each server's prepared statements are warmed on its still small table,
 * then the threads are written by one `insert … select generate_series` from another connection, and no
 * `ANALYZE` follows (autovacuum may run, as it would). The figure should not depend on the thread count.
 */
export const streamGrowthWorkload = async (ctx: BenchContext) => {
	if (!ctx.stores.includes('postgres')) return
	const servers: { size: number; server: RunningServer }[] = []
	const body = JSON.stringify(REQUESTS.threadsCreate)
	try {
		for (const size of SIZES) {
			const url = await ctx.databases.url('postgres')
			const server = await startServer(
				`${STORE_LABELS.postgres}, ${size.toLocaleString('en-US')} threads of the user`,
				{
					kind: 'chatkit',
					store: url,
					paceMs: 0
				}
			)
			ctx.log(`warming ${server.label} on its small table`)
			await runClient(server, {
				mode: 'closed',
				concurrency: CONCURRENCY,
				body,
				expect: TURN_EVENTS,
				warmupS: 0,
				durationS: 1
			})
			ctx.log(`seeding ${size.toLocaleString('en-US')} threads`)
			await seedThreads(url, size)
			servers.push({ size, server })
		}
		const runs = new Map<number, ClientRun[]>()
		for (let rep = 0; rep < ctx.reps; rep++) {
			ctx.log(`growth streaming c${CONCURRENCY}, repetition ${rep + 1}/${ctx.reps}`)
			for (const { size, server } of rep % 2 ? servers.toReversed() : servers) {
				const run = await runClient(server, {
					mode: 'closed',
					concurrency: CONCURRENCY,
					body,
					expect: TURN_EVENTS,
					warmupS: seconds(ctx, 0.5),
					durationS: seconds(ctx, 3)
				})
				runs.set(size, [...(runs.get(size) ?? []), run])
			}
		}
		const perSecond = (size: number) =>
			(runs.get(size) ?? []).map((run) => run.result.ok / run.result.seconds)
		const smallest = perSecond(SIZES[0] ?? 0)
		for (const { size, server } of servers) {
			const values = perSecond(size)
			const r = size === SIZES[0] ? undefined : ratios(values, smallest)
			const list = runs.get(size) ?? []
			const failed = list.reduce((sum, run) => sum + run.result.failed, 0)
			const row: Row = {
				workload: `growth stream c${CONCURRENCY}`,
				variant: server.label,
				metric: 'streams/s',
				values,
				ratios: r,
				goal: r ? goal(r, GROWTH_GOAL, 'min') : undefined,
				notes: `ratio to the 1,000-thread server; server CPU ${median(list.map((run) => run.serverCpuSeconds)).toFixed(2)} s/run${failed ? `, ${failed} FAILED` : ''}`
			}
			ctx.rows.push(row)
		}
	} finally {
		await stopAll(servers.map((entry) => entry.server))
	}
}
