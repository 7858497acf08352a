import {
	type Attachment,
	type Page,
	type ThreadItem,
	type ThreadMetadata,
	threadMetadataOf
} from '../../src/protocol/items'
import { isUsableId, MAX_ID_LENGTH } from '../../src/store/ids'
import { createdAtMs } from '../../src/store/memory'
import { applyThreadUpdate, withMetadataValue } from '../../src/store/metadata'
import type { ChatKitContext, SortOrder, ThreadUpdate } from '../../src/store/types'

/** Where the stores record applied migrations (PostgreSQL: in schema `drizzle`); other plugins use their own table. */
export const MIGRATIONS_TABLE = '__chatkit_store_migrations'

/** Size limits checked before anything is written. */
export interface StoreLimits {
	/**
	 * Longest accepted id (thread, item, attachment, user and tenant ids), in characters.
	 * @default 255
	 */
	maxIdLength: number
	/**
	 * Largest accepted JSON document (a thread's metadata, an item, an attachment record), in UTF-8 bytes.
	 * @default 4194304 (4 MiB)
	 */
	maxDocumentBytes: number
}

export const defaultLimits: StoreLimits = { maxIdLength: MAX_ID_LENGTH, maxDocumentBytes: 4 * 1024 * 1024 }

/** A value refused at the store boundary (too long, not serializable, malformed date). Nothing was written. */
export class StoreValidationError extends Error {
	readonly field: string
	constructor(field: string, problem: string) {
		super(`Invalid ${field}: ${problem}`)
		this.name = 'StoreValidationError'
		this.field = field
	}
}

/**
 * The database failed or could not be reached. The message names the operation and the driver's error
 * code, never the statement's parameters; the driver error is the `cause`.
 */
export class StoreError extends Error {
	readonly code: string | undefined
	constructor(message: string, code: string | undefined, cause: unknown) {
		super(message, { cause })
		this.name = 'StoreError'
		this.code = code
	}
}

export interface Owner {
	tenantId: string
	userId: string
}

const MIN_TIME = Date.UTC(1, 0, 1)
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

export const checkId = (field: string, value: unknown, limits: StoreLimits): string => {
	if (typeof value !== 'string' || value.length === 0)
		throw new StoreValidationError(field, 'must be a non-empty string')
	if (value.length > limits.maxIdLength)
		throw new StoreValidationError(field, `longer than ${limits.maxIdLength} characters`)
	if (value.includes('\u0000')) throw new StoreValidationError(field, 'contains a NUL character')
	return value
}

/** The scope of every query. A missing tenant is stored as the empty string. */
export const ownerOf = (context: ChatKitContext, limits: StoreLimits): Owner => {
	const tenant = context.user.tenantId
	return {
		userId: checkId('user id', context.user.id, limits),
		tenantId:
			tenant === null || tenant === undefined || tenant === ''
				? ''
				: checkId('tenant id', tenant, limits)
	}
}

/** True when `id` could name a stored row; reads of impossible ids are simply not found. */
export const storableId = (id: unknown, limits: StoreLimits): id is string =>
	isUsableId(id, limits.maxIdLength)

export const checkCreatedAt = (field: string, value: unknown): number => {
	const ms = typeof value === 'string' ? createdAtMs(value) : Number.NaN
	if (!(ms >= MIN_TIME && ms <= MAX_TIME))
		throw new StoreValidationError(field, 'must be an ISO 8601 date-time between years 1 and 9999')
	return ms
}

export const serialize = (field: string, value: unknown, limits: StoreLimits): string => {
	let json: string | undefined
	try {
		json = JSON.stringify(value)
	} catch {
		throw new StoreValidationError(field, 'is not serializable as JSON')
	}
	if (json === undefined) throw new StoreValidationError(field, 'is not serializable as JSON')
	if (json.length > limits.maxDocumentBytes || Buffer.byteLength(json) > limits.maxDocumentBytes)
		throw new StoreValidationError(field, `larger than ${limits.maxDocumentBytes} bytes`)
	return json
}

export const checkLimit = (limit: unknown): number => {
	if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1)
		throw new StoreValidationError('limit', 'must be a positive integer')
	return limit
}

export interface PreparedThread {
	id: string
	createdAt: number
	data: string
}

export const prepareThread = (thread: ThreadMetadata, limits: StoreLimits): PreparedThread => ({
	id: checkId('thread id', thread.id, limits),
	createdAt: checkCreatedAt('thread created_at', thread.created_at),
	data: serialize('thread', threadMetadataOf(thread), limits)
})

/**
 * Applies `update` to `metadata[key]` of a stored thread document (its JSON text): the value `update`
 * received, and the document to write back (`undefined` when `update` returned its argument unchanged).
 */
export const updateMetadataKey = (
	data: string,
	key: string,
	update: (current: unknown) => unknown,
	limits: StoreLimits
): { current: unknown; data?: string } => {
	const thread = JSON.parse(data) as ThreadMetadata
	const metadata = thread.metadata ?? {}
	const current = Object.hasOwn(metadata, key) ? metadata[key] : undefined
	const next = update(current)
	if (next === current) return { current }
	const written = { ...thread, metadata: withMetadataValue(metadata, key, next) }
	return { current, data: serialize('thread', written, limits) }
}

/**
 * Applies `update` to a stored thread document (its JSON text): the thread after the update, and the
 * document to write back (`undefined` when nothing changed).
 */
export const updateThreadData = (
	data: string,
	update: ThreadUpdate,
	limits: StoreLimits
): { thread: ThreadMetadata; data?: string } => {
	const thread = applyThreadUpdate(JSON.parse(data) as ThreadMetadata, update)
	const written = serialize('thread', threadMetadataOf(thread), limits)
	return written === data ? { thread } : { thread: JSON.parse(written), data: written }
}

export interface PreparedItem {
	threadId: string
	id: string
	type: string
	createdAt: number
	data: string
}

export const prepareItem = (threadId: string, item: ThreadItem, limits: StoreLimits): PreparedItem => ({
	threadId: checkId('thread id', threadId, limits),
	id: checkId('item id', item.id, limits),
	type: checkId('item type', item.type, limits),
	createdAt: checkCreatedAt('item created_at', item.created_at),
	data: serialize('item', item, limits)
})

/**
 * Applies `update` to a stored item document (its JSON text): the item `update` received, and the row to
 * write back (`undefined` when `update` returned its argument unchanged).
 */
export const updateItemData = (
	data: string,
	threadId: string,
	itemId: string,
	update: (item: ThreadItem) => ThreadItem,
	limits: StoreLimits
): { current: ThreadItem; next?: PreparedItem } => {
	const current = JSON.parse(data) as ThreadItem
	const next = update(current)
	if (next === current) return { current }
	if (next?.id !== itemId) throw new StoreValidationError('item id', 'must not change in updateItem')
	return { current, next: prepareItem(threadId, next, limits) }
}

export const prepareAttachment = (attachment: Attachment, limits: StoreLimits) => ({
	id: checkId('attachment id', attachment.id, limits),
	data: serialize('attachment', attachment, limits)
})

const parseData = <T>(row: { data: unknown }) => JSON.parse(row.data as string) as T

/**
 * Builds the page from `limit + 1` rows read in the requested order; `read` turns a row into its document
 * (by default, parses its `data` text).
 */
export const toPage = <T extends { id: string }, R extends { data: unknown } = { data: string }>(
	rows: R[],
	limit: number,
	read: (row: R) => T = parseData
): Page<T> => {
	const hasMore = rows.length > limit
	const data = (hasMore ? rows.slice(0, limit) : rows).map(read)
	return { data, has_more: hasMore, after: hasMore ? (data.at(-1)?.id ?? null) : null }
}

export const emptyPage = <T>(): Page<T> => ({ data: [], has_more: false, after: null })

export { createdAtMs, type SortOrder }

/**
 * Runs a read-modify-write with the caller's `update`: an error `update` throws comes out unchanged,
 * not wrapped as a store failure.
 */
export const withCallerErrors = async <T, A = unknown, R = unknown>(
	update: (current: A) => R,
	run: (apply: (current: A) => R) => T | Promise<T>
): Promise<T> => {
	const failed: { error?: unknown } = {}
	const apply = (current: A) => {
		try {
			return update(current)
		} catch (error) {
			failed.error = error
			throw error
		}
	}
	try {
		return await run(apply)
	} catch (error) {
		throw 'error' in failed ? failed.error : error
	}
}
