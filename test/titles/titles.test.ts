import { describe, expect, it } from 'bun:test'
import { assistantMessage, modelResponder, ScriptedModel } from '@openai/agents/testing'
import { Elysia } from 'elysia'
import { cleanTitle, titles } from '../../plugins/titles'
import { chatkit, MemoryStore, type Responder, streamText, type ThreadStreamEvent } from '../../src'
import { createClient } from '../../src/client'
import { at } from '../defined'

const reply: Responder = async function* (args) {
	yield* streamText(args, ['Paris ', 'is ', 'lovely ', 'in ', 'spring.'])
}

const isDelta = (event: ThreadStreamEvent) =>
	event.type === 'thread.item.updated' && event.update.type === 'assistant_message.content_part.text_delta'

describe('titles plugin', () => {
	it('titles a new thread from its first message with the model, and stores the title', async () => {
		const model = new ScriptedModel([[assistantMessage('"Spring trip to Paris"')]])
		const app = new Elysia()
			.use(titles({ model }))
			.use(chatkit({ store: new MemoryStore(), respond: reply }))
		const client = createClient({ app })
		const events: ThreadStreamEvent[] = []
		for await (const event of client.threads.create({ input: 'Plan a trip to Paris in April' }))
			events.push(event)

		const updated = events.filter((event) => event.type === 'thread.updated')
		expect(updated).toHaveLength(1)
		expect(updated[0]?.type === 'thread.updated' && updated[0].thread.title).toBe('Spring trip to Paris')
		const created = events[0]
		if (created?.type !== 'thread.created') throw new Error('expected thread.created first')
		expect((await client.threads.getById({ thread_id: created.thread.id })).title).toBe(
			'Spring trip to Paris'
		)
		const request = JSON.stringify(model.calls[0])
		expect(request).toContain('Plan a trip to Paris in April')
	})

	it('does not delay the first token: the reply streams while the title model is still working', async () => {
		let releaseTitle = () => {}
		const titleGate = new Promise<void>((resolve) => {
			releaseTitle = resolve
		})
		const model = new ScriptedModel([
			modelResponder(async () => {
				await titleGate
				return [assistantMessage('Paris in spring')]
			})
		])
		const app = new Elysia()
			.use(titles({ model }))
			.use(chatkit({ store: new MemoryStore(), respond: reply }))
		const events: ThreadStreamEvent[] = []
		for await (const event of createClient({ app }).threads.create({ input: 'Tell me about Paris' })) {
			events.push(event)
			if (isDelta(event)) releaseTitle()
		}
		const firstDelta = events.findIndex(isDelta)
		const titled = events.findIndex((event) => event.type === 'thread.updated')
		expect(firstDelta).toBeGreaterThan(0)
		expect(titled).toBeGreaterThan(firstDelta)
		const last = at(events, titled)
		expect(last.type === 'thread.updated' && last.thread.title).toBe('Paris in spring')
	})

	it('leaves titled threads alone and survives a failing model', async () => {
		const failing = new ScriptedModel([])
		const logged: string[] = []
		const app = new Elysia()
			.use(titles({ model: failing, log: (message) => logged.push(message) }))
			.use(chatkit({ store: new MemoryStore(), respond: reply }))
		const events: ThreadStreamEvent[] = []
		for await (const event of createClient({ app }).threads.create({ input: 'hello' })) events.push(event)
		expect(events.at(-1)?.type).toBe('thread.item.done')
		expect(events.some((event) => event.type === 'thread.updated')).toBe(false)
		expect(logged).toHaveLength(1)
		expect(logged[0]).not.toContain('hello')
	})

	it('cleans model answers into short titles', () => {
		expect(cleanTitle('  "Trip planning"  \nextra', 60)).toBe('Trip planning')
		expect(cleanTitle('**Budget review.**', 60)).toBe('Budget review')
		expect(cleanTitle('A very long title about many different things at once', 20)).toBe(
			'A very long title…'
		)
	})
})
