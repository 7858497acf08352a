import { jsonCopy } from '../protocol/copy'
import {
	type ErrorEvent,
	ThreadItemUpdateSchema,
	type ThreadStreamEvent,
	ThreadStreamEventSchema
} from '../protocol/events'
import {
	type SDKHiddenContextItem,
	type Thread,
	type ThreadItem,
	type ThreadMetadata,
	threadMetadataOf
} from '../protocol/items'
import { isHiddenItem } from '../protocol/serialize'
import type { ChatKitContext, ThreadUpdate } from '../store/types'
import { Checkpoints, DEFAULT_CHECKPOINT_INTERVAL_MS } from './checkpoints'
import { ChatKitError, CustomStreamError, StreamError } from './errors'
import { logError } from './log'
import { applyUpdate } from './pending'
import type { ChatKitHandlers, EventHook } from './types'

export const CANCELLED_NOTE = 'The user cancelled the stream. Stop responding to the prior request.'

const EVENT_TYPES = new Set<string>(ThreadStreamEventSchema.options.map((option) => option.shape.type.value))
const UPDATE_TYPES = new Set<string>(ThreadItemUpdateSchema.options.map((option) => option.shape.type.value))

/** A handler's event that the client could not read (it would go out as a broken frame). */
const checkEvent = (event: ThreadStreamEvent): void => {
	const type = (event as { type?: unknown } | null)?.type
	if (typeof type !== 'string' || !EVENT_TYPES.has(type))
		throw new TypeError(`Not a ChatKit stream event: ${JSON.stringify(type ?? null)?.slice(0, 60)}`)
	if (event.type === 'thread.item.updated' && !UPDATE_TYPES.has(event.update?.type))
		throw new TypeError(
			`Not a ChatKit item update: ${JSON.stringify(event.update?.type ?? null)?.slice(0, 60)}`
		)
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b)

/** What a turn changed in its thread since `saved`: the fields and metadata keys that differ, or `undefined`. */
export const threadChangesOf = (saved: ThreadMetadata, thread: ThreadMetadata): ThreadUpdate | undefined => {
	const update: ThreadUpdate = {}
	let changed = false
	if (!same(saved.title ?? null, thread.title ?? null)) {
		update.title = thread.title ?? null
		changed = true
	}
	if (!same(saved.status, thread.status)) {
		update.status = thread.status
		changed = true
	}
	if (!same(saved.allowed_image_domains ?? null, thread.allowed_image_domains ?? null)) {
		update.allowed_image_domains = thread.allowed_image_domains ?? null
		changed = true
	}
	const before = saved.metadata ?? {}
	const after = thread.metadata ?? {}
	if (before !== after) {
		const metadata: Record<string, unknown> = {}
		let keys = false
		for (const key of new Set([...Object.keys(before), ...Object.keys(after)]))
			if (!same(before[key], after[key])) {
				metadata[key] = after[key]
				keys = true
			}
		if (keys) {
			update.metadata = metadata
			changed = true
		}
	}
	return changed ? update : undefined
}

export const errorEventFor = (error: unknown): ErrorEvent => {
	if (error instanceof CustomStreamError)
		return { type: 'error', code: 'custom', message: error.message, allow_retry: error.allowRetry }
	if (error instanceof StreamError)
		return { type: 'error', code: error.code, allow_retry: error.allowRetry }
	if (error instanceof ChatKitError && error.status < 500)
		return { type: 'error', code: 'custom', message: error.message, allow_retry: false }
	logError('error while streaming a response', error)
	return { type: 'error', code: 'stream.error', allow_retry: true }
}

class Aborted extends Error {}

/** Receives each event of a turn once it is persisted; a returned promise holds the turn until it settles (backpressure). */
export type Emit = (event: ThreadStreamEvent) => void | Promise<void>

/** A write that comes before the response phase (the new thread, the user's message), with the events that announce it. */
export type Step = () => Promise<ThreadStreamEvent | ThreadStreamEvent[] | undefined>

/** The default cancellation hook: keep what the user saw of the assistant's messages, and say it was cut off. */
export const defaultHandleStreamCancelled = async <C extends ChatKitContext>(
	handlers: ChatKitHandlers<C>,
	thread: ThreadMetadata,
	pendingItems: ThreadItem[],
	context: C
): Promise<void> => {
	const { store } = handlers
	for (const item of pendingItems) {
		if (item.type !== 'assistant_message') continue
		if (item.content.some((part) => part.text.trim() !== ''))
			await store.addThreadItem(thread.id, item, context)
	}
	const note: SDKHiddenContextItem = {
		id: store.generateItemId('sdk_hidden_context', thread, context),
		thread_id: thread.id,
		created_at: new Date().toISOString(),
		type: 'sdk_hidden_context',
		content: CANCELLED_NOTE
	}
	await store.addThreadItem(thread.id, note, context)
}

/** The events that replace `event` once every hook has seen it, in order. */
const applyHooks = async <C extends ChatKitContext>(
	hooks: EventHook<C>[],
	event: ThreadStreamEvent,
	args: { thread: Thread; context: C }
): Promise<ThreadStreamEvent[]> => {
	let events: ThreadStreamEvent[] = [event]
	for (const hook of hooks) {
		const next: ThreadStreamEvent[] = []
		for (const current of events) {
			const result = await hook(current, args)
			if (result === undefined) next.push(current)
			else if (Array.isArray(result)) next.push(...result)
			else if (result !== null) next.push(result)
		}
		events = next
	}
	return events
}

async function* withHooks<C extends ChatKitContext>(
	hooks: EventHook<C>[],
	thread: Thread,
	context: C,
	source: AsyncIterable<ThreadStreamEvent>
): AsyncGenerator<ThreadStreamEvent> {
	const args = { thread, context }
	for await (const event of source) yield* await applyHooks(hooks, event, args)
}

/**
 * `emit` for the engine's own events (`thread.created`, the user's message, `stream_options`,
 * `thread.updated`, `error`): the event hooks see each one after its write, and what they return is sent.
 * A hook that throws on one is logged, and the event is sent as it was.
 */
export const emitThroughHooks = <C extends ChatKitContext>(
	handlers: ChatKitHandlers<C>,
	thread: Thread,
	context: C,
	emit: Emit
): Emit => {
	const hooks = handlers.eventHooks
	if (!hooks?.length) return emit
	const args = { thread, context }
	return async (event) => {
		let events: ThreadStreamEvent[]
		try {
			events = await applyHooks(hooks, event, args)
		} catch (error) {
			logError('an event hook failed on an event of the engine', error)
			events = [event]
		}
		for (const current of events) await emit(current)
	}
}

/**
 * Runs one response phase: `stream_options` first, then the handler's events, each persisted before it
 * is emitted (done → insert, replaced → upsert, removed → delete), thread changes saved and announced,
 * errors turned into `error` events, and the cancellation hook when the signal aborts.
 * `source` is called after `stream_options`, so that a handler failing as it starts gives an `error` event.
 * `before` runs first, in order, each step's event emitted once its write is done; a turn aborted
 * during these steps ends there, without the cancellation hook.
 *
 * Resolves when the turn has ended, or, when the signal aborts while the handler is silent, once the
 * cancellation hook is done: a handler that never yields again is abandoned, not awaited.
 */
export const runPipeline = <C extends ChatKitContext>(phase: Phase<C>): Promise<void> => {
	let abandon: (() => void) | undefined
	const abandoned = new Promise<void>((resolve) => {
		abandon = resolve
	})
	return Promise.race([respondPhase(phase, abandon), abandoned])
}

/** One response phase of a turn. */
export interface Phase<C extends ChatKitContext> {
	handlers: ChatKitHandlers<C>
	thread: Thread
	context: C
	signal: AbortSignal
	/** The handler's events (called after `stream_options` is emitted). */
	source: () => AsyncIterable<ThreadStreamEvent>
	emit: Emit
	/** Writes to do first, each with the event that announces it. */
	before?: Step[]
}

async function respondPhase<C extends ChatKitContext>(
	{ handlers, thread, context, signal, source, emit: send, before = [] }: Phase<C>,
	abandon: (() => void) | undefined
): Promise<void> {
	const emit = emitThroughHooks(handlers, thread, context, send)
	for (const step of before) {
		if (signal.aborted) return
		let event: ThreadStreamEvent | ThreadStreamEvent[] | undefined
		try {
			event = await step()
		} catch (error) {
			if (signal.aborted) return
			await emit(errorEventFor(error))
			return
		}
		if (signal.aborted) return
		if (Array.isArray(event)) for (const each of event) await emit(each)
		else if (event) await emit(event)
	}
	if (signal.aborted) return
	const { store } = handlers
	const streamOptions = handlers.getStreamOptions?.(thread, context) ?? { allow_cancel: true }
	await emit({ type: 'stream_options', stream_options: streamOptions })
	if (signal.aborted) return

	/** The thread's fields as last saved (or loaded), to find what the turn changed. */
	let saved = jsonCopy(threadMetadataOf(thread))
	/** The thread's fields as references, when last checked. */
	let seen = threadMetadataOf(thread)
	const pending = new Map<string, ThreadItem>()
	/** Deltas are most events: after them, only a replaced field is looked for; in-place edits are found after the next other event. */
	const mayHaveChanged = (event: ThreadStreamEvent) =>
		event.type !== 'thread.item.updated' ||
		seen.title !== thread.title ||
		seen.status !== thread.status ||
		seen.allowed_image_domains !== thread.allowed_image_domains ||
		seen.metadata !== thread.metadata
	/**
	 * Saves what the turn changed in the thread since the last save, as an update of those fields and
	 * metadata keys only (a thread deleted meanwhile stays deleted), and announces the stored thread.
	 */
	const saveChanges = async (): Promise<void> => {
		seen = threadMetadataOf(thread)
		const changes = threadChangesOf(saved, thread)
		if (!changes) return
		saved = jsonCopy(threadMetadataOf(thread))
		const stored = await store.updateThread(thread.id, changes, context)
		await emit({ type: 'thread.updated', thread: { ...stored, items: thread.items } })
	}

	/** While the turn waits on the handler or the client, an abort is handled at once. */
	let waiting = false
	const checkpoints = new Checkpoints({
		store,
		thread,
		context,
		intervalMs: handlers.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
		pending,
		idle: () => waiting
	})

	let cancelled: Promise<void> | undefined
	const cancel = () => {
		cancelled ??= (async () => {
			const items = [...pending.values()]
			const meta = threadMetadataOf(thread)
			try {
				await checkpoints.dropNotes()
				if (handlers.handleStreamCancelled) await handlers.handleStreamCancelled(meta, items, context)
				else await defaultHandleStreamCancelled(handlers, meta, items, context)
			} catch (error) {
				logError('error while handling a cancelled stream', error)
			}
		})()
		return cancelled
	}
	const onAbort = () => {
		if (waiting) cancel().then(abandon)
	}
	signal.addEventListener('abort', onAbort, { once: true })

	let iterator: AsyncIterator<ThreadStreamEvent> | undefined
	let finished = false
	let settled = false
	try {
		try {
			const events = source()
			const hooked = handlers.eventHooks?.length
				? withHooks(handlers.eventHooks, thread, context, events)
				: events
			iterator = hooked[Symbol.asyncIterator]()
			while (true) {
				if (signal.aborted) throw new Aborted()
				waiting = true
				const next = await iterator.next()
				waiting = false
				if (signal.aborted) throw new Aborted()
				if (checkpoints.unsettled) {
					await checkpoints.settle()
					if (signal.aborted) throw new Aborted()
				}
				if (next.done) {
					finished = true
					break
				}
				const event = next.value
				checkEvent(event)
				switch (event.type) {
					case 'thread.item.added': {
						const item = jsonCopy(event.item)
						pending.set(item.id, item)
						checkpoints.changed(item)
						break
					}
					case 'thread.item.updated': {
						const item = pending.get(event.item_id)
						if (item) {
							applyUpdate(item, event.update)
							checkpoints.changed(item)
						}
						break
					}
					case 'thread.item.done':
						await store.addThreadItem(thread.id, event.item, context)
						pending.delete(event.item.id)
						await checkpoints.finished(event.item.id)
						break
					case 'thread.item.removed':
						await store.deleteThreadItem(thread.id, event.item_id, context)
						pending.delete(event.item_id)
						await checkpoints.finished(event.item_id)
						break
					case 'thread.item.replaced':
						await store.saveItem(thread.id, event.item, context)
						pending.delete(event.item.id)
						await checkpoints.finished(event.item.id)
						break
				}
				if (signal.aborted) throw new Aborted()
				if (!(event.type === 'thread.item.done' && isHiddenItem(event.item))) {
					const held = send(event)
					if (held) {
						waiting = true
						await held
						waiting = false
						if (signal.aborted) throw new Aborted()
					}
				}
				if (mayHaveChanged(event)) await saveChanges()
			}
			await saveChanges()
		} catch (error) {
			waiting = false
			if (error instanceof Aborted || signal.aborted) throw new Aborted()
			await emit(errorEventFor(error))
		}
		await saveChanges()
		settled = true
	} catch (error) {
		if (!(error instanceof Aborted)) throw error
	} finally {
		await checkpoints.stop()
		signal.removeEventListener('abort', onAbort)
		if (!finished) iterator?.return?.().catch(() => {})
		if (!settled) await cancel()
	}
}
