import { KNOWN_WIDGET_TYPES, type WidgetComponent, type WidgetRoot } from '../protocol/widgets'

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value)

/** Props whose value is the author's own data, sent exactly as written (nulls included). */
const isFreeForm = (type: string, prop: string) => type === 'Chart' && prop === 'data'

function structuredValue(value: unknown): unknown {
	if (Array.isArray(value)) return value.filter((entry) => entry != null).map(structuredValue)
	if (!isObject(value)) return value
	const out: Json = {}
	for (const [key, entry] of Object.entries(value)) {
		if (entry == null) continue
		out[key] = key === 'payload' ? entry : structuredValue(entry)
	}
	return out
}

function children(value: unknown): unknown {
	if (Array.isArray(value)) return value.filter((entry) => entry != null).map(component)
	return isObject(value) ? component(value) : value
}

function component(node: Json): Json {
	const type = node.type as string
	const known = KNOWN_WIDGET_TYPES.has(type)
	const out: Json = {}
	for (const [prop, value] of Object.entries(node)) {
		if (value == null) continue
		if (prop === 'children') out.children = children(value)
		else if (!known || isFreeForm(type, prop)) out[prop] = value
		else out[prop] = structuredValue(value)
	}
	out.type = type
	return out
}

/**
 * The wire form of a widget: props that are `null` or `undefined` are dropped, recursively through
 * children and structured props (status, padding, actions…), and `type` is always present.
 * Free-form values are sent as written, nulls included: an action's `payload`, a Chart's `data`,
 * and the extra props of component types this server does not model.
 *
 * @example
 * widgetToJSON({ type: 'Card', padding: null, children: [{ type: 'Text', value: 'Hi', color: undefined }] })
 * // → { type: 'Card', children: [{ type: 'Text', value: 'Hi' }] }
 */
export function widgetToJSON<T extends WidgetRoot | WidgetComponent>(widget: T): T {
	return component(widget as unknown as Json) as unknown as T
}
