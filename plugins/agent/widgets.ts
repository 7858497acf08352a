import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { ThreadMetadata, WidgetItem } from '../../src/protocol/items'
import type { WidgetRoot } from '../../src/protocol/widgets'

const isIterable = (value: unknown): value is AsyncIterable<WidgetRoot> =>
	typeof value === 'object' && value !== null && Symbol.asyncIterator in value

/** @internal The events that show a widget item: one `done`, or `added`, updates, `done` for a stream of states. */
export async function* widgetEvents(
	thread: ThreadMetadata,
	widget: WidgetRoot | AsyncIterable<WidgetRoot>,
	copyText: string | undefined,
	generateId: () => string
): AsyncGenerator<ThreadStreamEvent> {
	const item = (state: WidgetRoot): WidgetItem => ({
		id,
		thread_id: thread.id,
		created_at,
		type: 'widget',
		widget: structuredClone(state),
		...(copyText === undefined ? {} : { copy_text: copyText })
	})
	const id = generateId()
	const created_at = new Date().toISOString()
	if (!isIterable(widget)) {
		yield { type: 'thread.item.done', item: item(widget) }
		return
	}
	let last: WidgetRoot | undefined
	for await (const state of widget) {
		if (!last) yield { type: 'thread.item.added', item: item(state) }
		else if (JSON.stringify(last) !== JSON.stringify(state))
			yield {
				type: 'thread.item.updated',
				item_id: id,
				update: { type: 'widget.root.updated', widget: structuredClone(state) }
			}
		last = state
	}
	if (last) yield { type: 'thread.item.done', item: item(last) }
}
