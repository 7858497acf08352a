import { join } from 'node:path'
import { SQL } from 'bun'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import type { Attachment, Page, ThreadItem, ThreadMetadata } from '../../src/protocol/items'
import { generateId } from '../../src/store/ids'
import {
	type ChatKitContext,
	NotFoundError,
	type Store,
	type StoreItemType,
	type ThreadUpdate
} from '../../src/store/types'
import * as statements from './postgres-statements'
import * as schema from './schema.pg'
import {
	checkId,
	checkLimit,
	defaultLimits,
	emptyPage,
	MIGRATIONS_TABLE,
	ownerOf,
	prepareAttachment,
	prepareItem,
	prepareThread,
	type SortOrder,
	StoreError,
	type StoreLimits,
	StoreValidationError,
	storableId,
	toPage,
	updateItemData,
	updateMetadataKey,
	updateThreadData,
	withCallerErrors
} from './shared'

export const MIGRATIONS_SCHEMA = 'drizzle'
/** Session advisory lock held while migrating, so that instances starting together migrate one at a time. */
const MIGRATION_LOCK = 7_283_921_004

export interface PostgresStoreOptions {
	/**
	 * Connection URL (`postgres://` or `postgresql://`), read by Bun's client (the store's calls) and by
	 * postgres.js (migrations, `client`): use what both understand (user, password, host, port, database,
	 * `sslmode`).
	 * @example postgresStore({ url: process.env.DATABASE_URL })
	 */
	url: string
	/**
	 * Connections in the pool of the store's calls (and at most as many in `client`'s pool, which connects only
	 * when a plugin uses it).
	 * @default 10
	 */
	max?: number
	/**
	 * Seconds to wait for a new connection; a call retries a timed-out attempt once.
	 * @default 5
	 */
	connectTimeout?: number
	/**
	 * Apply the bundled migrations before the first query (idempotent, under an advisory lock).
	 * @default true
	 */
	migrate?: boolean
	/**
	 * Run the store's calls as named prepared statements (parsed and planned once per connection). Turn it
	 * off behind a pooler that does not keep prepared statements across transactions (PgBouncer in
	 * transaction mode without `max_prepared_statements`): each call is then parsed again.
	 * @default true
	 */
	prepare?: boolean
	/**
	 * Size limits checked before writing.
	 * @default { maxIdLength: 255, maxDocumentBytes: 4194304 }
	 */
	limits?: Partial<StoreLimits>
}

/**
 * The connection broke under the call (server restart, network cut): a fresh connection may work.
 * Codes of postgres.js (migrations, `client`), of Bun's client (`ERR_POSTGRES_*`) and SQLSTATEs.
 */
const LOST_CODES = new Set([
	'CONNECTION_CLOSED',
	'CONNECTION_DESTROYED',
	'ERR_POSTGRES_CONNECTION_CLOSED',
	'ECONNRESET',
	'EPIPE',
	'57P01',
	'57P02'
])
/** A connection attempt that timed out: retried once. */
const TIMEOUT_CODES = new Set([
	'CONNECT_TIMEOUT',
	'ERR_POSTGRES_CONNECTION_TIMEOUT',
	'ERR_POSTGRES_CONNECTION_FAILED'
])
/** No connection could be made: the database is down or unreachable right now. */
const UNREACHABLE_CODES = new Set([
	...TIMEOUT_CODES,
	'ECONNREFUSED',
	'ENOTFOUND',
	'EHOSTUNREACH',
	'ETIMEDOUT',
	'ERR_POSTGRES_CONNECTION_REFUSED',
	'57P03'
])

const driverError = (error: unknown): unknown =>
	error instanceof Error && error.cause instanceof Error ? error.cause : error

/** The SQLSTATE when the server sent one (Bun's client keeps it in `errno`), else the driver's code. */
const codeOf = (error: unknown): string | undefined => {
	const { code, errno } = (driverError(error) ?? {}) as { code?: unknown; errno?: unknown }
	if (typeof errno === 'string') return errno
	return typeof code === 'string' ? code : undefined
}

const isLost = (error: unknown) => {
	const code = codeOf(error)
	return code !== undefined && (LOST_CODES.has(code) || code.startsWith('08'))
}

const isUnreachable = (error: unknown) => {
	const code = codeOf(error)
	return code !== undefined && UNREACHABLE_CODES.has(code)
}

/** On `client`, `json` values travel as text, the form of the schema's `data` columns (`jsonText`). */
const jsonAsText = { to: 114, from: [114], serialize: (value: string) => value, parse: (raw: string) => raw }

/** Bun's client returns a `json` column as the parsed document. */
const parsedData = <T>(row: { data: T }) => row.data

/**
 * A `Store` on PostgreSQL. Its calls run as prepared statements on Bun's native client (`Bun.SQL`); the
 * schema and migrations are Drizzle's, applied through postgres.js. Every query is scoped by the context's
 * user and tenant. A call that fails because its connection was lost is retried on a fresh connection
 * (every write is an idempotent upsert or delete), so the store outlives a database restart.
 */
export class PostgresStore<C extends ChatKitContext = ChatKitContext> implements Store<C> {
	readonly dialect = 'postgresql' as const
	/**
	 * A postgres.js pool on the same database, for plugins that keep their own tables there (it connects on
	 * first use; the store's own calls do not use it).
	 */
	readonly client: postgres.Sql
	/** The Drizzle database over `client`, for plugins that keep their own tables in the same database. */
	readonly db: PostgresJsDatabase<typeof schema>
	readonly limits: StoreLimits
	/** Bun's native client: the pool the store's own statements run on. */
	private readonly sql: SQL
	private readonly url: string
	private readonly connectTimeout: number
	private readonly max: number
	private migrated: Promise<void> | undefined
	private isReady = false
	private closed = false

	constructor(options: PostgresStoreOptions) {
		this.url = options.url
		this.connectTimeout = options.connectTimeout ?? 5
		this.max = options.max ?? 10
		this.limits = { ...defaultLimits, ...options.limits }
		this.sql = new SQL({
			url: options.url,
			max: this.max,
			connectionTimeout: this.connectTimeout,
			prepare: options.prepare ?? true
		})
		this.client = postgres(options.url, {
			max: this.max,
			connect_timeout: this.connectTimeout,
			onnotice: () => {},
			types: { jsonAsText }
		})
		this.db = drizzle({ client: this.client, schema })
		if (options.migrate === false) {
			this.migrated = Promise.resolve()
			this.isReady = true
		} else this.ready().catch(() => {})
	}

	private migrate(): Promise<void> {
		this.migrated ??= (async () => {
			const connection = postgres(this.url, {
				max: 1,
				connect_timeout: this.connectTimeout,
				onnotice: () => {}
			})
			try {
				await connection`select pg_advisory_lock(${MIGRATION_LOCK})`
				await migrate(drizzle({ client: connection }), {
					migrationsFolder: join(import.meta.dir, 'migrations', 'pg'),
					migrationsTable: MIGRATIONS_TABLE,
					migrationsSchema: MIGRATIONS_SCHEMA
				})
			} finally {
				await connection.end({ timeout: 5 })
			}
			this.isReady = true
		})().catch((error) => {
			this.migrated = undefined
			throw error
		})
		return this.migrated
	}

	/** Resolves once migrations are applied; rejects with a `StoreError` when the database cannot be reached. */
	async ready(): Promise<void> {
		await this.guard('migrate', () => this.migrate())
	}

	/** Runs `select 1` once migrations are applied; rejects with a `StoreError` when the database cannot be reached. */
	async ping(): Promise<void> {
		await this.run('ping', 'select 1', [])
	}

	/** Close both pools, letting running queries finish for up to 5 s (idempotent). */
	async close(): Promise<void> {
		if (this.closed) return
		this.closed = true
		await Promise.all([this.sql.close({ timeout: 5 }), this.client.end({ timeout: 5 })])
	}

	private wrap(operation: string, error: unknown): Error {
		if (
			error instanceof NotFoundError ||
			error instanceof StoreValidationError ||
			error instanceof StoreError
		)
			return error
		const code = codeOf(error)
		const reason = isLost(error) || isUnreachable(error) ? 'could not reach the database' : 'failed'
		return new StoreError(
			`PostgreSQL ${operation} ${reason}${code ? ` (${code})` : ''}`,
			code,
			driverError(error)
		)
	}

	/**
	 * Runs a call, translating errors. A call whose connection was lost is retried, up to once per pooled
	 * connection (each failure discards one stale connection); a connection attempt that timed out is
	 * retried once; a refused connection fails at once.
	 */
	private async guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
		for (let attempt = 0; ; attempt++) {
			if (this.closed)
				throw new StoreError(`PostgreSQL store is closed (${operation})`, 'STORE_CLOSED', undefined)
			try {
				return await run()
			} catch (error) {
				const code = codeOf(error)
				const retry = isLost(error)
					? attempt < this.max
					: code !== undefined && TIMEOUT_CODES.has(code) && attempt === 0
				if (!retry) throw this.wrap(operation, error)
			}
		}
	}

	/** Runs one prepared statement on Bun's client, once migrations are applied. */
	private async run<T>(operation: string, statement: string, parameters: unknown[]): Promise<T[]> {
		if (!this.isReady) await this.ready()
		return this.guard(operation, () => this.sql.unsafe<T[]>(statement, parameters))
	}

	/** Runs `body` in a transaction on Bun's client, once migrations are applied. */
	private async transaction<T>(operation: string, body: (tx: SQL) => Promise<T>): Promise<T> {
		if (!this.isReady) await this.ready()
		return this.guard(operation, () => this.sql.begin(body))
	}

	generateThreadId(_context: C): string {
		return generateId('thread')
	}

	generateItemId(itemType: StoreItemType, _thread: ThreadMetadata, _context: C): string {
		return generateId(itemType)
	}

	async loadThread(threadId: string, context: C): Promise<ThreadMetadata> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		const [row] = storableId(threadId, this.limits)
			? await this.run<{ data: ThreadMetadata }>('loadThread', statements.LOAD_THREAD, [
					tenantId,
					userId,
					threadId
				])
			: []
		if (!row) throw new NotFoundError('thread', threadId)
		return row.data
	}

	async saveThread(thread: ThreadMetadata, context: C): Promise<void> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		const row = prepareThread(thread, this.limits)
		await this.run('saveThread', statements.SAVE_THREAD, [
			tenantId,
			userId,
			row.id,
			new Date(row.createdAt).toISOString(),
			row.data
		])
	}

	/** One transaction that locks the thread's row before reading it, like `updateThreadMetadata`. */
	async updateThread(threadId: string, update: ThreadUpdate, context: C): Promise<ThreadMetadata> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits)) throw new NotFoundError('thread', threadId)
		return this.transaction('updateThread', async (tx) => {
			const [row] = await tx.unsafe<{ data: string }[]>(statements.LOCK_THREAD, [
				tenantId,
				userId,
				threadId
			])
			if (!row) throw new NotFoundError('thread', threadId)
			const result = updateThreadData(row.data, update, this.limits)
			if (result.data !== undefined)
				await tx.unsafe(statements.UPDATE_THREAD, [tenantId, userId, threadId, result.data])
			return result.thread
		})
	}

	/**
	 * One transaction that locks the thread's row (`select … for update`) before reading it: a concurrent
	 * call, from this pool or another instance, waits for the commit and then reads what was written.
	 * A call whose connection is lost is retried like the others, so `update` may run twice: when the
	 * first commit went through before the connection broke, the retry sees its result.
	 */
	async updateThreadMetadata(
		threadId: string,
		key: string,
		update: (current: unknown) => unknown,
		context: C
	): Promise<unknown> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits)) return undefined
		return withCallerErrors(update, (apply) =>
			this.transaction('updateThreadMetadata', async (tx) => {
				const [row] = await tx.unsafe<{ data: string }[]>(statements.LOCK_THREAD, [
					tenantId,
					userId,
					threadId
				])
				if (!row) return undefined
				const result = updateMetadataKey(row.data, key, apply, this.limits)
				if (result.data !== undefined)
					await tx.unsafe(statements.UPDATE_THREAD, [tenantId, userId, threadId, result.data])
				return result.current
			})
		)
	}

	async loadThreads(
		limit: number,
		afterId: string | null | undefined,
		order: SortOrder,
		context: C
	): Promise<Page<ThreadMetadata>> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		checkLimit(limit)
		const page = statements.LOAD_THREADS[order === 'desc' ? 'desc' : 'asc']
		const rows =
			afterId && storableId(afterId, this.limits)
				? await this.run<{ data: ThreadMetadata }>('loadThreads', page.after, [
						tenantId,
						userId,
						limit + 1,
						afterId
					])
				: await this.run<{ data: ThreadMetadata }>('loadThreads', page.first, [
						tenantId,
						userId,
						limit + 1
					])
		return toPage(rows, limit, parsedData)
	}

	async loadThreadItems(
		threadId: string,
		afterId: string | null | undefined,
		limit: number,
		order: SortOrder,
		context: C
	): Promise<Page<ThreadItem>> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		checkLimit(limit)
		if (!storableId(threadId, this.limits)) return emptyPage()
		const page = statements.LOAD_THREAD_ITEMS[order === 'desc' ? 'desc' : 'asc']
		const rows =
			afterId && storableId(afterId, this.limits)
				? await this.run<{ data: ThreadItem }>('loadThreadItems', page.after, [
						tenantId,
						userId,
						threadId,
						limit + 1,
						afterId
					])
				: await this.run<{ data: ThreadItem }>('loadThreadItems', page.first, [
						tenantId,
						userId,
						threadId,
						limit + 1
					])
		return toPage(rows, limit, parsedData)
	}

	/** Upsert by id within the thread: a new item goes last in its creation-time slot, a known id keeps its place. */
	async addThreadItem(threadId: string, item: ThreadItem, context: C): Promise<void> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		const row = prepareItem(threadId, item, this.limits)
		const written = await this.run('addThreadItem', statements.ADD_THREAD_ITEM, [
			tenantId,
			userId,
			row.threadId,
			row.id,
			row.type,
			new Date(row.createdAt).toISOString(),
			row.data
		])
		if (written.length === 0) throw new NotFoundError('thread', threadId)
	}

	async saveItem(threadId: string, item: ThreadItem, context: C): Promise<void> {
		await this.addThreadItem(threadId, item, context)
	}

	async loadItem(threadId: string, itemId: string, context: C): Promise<ThreadItem> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		const [row] =
			storableId(threadId, this.limits) && storableId(itemId, this.limits)
				? await this.run<{ data: ThreadItem }>('loadItem', statements.LOAD_ITEM, [
						tenantId,
						userId,
						threadId,
						itemId
					])
				: []
		if (!row) throw new NotFoundError('item', itemId)
		return row.data
	}

	/** One transaction that locks the item's row before reading it, like `updateThreadMetadata`. */
	async updateItem(
		threadId: string,
		itemId: string,
		update: (item: ThreadItem) => ThreadItem,
		context: C
	): Promise<ThreadItem> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits) || !storableId(itemId, this.limits))
			throw new NotFoundError('item', itemId)
		return withCallerErrors(update, (apply) =>
			this.transaction('updateItem', async (tx) => {
				const [row] = await tx.unsafe<{ data: string }[]>(statements.LOCK_ITEM, [
					tenantId,
					userId,
					threadId,
					itemId
				])
				if (!row) throw new NotFoundError('item', itemId)
				const { current, next } = updateItemData(row.data, threadId, itemId, apply, this.limits)
				if (next)
					await tx.unsafe(statements.UPDATE_ITEM, [
						tenantId,
						userId,
						threadId,
						itemId,
						next.type,
						next.data
					])
				return current
			})
		)
	}

	/** Deletes the thread and its items in one transaction; attachments stay. */
	async deleteThread(threadId: string, context: C): Promise<void> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits)) return
		await this.transaction('deleteThread', async (tx) => {
			await tx.unsafe(statements.DELETE_THREAD_ITEMS, [tenantId, userId, threadId])
			await tx.unsafe(statements.DELETE_THREAD, [tenantId, userId, threadId])
		})
	}

	async deleteThreadItem(threadId: string, itemId: string, context: C): Promise<void> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits) || !storableId(itemId, this.limits)) return
		await this.run('deleteThreadItem', statements.DELETE_THREAD_ITEM, [
			tenantId,
			userId,
			threadId,
			itemId
		])
	}

	async deleteItemsAfter(threadId: string, itemId: string, context: C): Promise<void> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits) || !storableId(itemId, this.limits)) return
		await this.run('deleteItemsAfter', statements.DELETE_ITEMS_AFTER, [
			tenantId,
			userId,
			threadId,
			itemId
		])
	}

	/** One upsert that changes the row only when it is free, expired or already this turn's; expiry by the database's clock. */
	async acquireTurn(threadId: string, turnId: string, ttlMs: number, context: C): Promise<boolean> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		checkId('thread id', threadId, this.limits)
		checkId('turn id', turnId, this.limits)
		const rows = await this.run('acquireTurn', statements.ACQUIRE_TURN, [
			tenantId,
			userId,
			threadId,
			turnId,
			Math.max(0, Math.round(ttlMs))
		])
		return rows.length > 0
	}

	/** The lease, the thread and its first item in one statement (one round trip). */
	async startThread(
		thread: ThreadMetadata,
		item: ThreadItem,
		turn: { turnId: string; ttlMs: number },
		context: C
	): Promise<boolean> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		checkId('turn id', turn.turnId, this.limits)
		const threadRow = prepareThread(thread, this.limits)
		const itemRow = prepareItem(thread.id, item, this.limits)
		const rows = await this.run('startThread', statements.START_THREAD, [
			tenantId,
			userId,
			threadRow.id,
			turn.turnId,
			Math.max(0, Math.round(turn.ttlMs)),
			new Date(threadRow.createdAt).toISOString(),
			threadRow.data,
			itemRow.id,
			itemRow.type,
			new Date(itemRow.createdAt).toISOString(),
			itemRow.data
		])
		return rows.length > 0
	}

	async releaseTurn(threadId: string, turnId: string, context: C): Promise<void> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits) || !storableId(turnId, this.limits)) return
		await this.run('releaseTurn', statements.RELEASE_TURN, [tenantId, userId, threadId, turnId])
	}

	/** Gives back every turn lease of one instance (turn ids starting with `prefix`), at its start. */
	async releaseInstanceTurns(prefix: string): Promise<number> {
		checkId('turn id prefix', prefix, this.limits)
		const [row] = await this.run<{ released: number }>(
			'releaseInstanceTurns',
			statements.RELEASE_INSTANCE_TURNS,
			[prefix]
		)
		return row?.released ?? 0
	}

	async saveAttachment(attachment: Attachment, context: C): Promise<void> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		const row = prepareAttachment(attachment, this.limits)
		await this.run('saveAttachment', statements.SAVE_ATTACHMENT, [tenantId, userId, row.id, row.data])
	}

	async loadAttachment(attachmentId: string, context: C): Promise<Attachment> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		const [row] = storableId(attachmentId, this.limits)
			? await this.run<{ data: Attachment }>('loadAttachment', statements.LOAD_ATTACHMENT, [
					tenantId,
					userId,
					attachmentId
				])
			: []
		if (!row) throw new NotFoundError('attachment', attachmentId)
		return row.data
	}

	async deleteAttachment(attachmentId: string, context: C): Promise<void> {
		const { tenantId, userId } = ownerOf(context, this.limits)
		if (!storableId(attachmentId, this.limits)) return
		await this.run('deleteAttachment', statements.DELETE_ATTACHMENT, [tenantId, userId, attachmentId])
	}
}

/** Connect to PostgreSQL; migrations start at once and every call waits for them (see `ready()`). */
export const postgresStore = <C extends ChatKitContext = ChatKitContext>(options: PostgresStoreOptions) =>
	new PostgresStore<C>(options)
