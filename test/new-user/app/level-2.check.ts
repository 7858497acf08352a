import { expect, it } from 'bun:test'
import type { ThreadStreamEvent } from 'elysia-chatkit'
import { createClient } from 'elysia-chatkit/client'

// DATABASE_URL unset: the SQLite file .data/chatkit.db, migrated from the files the package ships
delete process.env.DATABASE_URL
const { app } = await import('./agent')

it('level 2 (agent) streams the offline model token by token into a SQLite file, with its history', async () => {
	const client = createClient({ app })
	const events: ThreadStreamEvent[] = []
	for await (const event of client.threads.create({ input: 'Hello there' })) events.push(event)
	const created = events[0]
	if (created?.type !== 'thread.created') throw new Error('expected thread.created first')
	const deltas = events.filter(
		(event) =>
			event.type === 'thread.item.updated' &&
			event.update.type === 'assistant_message.content_part.text_delta'
	)
	expect(deltas.length).toBeGreaterThan(1)
	for await (const event of client.threads.addUserMessage({ thread_id: created.thread.id, input: 'Again' }))
		events.push(event)
	const items = await client.items.list({ thread_id: created.thread.id, order: 'asc' })
	expect(items.data.map((item) => item.type)).toEqual([
		'user_message',
		'assistant_message',
		'user_message',
		'assistant_message'
	])
	expect(await Bun.file('.data/chatkit.db').exists()).toBe(true)
})
