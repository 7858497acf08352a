import { jsonCopy } from '../protocol/copy'
import {
	type Attachment,
	type Page,
	type ThreadItem,
	type ThreadMetadata,
	threadMetadataOf
} from '../protocol/items'
import { generateId } from './ids'
import { applyThreadUpdate, withMetadataValue } from './metadata'
import {
	type ChatKitContext,
	NotFoundError,
	type SortOrder,
	type Store,
	type StoreItemType,
	type ThreadUpdate
} from './types'

/** An item kept as its JSON text: a read is one `JSON.parse`, and nothing the caller holds is shared. */
interface StoredItem {
	readonly id: string
	json: string
}

interface StoredThread {
	readonly id: string
	thread: ThreadMetadata
	/** Sort key: creation time at first save, then `seq`. */
	at: number
	seq: number
	/** Sorted by creation time at first insertion, ties in insertion order; `times` runs parallel. */
	items: StoredItem[]
	times: number[]
}

/** Epoch ms of an ISO 8601 date-time; a date-time without an offset is read as UTC. NaN when unreadable. */
export const createdAtMs = (createdAt: string): number => {
	const text = createdAt.replace(/^(\d{4}-\d{2}-\d{2}) (?=\d)/, '$1T')
	const zoned = !/T\d/.test(text) || /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/.test(text)
	return Date.parse(zoned ? text : `${text}Z`)
}

/** Sort time of a record; unreadable dates sort last. */
const sortTime = (createdAt: string) => {
	const ms = createdAtMs(createdAt)
	return Number.isNaN(ms) ? Number.MAX_VALUE : ms
}

/** The item `updateItem`'s callback returned, refused when it names another id. */
const sameId = (item: ThreadItem, itemId: string): ThreadItem => {
	if (item?.id !== itemId) throw new TypeError(`updateItem: the update must keep the item's id (${itemId})`)
	return item
}

const ownerKey = (context: ChatKitContext) => JSON.stringify([context.user.tenantId ?? '', context.user.id])

const stripItems = (thread: ThreadMetadata): ThreadMetadata => jsonCopy(threadMetadataOf(thread))

const isEmpty = (record: object) => {
	for (const _ in record) return false
	return true
}

/** A copy of a stored thread (plain JSON already): its nested parts copied, the common empty metadata without a JSON round trip. */
const copyThread = (stored: ThreadMetadata): ThreadMetadata => {
	const copy = { ...stored }
	if (stored.status) copy.status = { ...stored.status }
	if (stored.allowed_image_domains) copy.allowed_image_domains = [...stored.allowed_image_domains]
	if (stored.metadata) copy.metadata = isEmpty(stored.metadata) ? {} : jsonCopy(stored.metadata)
	return copy
}

/** Keyset page over a list sorted ascending by creation, read from either end without copying it. */
export const paginate = <T extends { id: string }>(
	sorted: T[],
	after: string | null | undefined,
	limit: number,
	order: SortOrder,
	indexOf: (id: string) => number = (id) => sorted.findIndex((entry) => entry.id === id)
): Page<T> => {
	const count = sorted.length
	const found = after ? indexOf(after) : -1
	const skip = found < 0 ? 0 : order === 'desc' ? count - found : found + 1
	const end = Math.min(count, skip + limit)
	const data: T[] = []
	for (let rank = skip; rank < end; rank++) data.push(sorted[order === 'desc' ? count - 1 - rank : rank]!)
	const hasMore = end < count
	return { data, has_more: hasMore, after: hasMore ? data[data.length - 1]?.id : null }
}

interface Owned {
	threads: Map<string, StoredThread>
	/** The same threads sorted by (`at`, `seq`). */
	sorted: StoredThread[]
}

const before = (a: StoredThread, b: StoredThread) => a.at < b.at || (a.at === b.at && a.seq < b.seq)

/** Index of the first entry of `sorted` not before `entry`. */
const lowerBound = (sorted: StoredThread[], entry: StoredThread) => {
	let low = 0
	let high = sorted.length
	while (low < high) {
		const middle = (low + high) >>> 1
		if (before(sorted[middle]!, entry)) low = middle + 1
		else high = middle
	}
	return low
}

/**
 * A store that keeps everything in process memory, scoped by user and tenant.
 * For tests and experiments: nothing survives a restart and instances do not share it.
 */
export class MemoryStore<C extends ChatKitContext = ChatKitContext> implements Store<C> {
	private readonly owners = new Map<string, Owned>()
	private readonly attachments = new Map<string, Map<string, Attachment>>()
	private readonly turns = new Map<string, { turnId: string; expiresAt: number }>()
	private seq = 0

	/** Always ready: there is no database to reach. */
	async ping(): Promise<void> {}

	generateThreadId(_context: C): string {
		return generateId('thread')
	}

	generateItemId(itemType: StoreItemType, _thread: ThreadMetadata, _context: C): string {
		return generateId(itemType)
	}

	private owned(context: C): Owned {
		const key = ownerKey(context)
		let owned = this.owners.get(key)
		if (!owned) {
			owned = { threads: new Map(), sorted: [] }
			this.owners.set(key, owned)
		}
		return owned
	}

	private threads(context: C): Map<string, StoredThread> {
		return this.owned(context).threads
	}

	private stored(threadId: string, context: C): StoredThread {
		const stored = this.threads(context).get(threadId)
		if (!stored) throw new NotFoundError('thread', threadId)
		return stored
	}

	async loadThread(threadId: string, context: C): Promise<ThreadMetadata> {
		return copyThread(this.stored(threadId, context).thread)
	}

	async saveThread(thread: ThreadMetadata, context: C): Promise<void> {
		const { threads, sorted } = this.owned(context)
		const existing = threads.get(thread.id)
		if (existing) {
			existing.thread = stripItems(thread)
			return
		}
		const entry: StoredThread = {
			id: thread.id,
			thread: stripItems(thread),
			at: sortTime(thread.created_at),
			seq: this.seq++,
			items: [],
			times: []
		}
		threads.set(thread.id, entry)
		sorted.splice(lowerBound(sorted, entry), 0, entry)
	}

	/** Reads, updates and writes in one synchronous step, so nothing can come between. */
	async updateThread(threadId: string, update: ThreadUpdate, context: C): Promise<ThreadMetadata> {
		const stored = this.stored(threadId, context)
		stored.thread = stripItems(applyThreadUpdate(stored.thread, update))
		return copyThread(stored.thread)
	}

	/** Reads, updates and writes in one synchronous step, so nothing can come between. */
	async updateThreadMetadata(
		threadId: string,
		key: string,
		update: (current: unknown) => unknown,
		context: C
	): Promise<unknown> {
		const stored = this.threads(context).get(threadId)
		if (!stored) return undefined
		const metadata = stored.thread.metadata ?? {}
		const current = Object.hasOwn(metadata, key) ? jsonCopy(metadata[key]) : undefined
		const next = update(current)
		if (next === current) return current
		stored.thread = {
			...stored.thread,
			metadata: withMetadataValue(metadata, key, jsonCopy(next))
		}
		return current
	}

	async loadThreads(
		limit: number,
		after: string | null | undefined,
		order: SortOrder,
		context: C
	): Promise<Page<ThreadMetadata>> {
		const { threads, sorted } = this.owned(context)
		const page = paginate(sorted, after, limit, order, (id) => {
			const entry = threads.get(id)
			return entry ? lowerBound(sorted, entry) : -1
		})
		return { ...page, data: page.data.map((entry) => copyThread(entry.thread)) }
	}

	async loadThreadItems(
		threadId: string,
		after: string | null | undefined,
		limit: number,
		order: SortOrder,
		context: C
	): Promise<Page<ThreadItem>> {
		const stored = this.threads(context).get(threadId)
		if (!stored) return { data: [], has_more: false, after: null }
		const page = paginate(stored.items, after, limit, order)
		return { ...page, data: page.data.map((entry) => JSON.parse(entry.json)) }
	}

	async addThreadItem(threadId: string, item: ThreadItem, context: C): Promise<void> {
		const { items, times } = this.stored(threadId, context)
		const existing = items.find((entry) => entry.id === item.id)
		if (existing) {
			existing.json = JSON.stringify(item)
			return
		}
		const at = sortTime(item.created_at)
		let position = items.length
		while (position > 0 && times[position - 1]! > at) position--
		items.splice(position, 0, { id: item.id, json: JSON.stringify(item) })
		times.splice(position, 0, at)
	}

	async saveItem(threadId: string, item: ThreadItem, context: C): Promise<void> {
		await this.addThreadItem(threadId, item, context)
	}

	async loadItem(threadId: string, itemId: string, context: C): Promise<ThreadItem> {
		const item = this.threads(context)
			.get(threadId)
			?.items.find((existing) => existing.id === itemId)
		if (!item) throw new NotFoundError('item', itemId)
		return JSON.parse(item.json)
	}

	/** Reads, updates and writes in one synchronous step, so nothing can come between. */
	async updateItem(
		threadId: string,
		itemId: string,
		update: (item: ThreadItem) => ThreadItem,
		context: C
	): Promise<ThreadItem> {
		const stored = this.threads(context)
			.get(threadId)
			?.items.find((existing) => existing.id === itemId)
		if (!stored) throw new NotFoundError('item', itemId)
		const current: ThreadItem = JSON.parse(stored.json)
		const next = update(current)
		if (next !== current) stored.json = JSON.stringify(sameId(next, itemId))
		return current
	}

	async deleteThread(threadId: string, context: C): Promise<void> {
		const { threads, sorted } = this.owned(context)
		const entry = threads.get(threadId)
		if (!entry) return
		threads.delete(threadId)
		sorted.splice(lowerBound(sorted, entry), 1)
	}

	async deleteThreadItem(threadId: string, itemId: string, context: C): Promise<void> {
		const stored = this.threads(context).get(threadId)
		const index = stored?.items.findIndex((item) => item.id === itemId) ?? -1
		if (stored && index >= 0) {
			stored.items.splice(index, 1)
			stored.times.splice(index, 1)
		}
	}

	async deleteItemsAfter(threadId: string, itemId: string, context: C): Promise<void> {
		const stored = this.threads(context).get(threadId)
		const index = stored?.items.findIndex((item) => item.id === itemId) ?? -1
		if (stored && index >= 0) {
			stored.items.splice(index + 1)
			stored.times.splice(index + 1)
		}
	}

	/** Checks and takes the lease in one synchronous step; expiry by this process's clock. */
	async acquireTurn(threadId: string, turnId: string, ttlMs: number, context: C): Promise<boolean> {
		const key = JSON.stringify([ownerKey(context), threadId])
		const now = Date.now()
		const held = this.turns.get(key)
		if (held && held.turnId !== turnId && held.expiresAt > now) return false
		this.turns.set(key, { turnId, expiresAt: now + ttlMs })
		return true
	}

	async releaseTurn(threadId: string, turnId: string, context: C): Promise<void> {
		const key = JSON.stringify([ownerKey(context), threadId])
		if (this.turns.get(key)?.turnId === turnId) this.turns.delete(key)
	}

	/** Gives back every turn lease of one instance (turn ids starting with `prefix`), whoever owns it. */
	async releaseInstanceTurns(prefix: string): Promise<number> {
		let released = 0
		for (const [key, lease] of this.turns)
			if (lease.turnId.startsWith(prefix)) {
				this.turns.delete(key)
				released++
			}
		return released
	}

	private attachmentsOf(context: C): Map<string, Attachment> {
		const key = ownerKey(context)
		let attachments = this.attachments.get(key)
		if (!attachments) {
			attachments = new Map()
			this.attachments.set(key, attachments)
		}
		return attachments
	}

	async saveAttachment(attachment: Attachment, context: C): Promise<void> {
		this.attachmentsOf(context).set(attachment.id, jsonCopy(attachment))
	}

	async loadAttachment(attachmentId: string, context: C): Promise<Attachment> {
		const attachment = this.attachmentsOf(context).get(attachmentId)
		if (!attachment) throw new NotFoundError('attachment', attachmentId)
		return jsonCopy(attachment)
	}

	async deleteAttachment(attachmentId: string, context: C): Promise<void> {
		this.attachmentsOf(context).delete(attachmentId)
	}
}
