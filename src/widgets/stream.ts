import type { ThreadStreamEvent } from '../protocol/events'
import type { WidgetItem } from '../protocol/items'
import type { Markdown, Text, WidgetRoot } from '../protocol/widgets'
import { diffWidget } from './diff'
import { widgetToJSON } from './serialize'

export interface StreamWidgetOptions {
	/** The thread the widget item belongs to. */
	threadId: string
	/**
	 * A finished widget, or the successive states of a widget being built: the first state is
	 * shown at once, each next one is sent as the smallest update (see `diffWidget`).
	 */
	widget: WidgetRoot | AsyncIterable<WidgetRoot>
	/** Text the client's copy button copies. */
	copyText?: string | null
	/**
	 * Makes the item id; called once with `'message'`, the item type the reference server uses
	 * for widget ids.
	 * @example (type) => store.generateItemId(type, thread, context)
	 */
	generateId: (itemType: 'message') => string
	/**
	 * The item's `created_at`.
	 * @default () => new Date().toISOString()
	 */
	now?: () => string
}

/** A widget item in wire form. */
export const widgetItemOf = (
	state: WidgetRoot,
	{
		id,
		threadId,
		createdAt,
		copyText
	}: { id: string; threadId: string; createdAt: string; copyText?: string | null }
): WidgetItem => ({
	id,
	thread_id: threadId,
	created_at: createdAt,
	type: 'widget',
	widget: widgetToJSON(state),
	...(copyText != null && { copy_text: copyText })
})

/** Whether a widget is given as a stream of states (an async iterable) rather than one finished state. */
export const isWidgetStream = (value: unknown): value is AsyncIterable<WidgetRoot> =>
	typeof value === 'object' && value !== null && Symbol.asyncIterator in value

/** The `thread.item.updated` events that take widget item `itemId` from one state to the next (a replaced root in wire form). */
export function* widgetUpdates(
	itemId: string,
	before: WidgetRoot,
	after: WidgetRoot
): Generator<ThreadStreamEvent> {
	for (const update of diffWidget(before, after)) {
		const wire =
			update.type === 'widget.root.updated' ? { ...update, widget: widgetToJSON(after) } : update
		yield { type: 'thread.item.updated', item_id: itemId, update: wire }
	}
}

/**
 * A widget as thread stream events (PROTOCOL.md §8.4).
 *
 * A finished widget gives one `thread.item.done`. States from an async iterable give
 * `thread.item.added` (first state), one `thread.item.updated` per update between consecutive
 * states, then `thread.item.done` with the same id and `created_at` and the last state.
 * Widgets are sent in their wire form (`widgetToJSON`).
 *
 * @example
 * yield* streamWidget({ threadId: thread.id, widget: card, generateId: () => store.generateItemId('message', thread, context) })
 */
export async function* streamWidget(options: StreamWidgetOptions): AsyncGenerator<ThreadStreamEvent> {
	const { threadId, widget, copyText, generateId, now = () => new Date().toISOString() } = options
	const base = { id: generateId('message'), threadId, createdAt: now(), copyText }
	const item = (state: WidgetRoot) => widgetItemOf(state, base)

	if (!isWidgetStream(widget)) {
		yield { type: 'thread.item.done', item: item(widget) }
		return
	}

	let last: WidgetRoot | undefined
	for await (const state of widget) {
		if (last === undefined) {
			yield { type: 'thread.item.added', item: item(state) }
		} else yield* widgetUpdates(base.id, last, state)
		last = state
	}
	if (last === undefined) throw new Error('streamWidget: the widget iterable produced no state')
	yield { type: 'thread.item.done', item: item(last) }
}

/**
 * The states of a `Text` or `Markdown` whose value is streamed: `base` first, then a copy per
 * delta with the text so far and `streaming: true`, then the full text with `streaming: false`.
 * Pass `base` with `streaming: true` so that the first delta is not a full widget replacement.
 *
 * @example
 * async function* card() {
 * 	for await (const text of accumulateText(deltas, { type: 'Text', id: 'answer', value: '', streaming: true }))
 * 		yield { type: 'Card', children: [text] } satisfies Card
 * }
 */
export async function* accumulateText<T extends Text | Markdown>(
	textDeltas: AsyncIterable<string>,
	base: T
): AsyncGenerator<T> {
	let value = ''
	yield base
	for await (const delta of textDeltas) {
		value += delta
		yield { ...base, value, streaming: true }
	}
	yield { ...base, value, streaming: false }
}
