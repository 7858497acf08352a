import type { TurnScope } from '../../src/engine/types'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { WidgetItem } from '../../src/protocol/items'
import type { WidgetRoot } from '../../src/protocol/widgets'
import type { ChatKitContext } from '../../src/store/types'
import { streamWidget, widgetItemOf } from '../../src/widgets'

/** The part of a turn that makes items: `respond`'s and an action handler's args fit. */
export type WidgetScope<C extends ChatKitContext = ChatKitContext> = TurnScope<C>

export interface WidgetItemOptions {
	/** Text the client's copy button copies. */
	copyText?: string | null
}

/**
 * A widget item of the thread, in wire form, with an id from the store
 * (`store.generateItemId('message', thread, context)`).
 *
 * @example
 * yield { type: 'thread.item.done', item: widgetItem(args, card) }
 */
export const widgetItem = <C extends ChatKitContext>(
	{ thread, store, context }: WidgetScope<C>,
	widget: WidgetRoot,
	{ copyText }: WidgetItemOptions = {}
): WidgetItem =>
	widgetItemOf(widget, {
		id: store.generateItemId('message', thread, context),
		threadId: thread.id,
		createdAt: new Date().toISOString(),
		copyText
	})

/**
 * Show a widget in the thread: a finished one as one `thread.item.done` (the engine saves it), or
 * the successive states of an async iterable as `thread.item.added`, the smallest update per new
 * state (text deltas for `Text`/`Markdown` with an `id` that only grew), then `thread.item.done`.
 *
 * @example
 * async function* respond(args) {
 * 	yield* showWidget(args, Card({ children: [Text({ value: 'Hello' })] }))
 * }
 */
export const showWidget = <C extends ChatKitContext>(
	{ thread, store, context }: WidgetScope<C>,
	widget: WidgetRoot | AsyncIterable<WidgetRoot>,
	{ copyText }: WidgetItemOptions = {}
): AsyncGenerator<ThreadStreamEvent> =>
	streamWidget({
		threadId: thread.id,
		widget,
		copyText,
		generateId: (type) => store.generateItemId(type, thread, context)
	})
