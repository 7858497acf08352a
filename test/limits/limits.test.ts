import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type AnyElysia, Elysia } from 'elysia'
import { jwtAuth } from '../../plugins/auth'
import {
	type LimitRefusal,
	type LimitsOptions,
	limits,
	limitsFromEnv,
	MemoryRateLimitBackend,
	type RateLimitBackend
} from '../../plugins/limits'
import { drizzleStore, SqliteStore } from '../../plugins/store'
import { chatkit } from '../../src/chatkit'
import { ConfigError } from '../../src/config'
import type { Responder } from '../../src/engine/types'
import { MemoryStore } from '../../src/store/memory'
import type { Store } from '../../src/store/types'
import { secret } from '../auth/utils'
import { at } from '../defined'
import { events, eventually, heldResponder, input, openStream, send, tokenFor } from './app'

const MINUTE = 60_000
/** The start of a fixed window; tests move `clock.now` instead of waiting. */
const T0 = 2_000 * MINUTE

const reply: Responder = async function* ({ thread }) {
	yield {
		type: 'thread.item.done',
		item: {
			id: `msg_${crypto.randomUUID().slice(0, 8)}`,
			thread_id: thread.id,
			created_at: new Date().toISOString(),
			type: 'assistant_message',
			content: [{ type: 'output_text', text: 'hi', annotations: [] }]
		}
	}
}

interface Setup extends LimitsOptions {
	store?: Store
	/** Decorate the store with drizzleStore (the default backend then comes from it). */
	decorated?: boolean
	respond?: Responder
}

const makeApp = ({ store = new MemoryStore(), decorated = false, respond = reply, ...options }: Setup) => {
	const clock = { now: T0 }
	const base: AnyElysia = decorated ? new Elysia().use(drizzleStore({ store })) : new Elysia()
	const app: AnyElysia = base
		.use(jwtAuth({ secret, log: () => {} }))
		.use(limits({ now: () => clock.now, env: {}, ...options }))
		.use(chatkit({ respond, store }))
	return { app, store, clock }
}

const alice = await tokenFor('alice', 'acme')
const bob = await tokenFor('bob', 'acme')
const aliceGlobex = await tokenFor('alice', 'globex')

const threadCount = async (app: AnyElysia, token: string) =>
	(await (await send(app, token, 'threads.list', { limit: 100 })).json()).data.length

const createThread = async (app: AnyElysia, token: string, text = 'hello') => {
	const stream = await events(await send(app, token, 'threads.create', { input: input(text) }))
	return stream[0].thread.id as string
}

describe('requests per minute', () => {
	it('answers a JSON request over the limit with 429 rate_limited and Retry-After', async () => {
		const { app } = makeApp({ requestsPerMinute: 3 })
		for (let i = 0; i < 3; i++) expect((await send(app, alice, 'threads.list')).status).toBe(200)
		const res = await send(app, alice, 'threads.list')
		expect(res.status).toBe(429)
		expect(res.headers.get('content-type')).toBe('application/json')
		// Three hits at the start of the window: one more fits 20 s into the next window.
		expect(res.headers.get('retry-after')).toBe('80')
		expect(await res.json()).toEqual({
			code: 'rate_limited',
			message: 'You are sending requests too quickly. Try again in 80 seconds.'
		})
	})

	it('answers a streaming request over the limit with one error event the client can retry, and writes nothing', async () => {
		const { app, clock } = makeApp({ requestsPerMinute: 2 })
		const threadId = await createThread(app, alice)
		await send(app, alice, 'threads.list')
		const res = await send(app, alice, 'threads.add_user_message', {
			thread_id: threadId,
			input: input('one more')
		})
		expect(res.status).toBe(200)
		expect(res.headers.get('content-type')).toBe('text/event-stream')
		expect(res.headers.get('retry-after')).toBe('90')
		expect(await res.text()).toBe(
			'data: {"type":"error","code":"custom","message":"You are sending requests too quickly. Try again in 90 seconds.","allow_retry":true}\n\n'
		)
		const refusedCreate = await events(await send(app, alice, 'threads.create', { input: input('new') }))
		expect(refusedCreate.map((event) => event.type)).toEqual(['error'])

		clock.now += 90_000
		const thread = await (await send(app, alice, 'threads.get_by_id', { thread_id: threadId })).json()
		expect(thread.items.data.map((item: { type: string }) => item.type)).toEqual([
			'user_message',
			'assistant_message'
		])
		clock.now += 2 * MINUTE
		expect(await threadCount(app, alice)).toBe(1)
	})

	it("answers streaming requests with 429 too when streamRefusal is 'status'", async () => {
		const { app } = makeApp({ requestsPerMinute: 1, streamRefusal: 'status' })
		await send(app, alice, 'threads.list')
		const res = await send(app, alice, 'threads.create', { input: input('hi') })
		expect(res.status).toBe(429)
		// One hit at the start of a window: one more fits only when it has slid out entirely.
		expect(res.headers.get('retry-after')).toBe('120')
		expect((await res.json()).code).toBe('rate_limited')
	})

	it('keeps a separate budget per user and per tenant', async () => {
		const { app } = makeApp({ requestsPerMinute: 2 })
		for (let i = 0; i < 2; i++) await send(app, alice, 'threads.list')
		expect((await send(app, alice, 'threads.list')).status).toBe(429)
		expect((await send(app, bob, 'threads.list')).status).toBe(200)
		expect((await send(app, aliceGlobex, 'threads.list')).status).toBe(200)
	})

	it('leaves a refused update unapplied, and admits again once Retry-After has passed', async () => {
		const { app, clock } = makeApp({ requestsPerMinute: 2 })
		const threadId = await createThread(app, alice)
		await send(app, alice, 'threads.update', { thread_id: threadId, title: 'First' })
		const refused = await send(app, alice, 'threads.update', { thread_id: threadId, title: 'Second' })
		expect(refused.status).toBe(429)
		clock.now += Number(refused.headers.get('retry-after')) * 1000
		const thread = await (await send(app, alice, 'threads.get_by_id', { thread_id: threadId })).json()
		expect(thread.title).toBe('First')
	})

	it('does not count requests refused by a field limit or by the core', async () => {
		const { app } = makeApp({ requestsPerMinute: 1, fields: { maxTitleChars: 5 } })
		const tooLong = await send(app, alice, 'threads.update', { thread_id: 'thr_x', title: 'too long' })
		expect(tooLong.status).toBe(422)
		expect((await send(app, alice, 'threads.nope')).status).toBe(422)
		expect((await send(app, alice, 'threads.list')).status).toBe(200)
		expect((await send(app, alice, 'threads.list')).status).toBe(429)
	})

	it('is off at 0, from the option or RATE_LIMIT_PER_MINUTE', async () => {
		for (const options of [{ requestsPerMinute: 0 }, { env: { RATE_LIMIT_PER_MINUTE: '0' } }]) {
			const { app } = makeApp(options)
			for (let i = 0; i < 150; i++) expect((await send(app, alice, 'threads.list')).status).toBe(200)
		}
	})

	it('reads RATE_LIMIT_PER_MINUTE, and defaults to 120', async () => {
		const fromEnv = makeApp({ env: { RATE_LIMIT_PER_MINUTE: '2' } })
		for (let i = 0; i < 2; i++) await send(fromEnv.app, alice, 'threads.list')
		expect((await send(fromEnv.app, alice, 'threads.list')).status).toBe(429)
		const byDefault = makeApp({})
		for (let i = 0; i < 120; i++)
			expect((await send(byDefault.app, alice, 'threads.list')).status).toBe(200)
		expect((await send(byDefault.app, alice, 'threads.list')).status).toBe(429)
	})

	it('exempts requests whose key is null', async () => {
		const { app } = makeApp({
			requestsPerMinute: 1,
			key: (user) => (user.id === 'alice' ? null : user.id)
		})
		for (let i = 0; i < 5; i++) expect((await send(app, alice, 'threads.list')).status).toBe(200)
		await send(app, bob, 'threads.list')
		expect((await send(app, bob, 'threads.list')).status).toBe(429)
	})

	it('tells onRefuse the reason, the request type and the key, and uses the given messages', async () => {
		const refusals: LimitRefusal[] = []
		const { app } = makeApp({
			requestsPerMinute: 1,
			onRefuse: (refusal) => refusals.push(refusal),
			messages: { rateLimited: (seconds) => `Bitte warten Sie ${seconds} Sekunden.` }
		})
		await send(app, alice, 'threads.list')
		const stream = await events(await send(app, alice, 'threads.create', { input: input('hi') }))
		expect(stream).toEqual([
			{ type: 'error', code: 'custom', message: 'Bitte warten Sie 120 Sekunden.', allow_retry: true }
		])
		expect(refusals).toEqual([
			{ reason: 'rate_limited', type: 'threads.create', key: '["acme","alice"]' }
		])
	})

	it('admits requests while the backend fails, and logs that once without user data', async () => {
		const failing: RateLimitBackend = {
			hit: async () => {
				throw Object.assign(new Error('connection refused for alice'), { code: 'ECONNREFUSED' })
			},
			acquireStream: async () => null,
			renewStream: async () => {},
			releaseStream: async () => {}
		}
		const lines: string[] = []
		const { app } = makeApp({ requestsPerMinute: 1, backend: failing, log: (line) => lines.push(line) })
		for (let i = 0; i < 3; i++) expect((await send(app, alice, 'threads.list')).status).toBe(200)
		expect(lines).toEqual([
			'[elysia-chatkit/limits] the rate limit backend failed (Error ECONNREFUSED); requests are admitted meanwhile'
		])
	})

	it('refuses a wrong RATE_LIMIT_PER_MINUTE or MAX_CONCURRENT_STREAMS at start-up, naming it', () => {
		expect(() => limits({ env: { RATE_LIMIT_PER_MINUTE: 'ten' } })).toThrow(/^RATE_LIMIT_PER_MINUTE: /)
		expect(() => limits({ env: { MAX_CONCURRENT_STREAMS: '-1' } })).toThrow(/^MAX_CONCURRENT_STREAMS: /)
		expect(() => limits({ requestsPerMinute: 1.5 })).toThrow(/^requestsPerMinute: /)
		expect(() => limits({ env: { MAX_CONCURRENT_STREAMS: '2.5' } })).toThrow(ConfigError)
		expect(limitsFromEnv({})).toEqual({ requestsPerMinute: 120, maxConcurrentStreams: 4 })
		expect(limitsFromEnv({ MAX_CONCURRENT_STREAMS: ' 2 ', RATE_LIMIT_PER_MINUTE: '' })).toEqual({
			requestsPerMinute: 120,
			maxConcurrentStreams: 2
		})
		try {
			limitsFromEnv({ RATE_LIMIT_PER_MINUTE: 'ten', MAX_CONCURRENT_STREAMS: '-1' })
			throw new Error('expected a ConfigError')
		} catch (error) {
			expect((error as ConfigError).variables).toEqual([
				'RATE_LIMIT_PER_MINUTE',
				'MAX_CONCURRENT_STREAMS'
			])
		}
	})
})

describe('concurrent streams', () => {
	it('refuses a stream beyond the limit with an error event, and still answers JSON requests', async () => {
		const held = heldResponder()
		const { app } = makeApp({ maxConcurrentStreams: 2, respond: held.respond })
		const first = await openStream(await send(app, alice, 'threads.create', { input: input('one') }))
		const second = await openStream(await send(app, alice, 'threads.create', { input: input('two') }))
		const refused = await events(await send(app, alice, 'threads.create', { input: input('three') }))
		expect(refused).toEqual([
			{
				type: 'error',
				code: 'custom',
				message: 'You already have 2 replies in progress. Wait for one to finish, then try again.',
				allow_retry: true
			}
		])
		expect((await send(app, alice, 'threads.list')).status).toBe(200)
		expect(await threadCount(app, alice)).toBe(2)
		// Another user and the same user in another tenant have their own slots.
		const bobs = await openStream(await send(app, bob, 'threads.create', { input: input('bob') }))
		const globex = await openStream(await send(app, aliceGlobex, 'threads.create', { input: input('g') }))
		held.finish()
		await Promise.all([first.drain(), second.drain(), bobs.drain(), globex.drain()])
	})

	it('does not count streams refused for too many streams against the requests per minute', async () => {
		const held = heldResponder()
		const { app } = makeApp({ maxConcurrentStreams: 1, requestsPerMinute: 4, respond: held.respond })
		const first = await openStream(await send(app, alice, 'threads.create', { input: input('one') }))
		for (let i = 0; i < 8; i++) {
			const refused = await events(await send(app, alice, 'threads.create', { input: input('x') }))
			expect(refused.map((event) => event.message)).toEqual([
				'You already have 1 reply in progress. Wait for one to finish, then try again.'
			])
		}
		held.finish()
		await first.drain()
		for (let i = 0; i < 3; i++) expect((await send(app, alice, 'threads.list')).status).toBe(200)
		expect((await send(app, alice, 'threads.list')).status).toBe(429)
	})

	it('frees a slot when a stream ends and when its client goes away', async () => {
		const held = heldResponder()
		const { app } = makeApp({ maxConcurrentStreams: 1, respond: held.respond })
		const first = await openStream(await send(app, alice, 'threads.create', { input: input('one') }))
		expect(
			(await events(await send(app, alice, 'threads.create', { input: input('x') }))).map((e) => e.type)
		).toEqual(['error'])
		held.finish()
		await first.drain()

		const second = await openStream(await send(app, alice, 'threads.create', { input: input('two') }))
		await second.reader.cancel()
		const third = await openStream(await send(app, alice, 'threads.create', { input: input('three') }))
		held.finish()
		await third.drain()
		expect(await threadCount(app, alice)).toBe(3)
	})

	it('frees the slot of a client that disconnects over a real socket', async () => {
		const held = heldResponder()
		const { app } = makeApp({ maxConcurrentStreams: 1, respond: held.respond })
		app.listen({ hostname: '127.0.0.1', port: 0 })
		try {
			const url = `http://127.0.0.1:${app.server?.port}/chatkit`
			const create = (signal?: AbortSignal) =>
				fetch(url, {
					method: 'POST',
					signal,
					headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
					body: JSON.stringify({ type: 'threads.create', params: { input: input('hi') } })
				})
			const abort = new AbortController()
			await openStream(await create(abort.signal))
			expect((await events(await create())).map((event) => event.type)).toEqual(['error'])
			abort.abort()
			const admitted = await eventually(async () => {
				const res = await create()
				const reader = (res.body as ReadableStream<Uint8Array>).getReader()
				const first = new TextDecoder().decode((await reader.read()).value)
				await reader.cancel()
				return first.includes('thread.created')
			})
			expect(admitted).toBe(true)
		} finally {
			held.finish()
			await app.stop(true)
		}
	})

	it("answers 429 too_many_streams when streamRefusal is 'status'", async () => {
		const held = heldResponder()
		const { app } = makeApp({ maxConcurrentStreams: 1, respond: held.respond, streamRefusal: 'status' })
		const first = await openStream(await send(app, alice, 'threads.create', { input: input('one') }))
		const res = await send(app, alice, 'threads.create', { input: input('two') })
		expect(res.status).toBe(429)
		expect(res.headers.get('retry-after')).toBeNull()
		expect((await res.json()).code).toBe('too_many_streams')
		held.finish()
		await first.drain()
	})

	it('renews the slot of a stream that stays open longer than the lease', async () => {
		const memory = new MemoryRateLimitBackend()
		let renewals = 0
		const backend: RateLimitBackend = {
			hit: (...args) => memory.hit(...args),
			acquireStream: (...args) => memory.acquireStream(...args),
			releaseStream: (...args) => memory.releaseStream(...args),
			renewStream: async (...args) => {
				renewals++
				return memory.renewStream(...args)
			}
		}
		const held = heldResponder()
		const { app, clock } = makeApp({
			backend,
			maxConcurrentStreams: 1,
			streamLeaseMs: 1_000,
			respond: held.respond
		})
		const first = await openStream(await send(app, alice, 'threads.create', { input: input('one') }))
		clock.now += 900
		expect(await eventually(() => renewals > 0)).toBe(true)
		// Not renewed, the slot would have expired 1 000 ms after it was taken.
		clock.now += 600
		const refused = await events(await send(app, alice, 'threads.create', { input: input('two') }))
		expect(refused.map((event) => event.type)).toEqual(['error'])
		held.finish()
		await first.drain()
		const second = await openStream(await send(app, alice, 'threads.create', { input: input('three') }))
		held.finish()
		await second.drain()
	})

	it('is off at 0 (MAX_CONCURRENT_STREAMS=0)', async () => {
		const held = heldResponder()
		const { app } = makeApp({ env: { MAX_CONCURRENT_STREAMS: '0' }, respond: held.respond })
		const open = []
		for (let i = 0; i < 6; i++)
			open.push(await openStream(await send(app, alice, 'threads.create', { input: input(`${i}`) })))
		held.finish()
		await Promise.all(open.map((stream) => stream.drain()))
	})
})

describe('field limits', () => {
	const attachmentIds = (n: number) => Array.from({ length: n }, (_, i) => `atc_${i}`)

	it('answers 422 limit_exceeded naming the field, and writes nothing', async () => {
		const { app } = makeApp({ fields: { maxMessageChars: 10 } })
		const res = await send(app, alice, 'threads.create', { input: input('x'.repeat(11)) })
		expect(res.status).toBe(422)
		expect(await res.json()).toEqual({
			code: 'limit_exceeded',
			message: 'The message is longer than 10 characters',
			details: [{ path: 'params.input.content', message: 'The message is longer than 10 characters' }]
		})
		expect(await threadCount(app, alice)).toBe(0)
	})

	it('counts every text part and the quoted text, and accepts a message exactly at the limit', async () => {
		const { app } = makeApp({ fields: { maxMessageChars: 10 } })
		const threadId = await createThread(app, alice, 'x'.repeat(10))
		const parts = {
			content: [
				{ type: 'input_text', text: 'abcd' },
				{ type: 'input_tag', id: 't', text: 'efg', data: {} }
			],
			attachments: [],
			quoted_text: 'hijk',
			inference_options: {}
		}
		const res = await send(app, alice, 'threads.add_user_message', { thread_id: threadId, input: parts })
		expect(res.status).toBe(422)
		const thread = await (await send(app, alice, 'threads.get_by_id', { thread_id: threadId })).json()
		expect(thread.items.data).toHaveLength(2)
	})

	it('limits titles, attachments per message, file names and feedback items', async () => {
		const { app } = makeApp({})
		const threadId = await createThread(app, alice)
		const refusals = [
			await send(app, alice, 'threads.update', { thread_id: threadId, title: 't'.repeat(1001) }),
			await send(app, alice, 'threads.add_user_message', {
				thread_id: threadId,
				input: input('hi', { attachments: attachmentIds(11) })
			}),
			await send(app, alice, 'attachments.create', {
				name: `${'n'.repeat(1001)}.txt`,
				size: 1,
				mime_type: 'text/plain'
			}),
			await send(app, alice, 'items.feedback', {
				thread_id: threadId,
				item_ids: attachmentIds(101),
				kind: 'positive'
			})
		]
		const bodies = await Promise.all(refusals.map((res) => res.json()))
		expect(refusals.map((res) => res.status)).toEqual([422, 422, 422, 422])
		expect(bodies.map((body) => body.details[0].path)).toEqual([
			'params.title',
			'params.input.attachments',
			'params.name',
			'params.item_ids'
		])
		const accepted = await send(app, alice, 'threads.update', {
			thread_id: threadId,
			title: 't'.repeat(1000)
		})
		expect((await accepted.json()).title).toBe('t'.repeat(1000))
	})

	it('are off with fields: false', async () => {
		const { app } = makeApp({ fields: false })
		const threadId = await createThread(app, alice, 'x'.repeat(40_000))
		const res = await send(app, alice, 'threads.update', { thread_id: threadId, title: 't'.repeat(5000) })
		expect(res.status).toBe(200)
	})
})

describe('the default backend', () => {
	const dir = mkdtempSync(join(tmpdir(), 'chatkit-limits-app-'))
	const stores: SqliteStore[] = []
	afterAll(async () => {
		for (const store of stores) await store.close()
		rmSync(dir, { recursive: true, force: true })
	})

	it("keeps counts in the SQLite store's file, shared by two instances over it", async () => {
		const path = join(dir, 'shared.db')
		const open = () => {
			const store = new SqliteStore({ path })
			stores.push(store)
			return makeApp({ store, decorated: true, requestsPerMinute: 3 })
		}
		const [one, two] = [open(), open()]
		await send(one.app, alice, 'threads.list')
		await send(two.app, alice, 'threads.list')
		await send(one.app, alice, 'threads.list')
		expect((await send(two.app, alice, 'threads.list')).status).toBe(429)
		expect((await send(one.app, bob, 'threads.list')).status).toBe(200)
		const tables = at(stores, 0)
			.client.query<{ name: string }, []>(
				"select name from sqlite_master where type = 'table' and name not in ('chatkit_threads', 'chatkit_items', 'chatkit_attachments', 'chatkit_turns') and name like 'chatkit_%' order by name"
			)
			.all()
			.map((row) => row.name)
		expect(tables).toEqual(['chatkit_limits_migrations', 'chatkit_rate_limits', 'chatkit_stream_slots'])
	})

	it("counts in each app's own database when one plugin instance is shared by two apps", async () => {
		const shared = limits({ requestsPerMinute: 1, env: {}, now: () => T0 })
		const appOver = (path: string) => {
			const store = new SqliteStore({ path })
			stores.push(store)
			return new Elysia()
				.use(drizzleStore({ store }))
				.use(jwtAuth({ secret, log: () => {} }))
				.use(shared)
				.use(chatkit({ respond: reply, store }))
		}
		const [one, two] = [appOver(join(dir, 'one.db')), appOver(join(dir, 'two.db'))]
		expect((await send(one, alice, 'threads.list')).status).toBe(200)
		expect((await send(two, alice, 'threads.list')).status).toBe(200)
		expect((await send(one, alice, 'threads.list')).status).toBe(429)
	})

	it('counts in memory for a store without a database, warning under NODE_ENV=production', async () => {
		const lines: string[] = []
		const { app } = makeApp({
			requestsPerMinute: 1,
			env: { NODE_ENV: 'production' },
			log: (line) => lines.push(line)
		})
		await send(app, alice, 'threads.list')
		expect((await send(app, alice, 'threads.list')).status).toBe(429)
		expect(lines).toHaveLength(1)
		expect(lines[0]).toContain('counted in memory, per instance')
	})

	it('uses the backend it is given', async () => {
		const backend = new MemoryRateLimitBackend()
		const one = makeApp({ backend, requestsPerMinute: 1 })
		const two = makeApp({ backend, requestsPerMinute: 1 })
		await send(one.app, alice, 'threads.list')
		expect((await send(two.app, alice, 'threads.list')).status).toBe(429)
	})
})
