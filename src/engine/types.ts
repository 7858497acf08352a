import type { StreamOptions, ThreadStreamEvent } from '../protocol/events'
import type { Thread, ThreadItem, ThreadMetadata, UserMessageItem, WidgetItem } from '../protocol/items'
import type { Action, FeedbackKind } from '../protocol/requests'
import type { AttachmentStore, ChatKitContext, Store } from '../store/types'

/** The part of a turn that makes items (ids from the store): `respond`'s and an action handler's args fit. */
export interface TurnScope<C extends ChatKitContext = ChatKitContext> {
	thread: ThreadMetadata
	store: Store<C>
	context: C
}

/** What a responder, an action handler or a plugin hook receives. */
export interface TurnArgs<C extends ChatKitContext = ChatKitContext> {
	/** The thread. Mutate `title`, `status`, `metadata` or `allowed_image_domains` and the engine saves it and emits `thread.updated`. */
	thread: Thread
	context: C
	store: Store<C>
	/** Aborted when the client goes away; stop work (and paid model calls) when it fires. */
	signal: AbortSignal
}

export interface RespondArgs<C extends ChatKitContext = ChatKitContext> extends TurnArgs<C> {
	/** The new user message, or `null` when the turn resumes after a client tool output or structured input. */
	input: UserMessageItem | null
}

export interface ActionArgs<C extends ChatKitContext = ChatKitContext> extends TurnArgs<C> {
	action: Action
	/** The widget item that sent the action, when the request named one. */
	sender: WidgetItem | null
}

/** Produces the assistant's turn as a stream of ChatKit events. */
export type Responder<C extends ChatKitContext = ChatKitContext> = (
	args: RespondArgs<C>
) => AsyncIterable<ThreadStreamEvent>

/** Wraps a responder: run work around the turn (e.g. generate a title concurrently), or rewrite its events. */
export type RespondMiddleware<C extends ChatKitContext = ChatKitContext> = (
	next: Responder<C>
) => Responder<C>

export type ActionHandler<C extends ChatKitContext = ChatKitContext> = (
	args: ActionArgs<C>
) => AsyncIterable<ThreadStreamEvent>

export type SyncActionHandler<C extends ChatKitContext = ChatKitContext> = (
	args: Omit<ActionArgs<C>, 'signal'>
) => Promise<{ updated_item?: ThreadItem | null }>

export interface FeedbackArgs<C extends ChatKitContext = ChatKitContext> {
	threadId: string
	itemIds: string[]
	kind: FeedbackKind
	context: C
}

export interface AudioInput {
	data: Uint8Array
	/** As the client sent it, e.g. `audio/webm;codecs=opus`. */
	mime_type: string
	/** The MIME type without parameters, e.g. `audio/webm`. */
	media_type: string
}

export type Transcriber<C extends ChatKitContext = ChatKitContext> = (
	audio: AudioInput,
	context: C
) => Promise<{ text: string }>

/**
 * Sees every event the client receives, in order. A responder's or an action's events are seen before
 * they are persisted: return `undefined` to keep the event, another event or a list to replace it, `null`
 * to drop it. The engine's own events (`thread.created`, the user's message, `stream_options`,
 * `thread.updated`, `error`) are seen after their write: what a hook returns changes what the client
 * receives only.
 */
export type EventHook<C extends ChatKitContext = ChatKitContext> = (
	event: ThreadStreamEvent,
	args: { thread: Thread; context: C }
) =>
	| ThreadStreamEvent
	| ThreadStreamEvent[]
	| null
	| undefined
	| Promise<ThreadStreamEvent | ThreadStreamEvent[] | null | undefined>

/** Everything the engine runs on besides the request: the store and the application's handlers. */
export interface ChatKitHandlers<C extends ChatKitContext = ChatKitContext> {
	store: Store<C>
	/** Needed for `attachments.create` and `attachments.delete`. */
	attachmentStore?: AttachmentStore<C>
	respond: Responder<C>
	/** Handles `threads.custom_action`. */
	action?: ActionHandler<C>
	/** Handles `threads.sync_custom_action`. */
	syncAction?: SyncActionHandler<C>
	/**
	 * Checks an action before anything is loaded or written; throw a `ChatKitError` (e.g. 422) to refuse it.
	 * Runs for `threads.custom_action` and `threads.sync_custom_action`; `itemId` is the sender widget the
	 * request names (`null` when none).
	 */
	validateAction?: (action: Action, context: C, itemId: string | null) => void
	/** Handles `items.feedback`; the default accepts and ignores it. */
	addFeedback?: (args: FeedbackArgs<C>) => Promise<void>
	/** Handles `input.transcribe`. */
	transcribe?: Transcriber<C>
	/** Run in order on every event the client receives (redact, meter, add a notice, audit, ...). */
	eventHooks?: EventHook<C>[]
	/** @default () => ({ allow_cancel: true }) */
	getStreamOptions?: (thread: ThreadMetadata, context: C) => StreamOptions
	/**
	 * Runs when the client goes away mid-stream. The default saves non-empty pending assistant
	 * messages and a hidden note that the user cancelled.
	 */
	handleStreamCancelled?: (thread: ThreadMetadata, pendingItems: ThreadItem[], context: C) => Promise<void>
	/**
	 * How long a turn's lease on its thread lives without renewal, in milliseconds. A running turn renews
	 * it every third of this; a turn whose process died stops renewing, and its thread takes new turns
	 * again at most this long after.
	 * @default 30000
	 */
	turnLeaseMs?: number
	/**
	 * Names this process in the turn leases it takes (turn ids `<instanceId>:…`). Before its first turn it
	 * gives back every lease still held under this id (`store.releaseInstanceTurns`): those of a predecessor
	 * that crashed, so that the thread it was answering takes a new message at once instead of after
	 * `turnLeaseMs`. Give each running process its own id that a restart keeps (the pod or host name of a
	 * single-process container); two live processes must never share one. At most 64 characters.
	 * @default INSTANCE_ID from the environment, else none
	 */
	instanceId?: string
	/**
	 * While an assistant message streams, what the user has seen of it is saved at most once per this
	 * many milliseconds (the first time this long after the turn started), with a hidden note that it is
	 * incomplete, removed when the message is done: after a crash the thread keeps what was shown, marked
	 * as interrupted. `0` turns checkpoints off.
	 * @default 1000
	 */
	checkpointIntervalMs?: number
}
