import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { type AnyColumn, and, asc, desc, eq, sql } from 'drizzle-orm'
import { type BunSQLiteDatabase, drizzle } from 'drizzle-orm/bun-sqlite'
import { migrate } from 'drizzle-orm/bun-sqlite/migrator'
import type { Attachment, Page, ThreadItem, ThreadMetadata } from '../../src/protocol/items'
import { generateId } from '../../src/store/ids'
import { type ChatKitContext, NotFoundError, type Store, type StoreItemType } from '../../src/store/types'
import * as schema from './schema.sqlite'
import {
	checkLimit,
	defaultLimits,
	emptyPage,
	MIGRATIONS_TABLE,
	type Owner,
	ownerOf,
	type Position,
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

export interface SqliteStoreOptions {
	/**
	 * The database file (its folder is created when missing), or `:memory:`.
	 * @default '.data/chatkit.db'
	 * @example sqliteStore({ path: '/var/lib/chatkit/chatkit.db' })
	 */
	path?: string
	/**
	 * Apply the bundled migrations when opening (idempotent).
	 * @default true
	 */
	migrate?: boolean
	/**
	 * Milliseconds a write waits for another connection's lock before failing.
	 * @default 5000
	 */
	busyTimeout?: number
	/**
	 * Size limits checked before writing.
	 * @default { maxIdLength: 255, maxDocumentBytes: 4194304 }
	 */
	limits?: Partial<StoreLimits>
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

const after = (createdAt: AnyColumn, seq: AnyColumn, order: SortOrder, at: Position) =>
	order === 'asc'
		? sql`(${createdAt}, ${seq}) > (${at.createdAt}, ${at.seq})`
		: sql`(${createdAt}, ${seq}) < (${at.createdAt}, ${at.seq})`

/**
 * A `Store` on a SQLite file through `bun:sqlite` and Drizzle: WAL journal, foreign keys on,
 * every query scoped by the context's user and tenant.
 */
export class SqliteStore<C extends ChatKitContext = ChatKitContext> implements Store<C> {
	readonly dialect = 'sqlite' as const
	/** The `bun:sqlite` connection. */
	readonly client: Database
	/** The Drizzle database, for plugins that keep their own tables in the same file. */
	readonly db: BunSQLiteDatabase<typeof schema>
	readonly limits: StoreLimits
	private closed = false

	constructor(options: SqliteStoreOptions = {}) {
		const path = options.path ?? join('.data', 'chatkit.db')
		if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
		this.limits = { ...defaultLimits, ...options.limits }
		this.client = new Database(path, { create: true })
		this.client.run('PRAGMA journal_mode = WAL')
		this.client.run('PRAGMA synchronous = NORMAL')
		this.client.run('PRAGMA foreign_keys = ON')
		this.client.run(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeout ?? 5000))}`)
		this.db = drizzle({ client: this.client, schema })
		if (options.migrate !== false)
			this.guard('migrate', () =>
				migrate(this.db, {
					migrationsFolder: join(import.meta.dir, 'migrations', 'sqlite'),
					migrationsTable: MIGRATIONS_TABLE
				})
			)
	}

	/** Resolves once the store can serve requests (immediately for SQLite). */
	async ready(): Promise<void> {}

	/** Close the connection (idempotent). */
	async close(): Promise<void> {
		if (this.closed) return
		this.closed = true
		this.client.close()
	}

	private guard<T>(operation: string, run: () => T): T {
		if (this.closed)
			throw new StoreError(`SQLite store is closed (${operation})`, 'STORE_CLOSED', undefined)
		try {
			return run()
		} catch (error) {
			if (error instanceof NotFoundError || error instanceof StoreValidationError) throw error
			const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
			const code = (cause as { code?: string }).code
			throw new StoreError(`SQLite ${operation} failed${code ? ` (${code})` : ''}`, code, cause)
		}
	}

	generateThreadId(_context: C): string {
		return generateId('thread')
	}

	generateItemId(itemType: StoreItemType, _thread: ThreadMetadata, _context: C): string {
		return generateId(itemType)
	}

	async loadThread(threadId: string, context: C): Promise<ThreadMetadata> {
		const owner = ownerOf(context, this.limits)
		const row =
			storableId(threadId, this.limits) &&
			this.guard('loadThread', () =>
				this.db.select({ data: threads.data }).from(threads).where(ownedThread(owner, threadId)).get()
			)
		if (!row) throw new NotFoundError('thread', threadId)
		return JSON.parse(row.data)
	}

	async saveThread(thread: ThreadMetadata, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		const row = prepareThread(thread, this.limits)
		this.guard('saveThread', () =>
			this.db
				.insert(threads)
				.values({ ...owner, ...row })
				.onConflictDoUpdate({
					target: [threads.tenantId, threads.userId, threads.id],
					set: { data: row.data }
				})
				.run()
		)
	}

	/**
	 * One `BEGIN IMMEDIATE` transaction: the write lock is taken before the read, so a connection of
	 * another process waits (up to `busyTimeout`) instead of reading the value being replaced.
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
			this.guard('updateThreadMetadata', () =>
				this.db.transaction(
					(tx) => {
						const row = tx
							.select({ data: threads.data })
							.from(threads)
							.where(ownedThread(owner, threadId))
							.get()
						if (!row) return undefined
						const result = updateMetadataKey(row.data, key, apply, this.limits)
						if (result.data !== undefined)
							tx.update(threads)
								.set({ data: result.data })
								.where(ownedThread(owner, threadId))
								.run()
						return result.current
					},
					{ behavior: 'immediate' }
				)
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
		return this.guard('loadThreads', () => {
			const scope = and(eq(threads.tenantId, owner.tenantId), eq(threads.userId, owner.userId))
			const cursor =
				afterId && storableId(afterId, this.limits)
					? this.db
							.select({ createdAt: threads.createdAt, seq: threads.seq })
							.from(threads)
							.where(ownedThread(owner, afterId))
							.get()
					: undefined
			const direction = order === 'desc' ? desc : asc
			const rows = this.db
				.select({ data: threads.data })
				.from(threads)
				.where(cursor ? and(scope, after(threads.createdAt, threads.seq, order, cursor)) : scope)
				.orderBy(direction(threads.createdAt), direction(threads.seq))
				.limit(limit + 1)
				.all()
			return toPage<ThreadMetadata>(rows, limit)
		})
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
		return this.guard('loadThreadItems', () => {
			const scope = ownedItems(owner, threadId)
			const cursor =
				afterId && storableId(afterId, this.limits)
					? this.db
							.select({ createdAt: items.createdAt, seq: items.seq })
							.from(items)
							.where(and(scope, eq(items.id, afterId)))
							.get()
					: undefined
			const direction = order === 'desc' ? desc : asc
			const rows = this.db
				.select({ data: items.data })
				.from(items)
				.where(cursor ? and(scope, after(items.createdAt, items.seq, order, cursor)) : scope)
				.orderBy(direction(items.createdAt), direction(items.seq))
				.limit(limit + 1)
				.all()
			return toPage<ThreadItem>(rows, limit)
		})
	}

	/** Upsert by id within the thread: a new item goes last in its creation-time slot, a known id keeps its place. */
	async addThreadItem(threadId: string, item: ThreadItem, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		const row = prepareItem(threadId, item, this.limits)
		const written = this.guard('addThreadItem', () =>
			this.db.all(sql`
				insert into ${items} (tenant_id, user_id, thread_id, id, type, created_at, data)
				select ${owner.tenantId}, ${owner.userId}, ${row.threadId}, ${row.id}, ${row.type}, ${row.createdAt}, ${row.data}
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
		const row =
			storableId(threadId, this.limits) &&
			storableId(itemId, this.limits) &&
			this.guard('loadItem', () =>
				this.db
					.select({ data: items.data })
					.from(items)
					.where(and(ownedItems(owner, threadId), eq(items.id, itemId)))
					.get()
			)
		if (!row) throw new NotFoundError('item', itemId)
		return JSON.parse(row.data)
	}

	/** Deletes the thread and its items in one transaction; attachments stay. */
	async deleteThread(threadId: string, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits)) return
		this.guard('deleteThread', () =>
			this.db.transaction((tx) => {
				tx.delete(items).where(ownedItems(owner, threadId)).run()
				tx.delete(threads).where(ownedThread(owner, threadId)).run()
			})
		)
	}

	async deleteThreadItem(threadId: string, itemId: string, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits) || !storableId(itemId, this.limits)) return
		this.guard('deleteThreadItem', () =>
			this.db
				.delete(items)
				.where(and(ownedItems(owner, threadId), eq(items.id, itemId)))
				.run()
		)
	}

	async saveAttachment(attachment: Attachment, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		const row = prepareAttachment(attachment, this.limits)
		this.guard('saveAttachment', () =>
			this.db
				.insert(attachments)
				.values({ ...owner, ...row })
				.onConflictDoUpdate({
					target: [attachments.tenantId, attachments.userId, attachments.id],
					set: { data: row.data }
				})
				.run()
		)
	}

	async loadAttachment(attachmentId: string, context: C): Promise<Attachment> {
		const owner = ownerOf(context, this.limits)
		const row =
			storableId(attachmentId, this.limits) &&
			this.guard('loadAttachment', () =>
				this.db
					.select({ data: attachments.data })
					.from(attachments)
					.where(ownedAttachment(owner, attachmentId))
					.get()
			)
		if (!row) throw new NotFoundError('attachment', attachmentId)
		return JSON.parse(row.data)
	}

	async deleteAttachment(attachmentId: string, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		if (!storableId(attachmentId, this.limits)) return
		this.guard('deleteAttachment', () =>
			this.db.delete(attachments).where(ownedAttachment(owner, attachmentId)).run()
		)
	}
}

/** Open (and migrate) a SQLite store. */
export const sqliteStore = <C extends ChatKitContext = ChatKitContext>(options: SqliteStoreOptions = {}) =>
	new SqliteStore<C>(options)
