import { describe, expect, it } from 'bun:test'
import { createClient } from '../../src/client'
import type { ThreadStreamEvent } from '../../src/protocol'

process.env.DATABASE_URL = 'memory:'
const { app } = await import('../../examples/agent')

const collect = async (events: AsyncIterable<ThreadStreamEvent>) => {
	const out: ThreadStreamEvent[] = []
	for await (const event of events) out.push(event)
	return out
}

describe('agent example (level 2)', () => {
	it('streams the agent reply token by token, keeps the thread, and answers again with its history', async () => {
		const client = createClient({ app })
		const first = await collect(client.threads.create({ input: 'Hello there' }))
		const created = first[0]
		if (created?.type !== 'thread.created') throw new Error('expected thread.created first')
		const deltas = first.filter(
			(event) =>
				event.type === 'thread.item.updated' &&
				event.update.type === 'assistant_message.content_part.text_delta'
		)
		expect(deltas.length).toBeGreaterThan(1)

		const second = await collect(
			client.threads.addUserMessage({ thread_id: created.thread.id, input: 'And now?' })
		)
		expect(second.at(-1)?.type).toBe('thread.item.done')
		const items = await client.items.list({ thread_id: created.thread.id, order: 'asc' })
		expect(items.data.map((item) => item.type)).toEqual([
			'user_message',
			'assistant_message',
			'user_message',
			'assistant_message'
		])
	})

	it('gives the agent the current_time tool', async () => {
		const client = createClient({ app })
		const events = await collect(
			client.threads.create({ input: 'What is the current time? Use current_time' })
		)
		const done = events.flatMap((event) => (event.type === 'thread.item.done' ? [event.item.type] : []))
		expect(done).toContain('assistant_message')
		expect(JSON.stringify(events)).toContain('current_time')
	})
})
