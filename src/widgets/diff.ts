import type { ThreadItemUpdate } from '../protocol/events'
import type { WidgetRoot } from '../protocol/widgets'

export type WidgetRootUpdated = Extract<ThreadItemUpdate, { type: 'widget.root.updated' }>
export type WidgetStreamingTextValueDelta = Extract<
	ThreadItemUpdate,
	{ type: 'widget.streaming_text.value_delta' }
>
/** What `diffWidget` produces: one root replacement, or text deltas (possibly none). */
export type WidgetDiff = [WidgetRootUpdated] | WidgetStreamingTextValueDelta[]

type Node = Record<string, unknown>

const IDENTITY = new Set(['type', 'id', 'key'])

const isObject = (value: unknown): value is Node =>
	typeof value === 'object' && value !== null && !Array.isArray(value)

const isStreamingText = (node: Node): node is Node & { value: string } =>
	(node.type === 'Text' || node.type === 'Markdown') && typeof node.value === 'string'

/** JSON equality: `undefined` and a missing key are the same; `null` is a value. */
function jsonEqual(a: unknown, b: unknown): boolean {
	if (a === b) return true
	if (Array.isArray(a) || Array.isArray(b)) {
		if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
		return a.every((entry, index) => jsonEqual(entry, b[index]))
	}
	if (!isObject(a) || !isObject(b)) return false
	for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
		if (!jsonEqual(a[key], b[key])) return false
	}
	return true
}

/** A component prop: `null` and absent are the same (neither is sent). */
const propOf = (node: Node, prop: string) => node[prop] ?? undefined

function childDiffers(before: unknown, after: unknown): boolean {
	if (isObject(before) && isObject(after)) return componentDiffers(before, after)
	return !jsonEqual(before, after)
}

function childrenDiffer(before: unknown, after: unknown): boolean {
	if (Array.isArray(before) && Array.isArray(after)) {
		return (
			before.length !== after.length || before.some((child, index) => childDiffers(child, after[index]))
		)
	}
	return childDiffers(before ?? undefined, after ?? undefined)
}

/**
 * Whether `after` cannot be reached from `before` by appending to streaming texts: a different
 * type, id or key, or any prop that changed, except a Text/Markdown `value` that only grew.
 */
function componentDiffers(before: Node, after: Node): boolean {
	for (const prop of IDENTITY) if (propOf(before, prop) !== propOf(after, prop)) return true
	const grows = isStreamingText(before) && isStreamingText(after) && after.value.startsWith(before.value)
	for (const prop of new Set([...Object.keys(before), ...Object.keys(after)])) {
		if (IDENTITY.has(prop) || (prop === 'value' && grows)) continue
		const differs =
			prop === 'children'
				? childrenDiffer(before.children, after.children)
				: !jsonEqual(propOf(before, prop), propOf(after, prop))
		if (differs) return true
	}
	return false
}

function streamingTexts(node: Node, found = new Map<string, Node & { value: string }>()) {
	if (isStreamingText(node) && typeof node.id === 'string' && node.id) found.set(node.id, node)
	const children = node.children
	for (const child of Array.isArray(children) ? children : [children]) {
		if (isObject(child)) streamingTexts(child, found)
	}
	return found
}

/**
 * The updates that turn the `before` state of a streamed widget into `after` (PROTOCOL.md §8.4).
 *
 * - `[widget.root.updated(after)]` when anything but the text of a `Text`/`Markdown` changed,
 *   or a text changed other than by appending (including `streaming` going from true to false).
 * - Otherwise one `widget.streaming_text.value_delta` per `Text`/`Markdown` with an `id` whose
 *   value grew, `done` being `!streaming` of the new node. Appends to a text without `id` give
 *   no update: the final `thread.item.done` carries them.
 */
export function diffWidget(before: WidgetRoot, after: WidgetRoot): WidgetDiff {
	const replace: [WidgetRootUpdated] = [{ type: 'widget.root.updated', widget: after }]
	if (componentDiffers(before as Node, after as Node)) return replace
	const beforeTexts = streamingTexts(before as Node)
	const deltas: WidgetStreamingTextValueDelta[] = []
	for (const [id, node] of streamingTexts(after as Node)) {
		const previous = beforeTexts.get(id)
		// Unreachable after the comparison above (same ids, values only grew); kept as a safe fallback.
		if (!previous || !node.value.startsWith(previous.value)) return replace
		if (node.value === previous.value) continue
		deltas.push({
			type: 'widget.streaming_text.value_delta',
			component_id: id,
			delta: node.value.slice(previous.value.length),
			done: !node.streaming
		})
	}
	return deltas
}
