import { z } from 'zod'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { Thread, ThreadItem, WidgetItem } from '../../src/protocol/items'
import type { Action } from '../../src/protocol/requests'
import type { WidgetRoot } from '../../src/protocol/widgets'
import type { ChatKitContext, Store } from '../../src/store/types'

/** The payload schema of an action declared without one: the payload must be absent or `null`. */
export const noPayload = z.null().optional()
export type NoPayload = typeof noPayload

/** What every action handler receives. */
export interface ActionHandlerArgs<P, C extends ChatKitContext = ChatKitContext> {
	/** The payload, parsed by the action's schema (form field values included). */
	payload: P
	/** The action as the client sent it. */
	action: Action
	/** The widget item whose control fired the action, or `null` when the client named none. */
	sender: WidgetItem | null
	/** The thread. Set `title`, `status` or `metadata` in a streaming handler and the engine saves and announces it. */
	thread: Thread
	/** The request context (whatever your plugins added). */
	context: C
	/** The user of the request: `context.user`. */
	user: C['user']
	/** The thread store; every call takes `context`. */
	store: Store<C>
}

/** What a streaming handler (`threads.custom_action`) receives. */
export interface StreamingActionArgs<P, C extends ChatKitContext = ChatKitContext>
	extends ActionHandlerArgs<P, C> {
	/** Aborted when the client goes away. */
	signal: AbortSignal
	/**
	 * Show a new state of the sender widget, persisted: `yield* updateSender(card)` emits a
	 * `thread.item.replaced` of the sender item, which the engine saves before sending it.
	 * Given the successive states of a widget (an async iterable), each one is sent as the
	 * smallest update from the one before (text deltas when only texts with an `id` grew), then the
	 * last one as `thread.item.replaced`.
	 * @throws ChatKitError (`no_sender`) when the action has no sender: an `error` event
	 */
	updateSender(widget: WidgetRoot | AsyncIterable<WidgetRoot>): AsyncGenerator<ThreadStreamEvent>
}

/** The answer of a synchronous handler: the item the client should show instead of the sender. */
export interface SyncActionResult {
	updated_item?: ThreadItem | null
}

/** What a synchronous handler (`threads.sync_custom_action`) receives. */
export interface SyncActionArgs<P, C extends ChatKitContext = ChatKitContext>
	extends ActionHandlerArgs<P, C> {
	/**
	 * The answer that shows a new state of the sender widget: `return updateSender(card)`.
	 * Like any `updated_item` a synchronous handler returns, it is saved in the store before the
	 * answer is sent.
	 * @throws ChatKitError (`no_sender`) when the action has no sender: a 422 answer
	 */
	updateSender(widget: WidgetRoot): SyncActionResult
}

export type StreamingActionHandler<P, C extends ChatKitContext = ChatKitContext> = (
	args: StreamingActionArgs<P, C>
) => AsyncIterable<ThreadStreamEvent>

export type SyncActionHandler<P, C extends ChatKitContext = ChatKitContext> = (
	args: SyncActionArgs<P, C>
) => Promise<SyncActionResult | undefined | void>

/** The handler of an action: an async generator when it streams, an async function otherwise. */
export type HandlerOf<
	S extends z.ZodType,
	Streaming extends boolean,
	C extends ChatKitContext
> = Streaming extends false ? SyncActionHandler<z.output<S>, C> : StreamingActionHandler<z.output<S>, C>

/** What `action()` takes. */
export interface ActionOptions<S extends z.ZodType, Streaming extends boolean, C extends ChatKitContext> {
	/**
	 * The payload schema. The payload is parsed with it before anything is loaded: a payload it
	 * refuses gets a 422 `invalid_action_payload`. Widgets that reference the action must carry a
	 * payload of its input type.
	 * @default a schema accepting only an absent or `null` payload
	 * @example z.object({ id: z.string() })
	 */
	payload?: S
	/**
	 * `true`: the handler is an async generator of events, run for `threads.custom_action`.
	 * `false`: it is an async function run for `threads.sync_custom_action`, and widgets must
	 * reference the action with `streaming: false` (the client routes by that flag).
	 * @default true
	 */
	streaming?: Streaming
	/**
	 * `true` when the handler updates the widget that sent the action (`updateSender`): a request that
	 * names no sender item is then refused with a 422 `no_sender` before anything is loaded or streamed.
	 * Without it, such a request reaches the handler and `updateSender` ends the stream with a
	 * non-retryable `error` event.
	 * @default false
	 */
	requiresSender?: boolean
	/** Handles the action. */
	handler: HandlerOf<S, Streaming, C>
}

declare const definitionBrand: unique symbol

/** A registered action: made by `action()`, registered by `actions()`. */
export interface ActionDefinition<
	S extends z.ZodType = z.ZodType,
	Streaming extends boolean = boolean,
	C extends ChatKitContext = ChatKitContext
> {
	readonly payload: S
	readonly streaming: Streaming
	readonly requiresSender: boolean
	readonly handler: HandlerOf<S, Streaming, C>
	/** @internal Only `action()` makes definitions. */
	readonly [definitionBrand]: true
}

/** Action definitions by action `type`. */
export type ActionDefinitions<C extends ChatKitContext = ChatKitContext> = Record<
	string,
	ActionDefinition<any, any, C>
>

/**
 * Declare an action: its payload schema, whether it streams, and its handler. The handler's
 * `payload` is typed by the schema, its `context` by where the definition is registered.
 *
 * @example
 * actions({
 * 	'todo.toggle': action({
 * 		payload: z.object({ id: z.string() }),
 * 		async *handler({ payload, updateSender }) {
 * 			yield* updateSender(todoCard(await todos.toggle(payload.id)))
 * 		}
 * 	}),
 * 	'todo.rename': action({
 * 		payload: z.object({ id: z.string(), title: z.string().min(1) }),
 * 		streaming: false,
 * 		async handler({ payload, updateSender }) {
 * 			return updateSender(todoCard(await todos.rename(payload.id, payload.title)))
 * 		}
 * 	})
 * })
 */
export const action = <
	S extends z.ZodType = NoPayload,
	const Streaming extends boolean = true,
	C extends ChatKitContext = ChatKitContext
>(
	options: ActionOptions<S, Streaming, C>
): ActionDefinition<NoInfer<S>, NoInfer<Streaming>, C> =>
	({
		payload: options.payload ?? noPayload,
		streaming: options.streaming ?? true,
		requiresSender: options.requiresSender ?? false,
		handler: options.handler
	}) as unknown as ActionDefinition<S, Streaming, C>
