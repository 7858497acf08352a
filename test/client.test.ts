import { describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import type { ThreadStreamEvent } from '../src'
import { chatkit, MemoryStore, type Responder, streamText } from '../src'
import { ChatKitClientError, createClient } from '../src/client'

const build = (respond: Responder) => new Elysia().use(chatkit({ store: new MemoryStore(), respond }))

const echo: Responder = async function* (args) {
	const text =
		args.input?.content.map((part) => (part.type === 'input_text' ? part.text : '')).join('') ?? ''
	yield* streamText(
		args,
		text.split(' ').map((word, index) => (index ? ` ${word}` : word))
	)
}

const collect = async (events: AsyncIterable<ThreadStreamEvent>) => {
	const out: ThreadStreamEvent[] = []
	for await (const event of events) out.push(event)
	return out
}

describe('typed client', () => {
	it('runs a turn and reads it back over an app instance', async () => {
		const client = createClient({ app: build(echo) })
		const events = await collect(client.threads.create({ input: 'one two three' }))
		const created = events[0]
		if (created?.type !== 'thread.created') throw new Error('first event must be thread.created')
		const deltas = events.flatMap((event) =>
			event.type === 'thread.item.updated' &&
			event.update.type === 'assistant_message.content_part.text_delta'
				? [event.update.delta]
				: []
		)
		expect(deltas).toEqual(['one', ' two', ' three'])

		const thread = await client.threads.getById({ thread_id: created.thread.id })
		expect(thread.items.data.map((item) => item.type)).toEqual(['user_message', 'assistant_message'])
		const page = await client.threads.list({ limit: 5 })
		expect(page.data.map((entry) => entry.id)).toEqual([created.thread.id])
	})

	it('throws the server error with its code', async () => {
		const client = createClient({ app: build(echo) })
		const error = await client.threads.getById({ thread_id: 'thr_missing' }).catch((caught) => caught)
		expect(error).toBeInstanceOf(ChatKitClientError)
		expect(error.status).toBe(404)
		expect(error.code).toBe('not_found')
	})

	it('works over a real port and cancels the stream when the consumer stops early', async () => {
		let observedAbort = false
		const slow: Responder = async function* (args) {
			async function* ticks() {
				for (let i = 0; i < 1000; i++) {
					await Bun.sleep(5)
					yield `t${i} `
				}
			}
			args.signal.addEventListener('abort', () => {
				observedAbort = true
			})
			yield* streamText(args, ticks())
		}
		const app = build(slow).listen({ port: 0, hostname: '127.0.0.1' })
		try {
			const client = createClient({ url: `http://127.0.0.1:${app.server?.port}/chatkit` })
			let threadId = ''
			let deltas = 0
			for await (const event of client.threads.create({ input: 'go' })) {
				if (event.type === 'thread.created') threadId = event.thread.id
				if (event.type === 'thread.item.updated' && ++deltas === 3) break
			}
			for (let i = 0; i < 100 && !observedAbort; i++) await Bun.sleep(10)
			expect(observedAbort).toBe(true)
			await Bun.sleep(50)
			const items = await client.items.list({ thread_id: threadId, order: 'asc' })
			expect(items.data.map((item) => item.type)).toEqual(['user_message', 'assistant_message'])
		} finally {
			app.stop(true)
		}
	})
})
