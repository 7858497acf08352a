import { describe, expect, test } from 'bun:test'
import { type ThreadStreamEvent, ThreadStreamEventSchema } from '../../src/protocol/events'
import type { Card, Markdown, Text, WidgetRoot } from '../../src/protocol/widgets'
import { generateId } from '../../src/store/ids'
import { accumulateText, streamWidget } from '../../src/widgets'
import { at } from '../defined'

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
	const out: T[] = []
	for await (const value of iterable) out.push(value)
	return out
}

async function* states<T>(...values: T[]): AsyncGenerator<T> {
	for (const value of values) yield value
}

const textCard = (value: string): Card => ({ type: 'Card', children: [{ type: 'Text', id: 'text', value }] })

const run = (widget: WidgetRoot | AsyncIterable<WidgetRoot>, copyText?: string) =>
	collect(
		streamWidget({
			threadId: 'thr_1',
			widget,
			copyText,
			generateId: () => 'msg_w1',
			now: () => '2026-01-01T00:00:00.000Z'
		})
	)

const wire = (events: ThreadStreamEvent[]) => {
	for (const event of events) ThreadStreamEventSchema.parse(event)
	return JSON.parse(JSON.stringify(events))
}

describe('streamWidget', () => {
	test('a static widget is exactly one thread.item.done widget item', async () => {
		const events = await run(textCard('Hello'), 'Hello')
		expect(wire(events)).toEqual([
			{
				type: 'thread.item.done',
				item: {
					id: 'msg_w1',
					thread_id: 'thr_1',
					created_at: '2026-01-01T00:00:00.000Z',
					type: 'widget',
					widget: textCard('Hello'),
					copy_text: 'Hello'
				}
			}
		])
	})

	test('a widget generator streams appends to a Text with an id as value deltas', async () => {
		const events = wire(
			await run(states(textCard(''), textCard('Hel'), textCard('Hello,'), textCard('Hello, world')))
		)
		const item = {
			id: 'msg_w1',
			thread_id: 'thr_1',
			created_at: '2026-01-01T00:00:00.000Z',
			type: 'widget'
		}
		const delta = (text: string) => ({
			type: 'thread.item.updated',
			item_id: 'msg_w1',
			update: {
				type: 'widget.streaming_text.value_delta',
				component_id: 'text',
				delta: text,
				done: true
			}
		})
		expect(events).toEqual([
			{ type: 'thread.item.added', item: { ...item, widget: textCard('') } },
			delta('Hel'),
			delta('lo,'),
			delta(' world'),
			{ type: 'thread.item.done', item: { ...item, widget: textCard('Hello, world') } }
		])
	})

	test('a widget generator whose text changes other than by appending replaces the root', async () => {
		const events = wire(await run(states(textCard('Hello'), textCard('World'))))
		expect(events.map((event: ThreadStreamEvent) => event.type)).toEqual([
			'thread.item.added',
			'thread.item.updated',
			'thread.item.done'
		])
		expect(events[1]).toEqual({
			type: 'thread.item.updated',
			item_id: 'msg_w1',
			update: { type: 'widget.root.updated', widget: textCard('World') }
		})
		expect(events[2].item.widget).toEqual(textCard('World'))
		expect(events[2].item.id).toBe(events[0].item.id)
		expect(events[2].item.created_at).toBe(events[0].item.created_at)
	})

	test('states that change nothing visible give no update event', async () => {
		const events = await run(states(textCard('a'), textCard('a'), { ...textCard('a'), padding: null }))
		expect(events.map((event) => event.type)).toEqual(['thread.item.added', 'thread.item.done'])
	})

	test('copy_text is omitted when not given, and kept on added and done items when given', async () => {
		const without = wire(await run(states(textCard('a'), textCard('ab'))))
		expect('copy_text' in without[0].item).toBe(false)
		expect('copy_text' in without[2].item).toBe(false)
		const withCopy = wire(await run(states(textCard('a'), textCard('ab')), 'ab'))
		expect(withCopy[0].item.copy_text).toBe('ab')
		expect(withCopy[2].item.copy_text).toBe('ab')
	})

	test('one id is generated per widget, from the message item type, and created_at defaults to now', async () => {
		const asked: string[] = []
		const before = Date.now()
		const events = await collect(
			streamWidget({
				threadId: 'thr_1',
				widget: states(textCard('a'), textCard('ab')),
				generateId: (type) => {
					asked.push(type)
					return generateId(type)
				}
			})
		)
		expect(asked).toEqual(['message'])
		const items = events as Extract<ThreadStreamEvent, { item: unknown }>[]
		const [added, done] = [at(items, 0), at(items, 2)]
		expect(added.item.id).toMatch(/^msg_[0-9a-f]{28}$/)
		expect(done.item.id).toBe(added.item.id)
		expect(Date.parse(added.item.created_at)).toBeGreaterThanOrEqual(before - 1000)
	})

	test('a generator that yields no state is an error', async () => {
		await expect(run(states<WidgetRoot>())).rejects.toThrow('produced no state')
	})
})

describe('accumulateText', () => {
	const base: Text = { type: 'Text', id: 'answer', value: '', streaming: true }

	test('yields the base, the text so far while streaming, then the full text with streaming false', async () => {
		const values = await collect(accumulateText(states('Hel', 'lo'), base))
		expect(values).toEqual([
			base,
			{ ...base, value: 'Hel', streaming: true },
			{ ...base, value: 'Hello', streaming: true },
			{ ...base, value: 'Hello', streaming: false }
		])
	})

	test('works with Markdown and with no deltas at all', async () => {
		const markdown: Markdown = { type: 'Markdown', value: '', id: 'md' }
		expect(await collect(accumulateText(states<string>(), markdown))).toEqual([
			markdown,
			{ ...markdown, value: '', streaming: false }
		])
	})

	test('streamed into a widget: added, one delta per text delta, a final root update, done', async () => {
		async function* answerCard() {
			for await (const text of accumulateText(states('Hel', 'lo'), base))
				yield { type: 'Card', children: [text] } as Card
		}
		const events = wire(await run(answerCard()))
		expect(events.map((event: ThreadStreamEvent) => event.type)).toEqual([
			'thread.item.added',
			'thread.item.updated',
			'thread.item.updated',
			'thread.item.updated',
			'thread.item.done'
		])
		expect(events.slice(1, 3).map((event: { update: unknown }) => event.update)).toEqual([
			{ type: 'widget.streaming_text.value_delta', component_id: 'answer', delta: 'Hel', done: false },
			{ type: 'widget.streaming_text.value_delta', component_id: 'answer', delta: 'lo', done: false }
		])
		expect(events[3].update.type).toBe('widget.root.updated')
		expect(events[4].item.widget).toEqual({
			type: 'Card',
			children: [{ type: 'Text', id: 'answer', value: 'Hello', streaming: false }]
		})
	})
})
