import { describe, expect, test } from 'bun:test'
import type { Card, WidgetRoot } from '../../src/protocol/widgets'
import { streamWidget, widgetToJSON } from '../../src/widgets'

const withNulls = {
	type: 'Card',
	key: null,
	padding: null,
	status: null,
	collapsed: undefined,
	children: [{ type: 'Text', value: 'Hello', italic: null, streaming: undefined, color: null, key: null }]
} satisfies Card

const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value))

describe('widgetToJSON', () => {
	test('the JSON of a widget has its type and no null fields, in the root and in children', () => {
		const data = roundTrip(widgetToJSON(withNulls))
		expect(data.type).toBe('Card')
		for (const key of ['key', 'padding', 'status', 'collapsed']) expect(key in data).toBe(false)
		expect(data.children).toEqual([{ type: 'Text', value: 'Hello' }])
	})

	test('the JSON of a widget item excludes null fields of the nested widget', async () => {
		const events = []
		for await (const event of streamWidget({
			threadId: 'thr_1',
			widget: withNulls,
			generateId: () => 'msg_1'
		}))
			events.push(event)
		const json = JSON.stringify(events[0])
		expect(json).not.toContain('null')
		const item = JSON.parse(json).item
		expect(item.widget).toEqual({ type: 'Card', children: [{ type: 'Text', value: 'Hello' }] })
		expect(Object.keys(item)).toEqual(['id', 'thread_id', 'created_at', 'type', 'widget'])
	})

	test('nulls are dropped inside structured props, at every depth', () => {
		const widget = {
			type: 'Card',
			status: { text: 'ok', icon: null },
			padding: { top: 2, bottom: null },
			confirm: { label: 'OK', action: { type: 'ok', handler: null } },
			children: [
				{
					type: 'Row',
					border: { top: { size: 1, color: null } },
					children: [null, { type: 'Spacer', minSize: null }]
				},
				{ type: 'Transition', children: { type: 'Markdown', value: 'x', streaming: null } },
				{ type: 'Select', name: 's', options: [{ value: 'a', label: 'A', description: null }] }
			]
		}
		expect(widgetToJSON(widget as WidgetRoot)).toEqual({
			type: 'Card',
			status: { text: 'ok' },
			padding: { top: 2 },
			confirm: { label: 'OK', action: { type: 'ok' } },
			children: [
				{ type: 'Row', border: { top: { size: 1 } }, children: [{ type: 'Spacer' }] },
				{ type: 'Transition', children: { type: 'Markdown', value: 'x' } },
				{ type: 'Select', name: 's', options: [{ value: 'a', label: 'A' }] }
			]
		} as never)
	})

	test('action payloads and chart data rows keep their nulls', () => {
		const widget: Card = {
			type: 'Card',
			confirm: { label: 'OK', action: { type: 'ok', payload: { reason: null, list: [null, 1] } } },
			children: [
				{
					type: 'Button',
					label: 'Go',
					onClickAction: { type: 'go', payload: { id: 'a', parent: null }, handler: null }
				},
				{
					type: 'Chart',
					data: [{ month: 'Jan', sales: null }],
					series: [{ type: 'bar', label: null, dataKey: 'sales' }],
					xAxis: 'month'
				}
			]
		}
		expect(roundTrip(widgetToJSON(widget))).toEqual({
			type: 'Card',
			confirm: { label: 'OK', action: { type: 'ok', payload: { reason: null, list: [null, 1] } } },
			children: [
				{
					type: 'Button',
					label: 'Go',
					onClickAction: { type: 'go', payload: { id: 'a', parent: null } }
				},
				{
					type: 'Chart',
					data: [{ month: 'Jan', sales: null }],
					series: [{ type: 'bar', dataKey: 'sales' }],
					xAxis: 'month'
				}
			]
		})
	})

	test('an unknown component keeps its props as written, minus null props; its children are cleaned', () => {
		const fancy = {
			type: 'FancyThing',
			id: null,
			config: { a: null, b: [null] },
			gone: null,
			children: [{ type: 'Text', value: 'x', color: null }]
		}
		expect(widgetToJSON({ type: 'Basic', children: [fancy] } as WidgetRoot)).toEqual({
			type: 'Basic',
			children: [
				{
					type: 'FancyThing',
					config: { a: null, b: [null] },
					children: [{ type: 'Text', value: 'x' }]
				}
			]
		} as never)
	})

	test('a widget without nulls comes back equal, and the input is not modified', () => {
		const widget: Card = { type: 'Card', children: [{ type: 'Text', value: 'x' }], padding: { x: 1 } }
		const before = structuredClone(withNulls)
		expect(widgetToJSON(widget)).toEqual(widget)
		widgetToJSON(withNulls)
		expect(withNulls).toEqual(before)
	})
})
