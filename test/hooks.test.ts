import { describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import { chatkit, type EventHook, eventHook, MemoryStore, type Responder, streamText } from '../src'
import { createClient } from '../src/client'

const respond: Responder = async function* (args) {
	yield* streamText(args, ['my card is ', '4111 1111 1111 1111', ' ok'])
}

const redactCards: EventHook = (event) => {
	if (
		event.type === 'thread.item.updated' &&
		event.update.type === 'assistant_message.content_part.text_delta'
	)
		return {
			...event,
			update: { ...event.update, delta: event.update.delta.replace(/\d{4}( \d{4}){3}/g, '[card]') }
		}
	if (event.type === 'thread.item.done' && event.item.type === 'assistant_message') {
		const content = event.item.content.map((part) => ({
			...part,
			text: part.text.replace(/\d{4}( \d{4}){3}/g, '[card]')
		}))
		return { ...event, item: { ...event.item, content } }
	}
}

const metered: string[] = []
const meter: EventHook = (event) => {
	metered.push(event.type)
	if (event.type === 'thread.item.done')
		return [event, { type: 'notice', level: 'info', message: 'metered' }]
}

describe('event hooks', () => {
	it('redact before persisting, add events, and compose from plugins in order', async () => {
		const app = new Elysia()
			.decorate(eventHook('redact', redactCards))
			.decorate(eventHook('meter', meter))
			.use(chatkit({ store: new MemoryStore(), respond }))
		const client = createClient({ app })
		const events = []
		for await (const event of client.threads.create({ input: 'hi' })) events.push(event)
		const text = events
			.flatMap((event) =>
				event.type === 'thread.item.updated' &&
				event.update.type === 'assistant_message.content_part.text_delta'
					? [event.update.delta]
					: []
			)
			.join('')
		expect(text).toBe('my card is [card] ok')
		expect(events.at(-1)).toEqual({ type: 'notice', level: 'info', message: 'metered' })
		expect(metered).toContain('thread.item.done')

		const thread = events[0]
		if (thread?.type !== 'thread.created') throw new Error('expected thread.created first')
		const stored = await client.items.list({ thread_id: thread.thread.id, order: 'asc' })
		const reply = stored.data[1]
		expect(reply?.type === 'assistant_message' && reply.content[0]?.text).toBe('my card is [card] ok')
	})

	it('drops an event when a hook returns null', async () => {
		const dropProgress: EventHook = (event) => (event.type === 'progress_update' ? null : undefined)
		const app = new Elysia().use(
			chatkit({
				store: new MemoryStore(),
				eventHooks: [dropProgress],
				async *respond(args) {
					yield { type: 'progress_update', text: 'secret step' }
					yield* streamText(args, ['done'])
				}
			})
		)
		const types = []
		for await (const event of createClient({ app }).threads.create({ input: 'x' })) types.push(event.type)
		expect(types).not.toContain('progress_update')
		expect(types.at(-1)).toBe('thread.item.done')
	})

	it('keep each app to its own hooks when plugin instances are shared', async () => {
		const shared = new Elysia({ name: 'shared' }).decorate(eventHook('redact', redactCards))
		const shouting = new Elysia({ name: 'shouting' }).decorate(
			eventHook('shout', (event) =>
				event.type === 'thread.item.updated' &&
				event.update.type === 'assistant_message.content_part.text_delta'
					? { ...event, update: { ...event.update, delta: event.update.delta.toUpperCase() } }
					: undefined
			)
		)
		const loud = new Elysia()
			.use(shared)
			.use(shouting)
			.use(chatkit({ store: new MemoryStore(), respond }))
		const quiet = new Elysia().use(shared).use(chatkit({ store: new MemoryStore(), respond }))
		const text = async (app: { handle(request: Request): Promise<Response> }) => {
			let out = ''
			for await (const event of createClient({ app }).threads.create({ input: 'x' }))
				if (
					event.type === 'thread.item.updated' &&
					event.update.type === 'assistant_message.content_part.text_delta'
				)
					out += event.update.delta
			return out
		}
		expect(await text(loud)).toBe('MY CARD IS [CARD] OK')
		expect(await text(quiet)).toBe('my card is [card] ok')
	})
})
