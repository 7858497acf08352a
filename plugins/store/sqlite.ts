import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { type BunSQLiteDatabase, drizzle } from 'drizzle-orm/bun-sqlite'
import { migrate } from 'drizzle-orm/bun-sqlite/migrator'
import type { Attachment, Page, ThreadItem, ThreadMetadata } from '../../src/protocol/items'
import { generateId } from '../../src/store/ids'
import {
	type ChatKitContext,
	NotFoundError,
	type Store,
	type StoreItemType,
	type ThreadUpdate
} from '../../src/store/types'
import * as schema from './schema.sqlite'
import {
	checkId,
	checkLimit,
	defaultLimits,
	emptyPage,
	MIGRATIONS_TABLE,
	type Owner,
	ownerOf,
	type PreparedItem,
	type PreparedThread,
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
import { type SqliteStatements, sqliteStatements } from './sqlite-statements'
import { SqliteWriteBatcher } from './sqlite-writes'

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
	/**
	 * Commit the writes of one event-loop turn together (each call still resolves only once its write is
	 * committed, and a failed write fails alone). Concurrent turns then share commits, the costly part of
	 * a write; `false` commits every write on its own, at once.
	 * @default true
	 */
	groupCommit?: boolean
}

/**
 * A `Store` on a SQLite file through `bun:sqlite` and Drizzle: WAL journal, foreign keys on,
 * every query scoped by the context's user and tenant. Each statement is compiled once per store
 * (on first use) from the Drizzle schema; a call binds its parameters and steps.
 */
export class SqliteStore<C extends ChatKitContext = ChatKitContext> implements Store<C> {
	readonly dialect = 'sqlite' as const
	/** The `bun:sqlite` connection. */
	readonly client: Database
	/** The Drizzle database, for plugins that keep their own tables in the same file. */
	readonly db: BunSQLiteDatabase<typeof schema>
	readonly limits: StoreLimits
	private closed = false
	private compiled: SqliteStatements | undefined
	private readonly readModifyWrite: (
		owner: Owner,
		threadId: string,
		key: string,
		apply: (current: unknown) => unknown
	) => unknown
	private readonly deleteThreadAndItems: (owner: Owner, threadId: string) => void
	private readonly startThreadRows: (
		owner: Owner,
		turn: { turnId: string; expiresAt: number; now: number },
		thread: PreparedThread,
		item: PreparedItem
	) => boolean
	private readonly patchThread: (owner: Owner, threadId: string, update: ThreadUpdate) => ThreadMetadata
	private readonly rewriteItem: (
		owner: Owner,
		threadId: string,
		itemId: string,
		apply: (item: ThreadItem) => ThreadItem
	) => ThreadItem
	private readonly batcher: SqliteWriteBatcher | undefined

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
		if (options.groupCommit !== false) this.batcher = new SqliteWriteBatcher(this.client)
		if (options.migrate !== false)
			this.guard('migrate', () =>
				migrate(this.db, {
					migrationsFolder: join(import.meta.dir, 'migrations', 'sqlite'),
					migrationsTable: MIGRATIONS_TABLE
				})
			)
		this.readModifyWrite = this.client.transaction((owner, threadId, key, apply) => {
			const { loadThread, updateThreadData } = this.statements
			const row = loadThread.get(owner.tenantId, owner.userId, threadId)
			if (!row) return undefined
			const result = updateMetadataKey(row.data, key, apply, this.limits)
			if (result.data !== undefined)
				updateThreadData.run(result.data, owner.tenantId, owner.userId, threadId)
			return result.current
		}).immediate
		this.patchThread = this.client.transaction((owner, threadId, update) => {
			const { loadThread, updateThreadData: write } = this.statements
			const row = loadThread.get(owner.tenantId, owner.userId, threadId)
			if (!row) throw new NotFoundError('thread', threadId)
			const result = updateThreadData(row.data, update, this.limits)
			if (result.data !== undefined) write.run(result.data, owner.tenantId, owner.userId, threadId)
			return result.thread
		}).immediate
		this.rewriteItem = this.client.transaction((owner, threadId, itemId, apply) => {
			const { loadItem, addItem } = this.statements
			const row = loadItem.get(owner.tenantId, owner.userId, threadId, itemId)
			if (!row) throw new NotFoundError('item', itemId)
			const result = updateItemData(row.data, threadId, itemId, apply, this.limits)
			const next = result.next
			if (next)
				addItem.run(
					next.id,
					next.type,
					next.createdAt,
					next.data,
					owner.tenantId,
					owner.userId,
					next.threadId
				)
			return result.current
		}).immediate
		this.startThreadRows = this.client.transaction((owner, turn, thread, item) => {
			const { acquireTurn, saveThread, addItem } = this.statements
			const { tenantId, userId } = owner
			const leased = acquireTurn.run(tenantId, userId, thread.id, turn.turnId, turn.expiresAt, turn.now)
			if (leased.changes === 0) return false
			saveThread.run(tenantId, userId, thread.id, thread.createdAt, thread.data)
			const written = addItem.run(
				item.id,
				item.type,
				item.createdAt,
				item.data,
				tenantId,
				userId,
				thread.id
			)
			if (written.changes === 0) throw new NotFoundError('thread', thread.id)
			return true
		})
		this.deleteThreadAndItems = this.client.transaction((owner, threadId) => {
			const { deleteThreadItems, deleteThread } = this.statements
			deleteThreadItems.run(owner.tenantId, owner.userId, threadId)
			deleteThread.run(owner.tenantId, owner.userId, threadId)
		})
	}

	/** Compiled on first use, so that a store opened with `migrate: false` before its tables exist still opens. */
	private get statements(): SqliteStatements {
		this.compiled ??= sqliteStatements(this.db, this.client)
		return this.compiled
	}

	/** Resolves once the store can serve requests (immediately for SQLite). */
	async ready(): Promise<void> {}

	/** Runs `select 1` on the connection; rejects with a `StoreError` once the store is closed. */
	async ping(): Promise<void> {
		this.guard('ping', () => this.client.query('select 1').get())
	}

	/** Close the connection (idempotent). */
	async close(): Promise<void> {
		if (this.closed) return
		this.batcher?.flush()
		this.closed = true
		this.compiled?.finalize()
		this.client.close()
	}

	private guard<T>(operation: string, run: () => T): T {
		this.checkOpen(operation)
		try {
			return run()
		} catch (error) {
			throw storeErrorOf(operation, error)
		}
	}

	/**
	 * Runs a plugin's synchronous write (statements on `client` or `db`) in the store's next group commit,
	 * with the store's own writes of the same event-loop turn (at once when group commit is off). Resolves
	 * once it is committed; a write that throws is undone alone and rejects with its error.
	 * @example await store.queueWrite(() => db.insert(auditLog).values(row).run())
	 */
	queueWrite<T>(run: () => T): Promise<T> {
		return this.write('plugin write', run)
	}

	/** A write: queued for the next group commit, or run at once without one. */
	private async write<T>(operation: string, run: () => T): Promise<T> {
		if (!this.batcher) return this.guard(operation, run)
		this.checkOpen(operation)
		try {
			return await this.batcher.write(run)
		} catch (error) {
			throw storeErrorOf(operation, error)
		}
	}

	private checkOpen(operation: string) {
		if (this.closed)
			throw new StoreError(`SQLite store is closed (${operation})`, 'STORE_CLOSED', undefined)
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
				this.statements.loadThread.get(owner.tenantId, owner.userId, threadId)
			)
		if (!row) throw new NotFoundError('thread', threadId)
		return JSON.parse(row.data)
	}

	async saveThread(thread: ThreadMetadata, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		const row = prepareThread(thread, this.limits)
		await this.write('saveThread', () =>
			this.statements.saveThread.run(owner.tenantId, owner.userId, row.id, row.createdAt, row.data)
		)
	}

	/** One `BEGIN IMMEDIATE` transaction, like `updateThreadMetadata`. */
	async updateThread(threadId: string, update: ThreadUpdate, context: C): Promise<ThreadMetadata> {
		const owner = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits)) throw new NotFoundError('thread', threadId)
		return this.write('updateThread', () => this.patchThread(owner, threadId, update))
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
			this.write('updateThreadMetadata', () => this.readModifyWrite(owner, threadId, key, apply))
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
			const { threadPosition, threadsAsc, threadsDesc } = this.statements
			const { tenantId, userId } = owner
			const page = order === 'desc' ? threadsDesc : threadsAsc
			const cursor =
				afterId && storableId(afterId, this.limits)
					? threadPosition.get(tenantId, userId, afterId)
					: null
			const rows = cursor
				? page.after.all(tenantId, userId, cursor.created_at, cursor.seq, limit + 1)
				: page.first.all(tenantId, userId, limit + 1)
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
			const { itemPosition, itemsAsc, itemsDesc } = this.statements
			const { tenantId, userId } = owner
			const page = order === 'desc' ? itemsDesc : itemsAsc
			const cursor =
				afterId && storableId(afterId, this.limits)
					? itemPosition.get(tenantId, userId, threadId, afterId)
					: null
			const rows = cursor
				? page.after.all(tenantId, userId, threadId, cursor.created_at, cursor.seq, limit + 1)
				: page.first.all(tenantId, userId, threadId, limit + 1)
			return toPage<ThreadItem>(rows, limit)
		})
	}

	/**
	 * Upsert by id within the thread, in one statement that also checks the owner's thread exists:
	 * a new item goes last in its creation-time slot, a known id keeps its place.
	 */
	async addThreadItem(threadId: string, item: ThreadItem, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		const row = prepareItem(threadId, item, this.limits)
		await this.write('addThreadItem', () => {
			const written = this.statements.addItem.run(
				row.id,
				row.type,
				row.createdAt,
				row.data,
				owner.tenantId,
				owner.userId,
				row.threadId
			)
			if (written.changes === 0) throw new NotFoundError('thread', threadId)
		})
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
				this.statements.loadItem.get(owner.tenantId, owner.userId, threadId, itemId)
			)
		if (!row) throw new NotFoundError('item', itemId)
		return JSON.parse(row.data)
	}

	/** One `BEGIN IMMEDIATE` transaction, like `updateThreadMetadata`. */
	async updateItem(
		threadId: string,
		itemId: string,
		update: (item: ThreadItem) => ThreadItem,
		context: C
	): Promise<ThreadItem> {
		const owner = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits) || !storableId(itemId, this.limits))
			throw new NotFoundError('item', itemId)
		return withCallerErrors(update, (apply) =>
			this.write('updateItem', () => this.rewriteItem(owner, threadId, itemId, apply))
		)
	}

	/** Deletes the thread and its items in one transaction; attachments stay. */
	async deleteThread(threadId: string, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits)) return
		await this.write('deleteThread', () => this.deleteThreadAndItems(owner, threadId))
	}

	async deleteThreadItem(threadId: string, itemId: string, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits) || !storableId(itemId, this.limits)) return
		await this.write('deleteThreadItem', () =>
			this.statements.deleteItem.run(owner.tenantId, owner.userId, threadId, itemId)
		)
	}

	async deleteItemsAfter(threadId: string, itemId: string, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits) || !storableId(itemId, this.limits)) return
		const { tenantId, userId } = owner
		await this.write('deleteItemsAfter', () =>
			this.statements.deleteItemsAfter.run(
				tenantId,
				userId,
				threadId,
				tenantId,
				userId,
				threadId,
				itemId
			)
		)
	}

	/** One upsert that changes the row only when it is free, expired or already this turn's; expiry by this machine's clock. */
	async acquireTurn(threadId: string, turnId: string, ttlMs: number, context: C): Promise<boolean> {
		const owner = ownerOf(context, this.limits)
		checkId('thread id', threadId, this.limits)
		checkId('turn id', turnId, this.limits)
		return this.write('acquireTurn', () => {
			const now = Date.now()
			const written = this.statements.acquireTurn.run(
				owner.tenantId,
				owner.userId,
				threadId,
				turnId,
				now + ttlMs,
				now
			)
			return written.changes > 0
		})
	}

	/** The lease, the thread and its first item in one transaction (one write of the group commit). */
	async startThread(
		thread: ThreadMetadata,
		item: ThreadItem,
		turn: { turnId: string; ttlMs: number },
		context: C
	): Promise<boolean> {
		const owner = ownerOf(context, this.limits)
		checkId('turn id', turn.turnId, this.limits)
		const threadRow = prepareThread(thread, this.limits)
		const itemRow = prepareItem(thread.id, item, this.limits)
		return this.write('startThread', () => {
			const now = Date.now()
			return this.startThreadRows(
				owner,
				{ turnId: turn.turnId, expiresAt: now + turn.ttlMs, now },
				threadRow,
				itemRow
			)
		})
	}

	async releaseTurn(threadId: string, turnId: string, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		if (!storableId(threadId, this.limits) || !storableId(turnId, this.limits)) return
		await this.write('releaseTurn', () =>
			this.statements.releaseTurn.run(owner.tenantId, owner.userId, threadId, turnId)
		)
	}

	/** Gives back every turn lease of one instance (turn ids starting with `prefix`), at its start. */
	async releaseInstanceTurns(prefix: string): Promise<number> {
		checkId('turn id prefix', prefix, this.limits)
		return this.write(
			'releaseInstanceTurns',
			() =>
				this.client
					.query('delete from chatkit_turns where substr(turn_id, 1, length(?1)) = ?1')
					.run(prefix).changes
		)
	}

	async saveAttachment(attachment: Attachment, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		const row = prepareAttachment(attachment, this.limits)
		await this.write('saveAttachment', () =>
			this.statements.saveAttachment.run(owner.tenantId, owner.userId, row.id, row.data)
		)
	}

	async loadAttachment(attachmentId: string, context: C): Promise<Attachment> {
		const owner = ownerOf(context, this.limits)
		const row =
			storableId(attachmentId, this.limits) &&
			this.guard('loadAttachment', () =>
				this.statements.loadAttachment.get(owner.tenantId, owner.userId, attachmentId)
			)
		if (!row) throw new NotFoundError('attachment', attachmentId)
		return JSON.parse(row.data)
	}

	async deleteAttachment(attachmentId: string, context: C): Promise<void> {
		const owner = ownerOf(context, this.limits)
		if (!storableId(attachmentId, this.limits)) return
		await this.write('deleteAttachment', () =>
			this.statements.deleteAttachment.run(owner.tenantId, owner.userId, attachmentId)
		)
	}
}

const storeErrorOf = (operation: string, error: unknown): Error => {
	if (error instanceof NotFoundError || error instanceof StoreValidationError) return error
	const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
	const code = (cause as { code?: string } | undefined)?.code
	return new StoreError(`SQLite ${operation} failed${code ? ` (${code})` : ''}`, code, cause)
}

/** Open (and migrate) a SQLite store. */
export const sqliteStore = <C extends ChatKitContext = ChatKitContext>(options: SqliteStoreOptions = {}) =>
	new SqliteStore<C>(options)
