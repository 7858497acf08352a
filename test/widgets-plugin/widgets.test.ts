import { describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import {
	Badge,
	Button,
	Card,
	Chart,
	Col,
	Divider,
	Form,
	Icon,
	Image,
	Input,
	ListView,
	ListViewItem,
	Markdown,
	Row,
	Select,
	showWidget,
	Table,
	TableCell,
	TableRow,
	Text,
	Title,
	widgetItem
} from '../../plugins/widgets'
import { chatkit } from '../../src/chatkit'
import type { Responder } from '../../src/engine/types'
import { WidgetRootSchema } from '../../src/protocol/widgets'
import { MemoryStore } from '../../src/store/memory'
import type { ChatKitContext, StoreItemType } from '../../src/store/types'
import { createThread, listItems, type Wire } from '../chatkit/helpers'

const USER = { id: 'widget_user' }

const appWith = (respond: Responder, store = new MemoryStore()) => ({
	store,
	app: new Elysia().use(chatkit({ store, respond, defaultUser: USER }))
})

async function* states<T>(...values: T[]): AsyncGenerator<T> {
	for (const value of values) yield value
}

/** Item ids `message_<n>_<thread id>`, as the reference's custom id test. */
class CountingStore extends MemoryStore {
	count = 0
	override generateItemId(
		itemType: StoreItemType,
		thread: { id: string },
		_context: ChatKitContext
	): string {
		return `${itemType}_${++this.count}_${thread.id}`
	}
}

describe('builders', () => {
	it('fill in the type and keep the props as written', () => {
		const card = Card({
			size: 'md',
			status: { text: 'Done', icon: 'check' },
			children: [
				Row({ gap: 2, children: [Icon({ name: 'calendar' }), Title({ value: 'Plan', size: 'sm' })] }),
				Divider(),
				Col({
					children: [Text({ id: 'body', value: 'Hi', streaming: true }), Badge({ label: 'new' })]
				}),
				Image({ src: 'https://example.com/a.png', alt: 'A' }),
				Markdown({ value: '**b**' })
			]
		})
		expect(card).toEqual({
			type: 'Card',
			size: 'md',
			status: { text: 'Done', icon: 'check' },
			children: [
				{
					type: 'Row',
					gap: 2,
					children: [
						{ type: 'Icon', name: 'calendar' },
						{ type: 'Title', value: 'Plan', size: 'sm' }
					]
				},
				{ type: 'Divider' },
				{
					type: 'Col',
					children: [
						{ type: 'Text', id: 'body', value: 'Hi', streaming: true },
						{ type: 'Badge', label: 'new' }
					]
				},
				{ type: 'Image', src: 'https://example.com/a.png', alt: 'A' },
				{ type: 'Markdown', value: '**b**' }
			]
		})
		expect(WidgetRootSchema.parse(card)).toEqual(card)
	})

	it('name the table parts as the client does and validate every component', () => {
		const table = Table({
			children: [
				TableRow({ header: true, children: [TableCell({ children: [Text({ value: 'A' })] })] })
			]
		})
		expect(table).toEqual({
			type: 'Table',
			children: [
				{
					type: 'Table.Row',
					header: true,
					children: [{ type: 'Table.Cell', children: [{ type: 'Text', value: 'A' }] }]
				}
			]
		})
		const roots = [
			Card({ children: [table] }),
			ListView({
				limit: 'auto',
				children: [
					ListViewItem({
						children: [Text({ value: 'Row' })],
						onClickAction: { type: 'open', handler: 'client' }
					})
				]
			}),
			Card({
				asForm: true,
				children: [
					Form({
						direction: 'col',
						children: [
							Input({ name: 'todo.title', required: true }),
							Select({ name: 'level', options: [{ value: 'a', label: 'A' }] }),
							Button({ label: 'Go', submit: true })
						]
					}),
					Chart({
						data: [{ month: 'Jan', sales: 3 }],
						series: [{ type: 'bar', dataKey: 'sales' }],
						xAxis: 'month'
					})
				]
			})
		]
		for (const root of roots) expect(WidgetRootSchema.safeParse(root).success).toBe(true)
	})

	it('do not share objects between calls', () => {
		const props = { value: 'x' }
		const a = Text(props)
		const b = Text(props)
		expect(a).not.toBe(b)
		expect(props).toEqual({ value: 'x' })
	})
})

describe('showWidget through the endpoint', () => {
	it('streams the states of a widget with the exact text deltas (PROTOCOL.md §9.1 #34)', async () => {
		const card = (value: string) => Card({ children: [Text({ id: 'text', value })] })
		const { app } = appWith(async function* (args) {
			yield* showWidget(args, states(card(''), card('Hel'), card('Hello,'), card('Hello, world')))
		})
		const { events, threadId } = await createThread(app)
		const turn = events.slice(3)
		expect(turn.map((event: Wire) => event.type)).toEqual([
			'thread.item.added',
			'thread.item.updated',
			'thread.item.updated',
			'thread.item.updated',
			'thread.item.done'
		])
		const id = turn[0].item.id
		expect(turn[0].item).toEqual({
			id,
			thread_id: threadId,
			created_at: turn[0].item.created_at,
			type: 'widget',
			widget: { type: 'Card', children: [{ type: 'Text', id: 'text', value: '' }] }
		})
		expect(turn.slice(1, 4)).toEqual(
			['Hel', 'lo,', ' world'].map((delta) => ({
				type: 'thread.item.updated',
				item_id: id,
				update: { type: 'widget.streaming_text.value_delta', component_id: 'text', delta, done: true }
			}))
		)
		expect(turn[4].item).toEqual({ ...turn[0].item, widget: card('Hello, world') })
		const stored = await listItems(app, threadId, { order: 'asc' })
		expect(stored.data.map((item: Wire) => item.type)).toEqual(['user_message', 'widget'])
		expect(stored.data[1]).toEqual(turn[4].item)
	})

	it('replaces the whole widget when a text changes other than by appending (#35)', async () => {
		const card = (value: string) => Card({ children: [Text({ id: 'text', value })] })
		const { app } = appWith(async function* (args) {
			yield* showWidget(args, states(card('Hello'), card('World')))
		})
		const { events } = await createThread(app)
		const turn = events.slice(3)
		expect(turn.map((event: Wire) => event.update?.type ?? event.type)).toEqual([
			'thread.item.added',
			'widget.root.updated',
			'thread.item.done'
		])
		expect(turn[1].update.widget).toEqual(card('World'))
	})

	it('sends a finished widget as one persisted item with the copy text', async () => {
		const { app } = appWith(async function* (args) {
			yield* showWidget(args, Card({ children: [Text({ value: 'Hi' })] }), { copyText: 'Hi' })
		})
		const { events, threadId } = await createThread(app)
		expect(events.slice(3)).toEqual([
			{
				type: 'thread.item.done',
				item: {
					id: events[3].item.id,
					thread_id: threadId,
					created_at: events[3].item.created_at,
					type: 'widget',
					widget: { type: 'Card', children: [{ type: 'Text', value: 'Hi' }] },
					copy_text: 'Hi'
				}
			}
		])
		expect((await listItems(app, threadId)).data[0]).toEqual(events[3].item)
	})
})

describe('widgetItem', () => {
	it('takes its id from the store and sends the wire form', async () => {
		const store = new CountingStore()
		const { app } = appWith(async function* (args) {
			const item = widgetItem(
				args,
				Card({ padding: null, children: [Text({ value: 'Hi', color: undefined })] })
			)
			yield { type: 'thread.item.done', item }
		}, store)
		const { events, threadId } = await createThread(app)
		const item = events[3].item
		expect(item.id).toBe(`message_2_${threadId}`)
		expect(item.widget).toEqual({ type: 'Card', children: [{ type: 'Text', value: 'Hi' }] })
		expect('copy_text' in item).toBe(false)
		expect((await listItems(app, threadId)).data[0]).toEqual(item)
	})
})
