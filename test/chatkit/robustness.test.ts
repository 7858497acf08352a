import { describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import {
	chatkit,
	MemoryStore,
	type Responder,
	requestGuard,
	streamText,
	type ThreadStreamEvent
} from '../../src'
import { createClient } from '../../src/client'

const reply: Responder = async function* (args) {
	yield* streamText(args, ['ok'])
}

const post = (app: { handle(request: Request): Promise<Response> }, body: string) =>
	app.handle(new Request('http://localhost/chatkit', { method: 'POST', body }))

describe('robustness of the endpoint', () => {
	it('refuses deeply nested JSON before parsing it, and accepts brackets inside strings', async () => {
		const app = new Elysia().use(chatkit({ store: new MemoryStore(), respond: reply }))
		const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`
		const refused = await post(app, `{"type":"threads.list","params":{},"metadata":{"x":${deep}}}`)
		expect(refused.status).toBe(400)
		expect((await refused.json()).code).toBe('invalid_json')

		const inString = JSON.stringify({
			type: 'threads.list',
			params: {},
			metadata: { x: '['.repeat(500) }
		})
		expect((await post(app, inString)).status).toBe(200)
	})

	it('uses the store each request provides, when a plugin derives it per request', async () => {
		const stores = { acme: new MemoryStore(), globex: new MemoryStore() }
		const app = new Elysia()
			.derive(({ request }) => ({
				chatkitStore: request.headers.get('x-tenant') === 'globex' ? stores.globex : stores.acme
			}))
			.use(chatkit({ respond: reply }))
		const as = (tenant: string) => createClient({ app, headers: { 'x-tenant': tenant } })
		for await (const _ of as('acme').threads.create({ input: 'acme secret' })) {
		}
		expect((await as('globex').threads.list({})).data).toHaveLength(0)
		expect((await as('acme').threads.list({})).data).toHaveLength(1)
	})

	it('does not bring back a thread deleted while one of its turns was still streaming', async () => {
		let release = () => {}
		const gate = new Promise<void>((resolve) => {
			release = resolve
		})
		const store = new MemoryStore()
		const app = new Elysia().use(
			chatkit({
				store,
				async *respond(args) {
					yield { type: 'progress_update', text: 'thinking' }
					await gate
					args.thread.title = 'Secret conversation'
					yield* streamText(args, ['late'])
				}
			})
		)
		const client = createClient({ app })
		const events: ThreadStreamEvent[] = []
		const stream = client.threads.create({ input: 'hi' })
		for await (const event of stream) {
			events.push(event)
			if (event.type === 'progress_update') {
				const created = events[0]
				if (created?.type !== 'thread.created') throw new Error('expected thread.created first')
				await client.threads.delete({ thread_id: created.thread.id })
				release()
			}
		}
		expect(events.some((event) => event.type === 'thread.updated')).toBe(false)
		expect(events.at(-1)?.type).toBe('error')
		expect((await client.threads.list({})).data).toHaveLength(0)
	})
})

describe('a turn that fails before its first event', () => {
	it('ends with an error event and releases its request guard (a store whose id generator throws)', async () => {
		class FailingIds extends MemoryStore {
			override generateThreadId(): string {
				throw new Error('id service down')
			}
		}
		let released = 0
		const app = new Elysia()
			.decorate(requestGuard('count', () => ({ release: () => void released++ })))
			.use(chatkit({ store: new FailingIds(), respond: reply, defaultUser: { id: 'u' } }))
		const body = JSON.stringify({
			type: 'threads.create',
			params: {
				input: {
					content: [{ type: 'input_text', text: 'hi' }],
					attachments: [],
					inference_options: {}
				}
			}
		})
		const response = await post(app, body)
		expect(response.headers.get('content-type')).toBe('text/event-stream')
		expect(await response.text()).toBe(
			'data: {"type":"error","code":"stream.error","allow_retry":true}\n\n'
		)
		expect(released).toBe(1)
	})
})
