import { describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import { chatkit, type RequestGuard, type RequestGuardArgs, requestGuard } from '../../src/chatkit'
import type { Responder } from '../../src/engine/types'
import { MemoryStore } from '../../src/store/memory'
import { call, createThread, readError, readEvents, readJson, userInput } from '../chatkit/helpers'

const USER = { id: 'guarded_user' }

const slowReply: Responder = async function* ({ thread, signal }) {
	yield {
		type: 'thread.item.added',
		item: {
			id: 'msg_reply',
			thread_id: thread.id,
			created_at: new Date().toISOString(),
			type: 'assistant_message',
			content: []
		}
	}
	await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
}

const quickReply: Responder = async function* ({ thread }) {
	yield {
		type: 'thread.item.done',
		item: {
			id: `msg_${crypto.randomUUID().slice(0, 8)}`,
			thread_id: thread.id,
			created_at: new Date().toISOString(),
			type: 'assistant_message',
			content: [{ type: 'output_text', text: 'ok', annotations: [] }]
		}
	}
}

/** An app with one recording guard; `decide` picks its answer per request. */
const guardedApp = (
	decide: (args: RequestGuardArgs) => Response | 'admit' | 'lease',
	respond: Responder = quickReply
) => {
	const seen: { type: string; streaming: boolean; user: string }[] = []
	const released: string[] = []
	const guard: RequestGuard = (args) => {
		seen.push({ type: args.chatkitRequest.type, streaming: args.streaming, user: args.context.user.id })
		const decision = decide(args)
		if (decision === 'admit') return
		if (decision === 'lease') return { release: () => released.push(args.chatkitRequest.type) }
		return decision
	}
	const store = new MemoryStore()
	const app = new Elysia()
		.decorate(requestGuard('test', guard))
		.use(chatkit({ store, respond, defaultUser: USER }))
	return { app, store, seen, released }
}

describe('request guards (requestGuard)', () => {
	it('see the parsed request, whether it streams, and the user', async () => {
		const { app, seen } = guardedApp(() => 'admit')
		const { threadId } = await createThread(app)
		await readJson(await call(app, 'threads.get_by_id', { thread_id: threadId }))
		expect(seen).toEqual([
			{ type: 'threads.create', streaming: true, user: USER.id },
			{ type: 'threads.get_by_id', streaming: false, user: USER.id }
		])
	})

	it('answer with their Response instead of the engine, and nothing is written', async () => {
		const { app, store } = guardedApp(
			() => new Response(JSON.stringify({ code: 'nope', message: 'refused' }), { status: 429 })
		)
		const res = await call(app, 'threads.create', { input: userInput('hi') })
		expect(res.status).toBe(429)
		expect(await res.json()).toEqual({ code: 'nope', message: 'refused' })
		expect((await store.loadThreads(10, null, 'desc', { user: USER })).data).toEqual([])
	})

	it('do not run for a request the core refuses first (malformed body)', async () => {
		const { app, seen } = guardedApp(() => 'admit')
		await readError(await call(app, 'threads.nope', {}), 422, 'unknown_request_type')
		expect(seen).toEqual([])
	})

	it('release a JSON answer once it is built, also when the engine answers 404', async () => {
		const { app, released } = guardedApp(() => 'lease')
		await readJson(await call(app, 'threads.list', {}))
		await readError(await call(app, 'threads.get_by_id', { thread_id: 'thr_missing' }), 404, 'not_found')
		expect(released).toEqual(['threads.list', 'threads.get_by_id'])
	})

	it('release a stream when its last event is sent, not before', async () => {
		const { app, released } = guardedApp((args) => (args.streaming ? 'lease' : 'admit'))
		const res = await call(app, 'threads.create', { input: userInput('hi') })
		expect(released).toEqual([])
		await readEvents(res)
		expect(released).toEqual(['threads.create'])
	})

	it('release a stream the client cancels, once', async () => {
		const { app, released } = guardedApp((args) => (args.streaming ? 'lease' : 'admit'), slowReply)
		const res = await call(app, 'threads.create', { input: userInput('hi') })
		const reader = (res.body as ReadableStream<Uint8Array>).getReader()
		const decoder = new TextDecoder()
		let text = ''
		while (!text.includes('thread.item.added')) text += decoder.decode((await reader.read()).value)
		expect(released).toEqual([])
		await reader.cancel()
		expect(released).toEqual(['threads.create'])
	})

	it('release what an earlier guard took when a later one refuses', async () => {
		const released: string[] = []
		const app = new Elysia()
			.decorate(requestGuard('first', () => ({ release: () => released.push('first') })))
			.decorate(requestGuard('second', () => new Response('no', { status: 429 })))
			.use(chatkit({ store: new MemoryStore(), respond: quickReply, defaultUser: USER }))
		expect((await call(app, 'threads.list', {})).status).toBe(429)
		expect(released).toEqual(['first'])
	})
})
