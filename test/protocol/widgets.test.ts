import { describe, expect, test } from 'bun:test'
import { ThreadItemUpdateSchema } from '../../src/protocol/events'
import { ThreadItemSchema } from '../../src/protocol/items'
import {
	type ActionConfig,
	type Card,
	KNOWN_WIDGET_TYPES,
	type KnownWidgetComponent,
	type Text,
	type WidgetComponent,
	WidgetComponentSchema,
	type WidgetRoot,
	WidgetRootSchema
} from '../../src/protocol/widgets'

const action: ActionConfig = {
	type: 'select',
	payload: { id: 'a1', note: null },
	handler: 'server',
	loadingBehavior: 'self'
}

/** One realistic instance of every component the server models, as a client would render it. */
const everyComponent: KnownWidgetComponent[] = [
	{
		type: 'Text',
		id: 't',
		value: 'Hi',
		streaming: true,
		color: { light: 'red-500', dark: 'red-300' },
		editable: false
	},
	{ type: 'Text', value: 'Name', editable: { name: 'user.name', required: true, placeholder: 'Ada' } },
	{ type: 'Title', value: 'Title', size: '2xl', weight: 'bold', maxLines: 2 },
	{ type: 'Caption', value: 'small', size: 'sm', color: 'secondary' },
	{ type: 'Markdown', id: 'md', value: '**bold**', streaming: false },
	{ type: 'Badge', label: 'New', color: 'success', variant: 'soft', pill: true },
	{ type: 'Divider', spacing: 8, flush: true },
	{ type: 'Icon', name: 'calendar', size: 'lg', color: 'emphasis' },
	{
		type: 'Image',
		src: 'https://example.com/a.png',
		alt: 'a',
		fit: 'cover',
		position: 'top left',
		size: 48,
		radius: 'full'
	},
	{ type: 'Spacer', minSize: 12 },
	{
		type: 'Button',
		label: 'Go',
		onClickAction: action,
		iconStart: 'sparkle',
		style: 'primary',
		color: 'discovery',
		size: 'lg',
		block: true
	},
	{
		type: 'Select',
		name: 'tz',
		options: [{ value: 'utc', label: 'UTC', description: 'Universal' }],
		onChangeAction: { type: 'tz' },
		searchable: true
	},
	{
		type: 'DatePicker',
		name: 'due',
		min: '2026-01-01T00:00:00Z',
		side: 'bottom',
		align: 'end',
		clearable: true
	},
	{ type: 'Checkbox', name: 'agree', label: 'I agree', defaultChecked: false, required: true },
	{
		type: 'Input',
		name: 'email',
		inputType: 'email',
		variant: 'outline',
		gutterSize: 'md',
		pattern: '.+@.+'
	},
	{ type: 'Textarea', name: 'body', rows: 3, autoResize: true, maxRows: 8 },
	{ type: 'Label', value: 'Email', fieldName: 'email', size: 'sm' },
	{
		type: 'RadioGroup',
		name: 'plan',
		options: [{ label: 'Pro', value: 'pro' }],
		direction: 'row',
		ariaLabel: 'Plan'
	},
	{
		type: 'Chart',
		data: [
			{ month: 'Jan', sales: 10, returns: null },
			{ month: 'Feb', sales: 12, returns: 1 }
		],
		series: [
			{ type: 'bar', label: 'Sales', dataKey: 'sales', stack: 'a', color: 'blue' },
			{ type: 'line', label: null, dataKey: 'returns', curveType: 'monotone' },
			{ type: 'area', label: 'Area', dataKey: 'sales', curveType: 'step' }
		],
		xAxis: { dataKey: 'month', labels: { Jan: 'January' } },
		showLegend: true,
		height: 200
	},
	{
		type: 'Box',
		direction: 'row',
		gap: 2,
		padding: { x: 4, y: '8px' },
		border: { top: 1, bottom: { size: 2, style: 'dashed', color: 'subtle' } },
		children: [{ type: 'Text', value: 'in a box' }]
	},
	{ type: 'Row', align: 'center', justify: 'between', wrap: 'wrap', border: 1, children: [] },
	{ type: 'Col', flex: 1, background: 'surface-secondary', radius: 'md' },
	{
		type: 'Form',
		onSubmitAction: { type: 'save', handler: 'client' },
		direction: 'col',
		children: [{ type: 'Input', name: 'todo.title' }]
	},
	{ type: 'Transition', children: { type: 'Text', key: 'v1', value: 'fading' } },
	{ type: 'ListViewItem', onClickAction: action, gap: 3, children: [{ type: 'Title', value: 'Row' }] },
	{
		type: 'Table',
		children: [
			{
				type: 'Table.Row',
				header: true,
				children: [
					{
						type: 'Table.Cell',
						colSpan: 2,
						align: 'center',
						children: [{ type: 'Text', value: 'cell' }]
					}
				]
			}
		]
	},
	{ type: 'Table.Row', children: [] },
	{ type: 'Table.Cell', vAlign: 'end', colSize: 'sm' }
]

const roots: WidgetRoot[] = [
	{
		type: 'Card',
		size: 'md',
		padding: 4,
		status: { text: 'Done', favicon: 'https://example.com/f.ico', frame: true },
		confirm: { label: 'OK', action: { type: 'ok', streaming: false } },
		cancel: { label: 'Cancel', action: { type: 'cancel', loadingBehavior: 'container' } },
		asForm: true,
		collapsed: false,
		theme: 'dark',
		children: everyComponent.filter((component) => component.type !== 'ListViewItem')
	},
	{
		type: 'ListView',
		limit: 'auto',
		status: { text: 'Results', icon: 'search' },
		children: [{ type: 'ListViewItem', children: [{ type: 'Text', value: 'one' }] }]
	},
	{
		type: 'Basic',
		direction: 'col',
		gap: 2,
		children: [
			{ type: 'Title', value: 'Preview' },
			{ type: 'Card', children: [] }
		]
	}
]

describe('widget schemas', () => {
	test('every modeled component validates and comes back unchanged', () => {
		expect(new Set<string>(everyComponent.map((component) => component.type))).toEqual(
			new Set([...KNOWN_WIDGET_TYPES].filter((type) => !['Card', 'ListView', 'Basic'].includes(type)))
		)
		for (const component of everyComponent) {
			const result = WidgetComponentSchema.safeParse(component)
			expect(result.error).toBeUndefined()
			expect(result.data).toEqual(component)
		}
	})

	test('Card, ListView and Basic roots validate and come back unchanged', () => {
		for (const root of roots) expect(WidgetRootSchema.parse(root)).toEqual(root)
	})

	test('an unknown component with extra props passes through unchanged, at any depth', () => {
		const fancy = {
			type: 'FancyThing',
			id: 'f1',
			sparkles: 3,
			config: { nested: [1, { deep: null }], flag: true },
			children: { type: 'Text', value: 'single child' }
		}
		expect(WidgetComponentSchema.parse(fancy)).toEqual(fancy)

		const card = {
			type: 'Card',
			children: [{ type: 'Row', children: [fancy, { type: 'Gauge', value: 0.4 }] }]
		}
		const parsed = WidgetRootSchema.parse(card)
		expect(parsed).toEqual(card as never)
		expect(JSON.parse(JSON.stringify(parsed))).toEqual(card)
	})

	test('props the server does not model are kept on known components and roots', () => {
		const card = {
			type: 'Card',
			futureProp: { x: 1 },
			children: [{ type: 'Text', value: 'hi', futureTextProp: 'y' }]
		}
		expect(WidgetRootSchema.parse(card)).toEqual(card as never)
	})

	test('invalid known components are rejected with the path of the bad prop', () => {
		const issueOf = (widget: unknown) => {
			const result = WidgetRootSchema.safeParse(widget)
			expect(result.success).toBe(false)
			return result.error?.issues[0]
		}
		expect(issueOf({ type: 'Card', children: [{ type: 'Text' }] })?.path).toEqual([
			'children',
			0,
			'value'
		])
		expect(
			issueOf({
				type: 'Card',
				children: [{ type: 'Box', children: [{ type: 'Badge', label: 'x', color: 'pink' }] }]
			})?.path
		).toEqual(['children', 0, 'children', 0, 'color'])
		expect(issueOf({ type: 'Card', children: [{ type: 'Select', name: 's' }] })?.path).toEqual([
			'children',
			0,
			'options'
		])
		expect(
			issueOf({ type: 'Card', children: [{ type: 'Button', onClickAction: { payload: 1 } }] })?.path
		).toEqual(['children', 0, 'onClickAction', 'type'])
		expect(issueOf({ type: 'Card', children: ['text'] })?.path).toEqual(['children', 0])
		expect(issueOf({ type: 'ListView', children: [{ type: 'Text', value: 'x' }] })?.path).toEqual([
			'children',
			0,
			'type'
		])
		expect(issueOf({ type: 'Card' })?.path).toEqual(['children'])
		expect(issueOf({ type: 'Panel', children: [] })?.path).toEqual(['type'])
		expect(
			issueOf({ type: 'Card', children: [{ type: 'Fancy', children: [{ type: 'Icon', name: 'x' }] }] })
				?.path
		).toEqual(['children', 0, 'children', 0, 'name'])
	})

	test('widget items, root updates and component updates validate with these schemas', () => {
		const item = {
			id: 'msg_1',
			thread_id: 'thr_1',
			created_at: '2026-01-01T00:00:00.000Z',
			type: 'widget',
			widget: roots[0],
			copy_text: 'copy'
		}
		expect(ThreadItemSchema.parse(item)).toEqual(item as never)
		expect(
			ThreadItemSchema.safeParse({ ...item, widget: { type: 'Text', value: 'not a root' } }).success
		).toBe(false)
		expect(ThreadItemUpdateSchema.parse({ type: 'widget.root.updated', widget: roots[1] })).toEqual({
			type: 'widget.root.updated',
			widget: roots[1] as never
		})
		const componentUpdate = {
			type: 'widget.component.updated',
			component_id: 'c1',
			component: { type: 'Mystery', a: 1 }
		}
		expect(ThreadItemUpdateSchema.parse(componentUpdate)).toEqual(componentUpdate as never)
	})

	test('the types require the props the protocol requires', () => {
		const text: Text = { type: 'Text', value: 'ok' }
		// @ts-expect-error a Text needs a value
		const noValue: Text = { type: 'Text' }
		// @ts-expect-error props are typed
		const badSize: Text = { type: 'Text', value: 'x', size: 'huge' }
		// @ts-expect-error unknown props are a compile error on known components
		const typo: Text = { type: 'Text', value: 'x', colr: 'red' }
		// @ts-expect-error a Card needs children
		const noChildren: Card = { type: 'Card' }
		// @ts-expect-error KnownWidgetComponent checks each member's required props
		const known: KnownWidgetComponent = { type: 'Icon' }
		const dynamic: WidgetComponent = { type: 'FancyThing', anything: [1, 2] }
		const card: Card = {
			type: 'Card',
			children: [text, dynamic, { type: 'Icon', name: 'lucide:rocket' }]
		}
		expect([noValue, badSize, typo, noChildren, known].every((value) => value !== undefined)).toBe(true)
		expect(WidgetRootSchema.parse(card)).toEqual(card)
	})
})
