import { join } from 'node:path'
import { type AnyColumn, and, asc, desc, eq, type SQL, sql } from 'drizzle-orm'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import type { Attachment, Page, ThreadItem, ThreadMetadata } from '../../src/protocol/items'
import { generateId } from '../../src/store/ids'
import { type ChatKitContext, NotFoundError, type Store, type StoreItemType } from '../../src/store/types'
import * as schema from './schema.pg'
import {
	checkLimit,
	defaultLimits,
	emptyPage,
	MIGRATIONS_TABLE,
	type Owner,
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
	updateMetadataKey,
	withCallerErrors
} from './shared'

const { threads, items, attachments } = schema

export const MIGRATIONS_SCHEMA = 'drizzle'
/** Session advisory lock held while migrating, so that instances starting together migrate one at a time. */
const MIGRATION_LOCK = 7_283_921_004

export interface PostgresStoreOptions {
	/**
	 * Connection URL (`postgres://` or `postgresql://`).
	 * @example postgresStore({ url: process.env.DATABASE_URL })
	 */
	url: string
	/**
	 * Connections in the pool.
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
	 * Size limits checked before writing.
	 * @default { maxIdLength: 255, maxDocumentBytes: 4194304 }
	 */
	limits?: Partial<StoreLimits>
}

/** The connection broke under the call (server restart, network cut): a fresh connection may work. */
const LOST_CODES = new Set([
	'CONNECTION_CLOSED',
	'CONNECTION_DESTROYED',
	'ECONNRESET',
	'EPIPE',
	'57P01',
	'57P02'
])
/** No connection could be made: the database is down or unreachable right now. */
const UNREACHABLE_CODES = new Set([
	'CONNECT_TIMEOUT',
	'ECONNREFUSED',
	'ENOTFOUND',
	'EHOSTUNREACH',
	'ETIMEDOUT',
	'57P03'
])

const driverError = (error: unknown): unknown =>
	error instanceof Error && error.cause instanceof Error ? error.cause : error

const codeOf = (error: unknown): string | undefined => {
	const code = (driverError(error) as { code?: unknown })?.code
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

const ownedThread = (owner: Owner, threadId: string) =>
	and(eq(threads.tenantId, owner.tenantId), eq(threads.userId, owner.userId), eq(threads.id, threadId))

const ownedItems = (owner: Owner, threadId: string) =>
	and(eq(items.tenantId, owner.tenantId), eq(items.userId, owner.userId), eq(items.threadId, threadId))

const ownedAttachment = (owner: Owner, id: string) =>
	and(
		eq(attachments.tenantId, owner.tenantId),
		eq(attachments.userId, owner.userId),
		eq(attachments.id, id)
	)

const timestamptz = (ms: number) => sql`${new Date(ms).toISOString()}::timestamptz`

/**
 * Keyset condition in one statement: rows strictly after the cursor row (found by `cursor`) in `order`;
 * an unknown cursor matches every row, so the page starts from the beginning.
 */
const after = (table: typeof items | typeof threads, cursor: SQL | undefined, order: SortOrder) => {
	const at = (column: AnyColumn) => sql`(select ${column} from ${table} where ${cursor})`
	return order === 'asc'
		? sql`(${table.createdAt}, ${table.seq}) > (coalesce(${at(table.createdAt)}, '-infinity'::timestamptz), coalesce(${at(table.seq)}, 0))`
		: sql`(${table.createdAt}, ${table.seq}) < (coalesce(${at(table.createdAt)}, 'infinity'::timestamptz), coalesce(${at(table.seq)}, 9223372036854775807))`
}

/** JSON documents travel as text: the store serializes them (checking their size) and parses them itself. */
const jsonAsText = { to: 114, from: [114], serialize: (value: string) => value, parse: (raw: string) => raw }

/**
 * A `Store` on PostgreSQL through postgres.js and Drizzle. Every query is scoped by the context's
 * user and tenant. A call that fails because its connection was lost is retried on a fresh connection
 * (every write is an idempotent upsert or delete), so the store outlives a database restart.
 */
export class PostgresStore<C extends ChatKitContext = ChatKitContext> implements Store<C> {
	readonly dialect = 'postgresql' as const
	/** The postgres.js client (a pool). */
	readonly client: postgres.Sql
	/** The Drizzle database, for plugins that keep their own tables in the same database. */
	readonly db: PostgresJsDatabase<typeof schema>
	readonly limits: StoreLimits
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

	/** Close the pool, letting running queries finish for up to 5 s (idempotent). */
	async close(): Promise<void> {
		if (this.closed) return
		this.closed = true
		await this.client.end({ timeout: 5 })
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
				const retry = isLost(error)
					? attempt < this.max
					: codeOf(error) === 'CONNECT_TIMEOUT' && attempt === 0
				if (!retry) throw this.wrap(operation, error)
			}
		}
	}

	private async query<T>(operation: string, run: () => Promise<T>): Promise<T> {
		if (!this.isReady) await this.ready()
		return this.guard(operation, run)
	}

	generateThreadId(_context: C): string {
		return generateId('thread')
	}

	generateItemId(itemType: StoreItemType, _thread: ThreadMetadata, _context: C): string {
		return generateId(itemType)
	}

	async loadThread(threadId: string, context: C): Promise<ThreadMetadata> {
		const owner = ownerOf(context, this.limits)
		const [row] = storableId(threadId, this.limits)
			? await this.query('loadThread', () =>
					this.db.select({ data: threads.data }).from(threads).where(ownedThread(owner, threadId))
				)
			: []
		if (!row) throw new NotFoundError('thread', threadId)
		return JSON.parse(row.data)
	}

	async saveThread(thread: ThreadMetadata, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		const row = prepareThread(thread, this.limits)
		await this.query('saveThread', () =>
			this.db
				.insert(threads)
				.values({ ...owner, id: row.id, createdAt: new Date(row.createdAt), data: row.data })
				.onConflictDoUpdate({
					target: [threads.tenantId, threads.userId, threads.id],
					set: { data: row.data }
				})
		)
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
		const owner = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits)) return undefined
		return withCallerErrors(update, (apply) =>
			this.query('updateThreadMetadata', () =>
				this.db.transaction(async (tx) => {
					const [row] = await tx
						.select({ data: threads.data })
						.from(threads)
						.where(ownedThread(owner, threadId))
						.for('update')
					if (!row) return undefined
					const result = updateMetadataKey(row.data, key, apply, this.limits)
					if (result.data !== undefined)
						await tx
							.update(threads)
							.set({ data: result.data })
							.where(ownedThread(owner, threadId))
					return result.current
				})
			)
		)
	}

	async loadThreads(
		limit: number,
		afterId: string | null | undefined,
		order: SortOrder,
		context: C
	): Promise<Page<ThreadMetadata>> {
		const owner = ownerOf(context, this.limits)
		checkLimit(limit)
		const scope = and(eq(threads.tenantId, owner.tenantId), eq(threads.userId, owner.userId))
		const cursor = afterId && storableId(afterId, this.limits) ? ownedThread(owner, afterId) : undefined
		const direction = order === 'desc' ? desc : asc
		const rows = await this.query('loadThreads', () =>
			this.db
				.select({ data: threads.data })
				.from(threads)
				.where(cursor ? and(scope, after(threads, cursor, order)) : scope)
				.orderBy(direction(threads.createdAt), direction(threads.seq))
				.limit(limit + 1)
		)
		return toPage<ThreadMetadata>(rows, limit)
	}

	async loadThreadItems(
		threadId: string,
		afterId: string | null | undefined,
		limit: number,
		order: SortOrder,
		context: C
	): Promise<Page<ThreadItem>> {
		const owner = ownerOf(context, this.limits)
		checkLimit(limit)
		if (!storableId(threadId, this.limits)) return emptyPage()
		const scope = ownedItems(owner, threadId)
		const cursor =
			afterId && storableId(afterId, this.limits) ? and(scope, eq(items.id, afterId)) : undefined
		const direction = order === 'desc' ? desc : asc
		const rows = await this.query('loadThreadItems', () =>
			this.db
				.select({ data: items.data })
				.from(items)
				.where(cursor ? and(scope, after(items, cursor, order)) : scope)
				.orderBy(direction(items.createdAt), direction(items.seq))
				.limit(limit + 1)
		)
		return toPage<ThreadItem>(rows, limit)
	}

	/** Upsert by id within the thread: a new item goes last in its creation-time slot, a known id keeps its place. */
	async addThreadItem(threadId: string, item: ThreadItem, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		const row = prepareItem(threadId, item, this.limits)
		const written = await this.query('addThreadItem', () =>
			this.db.execute(sql`
				insert into ${items} (tenant_id, user_id, thread_id, id, type, created_at, data)
				select ${owner.tenantId}, ${owner.userId}, ${row.threadId}, ${row.id}, ${row.type},
					${timestamptz(row.createdAt)}, ${row.data}::json
				where exists (select 1 from ${threads} where ${ownedThread(owner, row.threadId)})
				on conflict (tenant_id, user_id, thread_id, id) do update set type = excluded.type, data = excluded.data
				returning seq`)
		)
		if (written.length === 0) throw new NotFoundError('thread', threadId)
	}

	async saveItem(threadId: string, item: ThreadItem, context: C): Promise<void> {
		await this.addThreadItem(threadId, item, context)
	}

	async loadItem(threadId: string, itemId: string, context: C): Promise<ThreadItem> {
		const owner = ownerOf(context, this.limits)
		const [row] =
			storableId(threadId, this.limits) && storableId(itemId, this.limits)
				? await this.query('loadItem', () =>
						this.db
							.select({ data: items.data })
							.from(items)
							.where(and(ownedItems(owner, threadId), eq(items.id, itemId)))
					)
				: []
		if (!row) throw new NotFoundError('item', itemId)
		return JSON.parse(row.data)
	}

	/** Deletes the thread and its items in one transaction; attachments stay. */
	async deleteThread(threadId: string, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits)) return
		await this.query('deleteThread', () =>
			this.db.transaction(async (tx) => {
				await tx.delete(items).where(ownedItems(owner, threadId))
				await tx.delete(threads).where(ownedThread(owner, threadId))
			})
		)
	}

	async deleteThreadItem(threadId: string, itemId: string, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits) || !storableId(itemId, this.limits)) return
		await this.query('deleteThreadItem', () =>
			this.db.delete(items).where(and(ownedItems(owner, threadId), eq(items.id, itemId)))
		)
	}

	async saveAttachment(attachment: Attachment, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		const row = prepareAttachment(attachment, this.limits)
		await this.query('saveAttachment', () =>
			this.db
				.insert(attachments)
				.values({ ...owner, ...row })
				.onConflictDoUpdate({
					target: [attachments.tenantId, attachments.userId, attachments.id],
					set: { data: row.data }
				})
		)
	}

	async loadAttachment(attachmentId: string, context: C): Promise<Attachment> {
		const owner = ownerOf(context, this.limits)
		const [row] = storableId(attachmentId, this.limits)
			? await this.query('loadAttachment', () =>
					this.db
						.select({ data: attachments.data })
						.from(attachments)
						.where(ownedAttachment(owner, attachmentId))
				)
			: []
		if (!row) throw new NotFoundError('attachment', attachmentId)
		return JSON.parse(row.data)
	}

	async deleteAttachment(attachmentId: string, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		if (!storableId(attachmentId, this.limits)) return
		await this.query('deleteAttachment', () =>
			this.db.delete(attachments).where(ownedAttachment(owner, attachmentId))
		)
	}
}

/** Connect to PostgreSQL; migrations start at once and every call waits for them (see `ready()`). */
export const postgresStore = <C extends ChatKitContext = ChatKitContext>(options: PostgresStoreOptions) =>
	new PostgresStore<C>(options)
