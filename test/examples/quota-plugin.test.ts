import { describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import { quota } from '../../examples/quota-plugin'
import { devUser } from '../../plugins/auth'
import { chatkit, MemoryStore, streamText, type ThreadStreamEvent } from '../../src'
import { createClient } from '../../src/client'

const buildApp = () =>
	new Elysia()
		.use(devUser())
		.use(quota({ limit: 20, warnBelow: 0.5 }))
		.get('/quota', ({ quota }) => ({ remaining: quota.remaining(), limit: quota.limit }))
		.use(
			chatkit({
				store: new MemoryStore(),
				async *respond(args) {
					yield* streamText(args, ['0123456789', 'abcde'])
				}
			})
		)

describe('the quota plugin from docs/plugins.md', () => {
	it('adds a typed context key, meters output through an event hook and warns with a notice', async () => {
		const app = buildApp()
		const client = createClient({ app })
		const events: ThreadStreamEvent[] = []
		for await (const event of client.threads.create({ input: 'hi' })) events.push(event)

		const notices = events.filter((event) => event.type === 'notice')
		expect(notices).toEqual([
			{ type: 'notice', level: 'warning', message: 'You have 5 characters of quota left.' }
		])
		const deltaIndex = events.findIndex(
			(event) =>
				event.type === 'thread.item.updated' &&
				event.update.type === 'assistant_message.content_part.text_delta' &&
				event.update.delta === 'abcde'
		)
		expect(events[deltaIndex + 1]).toEqual(notices[0])

		const res = await app.handle(new Request('http://localhost/quota'))
		expect(await res.json()).toEqual({ remaining: 5, limit: 20 })
	})
})
