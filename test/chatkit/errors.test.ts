// Bad input gets a clear 4xx JSON error `{ code, message }` before anything is written or any handler runs.
import { describe, expect, test } from 'bun:test'
import { Elysia } from 'elysia'
import { chatkit } from '../../src/chatkit'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { StructuredInputItem } from '../../src/protocol/items'
import { REQUEST_TYPES } from '../../src/protocol/requests'
import type { WidgetRoot } from '../../src/protocol/widgets'
import { MemoryStore } from '../../src/store/memory'
import {
	assistantMessage,
	CONTEXT,
	call,
	createThread,
	ENDPOINT,
	makeApp,
	post,
	readError,
	readEvents,
	readFrames,
	readJson,
	storeSnapshot,
	TestAttachmentStore,
	userInput,
	type Wire,
	widgetItem
} from './helpers'

const widget = { type: 'Card', children: [{ type: 'Text', value: 'w' }] } as unknown as WidgetRoot

const structuredInput = (
	threadId: string,
	id: string,
	status: StructuredInputItem['status']
): StructuredInputItem => ({
	id,
	thread_id: threadId,
	created_at: new Date().toISOString(),
	type: 'structured_input',
	status,
	inputs: [{ id: 'q', question: 'Q?', type: 'freeform' }]
})

/** A fully configured app with one thread: user message, assistant `a1`, widget `w1`, answered structured input `si_done`. */
const seeded = async () => {
	const calls: string[] = []
	const attachmentStore = new TestAttachmentStore()
	const { app, store } = makeApp({
		attachmentStore,
		async *respond({ thread }) {
			calls.push('respond')
			yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'a1', 'Hi') }
			yield { type: 'thread.item.done', item: widgetItem(thread.id, 'w1', widget) }
			yield { type: 'thread.item.done', item: structuredInput(thread.id, 'si_done', 'answered') }
		},
		async *action() {
			calls.push('action')
		},
		async syncAction() {
			calls.push('syncAction')
			return {}
		},
		async transcribe() {
			calls.push('transcribe')
			return { text: '' }
		},
		async addFeedback() {
			calls.push('addFeedback')
		}
	})
	await store.saveAttachment(
		{ id: 'atc_known', type: 'file', name: 'a.txt', mime_type: 'text/plain' },
		CONTEXT
	)
	const { events, threadId } = await createThread(app)
	calls.length = 0
	return { app, store, attachmentStore, calls, threadId, userMessageId: events[1].item.id as string }
}

type Seeded = Awaited<ReturnType<typeof seeded>>

interface Case {
	name: string
	body: (fixture: Seeded) => unknown
	status: number
	code: string
	message?: string | RegExp
	details?: unknown
}

const input = userInput('x')

const cases: Case[] = [
	{ name: 'malformed JSON', body: () => '{"type": "threads.list", ', status: 400, code: 'invalid_json' },
	{ name: 'an empty body', body: () => '', status: 400, code: 'invalid_json' },
	{
		name: 'malformed JSON for a streaming type',
		body: () => '{"type":"threads.create","params":{',
		status: 400,
		code: 'invalid_json'
	},
	{ name: 'a JSON array', body: () => '[]', status: 422, code: 'invalid_request' },
	{ name: 'JSON null', body: () => 'null', status: 422, code: 'invalid_request' },
	{
		name: 'an unknown type',
		body: () => ({ type: 'threads.explode', params: {} }),
		status: 422,
		code: 'unknown_request_type',
		message: 'Unknown request type: "threads.explode"',
		details: { expected: REQUEST_TYPES }
	},
	{
		name: 'a missing type',
		body: () => ({ params: {} }),
		status: 422,
		code: 'unknown_request_type',
		message: 'Unknown request type: null',
		details: { expected: REQUEST_TYPES }
	},
	{
		name: 'a non-string type',
		body: () => ({ type: 42, params: {} }),
		status: 422,
		code: 'unknown_request_type',
		details: { expected: REQUEST_TYPES }
	},
	{
		name: 'a user message without attachments',
		body: () => ({
			type: 'threads.create',
			params: { input: { content: [{ type: 'input_text', text: 'x' }], inference_options: {} } }
		}),
		status: 422,
		code: 'invalid_request',
		message: 'Invalid threads.create request',
		details: [{ path: 'params.input.attachments', message: expect.any(String) }]
	},
	{
		name: 'missing params',
		body: () => ({ type: 'threads.list' }),
		status: 422,
		code: 'invalid_request',
		details: [{ path: 'params', message: expect.any(String) }]
	},
	{
		name: 'an unknown content part',
		body: () => ({
			type: 'threads.create',
			params: { input: { ...input, content: [{ type: 'input_image', url: 'x' }] } }
		}),
		status: 422,
		code: 'invalid_request',
		details: [{ path: 'params.input.content.0.type', message: expect.any(String) }]
	},
	{
		name: 'an unknown feedback kind',
		body: ({ threadId }) => ({
			type: 'items.feedback',
			params: { thread_id: threadId, item_ids: ['a1'], kind: 'meh' }
		}),
		status: 422,
		code: 'invalid_request',
		details: [{ path: 'params.kind', message: expect.any(String) }]
	},
	{
		name: 'a negative attachment size',
		body: () => ({
			type: 'attachments.create',
			params: { name: 'a', size: -1, mime_type: 'text/plain' }
		}),
		status: 422,
		code: 'invalid_request',
		details: [{ path: 'params.size', message: expect.any(String) }]
	},
	{
		name: 'audio that is not base64',
		body: () => ({
			type: 'input.transcribe',
			params: { audio_base64: 'not base64!', mime_type: 'audio/webm' }
		}),
		status: 422,
		code: 'invalid_request',
		message: 'params.audio_base64 is not valid base64'
	},
	...(
		[
			['threads.get_by_id', {}],
			['threads.update', { title: 'T' }],
			['threads.delete (reference: {})', {}],
			['items.list', {}],
			['items.feedback', { item_ids: ['a1'], kind: 'positive' }],
			['threads.sync_custom_action', { action: { type: 'a' } }],
			['threads.add_user_message', { input }],
			['threads.add_client_tool_output', { result: {} }],
			['threads.add_structured_input', { item_id: 'si_done', input: {} }],
			['threads.retry_after_item', { item_id: 'a1' }],
			['threads.custom_action', { action: { type: 'a' } }]
		] as const
	).map(
		([type, params]): Case => ({
			name: `an unknown thread in ${type}`,
			body: () => ({ type: type.split(' ')[0], params: { thread_id: 'thr_missing', ...params } }),
			status: 404,
			code: 'not_found',
			message: 'Thread thr_missing not found'
		})
	),
	{
		name: 'an unknown item in threads.retry_after_item (reference: an empty stream)',
		body: ({ threadId }) => ({
			type: 'threads.retry_after_item',
			params: { thread_id: threadId, item_id: 'nope' }
		}),
		status: 404,
		code: 'not_found',
		message: 'Item nope not found'
	},
	{
		name: 'an unknown item in threads.add_structured_input (reference: an aborted stream)',
		body: ({ threadId }) => ({
			type: 'threads.add_structured_input',
			params: { thread_id: threadId, item_id: 'nope', input: {} }
		}),
		status: 404,
		code: 'not_found'
	},
	{
		name: 'an unknown sender in threads.custom_action (reference: an aborted stream)',
		body: ({ threadId }) => ({
			type: 'threads.custom_action',
			params: { thread_id: threadId, item_id: 'nope', action: { type: 'a' } }
		}),
		status: 404,
		code: 'not_found'
	},
	{
		name: 'an unknown sender in threads.sync_custom_action',
		body: ({ threadId }) => ({
			type: 'threads.sync_custom_action',
			params: { thread_id: threadId, item_id: 'nope', action: { type: 'a' } }
		}),
		status: 404,
		code: 'not_found'
	},
	{
		name: 'an unknown item in items.feedback (reference: passed to add_feedback)',
		body: ({ threadId }) => ({
			type: 'items.feedback',
			params: { thread_id: threadId, item_ids: ['a1', 'nope'], kind: 'positive' }
		}),
		status: 404,
		code: 'not_found'
	},
	{
		name: 'an unknown attachment in threads.create (reference: aborts after thread.created, leaving a thread)',
		body: () => ({ type: 'threads.create', params: { input: { ...input, attachments: ['atc_nope'] } } }),
		status: 404,
		code: 'not_found',
		message: 'Attachment atc_nope not found'
	},
	{
		name: 'an unknown attachment in threads.add_user_message',
		body: ({ threadId }) => ({
			type: 'threads.add_user_message',
			params: { thread_id: threadId, input: { ...input, attachments: ['atc_known', 'atc_nope'] } }
		}),
		status: 404,
		code: 'not_found'
	},
	{
		name: 'an unknown attachment in attachments.delete',
		body: () => ({ type: 'attachments.delete', params: { attachment_id: 'atc_nope' } }),
		status: 404,
		code: 'not_found'
	},
	{
		name: 'a client tool output when the last item is no pending client tool call',
		body: ({ threadId }) => ({
			type: 'threads.add_client_tool_output',
			params: { thread_id: threadId, result: 1 }
		}),
		status: 409,
		code: 'no_pending_client_tool_call'
	},
	{
		name: 'a structured input that is not pending',
		body: ({ threadId }) => ({
			type: 'threads.add_structured_input',
			params: { thread_id: threadId, item_id: 'si_done', input: { answers: { q: { values: ['a'] } } } }
		}),
		status: 409,
		code: 'structured_input_not_pending',
		message: 'Structured input item si_done is not pending'
	},
	{
		name: 'a structured input on another kind of item (reference: ValueError)',
		body: ({ threadId }) => ({
			type: 'threads.add_structured_input',
			params: { thread_id: threadId, item_id: 'a1', input: {} }
		}),
		status: 422,
		code: 'invalid_request'
	},
	{
		name: 'a retry after a non-user item (reference: ValueError)',
		body: ({ threadId }) => ({
			type: 'threads.retry_after_item',
			params: { thread_id: threadId, item_id: 'a1' }
		}),
		status: 422,
		code: 'invalid_request'
	},
	{
		name: 'a sync custom action sent by a non-widget item (reference: ValueError)',
		body: ({ threadId }) => ({
			type: 'threads.sync_custom_action',
			params: { thread_id: threadId, item_id: 'a1', action: { type: 'a' } }
		}),
		status: 422,
		code: 'invalid_request'
	}
]

describe('bad requests: status, JSON error body, nothing written, no handler called', () => {
	for (const { name, body, status, code, message, details } of cases)
		test(`${name} → ${status} ${code}`, async () => {
			const fixture = await seeded()
			const { app, store, attachmentStore, calls } = fixture
			const before = await storeSnapshot(store, ['atc_known'])
			const files = attachmentStore.files.size

			const error = await readError(await post(app, body(fixture)), status, code)
			if (typeof message === 'string') expect(error.message).toBe(message)
			if (details !== undefined) expect(error.details).toEqual(details)
			else expect(error.details).toBeUndefined()

			expect(await storeSnapshot(store, ['atc_known'])).toEqual(before)
			expect(attachmentStore.files.size).toBe(files)
			expect(calls).toEqual([])
		})
})

describe('features that are not configured → 501 not_configured', () => {
	const notConfigured: [string, unknown, string][] = [
		['attachments.create', { name: 'a', size: 1, mime_type: 'text/plain' }, 'reference: RuntimeError'],
		['attachments.delete', { attachment_id: 'atc_known' }, 'reference: RuntimeError'],
		[
			'input.transcribe',
			{ audio_base64: 'AAAA', mime_type: 'audio/webm' },
			'reference: NotImplementedError'
		],
		['threads.custom_action', { action: { type: 'a' } }, 'reference: a stream.error event'],
		['threads.sync_custom_action', { action: { type: 'a' } }, 'reference: NotImplementedError']
	]
	for (const [type, params, reference] of notConfigured)
		test(`${type} without its handler (${reference})`, async () => {
			const { app, store } = makeApp()
			await store.saveAttachment(
				{ id: 'atc_known', type: 'file', name: 'a', mime_type: 'text/plain' },
				CONTEXT
			)
			const { threadId } = await createThread(app)
			const before = await storeSnapshot(store, ['atc_known'])
			const res = await call(app, type, { thread_id: threadId, ...(params as object) })
			await readError(res, 501, 'not_configured')
			expect(await storeSnapshot(store, ['atc_known'])).toEqual(before)
		})
})

describe('threads, items and attachments of another user do not exist', () => {
	const twoUserApp = () => {
		const store = new MemoryStore()
		const app = new Elysia()
			.derive(({ request }) => ({ user: { id: request.headers.get('x-user') ?? 'nobody' } }))
			.use(
				chatkit({
					store,
					async *respond({ thread }) {
						yield { type: 'thread.item.done', item: widgetItem(thread.id, 'w1', widget) }
					},
					async *action() {},
					async syncAction() {
						return {}
					},
					attachmentStore: new TestAttachmentStore()
				})
			)
		const as = (user: string, type: string, params: unknown) =>
			post(app, { type, params }, { headers: { 'content-type': 'application/json', 'x-user': user } })
		return { app, store, as }
	}

	test('every request naming alice’s thread, item or attachment answers 404 to bob and changes nothing', async () => {
		const { store, as } = twoUserApp()
		const alice = { user: { id: 'alice' } }
		const created = await readEvents(await as('alice', 'threads.create', { input: userInput('secret') }))
		const threadId = created[0].thread.id
		const attachment = await readJson(
			await as('alice', 'attachments.create', { name: 'a', size: 1, mime_type: 'text/plain' })
		)
		const snapshot = () => storeSnapshot(store, [attachment.id], alice)
		const before = await snapshot()
		const requests: [string, Record<string, unknown>][] = [
			['threads.get_by_id', {}],
			['threads.update', { title: 'mine now' }],
			['threads.delete', {}],
			['items.list', {}],
			['items.feedback', { item_ids: ['w1'], kind: 'negative' }],
			['threads.add_user_message', { input: userInput('hi') }],
			['threads.retry_after_item', { item_id: created[1].item.id }],
			['threads.custom_action', { item_id: 'w1', action: { type: 'a' } }],
			['threads.sync_custom_action', { item_id: 'w1', action: { type: 'a' } }]
		]
		for (const [type, params] of requests)
			await readError(await as('bob', type, { thread_id: threadId, ...params }), 404, 'not_found')
		await readError(
			await as('bob', 'attachments.delete', { attachment_id: attachment.id }),
			404,
			'not_found'
		)
		await readError(
			await as('bob', 'threads.create', { input: userInput('hi', { attachments: [attachment.id] }) }),
			404,
			'not_found'
		)
		expect((await readJson(await as('bob', 'threads.list', {}))).data).toEqual([])
		expect(await snapshot()).toEqual(before)
	})
})

describe('conflicts and refusals inside a flow', () => {
	test('a second answer to the same structured input → 409 (reference: the stream aborts with "not pending")', async () => {
		const { app, store } = makeApp({
			async *respond({ thread, input }) {
				if (input)
					yield { type: 'thread.item.done', item: structuredInput(thread.id, 'si_1', 'pending') }
			}
		})
		const { threadId } = await createThread(app)
		const submit = () =>
			call(app, 'threads.add_structured_input', {
				thread_id: threadId,
				item_id: 'si_1',
				input: { answers: { q: { values: ['a'] } } }
			})
		expect((await readEvents(await submit())).map((event) => event.type)).toEqual([
			'stream_options',
			'thread.item.replaced'
		])
		const before = await storeSnapshot(store)
		const error = await readError(await submit(), 409, 'structured_input_not_pending')
		expect(error.message).toBe('Structured input item si_1 is not pending')
		expect(await storeSnapshot(store)).toEqual(before)
	})

	test('a second client tool output for the same call → 409 no_pending_client_tool_call', async () => {
		let turns = 0
		const { app, store } = makeApp({
			async *respond({ thread, input }) {
				turns++
				if (input)
					yield {
						type: 'thread.item.done',
						item: {
							id: 'tc_1',
							thread_id: thread.id,
							created_at: new Date().toISOString(),
							type: 'client_tool_call',
							status: 'pending',
							call_id: 'call_1',
							name: 'pick',
							arguments: {}
						}
					}
			}
		})
		const { threadId } = await createThread(app)
		const output = () =>
			call(app, 'threads.add_client_tool_output', { thread_id: threadId, result: { ok: true } })
		expect((await readEvents(await output())).map((event) => event.type)).toEqual(['stream_options'])
		const before = await storeSnapshot(store)
		await readError(await output(), 409, 'no_pending_client_tool_call')
		expect(await storeSnapshot(store)).toEqual(before)
		expect(turns).toBe(2)
	})

	test('add_client_tool_output deletes stray pending tool calls among the 20 newest items', async () => {
		const call_ = (threadId: string, id: string) => ({
			type: 'thread.item.done' as const,
			item: {
				id,
				thread_id: threadId,
				created_at: new Date().toISOString(),
				type: 'client_tool_call' as const,
				status: 'pending' as const,
				call_id: `call_${id}`,
				name: 'pick',
				arguments: {}
			}
		})
		const { app, store } = makeApp({
			async *respond({ thread, input }) {
				if (!input) return
				yield call_(thread.id, 'tc_stray')
				yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'a1', 'between') }
				yield call_(thread.id, 'tc_last')
			}
		})
		const { threadId } = await createThread(app)
		await readEvents(
			await call(app, 'threads.add_client_tool_output', { thread_id: threadId, result: 'done' })
		)
		const items = (await store.loadThreadItems(threadId, null, 20, 'asc', CONTEXT)).data
		expect(items.map((item) => item.id)).toEqual([expect.any(String), 'a1', 'tc_last'])
		expect(items[2]).toMatchObject({ status: 'completed', output: 'done' })
	})

	test('custom_action sent by a non-widget item: exactly one error frame, no stream_options, handler not called (as the reference)', async () => {
		let actions = 0
		const { app, store } = makeApp({
			async *respond({ thread }) {
				yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'a1', 'not a widget') }
			},
			async *action() {
				actions++
				yield { type: 'progress_update', text: 'never' } satisfies ThreadStreamEvent
			}
		})
		const { threadId } = await createThread(app)
		const before = await storeSnapshot(store)
		const frames = await readFrames(
			await call(app, 'threads.custom_action', {
				thread_id: threadId,
				item_id: 'a1',
				action: { type: 'a' }
			})
		)
		expect(frames).toEqual(['{"type":"error","code":"stream.error","allow_retry":false}'])
		expect(actions).toBe(0)
		expect(await storeSnapshot(store)).toEqual(before)
	})
})

describe('request body size limit → 413 payload_too_large', () => {
	const padded = (size: number) => {
		const body = { type: 'threads.list', params: {}, metadata: { pad: '' } }
		body.metadata.pad = 'x'.repeat(size - JSON.stringify(body).length)
		const text = JSON.stringify(body)
		expect(Buffer.byteLength(text)).toBe(size)
		return text
	}

	test('a body of exactly the limit is accepted; one byte more is refused', async () => {
		const { app } = makeApp({ maxBodyBytes: 1024 })
		expect((await readJson(await post(app, padded(1024)))).data).toEqual([])
		await readError(await post(app, padded(1025)), 413, 'payload_too_large')
	})

	test('a streaming request over the limit is refused before the thread is created', async () => {
		const { app, store } = makeApp({ maxBodyBytes: 256 })
		const res = await call(app, 'threads.create', { input: userInput('x'.repeat(300)) })
		await readError(res, 413, 'payload_too_large')
		expect((await storeSnapshot(store)).threads).toEqual([])
	})

	test('a chunked body without content-length is refused as soon as it passes the limit, not read to the end', async () => {
		const { app } = makeApp({ maxBodyBytes: 4096 })
		const encoder = new TextEncoder()
		let pulls = 0
		const long = new ReadableStream<Uint8Array>({
			pull(controller) {
				pulls++
				if (pulls === 1)
					controller.enqueue(encoder.encode('{"type":"threads.list","params":{},"x":"'))
				else if (pulls < 500) controller.enqueue(encoder.encode('x'.repeat(1000)))
				else controller.close()
			}
		})
		const res = await app.handle(
			new Request(ENDPOINT, { method: 'POST', body: long, duplex: 'half' } as RequestInit)
		)
		await readError(res, 413, 'payload_too_large')
		expect(pulls).toBeLessThan(20)
	})
})

describe('error bodies do not echo what the user wrote', () => {
	test('a refused message names the problem, not the text', async () => {
		const { app } = makeApp()
		const secret = 'my card number is 4242 4242 4242 4242'
		const res = await call(app, 'threads.create', {
			input: { content: [{ type: 'input_text', text: secret }], inference_options: {} }
		})
		const body: Wire = await readError(res, 422, 'invalid_request')
		expect(JSON.stringify(body)).not.toContain('4242')
	})
})

describe('what is not refused', () => {
	test('a locked or closed thread still accepts messages: status is advisory (as the reference)', async () => {
		let turns = 0
		const { app, store } = makeApp({
			async *respond() {
				turns++
			}
		})
		const { threadId } = await createThread(app)
		for (const status of [{ type: 'locked', reason: 'r' }, { type: 'closed' }] as const) {
			const thread = await store.loadThread(threadId, CONTEXT)
			await store.saveThread({ ...thread, status }, CONTEXT)
			const events = await readEvents(
				await call(app, 'threads.add_user_message', {
					thread_id: threadId,
					input: userInput('still here')
				})
			)
			expect(events.map((event) => event.type)).toEqual(['thread.item.done', 'stream_options'])
		}
		expect(turns).toBe(3)
	})

	test('unknown fields anywhere and request metadata are ignored', async () => {
		const seen: unknown[] = []
		const { app } = makeApp({
			async *respond({ input, context }) {
				seen.push(input, context)
			}
		})
		const res = await post(app, {
			type: 'threads.create',
			params: { input: { ...userInput('hi'), extra: 1 }, other: true },
			metadata: { source: 'widget', nested: { a: 1 } },
			unknown: 'x'
		})
		const events = await readEvents(res)
		expect(events[1].item.content).toEqual([{ type: 'input_text', text: 'hi' }])
		expect('extra' in events[1].item).toBe(false)
		expect(JSON.stringify(seen[0])).not.toContain('extra')
		expect(JSON.stringify(Object.keys(seen[1] as object))).not.toContain('metadata')
	})
})

describe('a failing store → 500 internal_error that says nothing of the failure', () => {
	class BrokenStore extends MemoryStore {
		override async loadThreads(): Promise<never> {
			throw new Error('connection to db-password-host refused')
		}
		override async loadThread(): Promise<never> {
			throw new Error('connection to db-password-host refused')
		}
	}

	for (const [type, params] of [
		['threads.list', {}],
		['threads.add_user_message', { thread_id: 'thr_1', input: userInput('x') }]
	] as const)
		test(type, async () => {
			const { app } = makeApp({ store: new BrokenStore() })
			const error = await readError(await call(app, type, params), 500, 'internal_error')
			expect(error.message).toBe('The server could not process the request')
			expect(JSON.stringify(error)).not.toContain('db-password')
		})
})
