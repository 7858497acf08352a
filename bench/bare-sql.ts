/**
 * The writes and reads of the "bare + same SQL" baselines: what a persistent server must do at least, on the
 * store's own tables: one INSERT per thread and per item of a streaming turn, one SELECT per `threads.list`
 * and per `items.list`, as prepared statements (`Bun.SQL` on PostgreSQL, `bun:sqlite` on SQLite), each awaited where ChatKit
 * awaits its store call. The schema is the store's (its migrations, applied by opening the store once).
 */
import { Database } from 'bun:sqlite'
import { SQL } from 'bun'
import { BENCH_USER, STORE_PLUGIN } from './fixtures'

/** A thread's stored document. */
export type StoredThread = { id: string } & Record<string, unknown>
/** An item's stored document. */
export type StoredItem = { id: string; type: string } & Record<string, unknown>

export interface BareSql {
	insertThread(id: string, createdAt: string, document: string): Promise<void>
	insertItem(threadId: string, id: string, type: string, createdAt: string, document: string): Promise<void>
	/** The newest `limit` thread documents, parsed. */
	newestThreads(limit: number): Promise<StoredThread[]>
	/** The newest `limit` item documents of a thread, parsed. */
	newestItems(threadId: string, limit: number): Promise<StoredItem[]>
	close(): Promise<void>
}

const TENANT = ''
const USER = BENCH_USER.id

const migrate = async (url: string) => {
	const { createStore } = (await import(STORE_PLUGIN)) as {
		createStore(url: string): { ready(): Promise<void>; close(): Promise<void> }
	}
	const store = createStore(url)
	await store.ready()
	await store.close()
}

const postgresSql = (url: string): BareSql => {
	const sql = new SQL({ url, max: 10, prepare: true })
	const INSERT_THREAD = `insert into chatkit_threads (tenant_id, user_id, id, created_at, data)
		values ($1, $2, $3, $4::timestamptz, $5::text::json)`
	const INSERT_ITEM = `insert into chatkit_items (tenant_id, user_id, thread_id, id, type, created_at, data)
		values ($1, $2, $3, $4, $5, $6::timestamptz, $7::text::json)`
	const NEWEST = `select data from chatkit_threads where array[tenant_id, user_id] = array[$1, $2]
		order by created_at desc, seq desc limit $3`
	const NEWEST_ITEMS = `select data from chatkit_items where array[tenant_id, user_id, thread_id] = array[$1, $2, $3]
		order by created_at desc, seq desc limit $4`
	return {
		async insertThread(id, createdAt, document) {
			await sql.unsafe(INSERT_THREAD, [TENANT, USER, id, createdAt, document])
		},
		async insertItem(threadId, id, type, createdAt, document) {
			await sql.unsafe(INSERT_ITEM, [TENANT, USER, threadId, id, type, createdAt, document])
		},
		async newestThreads(limit) {
			const rows = await sql.unsafe<{ data: StoredThread }[]>(NEWEST, [TENANT, USER, limit])
			return rows.map((row) => row.data)
		},
		async newestItems(threadId, limit) {
			const rows = await sql.unsafe<{ data: StoredItem }[]>(NEWEST_ITEMS, [
				TENANT,
				USER,
				threadId,
				limit
			])
			return rows.map((row) => row.data)
		},
		close: () => sql.close({ timeout: 5 })
	}
}

const sqliteSql = (path: string): BareSql => {
	const db = new Database(path)
	db.run('PRAGMA journal_mode = WAL')
	db.run('PRAGMA synchronous = NORMAL')
	db.run('PRAGMA busy_timeout = 5000')
	const insertThread = db.prepare(
		'insert into chatkit_threads (tenant_id, user_id, id, created_at, data) values (?, ?, ?, ?, ?)'
	)
	const insertItem = db.prepare(
		'insert into chatkit_items (tenant_id, user_id, thread_id, id, type, created_at, data) values (?, ?, ?, ?, ?, ?, ?)'
	)
	const newest = db.prepare<{ data: string }, [string, string, number]>(
		'select data from chatkit_threads where tenant_id = ? and user_id = ? order by created_at desc, seq desc limit ?'
	)
	const newestItems = db.prepare<{ data: string }, [string, string, string, number]>(
		'select data from chatkit_items where tenant_id = ? and user_id = ? and thread_id = ? order by created_at desc, seq desc limit ?'
	)
	return {
		async insertThread(id, createdAt, document) {
			insertThread.run(TENANT, USER, id, Date.parse(createdAt), document)
		},
		async insertItem(threadId, id, type, createdAt, document) {
			insertItem.run(TENANT, USER, threadId, id, type, Date.parse(createdAt), document)
		},
		async newestThreads(limit) {
			return newest.all(TENANT, USER, limit).map((row) => JSON.parse(row.data) as StoredThread)
		},
		async newestItems(threadId, limit) {
			return newestItems
				.all(TENANT, USER, threadId, limit)
				.map((row) => JSON.parse(row.data) as StoredItem)
		},
		async close() {
			db.close()
		}
	}
}

/** Opens the baseline's connection on a store URL (`sqlite:<path>` or `postgres://…`), schema migrated. */
export const openBareSql = async (url: string): Promise<BareSql> => {
	await migrate(url)
	return url.startsWith('postgres') ? postgresSql(url) : sqliteSql(url.replace(/^sqlite:(\/\/)?/, ''))
}
