import { ChatKitError } from '../../src/engine/errors'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { WidgetItem } from '../../src/protocol/items'
import type { WidgetRoot } from '../../src/protocol/widgets'
import { isWidgetStream, widgetToJSON, widgetUpdates } from '../../src/widgets'

/** The refusal of an action that updates its widget but names none. */
export const noSender = () =>
	new ChatKitError(422, 'no_sender', 'This action updates its widget: send it with the widget item id')

const requireSender = (sender: WidgetItem | null): WidgetItem => {
	if (!sender) throw noSender()
	return sender
}

/** The sender item with a new widget, in wire form. */
export const senderWith = (sender: WidgetItem | null, widget: WidgetRoot): WidgetItem => ({
	...requireSender(sender),
	widget: widgetToJSON(widget)
})

/**
 * The events that show new states of the sender widget: the smallest update between consecutive
 * states (starting from the stored widget), then `thread.item.replaced` with the last state, which
 * the engine persists.
 */
export async function* replaceSender(
	sender: WidgetItem | null,
	widget: WidgetRoot | AsyncIterable<WidgetRoot>
): AsyncGenerator<ThreadStreamEvent> {
	const item = requireSender(sender)
	if (!isWidgetStream(widget)) {
		yield { type: 'thread.item.replaced', item: senderWith(item, widget) }
		return
	}
	let last: WidgetRoot = item.widget
	for await (const state of widget) {
		yield* widgetUpdates(item.id, last, state)
		last = state
	}
	yield { type: 'thread.item.replaced', item: senderWith(item, last) }
}
