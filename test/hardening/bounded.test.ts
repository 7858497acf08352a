import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { type AnyElysia, Elysia } from 'elysia'
import { jwtAuth } from '../../plugins/auth'
import { limits } from '../../plugins/limits'
import { chatkit } from '../../src/chatkit'
import type { Responder } from '../../src/engine/types'
import type { Attachment, Page, ThreadItem, UserMessageItem } from '../../src/protocol/items'
import { PROTOCOL_LIMITS } from '../../src/protocol/limits'
import type { AttachmentStore, ChatKitContext, Store } from '../../src/store/types'
import { secretKey, sign } from '../auth/utils'
import { countingStore, type DatabaseStore, forEachStore } from './stores'

setDefaultTimeout(60_000)

const SEEDED = 20_000
const START = Date.UTC(2026, 0, 1)
let users = 0

const reply: Responder = async function* ({ thread }) {
	yield {
		type: 'thread.item.done',
		item: {
			id: `msg_reply_${crypto.randomUUID().slice(0, 8)}`,
			thread_id: thread.id,
			created_at: new Date().toISOString(),
			type: 'assistant_message',
			content: [{ type: 'output_text', text: 'ok', annotations: [] }]
		}
	}
}

const attachmentStore: AttachmentStore = {
	async createAttachment({ name, mime_type }): Promise<Attachment> {
		return { id: `atc_${crypto.randomUUID().slice(0, 8)}`, type: 'file', name, mime_type }
	},
	async deleteAttachment() {}
}

const post = (app: AnyElysia, type: string, params: unknown, extra: object = {}, init: RequestInit = {}) =>
	app.handle(
		new Request('http://localhost/chatkit', {
			method: 'POST',
			body: JSON.stringify({ type, params, ...extra }),
			...init
		})
	)

const input = (content: unknown[]) => ({ content, attachments: [], inference_options: {} })

forEachStore('bounded costs', (kind) => {
	describe(`bounded costs on ${kind.name}`, () => {
		let database: DatabaseStore
		beforeAll(async () => {
			database = await kind.open()
		})
		afterAll(() => database.close())

		/** A thread holding a first user message and `SEEDED` replies after it (seeded in one statement). */
		const bigThread = async (seeded = SEEDED) => {
			const context: ChatKitContext = { user: { id: `user_bounded_${++users}` } }
			const threadId = `thr_big_${users}`
			await database.saveThread(
				{
					id: threadId,
					created_at: new Date(START).toISOString(),
					status: { type: 'active' },
					metadata: {}
				},
				context
			)
			const first: UserMessageItem = {
				id: 'msg_first',
				thread_id: threadId,
				created_at: new Date(START).toISOString(),
				type: 'user_message',
				content: [{ type: 'input_text', text: 'first' }],
				attachments: [],
				inference_options: {}
			}
			await database.addThreadItem(threadId, first, context)
			if (seeded > 0) await kind.seedItems(database, context, threadId, seeded, START)
			const counted = countingStore(database as Store)
			const app: AnyElysia = new Elysia().use(
				chatkit({
					store: counted.store,
					respond: reply,
					attachmentStore,
					defaultUser: context.user,
					async *action() {}
				})
			)
			return { context, threadId, counted, app }
		}

		const itemCount = async (threadId: string, context: ChatKitContext) => {
			let count = 0
			let after: string | null | undefined = null
			do {
				const page: Page<ThreadItem> = await database.loadThreadItems(
					threadId,
					after,
					1000,
					'asc',
					context
				)
				count += page.data.length
				after = page.has_more ? page.after : null
			} while (after)
			return count
		}

		let shared: ReturnType<typeof bigThread> | undefined
		/** One big thread for the tests that only read it. */
		const sharedThread = async () => {
			shared ??= bigThread()
			const thread = await shared
			thread.counted.reset()
			return thread
		}

		test('retry_after_item with an unknown item id is answered 404 after one item lookup (and the turn lease taken and given back)', async () => {
			const { threadId, counted, app } = await sharedThread()
			const res = await post(app, 'threads.retry_after_item', {
				thread_id: threadId,
				item_id: 'msg_unknown'
			})
			expect(res.status).toBe(404)
			expect(Object.fromEntries(counted.calls)).toEqual({
				acquireTurn: 1,
				loadThread: 1,
				loadItem: 1,
				releaseTurn: 1
			})
		})

		test('retrying the first message deletes the newer items with one statement', async () => {
			const { threadId, counted, app, context } = await bigThread()
			const res = await post(app, 'threads.retry_after_item', {
				thread_id: threadId,
				item_id: 'msg_first'
			})
			expect(res.status).toBe(200)
			await res.text()
			expect(counted.calls.get('deleteItemsAfter')).toBe(1)
			expect(counted.calls.get('deleteThreadItem')).toBeUndefined()
			const page = await database.loadThreadItems(threadId, null, 10, 'asc', context)
			expect(page.data.map((item) => item.type)).toEqual(['user_message', 'assistant_message'])
		})

		test('a retry whose client leaves while deleting stops there and leaves a consistent thread', async () => {
			const { threadId, context } = await bigThread()
			let hit = () => {}
			const reached = new Promise<void>((resolve) => {
				hit = resolve
			})
			let release = () => {}
			const gate = new Promise<void>((resolve) => {
				release = resolve
			})
			let deletes = 0
			const gated = new Proxy(database as Store, {
				get(target, key, receiver) {
					const value = Reflect.get(target, key, receiver)
					if (key !== 'deleteItemsAfter' && key !== 'deleteThreadItem') return value
					return async (...args: unknown[]) => {
						if (deletes++ === 0) {
							hit()
							await gate
						}
						return (value as (...a: unknown[]) => Promise<void>).apply(target, args)
					}
				}
			})
			const app: AnyElysia = new Elysia().use(
				chatkit({ store: gated, respond: reply, defaultUser: context.user })
			)
			const res = await post(app, 'threads.retry_after_item', {
				thread_id: threadId,
				item_id: 'msg_first'
			})
			const reader = (res.body as ReadableStream).getReader()
			reader.read().catch(() => {})
			await reached
			const cancelled = reader.cancel()
			release()
			await cancelled
			expect(deletes).toBe(1)
			const remaining = await itemCount(threadId, context)
			expect([1, SEEDED + 1]).toContain(remaining)
			const again = await post(app, 'threads.add_user_message', {
				thread_id: threadId,
				input: input([{ type: 'input_text', text: 'again' }])
			})
			expect(again.status).toBe(200)
			await again.text()
		})

		test('items.list and threads.list serve at most maxPageSize entries, whatever the limit', async () => {
			const { threadId, app } = await sharedThread()
			const res = await post(app, 'items.list', { thread_id: threadId, limit: 1e9 })
			expect(res.status).toBe(200)
			const page = await res.json()
			expect(page.data).toHaveLength(PROTOCOL_LIMITS.maxPageSize)
			expect(page.has_more).toBe(true)
			const threads = await (await post(app, 'threads.list', { limit: 1e9 })).json()
			expect(threads.data.length).toBeLessThanOrEqual(PROTOCOL_LIMITS.maxPageSize)
		})

		test('a 3 MB id is answered with a small error body', async () => {
			const { app, threadId } = await bigThread(0)
			const huge = 'x'.repeat(3_000_000)
			const requests: [string, object][] = [
				['threads.get_by_id', { thread_id: huge }],
				['attachments.delete', { attachment_id: huge }],
				['items.feedback', { thread_id: threadId, item_ids: [huge], kind: 'positive' }],
				['threads.retry_after_item', { thread_id: threadId, item_id: huge }],
				['threads.custom_action', { thread_id: huge, action: { type: 'x' } }]
			]
			for (const [type, params] of requests) {
				const res = await post(app, type, params)
				expect(res.status).toBeGreaterThanOrEqual(400)
				expect(res.status).toBeLessThan(500)
				expect((await res.text()).length).toBeLessThan(1_000)
			}
			const unknownType = await post(app, huge, {})
			expect((await unknownType.text()).length).toBeLessThan(2_000)
		})

		describe('free-form fields over their limits are refused with 422 and nothing is stored', () => {
			const token = (sub: string) => sign({}, secretKey, { sub })
			const limitedApp = (store: Store) =>
				new Elysia()
					.use(jwtAuth({ secret: secretKey, log: () => {} }))
					.use(
						limits({ backend: undefined, env: {}, requestsPerMinute: 0, maxConcurrentStreams: 0 })
					)
					.use(
						chatkit({
							store,
							respond: reply,
							attachmentStore,
							async *action() {},
							async syncAction() {
								return {}
							}
						})
					)

			const cases: [
				title: string,
				type: string,
				params: (threadId: string) => object,
				extra?: object,
				plugin?: boolean
			][] = [
				[
					'a 1 MB mime_type',
					'attachments.create',
					() => ({ name: 'a.txt', size: 1, mime_type: 'x'.repeat(1 << 20) })
				],
				[
					'120,000 empty content parts',
					'threads.add_user_message',
					(thread_id) => ({
						thread_id,
						input: input(
							Array.from({ length: 120_000 }, () => ({ type: 'input_text', text: '' }))
						)
					})
				],
				[
					'101 content parts (limits plugin)',
					'threads.add_user_message',
					(thread_id) => ({
						thread_id,
						input: input(Array.from({ length: 101 }, () => ({ type: 'input_text', text: 'a' })))
					}),
					undefined,
					true
				],
				[
					'a 1,000-character model name',
					'threads.add_user_message',
					(thread_id) => ({
						thread_id,
						input: {
							...input([{ type: 'input_text', text: 'hi' }]),
							inference_options: { model: 'm'.repeat(1_000) }
						}
					})
				],
				[
					'metadata with 200,000 keys',
					'threads.add_user_message',
					(thread_id) => ({
						thread_id,
						input: input([{ type: 'input_text', text: 'hi' }])
					}),
					{ metadata: Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i])) }
				],
				['metadata of 20 KB', 'threads.list', () => ({}), { metadata: { big: 'x'.repeat(20_000) } }],
				[
					'a 100 KB client tool result (limits plugin)',
					'threads.add_client_tool_output',
					(thread_id) => ({
						thread_id,
						result: { text: 'x'.repeat(100_000) }
					}),
					undefined,
					true
				],
				[
					'a 100 KB action payload (limits plugin)',
					'threads.custom_action',
					(thread_id) => ({
						thread_id,
						action: { type: 'todo.save', payload: { text: 'x'.repeat(100_000) } }
					}),
					undefined,
					true
				],
				[
					'a 100 KB sync action payload (limits plugin)',
					'threads.sync_custom_action',
					(thread_id) => ({
						thread_id,
						action: { type: 'todo.save', payload: { text: 'x'.repeat(100_000) } }
					}),
					undefined,
					true
				]
			]
			for (const [title, type, params, extra, plugin] of cases)
				test(title, async () => {
					const { threadId, context } = await bigThread(3)
					const app: AnyElysia = limitedApp(database as Store)
					const before = await itemCount(threadId, context)
					const res = await app.handle(
						new Request('http://localhost/chatkit', {
							method: 'POST',
							headers: { authorization: `Bearer ${await token(context.user.id)}` },
							body: JSON.stringify({ type, params: params(threadId), ...extra })
						})
					)
					expect(res.status).toBe(422)
					expect((await res.json()).code).toBe(plugin ? 'limit_exceeded' : 'invalid_request')
					expect(await itemCount(threadId, context)).toBe(before)
					expect((await database.loadThreads(10, null, 'asc', context)).data).toHaveLength(1)
				})
		})

		test('a token whose sub or tenant the store would refuse is refused with 401', async () => {
			const app: AnyElysia = new Elysia()
				.use(jwtAuth({ secret: secretKey, log: () => {} }))
				.use(chatkit({ store: database as Store, respond: reply }))
			const tokens = [
				await sign({}, secretKey, { sub: 'u'.repeat(300) }),
				await sign({}, secretKey, { sub: 'user\u0000one' }),
				await sign({ tenant_id: 'tenant\u0000one' }, secretKey, { sub: 'user_one' })
			]
			for (const token of tokens) {
				const res = await post(
					app,
					'threads.list',
					{},
					{},
					{ headers: { authorization: `Bearer ${token}` } }
				)
				expect(res.status).toBe(401)
			}
			const fine = await post(
				app,
				'threads.list',
				{},
				{},
				{
					headers: {
						authorization: `Bearer ${await sign({}, secretKey, { sub: 'u'.repeat(255) })}`
					}
				}
			)
			expect(fine.status).toBe(200)
		})
	})
})
