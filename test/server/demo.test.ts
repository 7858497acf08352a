import { describe, expect, it } from 'bun:test'
import { createServer } from '../../app/server'
import { createClient } from '../../src/client'
import type { ThreadItem, ThreadStreamEvent } from '../../src/protocol'

const boot = () => {
	const { app } = createServer({ DATABASE_URL: 'memory:', NODE_ENV: 'development' })
	return createClient({ app })
}

const run = async (events: AsyncIterable<ThreadStreamEvent>) => {
	const out: ThreadStreamEvent[] = []
	for await (const event of events) out.push(event)
	return out
}

const doneItems = (events: ThreadStreamEvent[]) =>
	events.flatMap((event) => (event.type === 'thread.item.done' ? [event.item] : []))

describe('the dev server demo', () => {
	it('shows a widget from a server tool, and its action updates the stored widget', async () => {
		const client = boot()
		const events = await run(client.threads.create({ input: 'show me the demo card' }))
		const created = events[0]
		if (created?.type !== 'thread.created') throw new Error('expected thread.created first')
		const card = doneItems(events).find((item) => item.type === 'widget')
		if (card?.type !== 'widget') throw new Error('expected a widget item')
		expect(JSON.stringify(card.widget)).toContain('0 likes')
		expect(
			events.some((event) => event.type === 'thread.item.added' && event.item.type === 'workflow')
		).toBe(true)

		const action = await run(
			client.threads.customAction({
				thread_id: created.thread.id,
				item_id: card.id,
				action: { type: 'demo.like', payload: { likes: 0 } }
			})
		)
		expect(action.map((event) => event.type)).toContain('thread.item.replaced')
		const stored = (await client.items.list({ thread_id: created.thread.id })).data.find(
			(item: ThreadItem) => item.id === card.id
		)
		expect(JSON.stringify(stored)).toContain('1 like')
	})

	it('hands a client tool call to the client and resumes with its output', async () => {
		const client = boot()
		const events = await run(client.threads.create({ input: 'please pick color for the header' }))
		const created = events[0]
		if (created?.type !== 'thread.created') throw new Error('expected thread.created first')
		const call = doneItems(events).at(-1)
		expect(call?.type === 'client_tool_call' && call.status === 'pending' && call.name).toBe('pick_color')

		const resumed = await run(
			client.threads.addClientToolOutput({ thread_id: created.thread.id, result: { color: 'teal' } })
		)
		const reply = doneItems(resumed).find((item) => item.type === 'assistant_message')
		expect(reply).toBeDefined()
		const items = (await client.items.list({ thread_id: created.thread.id, order: 'asc' })).data
		const completed = items.find((item: ThreadItem) => item.type === 'client_tool_call')
		expect(completed?.type === 'client_tool_call' && completed.status).toBe('completed')
	})
})
