/**
 * Time of one call of each `SqliteStore` method, in µs, in-process (no HTTP): a SQLite file in a temporary
 * folder holding 1,000 threads of the measured user (plus 20 other users' threads) and a 1,000-item thread.
 *
 *   bun run bench/store-calls.ts                        # this checkout
 *   bun run bench/store-calls.ts /tmp/before .          # A/B: each argument is a checkout (its plugins/store)
 *
 * With several checkouts, every run times each of them in turn (the order alternates between runs), each on
 * its own file seeded the same way. Two tables: elapsed time and CPU time of the process (user + system) per
 * call, each the median of the runs with min–max. A checkout is any folder with this repository's layout,
 * e.g. `git archive <commit> | tar -x -C /tmp/before && ln -s "$PWD/node_modules" /tmp/before/`.
 * Options: RUNS (default 7), CALLS per method and run (default 400).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Attachment, UserMessageItem } from '../src/protocol/items'
import type { ChatKitContext, Store } from '../src/store/types'
import { BASE, benchContext as context, iso, reply, threadMeta } from './lib/documents'
import { at, median } from './lib/report'

const RUNS = Number(process.env.RUNS ?? 7)
const CALLS = Number(process.env.CALLS ?? 400)
const WARMUP = 50
const THREADS = 1_000
const ITEMS = 1_000
const OTHER_USERS = 20
const OTHER_THREADS = 50

const me = context('me')

const question = (threadId: string, id: string, index: number): UserMessageItem => ({
	id,
	thread_id: threadId,
	created_at: iso(BASE + index * 1000),
	type: 'user_message',
	content: [{ type: 'input_text', text: 'Tell me about the quick brown fox.' }],
	attachments: [],
	inference_options: {}
})

const attachment = (id: string): Attachment => ({
	id,
	type: 'file',
	name: 'notes.txt',
	mime_type: 'text/plain',
	upload_descriptor: null
})

type Sqlite = Required<Store<ChatKitContext>> & { close(): Promise<void> }

const open = async (checkout: string, path: string): Promise<Sqlite> => {
	const plugin = await import(join(resolve(checkout), 'plugins/store/index.ts'))
	return plugin.sqliteStore({ path })
}

const BIG = 'thr_big'
const WRITES = 'thr_writes'

const seed = async (store: Sqlite) => {
	for (let i = 0; i < THREADS; i++) await store.saveThread(threadMeta(`thr_${i}`, i), me)
	for (let u = 0; u < OTHER_USERS; u++)
		for (let i = 0; i < OTHER_THREADS; i++)
			await store.saveThread(threadMeta(`thr_${i}`, i), context(`u${u}`))
	await store.saveThread(threadMeta(BIG, -1), me)
	for (let i = 0; i < ITEMS; i++) await store.addThreadItem(BIG, reply(BIG, `msg_${i}`, i), me)
	await store.saveThread(threadMeta(WRITES, -2), me)
	await store.saveAttachment(attachment('atc_read'), me)
}

/** A spread of indices in [0, n), for any integer `i`. */
const pick = (i: number, n: number) => (((i * 7919) % n) + n) % n

/** Each operation gets the call index `i` and the run index `r` (ids stay unique across runs). */
const operations: [string, (store: Sqlite, i: number, r: number) => Promise<unknown>][] = [
	['loadThread', (s, i) => s.loadThread(`thr_${pick(i, THREADS)}`, me)],
	['loadThreads(20) desc', (s) => s.loadThreads(20, null, 'desc', me)],
	['loadThreads(20) desc after', (s, i) => s.loadThreads(20, `thr_${pick(i, 900) + 50}`, 'desc', me)],
	['loadThreads(20) asc', (s) => s.loadThreads(20, null, 'asc', me)],
	['loadThreads(20) asc after', (s, i) => s.loadThreads(20, `thr_${pick(i, 900)}`, 'asc', me)],
	['loadThreadItems(20) desc', (s) => s.loadThreadItems(BIG, null, 20, 'desc', me)],
	[
		'loadThreadItems(20) desc after',
		(s, i) => s.loadThreadItems(BIG, `msg_${pick(i, 900) + 50}`, 20, 'desc', me)
	],
	['loadThreadItems(20) asc', (s) => s.loadThreadItems(BIG, null, 20, 'asc', me)],
	['loadThreadItems(20) asc after', (s, i) => s.loadThreadItems(BIG, `msg_${pick(i, 900)}`, 20, 'asc', me)],
	['loadThreadItems(1) desc', (s) => s.loadThreadItems(BIG, null, 1, 'desc', me)],
	['loadItem', (s, i) => s.loadItem(BIG, `msg_${pick(i, ITEMS)}`, me)],
	['loadAttachment', (s) => s.loadAttachment('atc_read', me)],
	[
		'saveThread (existing)',
		(s, i) => s.saveThread(threadMeta(`thr_${pick(i, THREADS)}`, pick(i, THREADS)), me)
	],
	['addThreadItem (new)', (s, i, r) => s.addThreadItem(WRITES, reply(WRITES, `msg_${r}_${i}`, i), me)],
	['addThreadItem (known id)', (s, i, r) => s.addThreadItem(WRITES, reply(WRITES, `msg_${r}_${i}`, i), me)],
	['deleteThreadItem', (s, i, r) => s.deleteThreadItem(WRITES, `msg_${r}_${i}`, me)],
	['updateThreadMetadata', (s, i) => s.updateThreadMetadata(`thr_${pick(i, THREADS)}`, 'n', () => i, me)],
	['saveAttachment', (s, i, r) => s.saveAttachment(attachment(`atc_${r}_${i}`), me)],
	['deleteAttachment', (s, i, r) => s.deleteAttachment(`atc_${r}_${i}`, me)],
	[
		'turn writes (saveThread + 2 addThreadItem)',
		async (s, i, r) => {
			const id = `thr_turn_${r}_${i}`
			await s.saveThread(threadMeta(id, THREADS + i), me)
			await s.addThreadItem(id, question(id, `msg_${id}_u`, THREADS + i), me)
			await s.addThreadItem(id, reply(id, `msg_${id}_a`, THREADS + i), me)
		}
	],
	['deleteThread (2 items)', (s, i, r) => s.deleteThread(`thr_turn_${r}_${i}`, me)]
]

/**
 * µs per call of `operation` over CALLS calls after a warm-up (warm-up calls use negative indices):
 * elapsed time, and CPU time of the process (user + system), which other processes' load disturbs less.
 */
const time = async (
	store: Sqlite,
	operation: (store: Sqlite, i: number, r: number) => Promise<unknown>,
	r: number
) => {
	for (let i = -WARMUP; i < 0; i++) await operation(store, i, r)
	const cpu = process.cpuUsage()
	const start = Bun.nanoseconds()
	for (let i = 0; i < CALLS; i++) await operation(store, i, r)
	const wall = (Bun.nanoseconds() - start) / CALLS / 1000
	const used = process.cpuUsage(cpu)
	return { wall, cpu: (used.user + used.system) / CALLS }
}

const checkouts = process.argv.length > 2 ? process.argv.slice(2) : ['.']
const folder = mkdtempSync(join(tmpdir(), 'chatkit-store-calls-'))
const stores: Sqlite[] = []
try {
	for (const [index, checkout] of checkouts.entries()) {
		const store = await open(checkout, join(folder, `store-${index}.db`))
		stores.push(store)
		await seed(store)
	}
	const samples = operations.map(() => checkouts.map(() => ({ wall: [] as number[], cpu: [] as number[] })))
	for (let r = 0; r < RUNS; r++) {
		const order = r % 2 === 0 ? stores.keys().toArray() : stores.keys().toArray().toReversed()
		for (const [o, [, operation]] of operations.entries())
			for (const k of order) {
				const { wall, cpu } = await time(at(stores, k), operation, r)
				const sample = at(at(samples, o), k)
				sample.wall.push(wall)
				sample.cpu.push(cpu)
			}
		process.stderr.write(`run ${r + 1}/${RUNS}\n`)
	}
	const cell = (values: number[]) =>
		`${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`
	const ratio = checkouts.length > 1 ? ` | ${checkouts.at(-1)} / ${checkouts[0]}` : ''
	for (const clock of ['wall', 'cpu'] as const) {
		const what = clock === 'wall' ? 'elapsed' : 'CPU (user + system)'
		console.log(`\n${what}: ${RUNS} runs × ${CALLS} calls; µs per call, median (min–max)\n`)
		console.log(`| operation | ${checkouts.join(' | ')}${ratio} |`)
		console.log(`| --- |${' ---: |'.repeat(checkouts.length + (ratio ? 1 : 0))}`)
		for (const [o, [name]] of operations.entries()) {
			const all = at(samples, o).map((sample) => sample[clock])
			const last =
				all.length > 1
					? ` | ${(median(at(all, all.length - 1)) / median(at(all, 0))).toFixed(2)}×`
					: ''
			console.log(`| ${name} | ${all.map(cell).join(' | ')}${last} |`)
		}
	}
} finally {
	for (const store of stores) await store.close()
	rmSync(folder, { recursive: true, force: true })
}
