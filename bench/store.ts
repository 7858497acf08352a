/**
 * Store benchmarks: page reads on large tables and append throughput, on SQLite (a file) and PostgreSQL.
 *
 *   bun run bench/store.ts                 # both dialects
 *   bun run bench/store.ts sqlite          # one dialect
 *   BENCH_POSTGRES_URL=postgres://…/postgres bun run bench/store.ts postgres
 *
 * PostgreSQL runs in a fresh database `chatkit_bench_<random>` created from the given maintenance database
 * and dropped at the end. Rows are bulk-loaded through the store's own Drizzle handle, in the format the
 * store writes; the timed calls go through the public `Store` methods.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import {
	type ChatKitStore,
	type PostgresStore,
	pgSchema,
	postgresStore,
	type SqliteStore,
	sqliteSchema,
	sqliteStore
} from '../plugins/store'
import type { AssistantMessageItem } from '../src/protocol/items'

import { BASE, benchContext as context, iso, threadMeta } from './lib/documents'
import { at } from './lib/report'

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const ITEM_SIZES = [1_000, 10_000, 100_000]
const THREAD_SIZES = [1_000, 10_000, 100_000]
const OTHER_USERS = 997
const THREADS_PER_OTHER_USER = 100
const ITERATIONS = 400
const WARMUP = 40
const APPENDS = 2_000

const message = (threadId: string, index: number): AssistantMessageItem => ({
	id: `msg_${threadId}_${index}`,
	thread_id: threadId,
	created_at: iso(BASE + index * 1000),
	type: 'assistant_message',
	content: [
		{
			type: 'output_text',
			text: `Reply number ${index}. `.repeat(12),
			annotations: [
				{
					type: 'annotation',
					index: 3,
					source: { type: 'url', title: 'Doc', url: 'https://example.com' }
				}
			]
		}
	]
})

interface Loader {
	threads(user: string, rows: { id: string; index: number }[]): Promise<void>
	items(user: string, threadId: string, count: number): Promise<void>
}

const BATCH = 500

const sqliteLoader = (store: SqliteStore): Loader => ({
	async threads(user, rows) {
		const { threads } = sqliteSchema
		store.client.transaction(() => {
			for (let i = 0; i < rows.length; i += BATCH)
				store.db
					.insert(threads)
					.values(
						rows.slice(i, i + BATCH).map(({ id, index }) => ({
							tenantId: 'bench',
							userId: user,
							id,
							createdAt: BASE + index * 1000,
							data: JSON.stringify(threadMeta(id, index))
						}))
					)
					.run()
		})()
	},
	async items(user, threadId, count) {
		const { items } = sqliteSchema
		store.client.transaction(() => {
			for (let i = 0; i < count; i += BATCH)
				store.db
					.insert(items)
					.values(
						Array.from({ length: Math.min(BATCH, count - i) }, (_, k) => {
							const item = message(threadId, i + k)
							return {
								tenantId: 'bench',
								userId: user,
								threadId,
								id: item.id,
								type: item.type,
								createdAt: BASE + (i + k) * 1000,
								data: JSON.stringify(item)
							}
						})
					)
					.run()
		})()
	}
})

const postgresLoader = (store: PostgresStore): Loader => ({
	async threads(user, rows) {
		const { threads } = pgSchema
		for (let i = 0; i < rows.length; i += BATCH)
			await store.db.insert(threads).values(
				rows.slice(i, i + BATCH).map(({ id, index }) => ({
					tenantId: 'bench',
					userId: user,
					id,
					createdAt: new Date(BASE + index * 1000),
					data: JSON.stringify(threadMeta(id, index))
				}))
			)
	},
	async items(user, threadId, count) {
		const { items } = pgSchema
		for (let i = 0; i < count; i += BATCH)
			await store.db.insert(items).values(
				Array.from({ length: Math.min(BATCH, count - i) }, (_, k) => {
					const item = message(threadId, i + k)
					return {
						tenantId: 'bench',
						userId: user,
						threadId,
						id: item.id,
						type: item.type,
						createdAt: new Date(BASE + (i + k) * 1000),
						data: JSON.stringify(item)
					}
				})
			)
	}
})

const stats = (samples: number[]) => {
	const sorted = samples.toSorted((a, b) => a - b)
	const pick = (q: number) => at(sorted, Math.min(sorted.length - 1, Math.floor(q * sorted.length)))
	return { median: pick(0.5), p99: pick(0.99) }
}

const time = async (run: (i: number) => Promise<unknown>) => {
	for (let i = 0; i < WARMUP; i++) await run(i)
	const samples: number[] = []
	for (let i = 0; i < ITERATIONS; i++) {
		const start = performance.now()
		await run(i)
		samples.push(performance.now() - start)
	}
	return stats(samples)
}

const ms = (value: number) => value.toFixed(3)
const rows: string[] = []
const report = (dialect: string, what: string, size: string, result: { median: number; p99: number }) => {
	const line = `| ${dialect} | ${what} | ${size} | ${ms(result.median)} | ${ms(result.p99)} |`
	rows.push(line)
	console.log(line)
}

const bench = async (dialect: string, store: ChatKitStore, loader: Loader) => {
	console.log(`\n${dialect}: loading rows…`)
	const started = performance.now()
	for (const size of ITEM_SIZES) {
		const user = `items_${size}`
		await store.saveThread(threadMeta(`thr_${size}`, 0), context(user))
		await loader.items(user, `thr_${size}`, size)
	}
	for (const size of THREAD_SIZES)
		await loader.threads(
			`threads_${size}`,
			Array.from({ length: size }, (_, index) => ({ id: `thr_${size}_${index}`, index }))
		)
	for (let u = 0; u < OTHER_USERS; u++)
		await loader.threads(
			`other_${u}`,
			Array.from({ length: THREADS_PER_OTHER_USER }, (_, index) => ({
				id: `thr_o${u}_${index}`,
				index
			}))
		)
	if (store.dialect === 'postgresql') await store.client`analyze`
	const totalThreads = 3 + THREAD_SIZES.reduce((a, b) => a + b) + OTHER_USERS * THREADS_PER_OTHER_USER
	console.log(
		`${dialect}: ${ITEM_SIZES.reduce((a, b) => a + b)} items, ${totalThreads} threads of ${OTHER_USERS + 6} users loaded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`
	)

	for (const size of ITEM_SIZES) {
		const threadId = `thr_${size}`
		const ctx = context(`items_${size}`)
		report(
			dialect,
			'loadThreadItems, limit 20, newest first',
			`${size} items`,
			await time(() => store.loadThreadItems(threadId, null, 20, 'desc', ctx))
		)
		report(
			dialect,
			'loadThreadItems, limit 20, after a cursor',
			`${size} items`,
			await time((i) =>
				store.loadThreadItems(threadId, `msg_${threadId}_${(i * 7919) % (size - 40)}`, 20, 'asc', ctx)
			)
		)
	}
	for (const size of THREAD_SIZES) {
		const ctx = context(`threads_${size}`)
		report(
			dialect,
			'loadThreads, limit 20, newest first',
			`${size} threads`,
			await time(() => store.loadThreads(20, null, 'desc', ctx))
		)
		report(
			dialect,
			'loadThreads, limit 20, after a cursor',
			`${size} threads`,
			await time((i) => store.loadThreads(20, `thr_${size}_${((i * 7919) % size) + 30}`, 'desc', ctx))
		)
	}

	const appender = context('appender')
	await store.saveThread(threadMeta('thr_append', 0), appender)
	let start = performance.now()
	for (let i = 0; i < APPENDS; i++)
		await store.addThreadItem('thr_append', message('thr_append', i), appender)
	const sequential = APPENDS / ((performance.now() - start) / 1000)
	await store.saveThread(threadMeta('thr_append_parallel', 0), appender)
	start = performance.now()
	for (let i = 0; i < APPENDS; i += 10)
		await Promise.all(
			Array.from({ length: 10 }, (_, k) =>
				store.addThreadItem('thr_append_parallel', message('thr_append_parallel', i + k), appender)
			)
		)
	const parallel = APPENDS / ((performance.now() - start) / 1000)
	const line = `| ${dialect} | addThreadItem appends/s | one at a time: ${Math.round(sequential)} | 10 in flight: ${Math.round(parallel)} | |`
	rows.push(line)
	console.log(line)
}

const which = process.argv[2]

if (!which || which === 'sqlite') {
	const folder = mkdtempSync(join(tmpdir(), 'chatkit-bench-'))
	const store = sqliteStore({ path: join(folder, 'bench.db') })
	try {
		await bench('SQLite', store, sqliteLoader(store))
	} finally {
		await store.close()
		rmSync(folder, { recursive: true, force: true })
	}
}

if (!which || which === 'postgres') {
	const name = `chatkit_bench_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`
	const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} })
	await admin.unsafe(`create database ${name}`)
	const url = new URL(ADMIN_URL)
	url.pathname = `/${name}`
	const store = postgresStore({ url: url.toString() })
	try {
		await bench('PostgreSQL', store, postgresLoader(store))
	} finally {
		await store.close()
		await admin.unsafe(`drop database if exists ${name} with (force)`)
		await admin.end()
	}
}

console.log(
	`\n| store | operation | size | median ms | p99 ms |\n| --- | --- | --- | --- | --- |\n${rows.join('\n')}`
)
