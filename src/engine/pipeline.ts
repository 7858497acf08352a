import {
	type ErrorEvent,
	ThreadItemUpdateSchema,
	ThreadStreamEventSchema,
	type ThreadStreamEvent
} from '../protocol/events'
import {
	type SDKHiddenContextItem,
	type Thread,
	type ThreadItem,
	type ThreadMetadata,
	threadMetadataOf
} from '../protocol/items'
import { isHiddenItem } from '../protocol/serialize'
import type { ChatKitContext } from '../store/types'
import { CustomStreamError, StreamError } from './errors'
import { applyUpdate } from './pending'
import type { ChatKitHandlers, EventHook } from './types'
import { logError } from './log'
import { jsonCopy } from '../protocol/copy'

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

const snapshot = (thread: ThreadMetadata): string =>
	JSON.stringify([thread.title, thread.status, thread.allowed_image_domains, thread.metadata])

export const errorEventFor = (error: unknown): ErrorEvent => {
	if (error instanceof CustomStreamError)
		return { type: 'error', code: 'custom', message: error.message, allow_retry: error.allowRetry }
	if (error instanceof StreamError)
		return { type: 'error', code: error.code, allow_retry: error.allowRetry }
	logError('error while streaming a response', error)
	return { type: 'error', code: 'stream.error', allow_retry: true }
}

class Aborted extends Error {}

/**
 * `next()` of the handler's iterator, given up when the signal aborts (the handler may never yield again).
 * One listener per turn rejects the step in flight: racing each step against one long-lived abort promise
 * would leave a reaction on it per event until the turn ends.
 */
const abortableSteps = <T>(iterator: AsyncIterator<T>, signal: AbortSignal) => {
	let rejectStep: ((reason: unknown) => void) | undefined
	const onAbort = () => rejectStep?.(new Aborted())
	signal.addEventListener('abort', onAbort, { once: true })
	return {
		next(): Promise<IteratorResult<T>> {
			if (signal.aborted) return Promise.reject(new Aborted())
			return new Promise((resolve, reject) => {
				rejectStep = reject
				iterator.next().then(resolve, reject)
			})
		},
		dispose() {
			rejectStep = undefined
			signal.removeEventListener('abort', onAbort)
		}
	}
}

/** A write that comes before the response phase (the new thread, the user's message), with the event that announces it. */
export type Step = () => Promise<ThreadStreamEvent | undefined>

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

async function* withHooks<C extends ChatKitContext>(
	hooks: EventHook<C>[],
	thread: Thread,
	context: C,
	source: AsyncIterable<ThreadStreamEvent>
): AsyncGenerator<ThreadStreamEvent> {
	for await (const event of source) {
		let events: ThreadStreamEvent[] = [event]
		for (const hook of hooks) {
			const next: ThreadStreamEvent[] = []
			for (const current of events) {
				const result = await hook(current, { thread, context })
				if (result === undefined) next.push(current)
				else if (Array.isArray(result)) next.push(...result)
				else if (result !== null) next.push(result)
			}
			events = next
		}
		yield* events
	}
}

/**
 * Runs one response phase: `stream_options` first, then the handler's events, each persisted before it
 * is forwarded (done → insert, replaced → upsert, removed → delete), thread changes saved and announced,
 * errors turned into `error` events, and the cancellation hook when the client goes away.
 * `source` is called after `stream_options`, so that a handler failing as it starts gives an `error` event.
 * `before` runs first, in order, each step's event sent once its write is done; a stream cancelled
 * during these steps ends there, without the cancellation hook.
 */
export async function* runPipeline<C extends ChatKitContext>(
	handlers: ChatKitHandlers<C>,
	thread: Thread,
	context: C,
	signal: AbortSignal,
	source: () => AsyncIterable<ThreadStreamEvent>,
	before: Step[] = []
): AsyncGenerator<ThreadStreamEvent> {
	for (const step of before) {
		const event = await step()
		if (signal.aborted) return
		if (event) yield event
	}
	const { store } = handlers
	const streamOptions = handlers.getStreamOptions?.(thread, context) ?? { allow_cancel: true }
	yield { type: 'stream_options', stream_options: streamOptions }

	let last = snapshot(thread)
	let seen = {
		title: thread.title,
		status: thread.status,
		domains: thread.allowed_image_domains,
		metadata: thread.metadata
	}
	const pending = new Map<string, ThreadItem>()
	/** Deltas are most events: after them, only a replaced field is looked for; in-place edits are found after the next other event. */
	const mayHaveChanged = (event?: ThreadStreamEvent) =>
		event?.type !== 'thread.item.updated' ||
		seen.title !== thread.title ||
		seen.status !== thread.status ||
		seen.domains !== thread.allowed_image_domains ||
		seen.metadata !== thread.metadata
	let iterator: AsyncIterator<ThreadStreamEvent> | undefined
	let steps: ReturnType<typeof abortableSteps<ThreadStreamEvent>> | undefined
	let finished = false
	let settled = false

	/** True when the thread differs from what was last saved (and takes the new state as saved). */
	const threadChanged = () => {
		seen = {
			title: thread.title,
			status: thread.status,
			domains: thread.allowed_image_domains,
			metadata: thread.metadata
		}
		const now = snapshot(thread)
		if (now === last) return false
		last = now
		return true
	}
	const saveThread = async (): Promise<ThreadStreamEvent> => {
		await store.loadThread(thread.id, context)
		await store.saveThread(threadMetadataOf(thread), context)
		return { type: 'thread.updated', thread }
	}

	try {
		try {
			const events = source()
			const hooked = handlers.eventHooks?.length
				? withHooks(handlers.eventHooks, thread, context, events)
				: events
			iterator = hooked[Symbol.asyncIterator]()
			steps = abortableSteps(iterator, signal)
			while (true) {
				const next = await steps.next()
				if (next.done) {
					finished = true
					break
				}
				const event = next.value
				checkEvent(event)
				switch (event.type) {
					case 'thread.item.added':
						pending.set(event.item.id, jsonCopy(event.item))
						break
					case 'thread.item.updated': {
						const item = pending.get(event.item_id)
						if (item) applyUpdate(item, event.update)
						break
					}
					case 'thread.item.done':
						await store.addThreadItem(thread.id, event.item, context)
						pending.delete(event.item.id)
						break
					case 'thread.item.removed':
						await store.deleteThreadItem(thread.id, event.item_id, context)
						pending.delete(event.item_id)
						break
					case 'thread.item.replaced':
						await store.saveItem(thread.id, event.item, context)
						pending.delete(event.item.id)
						break
				}
				if (signal.aborted) throw new Aborted()
				if (!(event.type === 'thread.item.done' && isHiddenItem(event.item))) yield event
				if (mayHaveChanged(event) && threadChanged()) yield await saveThread()
			}
			if (threadChanged()) yield await saveThread()
		} catch (error) {
			if (error instanceof Aborted || signal.aborted) throw new Aborted()
			yield errorEventFor(error)
		}
		if (threadChanged()) yield await saveThread()
		settled = true
	} catch (error) {
		if (!(error instanceof Aborted)) throw error
	} finally {
		steps?.dispose()
		if (!finished) iterator?.return?.().catch(() => {})
		if (!settled) {
			const items = [...pending.values()]
			const meta = threadMetadataOf(thread)
			try {
				if (handlers.handleStreamCancelled) await handlers.handleStreamCancelled(meta, items, context)
				else await defaultHandleStreamCancelled(handlers, meta, items, context)
			} catch (error) {
				logError('error while handling a cancelled stream', error)
			}
		}
	}
}
