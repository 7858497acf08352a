import { jsonCopy } from '../protocol/copy'
import type { SDKHiddenContextItem, ThreadItem, ThreadMetadata } from '../protocol/items'
import type { ChatKitContext, Store } from '../store/types'
import { logError } from './log'

/** The hidden note after a checkpointed message: what the model reads if the turn never finishes. */
export const INTERRUPTED_NOTE =
	'The previous response was interrupted before it finished (the server stopped). It is incomplete.'

/** Checkpoint interval when `checkpointIntervalMs` is not set. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 1_000

const hasText = (item: ThreadItem) =>
	item.type === 'assistant_message' && item.content.some((part) => part.text.trim() !== '')

interface CheckpointOptions<C extends ChatKitContext> {
	store: Store<C>
	thread: ThreadMetadata
	context: C
	/** At most one checkpoint per interval, the first one interval after the turn started; `0` turns them off. */
	intervalMs: number
	/** The turn's pending items, by id (the pipeline's copies). */
	pending: Map<string, ThreadItem>
	/** True while the turn writes nothing itself (waits on its handler or its client): a checkpoint may run then. */
	idle: () => boolean
}

/**
 * Keeps what the user sees of a turn's pending assistant messages in the store while they stream: each
 * changed message is upserted at most once per interval, with a hidden `INTERRUPTED_NOTE` after it, so
 * that a crash leaves the thread with the text shown and marked as cut off (as a cancellation leaves it).
 * When the message is done, replaced or removed, its note is deleted. A turn shorter than the interval
 * writes nothing more than before.
 *
 * Checkpoints never run beside the turn's own writes: a timer writes only while the turn is idle, otherwise
 * the turn runs the due checkpoint itself (`settle`) before its next write.
 */
export class Checkpoints<C extends ChatKitContext> {
	private readonly dirty = new Set<string>()
	private readonly notes = new Map<string, string>()
	private timer: ReturnType<typeof setTimeout> | undefined
	private lastWrite = Date.now()
	private writing: Promise<void> | undefined
	private due = false
	private stopped = false

	constructor(private readonly options: CheckpointOptions<C>) {}

	/** A pending item was added or updated. */
	changed(item: ThreadItem): void {
		if (this.options.intervalMs <= 0 || this.stopped || item.type !== 'assistant_message') return
		this.dirty.add(item.id)
		this.schedule()
	}

	/** True when `settle` has something to wait for or to write (most events: false, and no await is needed). */
	get unsettled(): boolean {
		return this.writing !== undefined || (this.due && !this.stopped)
	}

	/** Waits for a checkpoint in flight and runs a due one: call before the turn writes. */
	async settle(): Promise<void> {
		if (this.writing) await this.writing
		if (this.due && !this.stopped) {
			this.due = false
			await this.write()
		}
	}

	/** The item was done, replaced or removed: its note goes (it is no longer cut off). */
	async finished(itemId: string): Promise<void> {
		this.dirty.delete(itemId)
		const note = this.notes.get(itemId)
		if (note === undefined) return
		this.notes.delete(itemId)
		const { store, thread, context } = this.options
		await store.deleteThreadItem(thread.id, note, context)
	}

	/** No more checkpoints; waits for one in flight. */
	async stop(): Promise<void> {
		this.stopped = true
		clearTimeout(this.timer)
		if (this.writing) await this.writing
	}

	/** Stops, and deletes the notes (before the cancellation hook writes its own). */
	async dropNotes(): Promise<void> {
		await this.stop()
		for (const itemId of [...this.notes.keys()]) await this.finished(itemId)
	}

	private schedule() {
		if (this.timer !== undefined || this.due || this.writing) return
		const wait = Math.max(0, this.lastWrite + this.options.intervalMs - Date.now())
		this.timer = setTimeout(this.onTimer, wait)
	}

	private readonly onTimer = () => {
		this.timer = undefined
		if (this.stopped) return
		if (!this.options.idle()) {
			this.due = true
			return
		}
		this.writing = this.write().finally(() => {
			this.writing = undefined
			if (this.dirty.size && !this.stopped) this.schedule()
		})
	}

	private async write(): Promise<void> {
		const { store, thread, context, pending } = this.options
		const ids = [...this.dirty]
		this.dirty.clear()
		this.lastWrite = Date.now()
		try {
			for (const id of ids) {
				const item = pending.get(id)
				if (!item || !hasText(item)) continue
				await store.saveItem(thread.id, jsonCopy(item), context)
				if (this.notes.has(id)) continue
				const note: SDKHiddenContextItem = {
					id: store.generateItemId('sdk_hidden_context', thread, context),
					thread_id: thread.id,
					created_at: new Date().toISOString(),
					type: 'sdk_hidden_context',
					content: INTERRUPTED_NOTE
				}
				await store.addThreadItem(thread.id, note, context)
				this.notes.set(id, note.id)
			}
		} catch (error) {
			logError('a checkpoint of a streaming message failed', error)
		}
		this.lastWrite = Date.now()
	}
}
