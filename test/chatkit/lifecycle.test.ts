// onRequestEnd: one report per request that reaches the endpoint, answered or refused, with its outcome.
import { describe, expect, test } from 'bun:test'
import { Elysia, status } from 'elysia'
import { jwtAuth } from '../../plugins/auth'
import { limits } from '../../plugins/limits'
import { sqliteStore } from '../../plugins/store'
import { chatkit, eventHook } from '../../src/chatkit'
import type { Responder } from '../../src/engine/types'
import { type RequestOutcome, reportRefusal, requestEndHook } from '../../src/lifecycle'
import { MemoryStore } from '../../src/store/memory'
import type { ChatKitUser } from '../../src/store/types'
import { aborted, call, deferred, post, readEvents, readUntil, USER, userInput } from './helpers'

const SECRET = 'lifecycle-test-secret-of-32-bytes!!'

const replyHello: Responder = async function* ({ thread }) {
	yield {
		type: 'thread.item.done',
		item: {
			id: 'msg_reply',
			thread_id: thread.id,
			created_at: new Date().toISOString(),
			type: 'assistant_message',
			content: [{ type: 'output_text', text: 'Hello', annotations: [] }]
		}
	}
}

/** An app whose hook collects every outcome (copied: the hook's object is the request's own). */
const recordingApp = (build: (app: Elysia) => Elysia = (app) => app, respond: Responder = replyHello) => {
	const outcomes: RequestOutcome[] = []
	const app = build(new Elysia()).use(
		chatkit({
			store: new MemoryStore(),
			respond,
			defaultUser: USER,
			onRequestEnd: (outcome) => {
				outcomes.push({ ...outcome })
			}
		})
	)
	return { app, outcomes }
}

const withoutDuration = ({ durationMs, ...rest }: RequestOutcome) => {
	expect(durationMs).toBeGreaterThanOrEqual(0)
	return rest
}

const base = {
	user: USER,
	threadId: null,
	status: 200,
	code: null,
	streamed: false,
	cancelled: false,
	refusedBy: null
}

describe('onRequestEnd for JSON answers runs before the response is returned', () => {
	test('a list', async () => {
		const { app, outcomes } = recordingApp()
		const res = await call(app, 'threads.list', {})
		expect(outcomes.map(withoutDuration)).toEqual([{ ...base, type: 'threads.list' }])
		expect(res.status).toBe(200)
	})

	test('a 404 names the type, the thread asked for and the code', async () => {
		const { app, outcomes } = recordingApp()
		await call(app, 'items.list', { thread_id: 'thr_missing' })
		expect(outcomes.map(withoutDuration)).toEqual([
			{ ...base, type: 'items.list', threadId: 'thr_missing', status: 404, code: 'not_found' }
		])
	})

	test('a body that is not JSON (400), an unknown type and bad params (422), a feature not configured (501)', async () => {
		const { app, outcomes } = recordingApp()
		await post(app, '{not json')
		await call(app, 'threads.explode', {})
		await call(app, 'threads.get_by_id', { thread_id: 42 })
		await call(app, 'attachments.delete', { attachment_id: 'atc_1' })
		expect(outcomes.map(withoutDuration)).toEqual([
			{ ...base, user: null, type: null, status: 400, code: 'invalid_json' },
			{ ...base, user: null, type: null, status: 422, code: 'unknown_request_type' },
			{ ...base, user: null, type: 'threads.get_by_id', status: 422, code: 'invalid_request' },
			{ ...base, type: 'attachments.delete', status: 501, code: 'not_configured' }
		])
	})

	test('a 401 from an auth plugin, reported by the plugin before the answer, without a user', async () => {
		const { app, outcomes } = recordingApp((app) => app.use(jwtAuth({ secret: SECRET })) as never)
		const res = await call(app, 'threads.list', {})
		expect(res.status).toBe(401)
		expect(outcomes.map(withoutDuration)).toEqual([
			{
				...base,
				user: null,
				type: null,
				status: 401,
				code: 'unauthorized',
				refusedBy: 'elysia-chatkit/auth'
			}
		])
		await app.handle(new Request('http://localhost/elsewhere', { method: 'POST' }))
		expect(outcomes).toHaveLength(1)
	})

	test('a plugin that refuses in a derive and reports it names itself', async () => {
		const { app, outcomes } = recordingApp(
			(app) =>
				app.use(
					new Elysia({ name: 'gate' }).derive({ as: 'scoped' }, async (context) => {
						await reportRefusal(context, { status: 403, code: 'closed', by: 'gate' })
						return status(403, { code: 'closed' })
					})
				) as never
		)
		await call(app, 'threads.list', {})
		expect(outcomes.map(withoutDuration)).toEqual([
			{ ...base, user: null, type: null, status: 403, code: 'closed', refusedBy: 'gate' }
		])
	})

	test('a 429 from the limits guard names the guard, the type and the user; the later request is not counted twice', async () => {
		const { app, outcomes } = recordingApp(
			(app) => app.use(limits({ requestsPerMinute: 1, fields: false })) as never
		)
		await call(app, 'threads.list', {})
		const refused = await call(app, 'threads.list', {})
		expect(refused.status).toBe(429)
		expect(outcomes.map(withoutDuration)).toEqual([
			{ ...base, type: 'threads.list' },
			{ ...base, type: 'threads.list', status: 429, code: 'rate_limited', refusedBy: 'limits' }
		])
	})

	test('a stream refused with an error event is reported as a refused stream with its code', async () => {
		const { app, outcomes } = recordingApp(
			(app) => app.use(limits({ requestsPerMinute: 1, fields: false })) as never
		)
		await call(app, 'threads.list', {})
		await (await call(app, 'threads.create', { input: userInput('Hi') })).text()
		expect(outcomes.map(withoutDuration)[1]).toEqual({
			...base,
			type: 'threads.create',
			code: 'rate_limited',
			streamed: true,
			refusedBy: 'limits'
		})
	})
})

describe('onRequestEnd for event streams', () => {
	test('runs once the stream has ended and before its body is complete, with the thread the turn created', async () => {
		const { app, outcomes } = recordingApp()
		const res = await call(app, 'threads.create', { input: userInput('Hi') })
		expect(outcomes).toHaveLength(0)
		const events = await readEvents(res)
		const threadId = events[0].thread.id
		expect(outcomes.map(withoutDuration)).toEqual([
			{ ...base, type: 'threads.create', threadId, streamed: true }
		])
	})

	test('a responder that fails gives the code of the error event', async () => {
		const { app, outcomes } = recordingApp(undefined, async function* () {
			throw new Error('model down')
		})
		await (await call(app, 'threads.create', { input: userInput('Hi') })).text()
		expect(outcomes.map(withoutDuration)).toEqual([
			{
				...base,
				type: 'threads.create',
				threadId: expect.any(String),
				code: 'stream.error',
				streamed: true
			}
		])
	})

	test('a client that goes away: reported once, cancelled, after the turn handled it', async () => {
		const turnSawAbort = deferred<void>()
		const { app, outcomes } = recordingApp(undefined, async function* ({ thread, signal }) {
			yield {
				type: 'thread.item.added',
				item: {
					id: 'msg_partial',
					thread_id: thread.id,
					created_at: new Date().toISOString(),
					type: 'assistant_message',
					content: [{ type: 'output_text', text: 'Hel', annotations: [] }]
				}
			}
			await aborted(signal)
			turnSawAbort.resolve()
		})
		const reader = (await call(app, 'threads.create', { input: userInput('Hi') })).body!.getReader()
		await readUntil(reader, (event) => event.type === 'thread.item.added')
		await reader.cancel()
		await turnSawAbort.promise
		expect(outcomes.map(withoutDuration)).toEqual([
			{ ...base, type: 'threads.create', threadId: expect.any(String), streamed: true, cancelled: true }
		])
	})
})

describe('request-end hooks from plugins', () => {
	test('run after the option, in the order the plugins were used; one that throws changes nothing', async () => {
		const order: string[] = []
		const app = new Elysia()
			.decorate(
				requestEndHook('first', () => {
					order.push('first')
					throw new Error('broken hook')
				})
			)
			.decorate(
				requestEndHook('second', async ({ type }, { context }) => {
					await Bun.sleep(1)
					order.push(`second ${type} ${(context.user as ChatKitUser).id}`)
				})
			)
			.use(
				chatkit({
					store: new MemoryStore(),
					respond: replyHello,
					defaultUser: USER,
					onRequestEnd: () => {
						order.push('option')
					}
				})
			)
		const res = await call(app, 'threads.list', {})
		expect(res.status).toBe(200)
		expect(order).toEqual(['option', 'first', `second threads.list ${USER.id}`])
	})
})

describe('event hooks see the engine events too, in order', () => {
	test('thread.created, the user message, stream_options, the responder events, thread.updated and error', async () => {
		const seen: string[] = []
		const app = new Elysia().decorate(eventHook('watch', (event) => void seen.push(event.type))).use(
			chatkit({
				store: new MemoryStore(),
				defaultUser: USER,
				async *respond(args) {
					args.thread.title = 'Named'
					yield* replyHello(args)
					throw new Error('then it fails')
				}
			})
		)
		const events = await readEvents(await call(app, 'threads.create', { input: userInput('Hi') }))
		expect(seen).toEqual(events.map((event) => event.type))
		expect(seen).toEqual([
			'thread.created',
			'thread.item.done',
			'stream_options',
			'thread.item.done',
			'thread.updated',
			'error'
		])
	})

	test('a hook can replace an engine event for the client; one that throws on it leaves it as it was', async () => {
		const app = new Elysia()
			.decorate(
				eventHook('boom', (event) => {
					if (event.type === 'stream_options') throw new Error('broken hook')
				})
			)
			.decorate(
				eventHook('notice', (event) =>
					event.type === 'thread.created'
						? [event, { type: 'notice', level: 'info', message: 'Welcome' }]
						: undefined
				)
			)
			.use(chatkit({ store: new MemoryStore(), defaultUser: USER, respond: replyHello }))
		const events = await readEvents(await call(app, 'threads.create', { input: userInput('Hi') }))
		expect(events.slice(0, 4).map((event) => event.type)).toEqual([
			'thread.created',
			'notice',
			'thread.item.done',
			'stream_options'
		])
	})
})

describe('the store is on the context however it was given', () => {
	test('chatkit({ store }): plugins read it as chatkitStore, in a derive and in a guard; limits counts in its database', async () => {
		const store = sqliteStore({ path: ':memory:' })
		const seenInDerive: unknown[] = []
		const app = new Elysia()
			.use(
				new Elysia({ name: 'peek' }).derive({ as: 'scoped' }, (context) => {
					seenInDerive.push((context as { chatkitStore?: unknown }).chatkitStore)
					return {}
				})
			)
			.use(limits({ requestsPerMinute: 10, fields: false }))
			.use(chatkit({ store, respond: replyHello, defaultUser: USER }))
		await call(app, 'threads.list', {})
		expect(seenInDerive).toEqual([store])
		const rows = store.client.query('SELECT count(*) AS n FROM chatkit_rate_limits').get() as {
			n: number
		}
		expect(rows.n).toBe(1)
		await store.close()
	})
})
