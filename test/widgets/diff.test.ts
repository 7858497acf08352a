import { describe, expect, test } from 'bun:test'
import { type WidgetRoot, WidgetRootSchema } from '../../src/protocol/widgets'
import { diffWidget } from '../../src/widgets'

const card = (...children: object[]) => ({ type: 'Card', children }) as WidgetRoot
const text = (props: object) => ({ type: 'Text', ...props })
const types = (before: WidgetRoot, after: WidgetRoot): string[] =>
	diffWidget(before, after).map((update) => update.type)

/** The same widget as a template would give it: parsed JSON with props the server does not model. */
const fromJSON = (widget: WidgetRoot) =>
	WidgetRootSchema.parse(JSON.parse(JSON.stringify({ ...widget, templateProp: 'kept' }))) as WidgetRoot

const cases: [string, WidgetRoot, WidgetRoot, string[]][] = [
	['identical empty cards', card(), card(), []],
	[
		'appending to a streaming Text with an id',
		card(text({ id: 'text', value: 'Hello', streaming: true })),
		card(text({ id: 'text', value: 'Hello, world!', streaming: true })),
		['widget.streaming_text.value_delta']
	],
	[
		'streaming going from true to false',
		card(text({ id: 'text', value: 'Hello', streaming: true })),
		card(text({ id: 'text', value: 'Hello, world!', streaming: false })),
		['widget.root.updated']
	],
	[
		'a Text without id changed to a non-prefix value',
		card(text({ value: 'Hello' })),
		card(text({ value: 'world!' })),
		['widget.root.updated']
	]
]

describe('diffWidget (PROTOCOL.md §8.4)', () => {
	for (const [name, before, after, expected] of cases) {
		test(`${name} → [${expected.join(', ')}]`, () => {
			expect(types(before, after)).toEqual(expected)
		})
		test(`${name}, template-built widgets → [${expected.join(', ')}]`, () => {
			expect(types(fromJSON(before), fromJSON(after))).toEqual(expected)
		})
	}

	test('a value delta carries the component id, the appended suffix and done = !streaming', () => {
		expect(
			diffWidget(
				card(text({ id: 'a', value: 'Hel', streaming: true })),
				card(text({ id: 'a', value: 'Hello', streaming: true }))
			)
		).toEqual([
			{ type: 'widget.streaming_text.value_delta', component_id: 'a', delta: 'lo', done: false }
		])
		expect(
			diffWidget(card(text({ id: 'a', value: 'Hel' })), card(text({ id: 'a', value: 'Hello' })))
		).toEqual([{ type: 'widget.streaming_text.value_delta', component_id: 'a', delta: 'lo', done: true }])
	})

	test('a root update carries the new widget', () => {
		const after = card(text({ value: 'World' }))
		expect(diffWidget(card(text({ value: 'Hello' })), after)).toEqual([
			{ type: 'widget.root.updated', widget: after }
		])
	})

	test('appends to a Text or Markdown without id produce no update', () => {
		expect(diffWidget(card(text({ value: 'Hel' })), card(text({ value: 'Hello' })))).toEqual([])
		expect(
			diffWidget(card({ type: 'Markdown', value: '# T' }), card({ type: 'Markdown', value: '# Title' }))
		).toEqual([])
	})

	test('nested Text and Markdown components with ids each get their delta', () => {
		const state = (a: string, b: string) =>
			card({
				type: 'Col',
				children: [
					{ type: 'Row', children: [text({ id: 'a', value: a, streaming: true })] },
					{
						type: 'Transition',
						children: { type: 'Markdown', id: 'b', value: b, streaming: true }
					},
					{ type: 'Markdown', id: 'c', value: 'same', streaming: true }
				]
			})
		expect(diffWidget(state('x', '1'), state('xy', '12'))).toEqual([
			{ type: 'widget.streaming_text.value_delta', component_id: 'a', delta: 'y', done: false },
			{ type: 'widget.streaming_text.value_delta', component_id: 'b', delta: '2', done: false }
		])
	})

	test('a component with a new id, or a changed id or key, replaces the root', () => {
		expect(types(card(text({ value: 'a' })), card(text({ id: 'new', value: 'ab' })))).toEqual([
			'widget.root.updated'
		])
		expect(types(card(text({ id: 'a', value: 'x' })), card(text({ id: 'b', value: 'xy' })))).toEqual([
			'widget.root.updated'
		])
		expect(types(card(text({ key: 'k1', value: 'x' })), card(text({ key: 'k2', value: 'x' })))).toEqual([
			'widget.root.updated'
		])
		expect(types(card(), card(text({ id: 'a', value: '' })))).toEqual(['widget.root.updated'])
	})

	test('a non-prefix change of a Text with an id replaces the root', () => {
		expect(
			types(card(text({ id: 'a', value: 'Hello' })), card(text({ id: 'a', value: 'World' })))
		).toEqual(['widget.root.updated'])
	})

	test('any other prop change, added prop or child replaces the root', () => {
		const base = card(text({ id: 'a', value: 'x' }))
		expect(types(base, card(text({ id: 'a', value: 'xy', color: 'red' })))).toEqual([
			'widget.root.updated'
		])
		expect(types(base, { ...base, padding: 2 } as WidgetRoot)).toEqual(['widget.root.updated'])
		expect(types(base, card(text({ id: 'a', value: 'x' }), text({ value: 'more' })))).toEqual([
			'widget.root.updated'
		])
		expect(types(card({ type: 'Title', value: 'T' }), card({ type: 'Title', value: 'Title' }))).toEqual([
			'widget.root.updated'
		])
		const button = (payload: object) => card({ type: 'Button', onClickAction: { type: 'go', payload } })
		expect(types(button({ id: 1 }), button({ id: 2 }))).toEqual(['widget.root.updated'])
		expect(types(button({ id: null }), button({}))).toEqual(['widget.root.updated'])
		expect(types(button({ id: 1 }), button({ id: 1 }))).toEqual([])
	})

	test('a null prop and a missing prop are the same widget', () => {
		expect(diffWidget(card(text({ value: 'x', color: null })), card(text({ value: 'x' })))).toEqual([])
		expect(diffWidget({ type: 'Card', children: [], key: null } as WidgetRoot, card())).toEqual([])
	})

	test('unknown components are compared by their props and children', () => {
		const fancy = (value: string, level: number) =>
			card({ type: 'Gauge', level, children: [text({ id: 'g', value, streaming: true })] })
		expect(diffWidget(fancy('a', 1), fancy('ab', 1))).toEqual([
			{ type: 'widget.streaming_text.value_delta', component_id: 'g', delta: 'b', done: false }
		])
		expect(types(fancy('a', 1), fancy('ab', 2))).toEqual(['widget.root.updated'])
	})
})
