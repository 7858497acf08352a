import { expect, it } from 'bun:test'
import type { ThreadStreamEvent } from 'elysia-chatkit'
import { createClient } from 'elysia-chatkit/client'
import { app } from './hello-world'

it('level 1 (hello world) streams its fixed reply from the installed package', async () => {
	const client = createClient({ app })
	const events: ThreadStreamEvent[] = []
	for await (const event of client.threads.create({ input: 'hi' })) events.push(event)
	expect(events[0]?.type).toBe('thread.created')
	const reply = events.flatMap((event) =>
		event.type === 'thread.item.done' && event.item.type === 'assistant_message' ? event.item.content : []
	)
	expect(reply[0]?.text).toBe('Hello, world! You said: hi')
	expect((await client.threads.list({})).data).toHaveLength(1)
})
