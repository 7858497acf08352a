import type { Attachment, Page, ThreadItem, ThreadMetadata } from '../protocol/items'
import { clip } from '../protocol/limits'

/** The identity every store call is scoped by. */
export interface ChatKitUser {
	id: string
	tenantId?: string | null
	roles?: string[]
}

/**
 * The per-request context the engine hands to the store and to every handler.
 * Plugins extend it (the auth plugin provides `user`); the engine only reads `user`.
 */
export interface ChatKitContext {
	user: ChatKitUser
}

export type StoreItemType =
	| 'thread'
	| 'message'
	| 'tool_call'
	| 'workflow'
	| 'task'
	| 'attachment'
	| 'sdk_hidden_context'
export type SortOrder = 'asc' | 'desc'

/** Raised by a store when a thread, item or attachment does not exist for this context. Its message quotes at most the id's first 64 characters. */
export class NotFoundError extends Error {
	readonly kind: 'thread' | 'item' | 'attachment'
	readonly id: string
	constructor(kind: 'thread' | 'item' | 'attachment', id: string) {
		super(`${kind.charAt(0).toUpperCase()}${kind.slice(1)} ${clip(id)} not found`)
		this.name = 'NotFoundError'
		this.kind = kind
		this.id = id
	}
}

/** The fields of a stored thread that {@link Store.updateThread} changes; the others keep their stored values. */
export interface ThreadUpdate {
	/** The new title; `null` removes it. */
	title?: string | null
	status?: ThreadMetadata['status']
	allowed_image_domains?: string[] | null
	/** Keys of `metadata` to set; a key whose value is `undefined` is removed. */
	metadata?: Record<string, unknown>
}

/**
 * Persistence for threads, items and attachment records.
 * Every method receives the request context and must scope what it reads and writes by
 * `context.user.id` and `context.user.tenantId`: what belongs to another owner does not exist.
 */
export interface Store<C extends ChatKitContext = ChatKitContext> {
	generateThreadId(context: C): string
	generateItemId(itemType: StoreItemType, thread: ThreadMetadata, context: C): string
	/** @throws NotFoundError */
	loadThread(threadId: string, context: C): Promise<ThreadMetadata>
	/**
	 * Upsert thread metadata; an `items` property on the argument is ignored. The engine calls it only to
	 * create a thread; changes to an existing thread go through {@link Store.updateThread}.
	 */
	saveThread(thread: ThreadMetadata, context: C): Promise<void>
	/**
	 * Change the named fields of a stored thread, atomically: `title`, `status` and
	 * `allowed_image_domains` are replaced when given (not `undefined`); each key of `metadata` is set
	 * in place (a key whose value is `undefined` is removed) and every other key keeps its stored
	 * value. No other write to the thread comes between the read and the write, across connections and
	 * instances, so concurrent updates of different fields or keys are all kept.
	 *
	 * A thread that does not exist for this context is never created: `NotFoundError`, nothing written.
	 * Returns the thread as stored after the update.
	 *
	 * @throws NotFoundError
	 * @example
	 * await store.updateThread(threadId, { title: 'Renamed', metadata: { priority: 'high' } }, context)
	 */
	updateThread(threadId: string, update: ThreadUpdate, context: C): Promise<ThreadMetadata>
	/**
	 * Atomically read and rewrite one key of a stored thread's `metadata`: `update` receives the stored
	 * value (`undefined` when the key is absent) and returns the new one (`undefined` removes the key;
	 * its argument returned unchanged writes nothing). No other write to the thread comes between the
	 * read and the write, across connections and instances: of concurrent calls, each sees what the one
	 * before it wrote. Nothing else of the thread changes.
	 *
	 * `update` must be synchronous, pure and must not mutate its argument: a store may call it more than
	 * once (after a conflict or a lost connection); what it returned last is what was written.
	 *
	 * Returns the value `update` last received. For a thread that does not exist for this context,
	 * `update` is not called, nothing is written and the result is `undefined`.
	 *
	 * Optional: the tools plugin uses it to let exactly one answer resume a run paused for approval,
	 * and falls back to a plain `saveThread` (which cannot tell concurrent answers apart) without it.
	 *
	 * @example
	 * // take a value: only one of concurrent callers gets it
	 * const taken = await store.updateThreadMetadata?.(threadId, 'job', () => undefined, context)
	 */
	updateThreadMetadata?(
		threadId: string,
		key: string,
		update: (current: unknown) => unknown,
		context: C
	): Promise<unknown>
	/** Items by creation order; `after` is the id of an item; unknown threads give an empty page. */
	loadThreadItems(
		threadId: string,
		after: string | null | undefined,
		limit: number,
		order: SortOrder,
		context: C
	): Promise<Page<ThreadItem>>
	loadThreads(
		limit: number,
		after: string | null | undefined,
		order: SortOrder,
		context: C
	): Promise<Page<ThreadMetadata>>
	/** Insert an item (upsert by id: a repeated id replaces the stored item). */
	addThreadItem(threadId: string, item: ThreadItem, context: C): Promise<void>
	/** Replace an item by id, keeping its position; inserts it when missing. */
	saveItem(threadId: string, item: ThreadItem, context: C): Promise<void>
	/** @throws NotFoundError */
	loadItem(threadId: string, itemId: string, context: C): Promise<ThreadItem>
	/**
	 * Atomically read and rewrite one stored item: `update` receives the stored item and returns the
	 * item to store in its place (same id; the position is kept), or its argument unchanged to write
	 * nothing. No other write to the item comes between the read and the write, across connections and
	 * instances: of concurrent calls, each sees what the one before it wrote. This is how a pending
	 * item is claimed once: `update` completes it only when it is still pending.
	 *
	 * `update` must be synchronous and pure and must not mutate its argument: a store may call it more
	 * than once (after a conflict or a lost connection); what it returned last is what was written.
	 * Returns the item `update` last received.
	 *
	 * @throws NotFoundError when the item does not exist in this thread for this context (`update` is not called)
	 * @example
	 * const before = await store.updateItem(threadId, itemId, (item) =>
	 * 	item.type === 'client_tool_call' && item.status === 'pending' ? { ...item, status: 'completed', output } : item, context)
	 * const claimed = before.type === 'client_tool_call' && before.status === 'pending'
	 */
	updateItem(
		threadId: string,
		itemId: string,
		update: (item: ThreadItem) => ThreadItem,
		context: C
	): Promise<ThreadItem>
	/** Delete a thread and all its items. */
	deleteThread(threadId: string, context: C): Promise<void>
	/** Delete one item; a missing id is not an error. */
	deleteThreadItem(threadId: string, itemId: string, context: C): Promise<void>
	/**
	 * Delete every item of the thread that comes after `itemId` in thread order (what
	 * `threads.retry_after_item` discards), in one statement: its cost must not grow with the number of calls.
	 * A missing item or thread deletes nothing.
	 */
	deleteItemsAfter(threadId: string, itemId: string, context: C): Promise<void>
	/**
	 * One cheap round trip to the database (`select 1`), for readiness checks: resolves when the store can
	 * serve requests now (migrations applied, database reachable), rejects otherwise. Scoped by nobody: it
	 * reads no data. Optional; without it a readiness check trusts the store.
	 */
	ping?(): Promise<void>
	/**
	 * Take the turn lease of a thread for `turnId`, or extend it: the engine lets one turn at a time run
	 * on a thread, across instances. Succeeds (`true`) when no other turn holds an unexpired lease on the
	 * thread, or when `turnId` holds it already; the lease then expires `ttlMs` milliseconds from now
	 * (by one clock for every instance: the database's, or this machine's). Fails (`false`) and changes
	 * nothing while another turn's lease runs. Atomic across connections and instances: of concurrent
	 * calls for one thread, one succeeds. The thread need not exist yet (a new thread's first turn
	 * holds it before it is saved); leases are scoped by owner like everything else.
	 */
	acquireTurn(threadId: string, turnId: string, ttlMs: number, context: C): Promise<boolean>
	/**
	 * A new thread's first writes in one call, all or nothing: takes the thread's turn lease for
	 * `turn.turnId` (as {@link Store.acquireTurn}), saves the thread (as {@link Store.saveThread}) and adds
	 * `item`, its first item (as {@link Store.addThreadItem}). Returns `false` and writes nothing while
	 * another turn holds the thread's lease.
	 *
	 * Optional: the engine starts `threads.create` turns with it (when the message has no attachments),
	 * one round trip where the three calls take three; without it, it makes the three calls in turn.
	 * Scoped by owner like every call; the lease is given back with {@link Store.releaseTurn}.
	 */
	startThread?(
		thread: ThreadMetadata,
		item: ThreadItem,
		turn: { turnId: string; ttlMs: number },
		context: C
	): Promise<boolean>
	/** Give a thread's turn lease back, when `turnId` holds it (nothing otherwise). */
	releaseTurn(threadId: string, turnId: string, context: C): Promise<void>
	/**
	 * Gives back every turn lease whose turn id starts with `prefix` (`<instance id>:`), whoever owns it, and
	 * returns how many. With `chatkit({ instanceId })` the engine calls it once, before the instance's first
	 * turn: the leases a crashed process of the same instance left are freed at once instead of expiring.
	 * The one call not scoped by a user (it concerns one process's leases). Optional: without it, such leases
	 * expire after `turnLeaseMs`.
	 */
	releaseInstanceTurns?(prefix: string): Promise<number>
	/** Upsert an attachment record (with its server-only `metadata`). */
	saveAttachment(attachment: Attachment, context: C): Promise<void>
	/** @throws NotFoundError */
	loadAttachment(attachmentId: string, context: C): Promise<Attachment>
	deleteAttachment(attachmentId: string, context: C): Promise<void>
}

export interface AttachmentCreateParams {
	name: string
	size: number
	mime_type: string
}

/** Where attachment bytes live. The engine saves the returned record in the `Store`. */
export interface AttachmentStore<C extends ChatKitContext = ChatKitContext> {
	/** Build the attachment record (with `upload_descriptor` for two-phase upload). Do not save it. */
	createAttachment(params: AttachmentCreateParams, context: C): Promise<Attachment>
	/** Delete the bytes. */
	deleteAttachment(attachmentId: string, context: C): Promise<void>
}
