/**
 * Per-call cost of the PostgreSQL store, in process: CPU time of this process (`process.cpuUsage()`, user +
 * system, every thread) and wall time per call, for calls made one at a time and by 16 concurrent callers.
 *
 *   bun run bench/store-calls-pg.ts                              # 2,000 calls per figure, 5 rounds
 *   bun run bench/store-calls-pg.ts --calls 4000 --rounds 7 --only turn
 *   bun run bench/store-calls-pg.ts --compare /tmp/old/postgres.ts   # A/B with another module's postgresStore
 *   BENCH_POSTGRES_URL=postgres://…/postgres bun run bench/store-calls-pg.ts
 *
 * Runs in a fresh database `chatkit_calls_<random>` created from the maintenance database and dropped at the
 * end. One user owns 1,000 threads (`loadThreads`), one thread holds 1,000 items (`loadThreadItems`). Each
 * round measures every operation with every store in turn (the order alternates between rounds), after a
 * warm-up; the figures are the median (min–max) over the rounds. Writes go to new ids (a new thread per
 * `saveThread`, a new item per `addThreadItem`); `turn` is a `saveThread` of a new thread then two
 * `addThreadItem` into it, the store calls of a streaming ChatKit turn. `--only` keeps the operations whose
 * name starts with the given text. A `--compare` module exports `postgresStore({ url })` (e.g. an earlier
 * `plugins/store/postgres.ts` copied out with absolute imports and a `migrations` folder next to it).
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { postgresStore } from '../plugins/store'
import type { ChatKitContext, Store } from '../src/store/types'
import { benchContext as context, reply as message, threadMeta } from './lib/documents'
import { at, median } from './lib/report'

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const { values: args } = parseArgs({
	options: {
		calls: { type: 'string', default: '2000' },
		rounds: { type: 'string', default: '5' },
		compare: { type: 'string', multiple: true, default: [] },
		only: { type: 'string' }
	}
})
const CALLS = Number(args.calls)
const ROUNDS = Number(args.rounds)
const CONCURRENCY = 16
const SIZE = 1_000
const BASE = Date.UTC(2026, 0, 1)
const iso = (ms: number) => new Date(ms).toISOString()

type BenchStore = Store<ChatKitContext> & { ready(): Promise<void>; close(): Promise<void> }
type Factory = (options: { url: string }) => BenchStore

const lister = context('lister')
const reader = context('reader')
const writer = context('writer')

const seed = async (url: string) => {
	const sql = postgres(url, { max: 1, onnotice: () => {} })
	try {
		const threads = Array.from({ length: SIZE }, (_, i) => ({
			tenant_id: 'bench',
			user_id: 'lister',
			id: `thr_${i}`,
			created_at: iso(BASE + i * 1000),
			data: JSON.stringify(threadMeta(`thr_${i}`, i))
		}))
		threads.push({
			tenant_id: 'bench',
			user_id: 'reader',
			id: 'thr_items',
			created_at: iso(BASE),
			data: JSON.stringify(threadMeta('thr_items', 0))
		})
		await sql`insert into chatkit_threads ${sql(threads)}`
		const items = Array.from({ length: SIZE }, (_, i) => {
			const item = message('thr_items', `msg_${i}`, i)
			return {
				tenant_id: 'bench',
				user_id: 'reader',
				thread_id: 'thr_items',
				id: item.id,
				type: item.type,
				created_at: item.created_at,
				data: JSON.stringify(item)
			}
		})
		await sql`insert into chatkit_items ${sql(items)}`
		await sql`analyze`
	} finally {
		await sql.end()
	}
}

interface Operation {
	name: string
	/** The `i`-th call of round `round` with store number `s`. */
	call(store: BenchStore, s: number, round: number, i: number): Promise<unknown>
}

const operations: Operation[] = [
	{ name: 'loadThreads(20 of 1,000)', call: (store) => store.loadThreads(20, null, 'desc', lister) },
	{
		name: 'loadThreadItems(20 of 1,000)',
		call: (store) => store.loadThreadItems('thr_items', null, 20, 'desc', reader)
	},
	{ name: 'loadThread', call: (store, _s, _r, i) => store.loadThread(`thr_${i % SIZE}`, lister) },
	{
		name: 'saveThread (new thread)',
		call: (store, s, round, i) => store.saveThread(threadMeta(`thr_${s}_${round}_${i}`, i), writer)
	},
	{
		name: 'addThreadItem (new item)',
		call: (store, s, _round, i) =>
			store.addThreadItem(`thr_w${s}`, message(`thr_w${s}`, `msg_${crypto.randomUUID()}`, i), writer)
	},
	{
		name: 'turn (saveThread + 2 addThreadItem)',
		call: async (store, s, round, i) => {
			const id = `thr_t${s}_${round}_${i}`
			await store.saveThread(threadMeta(id, i), writer)
			await store.addThreadItem(id, message(id, `msg_u${i}`, i), writer)
			await store.addThreadItem(id, message(id, `msg_a${i}`, i + 1), writer)
		}
	}
]

interface Sample {
	cpu: number
	wall: number
}

/** `calls` calls by `callers` concurrent callers; CPU and wall µs per call. */
const measure = async (
	callers: number,
	calls: number,
	run: (i: number) => Promise<unknown>
): Promise<Sample> => {
	let next = 0
	const worker = async () => {
		while (next < calls) await run(next++)
	}
	const cpu = process.cpuUsage()
	const start = performance.now()
	await Promise.all(Array.from({ length: callers }, worker))
	const wall = performance.now() - start
	const used = process.cpuUsage(cpu)
	return { cpu: (used.user + used.system) / calls, wall: (wall * 1000) / calls }
}

const loadFactories = async (): Promise<{ label: string; open: Factory }[]> => {
	const factories: { label: string; open: Factory }[] = [
		{ label: 'plugins/store', open: (options) => postgresStore(options) }
	]
	for (const path of args.compare ?? []) {
		const module = await import(resolve(path))
		factories.push({ label: path, open: module.postgresStore as Factory })
	}
	return factories
}

const name = `chatkit_calls_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`
const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} })
await admin.unsafe(`create database ${name}`)
const url = new URL(ADMIN_URL)
url.pathname = `/${name}`
const factories = await loadFactories()
const stores = factories.map((factory) => factory.open({ url: url.toString() }))
try {
	await at(stores, 0).ready()
	await Promise.all(stores.map((store) => store.ready()))
	await seed(url.toString())
	for (const [s, store] of stores.entries()) await store.saveThread(threadMeta(`thr_w${s}`, 0), writer)

	const results = new Map<string, Sample[]>()
	const selected = operations.filter((operation) => !args.only || operation.name.startsWith(args.only))
	for (let round = 0; round < ROUNDS; round++) {
		for (const operation of selected)
			for (const callers of [1, CONCURRENCY]) {
				const order = stores.map((_, s) => s)
				if (round % 2) order.reverse()
				for (const s of order) {
					const store = at(stores, s)
					const key = `${operation.name}|${callers}|${s}`
					const tag = round * 10 + (callers === 1 ? 0 : 1)
					await measure(callers, Math.min(200, CALLS), (i) => operation.call(store, s, -tag - 1, i))
					const sample = await measure(callers, CALLS, (i) => operation.call(store, s, tag, i))
					results.set(key, [...(results.get(key) ?? []), sample])
				}
			}
		console.log(`round ${round + 1}/${ROUNDS} done`)
	}

	const format = (values: number[]) =>
		ROUNDS > 1
			? `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`
			: median(values).toFixed(0)
	console.log(
		`\n${CALLS} calls per figure, median (min–max) of ${ROUNDS} rounds; CPU = this process's user + system time per call; wall per call = latency (seq) or elapsed / calls (c${CONCURRENCY})\n`
	)
	console.log(
		'| operation | store | CPU µs seq | wall µs seq | CPU µs c16 | wall µs c16 |\n| --- | --- | --- | --- | --- | --- |'
	)
	for (const operation of selected)
		for (const [s, factory] of factories.entries()) {
			const seq = results.get(`${operation.name}|1|${s}`) ?? []
			const c16 = results.get(`${operation.name}|${CONCURRENCY}|${s}`) ?? []
			const cells = [seq, c16].flatMap((samples) => [
				format(samples.map((x) => x.cpu)),
				format(samples.map((x) => x.wall))
			])
			console.log(`| ${operation.name} | ${factory.label} | ${cells.join(' | ')} |`)
		}
} finally {
	await Promise.all(stores.map((store) => store.close()))
	await admin.unsafe(`drop database if exists ${name} with (force)`)
	await admin.end()
}
