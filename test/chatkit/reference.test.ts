// One test per behaviour of the reference server suite (PROTOCOL.md §9.1), through real HTTP.
import { describe, expect, test } from 'bun:test'
import { Elysia } from 'elysia'
import { chatkit } from '../../src/chatkit'
import type { ActionArgs, FeedbackArgs, RespondArgs, Responder } from '../../src/engine/types'
import type { StructuredInputItem, UserMessageItem, WidgetItem, WorkflowItem } from '../../src/protocol/items'
import type { Action } from '../../src/protocol/requests'
import type { WidgetComponent, WidgetRoot } from '../../src/protocol/widgets'
import { MemoryStore } from '../../src/store/memory'
import type { ChatKitContext, StoreItemType } from '../../src/store/types'
import { streamWidget } from '../../src/widgets'
import { at } from '../defined'
import {
	aborted,
	addUserMessage,
	allItems,
	assistantMessage,
	CONTEXT,
	call,
	createThread,
	listItems,
	makeApp,
	readError,
	readEvents,
	readFrames,
	readJson,
	readUntil,
	storeSnapshot,
	TestAttachmentStore,
	types,
	USER,
	userInput,
	userMessage,
	type Wire,
	widgetItem
} from './helpers'

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
const EMPTY_PAGE = { data: [], has_more: false }
const CANCEL_NOTE = 'The user cancelled the stream. Stop responding to the prior request.'

const card = (...children: WidgetComponent[]) => ({ type: 'Card', children }) as unknown as WidgetRoot
const text = (props: Record<string, unknown>) => ({ type: 'Text', ...props }) as unknown as WidgetComponent

describe('PROTOCOL.md §9.1: the reference server tests over HTTP', () => {
	test('#1 client cancel mid-stream saves the pending assistant message with its deltas and the exact cancel note', async () => {
		const { app, store } = makeApp({
			async *respond({ thread, signal }) {
				yield {
					type: 'thread.item.added',
					item: assistantMessage(thread.id, 'assistant-message-pending', 'Hello, ')
				}
				yield {
					type: 'thread.item.updated',
					item_id: 'assistant-message-pending',
					update: {
						type: 'assistant_message.content_part.text_delta',
						content_index: 0,
						delta: 'World!'
					}
				}
				await aborted(signal)
			}
		})
		const res = await call(app, 'threads.create', { input: userInput('Hello') })
		const reader = res.body!.getReader()
		const events = await readUntil(reader, (event) => event.type === 'thread.item.updated')
		await reader.cancel()

		const items = await allItems(store, events[0].thread.id)
		expect(items.map((item) => item.type)).toEqual([
			'user_message',
			'assistant_message',
			'sdk_hidden_context'
		])
		const [newest] = (await store.loadThreadItems(events[0].thread.id, null, 1, 'desc', CONTEXT)).data
		expect(newest).toMatchObject({ type: 'sdk_hidden_context', content: CANCEL_NOTE })
		expect(newest?.id).toStartWith('shcx_')
		const saved = await store.loadItem(events[0].thread.id, 'assistant-message-pending', CONTEXT)
		expect(saved).toMatchObject({ type: 'assistant_message', content: [{ text: 'Hello, World!' }] })
	})

	test('#2 client cancel does not save a pending assistant message with no content, but saves the note', async () => {
		const { app, store } = makeApp({
			async *respond({ thread, signal }) {
				yield {
					type: 'thread.item.added',
					item: assistantMessage(thread.id, 'assistant-message-pending')
				}
				await aborted(signal)
			}
		})
		const reader = (await call(app, 'threads.create', { input: userInput('Hello') })).body!.getReader()
		const events = await readUntil(reader, (event) => event.type === 'thread.item.added')
		await reader.cancel()

		const threadId = events[0].thread.id
		expect((await allItems(store, threadId)).map((item) => item.type)).toEqual([
			'user_message',
			'sdk_hidden_context'
		])
		expect(store.loadItem(threadId, 'assistant-message-pending', CONTEXT)).rejects.toThrow('not found')
	})

	test('#3 a workflow task is not duplicated on the done event (pending copies do not touch the item)', async () => {
		const { app, store } = makeApp({
			async *respond({ thread }) {
				const workflow: WorkflowItem = {
					id: 'workflow-item',
					thread_id: thread.id,
					created_at: new Date().toISOString(),
					type: 'workflow',
					workflow: { type: 'custom', tasks: [], expanded: false }
				}
				yield { type: 'thread.item.added', item: workflow }
				const task = {
					type: 'custom',
					title: 'foo',
					content: 'bar',
					status_indicator: 'none'
				} as const
				yield {
					type: 'thread.item.updated',
					item_id: workflow.id,
					update: { type: 'workflow.task.added', task_index: 0, task }
				}
				workflow.workflow.tasks.push(task)
				yield { type: 'thread.item.done', item: workflow }
			}
		})
		const { events, threadId } = await createThread(app)
		expect(types(events).slice(3)).toEqual([
			'thread.item.added:workflow',
			'thread.item.updated:workflow.task.added',
			'thread.item.done:workflow'
		])
		expect(events[3].item.workflow).toEqual({ type: 'custom', tasks: [], expanded: false })
		const expected = {
			type: 'custom',
			tasks: [{ status_indicator: 'none', type: 'custom', title: 'foo', content: 'bar' }],
			expanded: false
		}
		expect(events[5].item.workflow).toEqual(expected)
		const stored = (await store.loadItem(threadId, 'workflow-item', CONTEXT)) as WorkflowItem
		expect(stored.workflow.tasks).toHaveLength(1)
		expect(stored.workflow.tasks[0]).toMatchObject({ title: 'foo' })
	})

	test('#4 the request context (user and what plugins derive) reaches respond and addFeedback', async () => {
		const seen: ChatKitContext[] = []
		const store = new MemoryStore()
		const app = new Elysia()
			.derive(({ request }) => ({
				user: { id: request.headers.get('x-user') ?? 'nobody' },
				requestTag: request.headers.get('x-tag')
			}))
			.use(
				chatkit({
					store,
					async *respond({ thread, context }) {
						seen.push(context)
						yield {
							type: 'thread.item.done',
							item: assistantMessage(thread.id, 'msg_1', 'Hello, world!')
						}
					},
					async addFeedback({ context }: FeedbackArgs) {
						seen.push(context)
					}
				})
			)
		const headers = { 'content-type': 'application/json', 'x-user': 'text_ctx', 'x-tag': 'tag-1' }
		const send = (type: string, params: unknown) =>
			app.handle(
				new Request('http://localhost/chatkit', {
					method: 'POST',
					headers,
					body: JSON.stringify({ type, params })
				})
			)
		const events = await readEvents(await send('threads.create', { input: userInput('Hello, world!') }))
		const threadId = events[0].thread.id
		const feedback = await send('items.feedback', {
			thread_id: threadId,
			item_ids: ['msg_1'],
			kind: 'positive'
		})
		expect(await readJson(feedback)).toEqual({})

		expect(seen).toHaveLength(2)
		for (const context of seen)
			expect(context).toMatchObject({ user: { id: 'text_ctx' }, requestTag: 'tag-1' })
		expect((await store.loadThread(threadId, { user: { id: 'text_ctx' } })).id).toBe(threadId)
		expect(store.loadThread(threadId, CONTEXT)).rejects.toThrow('not found')
	})

	test('#5 threads.create: thread.created without a title, then the user message with its text and quote', async () => {
		const { app } = makeApp()
		const res = await call(app, 'threads.create', {
			input: userInput('Hello, world!', { quoted_text: 'Quoted text' })
		})
		const frames = await readFrames(res)
		const events = frames.map((frame) => JSON.parse(frame))
		expect(types(events)).toEqual(['thread.created', 'thread.item.done:user_message', 'stream_options'])
		expect(events[0]).toEqual({
			type: 'thread.created',
			thread: {
				id: expect.stringMatching(/^thr_/),
				created_at: ISO,
				status: { type: 'active' },
				metadata: {},
				items: EMPTY_PAGE
			}
		})
		expect(Object.keys(events[0].thread)).toEqual(['id', 'created_at', 'status', 'metadata', 'items'])
		expect(events[1].item).toEqual({
			id: expect.stringMatching(/^msg_/),
			thread_id: events[0].thread.id,
			created_at: ISO,
			type: 'user_message',
			content: [{ type: 'input_text', text: 'Hello, world!' }],
			attachments: [],
			quoted_text: 'Quoted text',
			inference_options: {}
		})
		expect(Object.keys(events[1].item)).toEqual([
			'id',
			'thread_id',
			'created_at',
			'type',
			'content',
			'attachments',
			'quoted_text',
			'inference_options'
		])
		expect(frames[2]).toBe('{"type":"stream_options","stream_options":{"allow_cancel":true}}')
	})

	test('#6 a title set in respond without yielding is saved and thread.updated is the last event', async () => {
		const { app, store } = makeApp({
			async *respond({ thread }) {
				thread.title = 'Updated title'
			}
		})
		const { events, threadId } = await createThread(app, 'Hello, world!')
		expect(types(events)).toEqual([
			'thread.created',
			'thread.item.done:user_message',
			'stream_options',
			'thread.updated'
		])
		expect(events.at(-1)).toEqual({
			type: 'thread.updated',
			thread: {
				title: 'Updated title',
				id: threadId,
				created_at: events[0].thread.created_at,
				status: { type: 'active' },
				metadata: {},
				items: EMPTY_PAGE
			}
		})
		expect((await store.loadThread(threadId, CONTEXT)).title).toBe('Updated title')
	})

	test('#7 thread metadata set in respond is saved, thread.updated is last, and clients still see metadata {}', async () => {
		const { app, store } = makeApp({
			async *respond({ thread }) {
				thread.metadata.test_key = 'test_value'
			}
		})
		const { events, threadId } = await createThread(app)
		expect((await store.loadThread(threadId, CONTEXT)).metadata).toEqual({ test_key: 'test_value' })
		expect(events.at(-1).type).toBe('thread.updated')
		expect(events.at(-1).thread.metadata).toEqual({})
	})

	test('#8 a locked status set in respond is saved and sent in the final thread.updated', async () => {
		const { app, store } = makeApp({
			async *respond({ thread }) {
				thread.status = { type: 'locked', reason: 'Because' }
			}
		})
		const { events, threadId } = await createThread(app)
		expect((await store.loadThread(threadId, CONTEXT)).status).toEqual({
			type: 'locked',
			reason: 'Because'
		})
		expect(events.at(-1).type).toBe('thread.updated')
		expect(events.at(-1).thread.status).toEqual({ type: 'locked', reason: 'Because' })
	})

	test('#9 allowed_image_domains set in respond are saved and sent in the final thread.updated', async () => {
		const domains = ['example.com', 'images.example.com']
		const { app, store } = makeApp({
			async *respond({ thread }) {
				thread.allowed_image_domains = domains
			}
		})
		const { events, threadId } = await createThread(app)
		expect((await store.loadThread(threadId, CONTEXT)).allowed_image_domains).toEqual(domains)
		expect(events.at(-1).type).toBe('thread.updated')
		expect(events.at(-1).thread.allowed_image_domains).toEqual(domains)
	})

	test('#10 unset allowed_image_domains are absent from the raw thread.created and thread.updated JSON', async () => {
		const { app } = makeApp({
			async *respond({ thread }) {
				thread.title = 'Updated title'
			}
		})
		const frames = await readFrames(
			await call(app, 'threads.create', { input: userInput('Hello, world!') })
		)
		const created = frames.find((frame) => frame.startsWith('{"type":"thread.created"'))!
		const updated = frames.find((frame) => frame.startsWith('{"type":"thread.updated"'))!
		expect(created).not.toContain('allowed_image_domains')
		expect(updated).not.toContain('allowed_image_domains')
		expect(JSON.parse(updated).thread.title).toBe('Updated title')
	})

	test('#11 a title changed mid-stream is announced right after the next event and saved', async () => {
		const { app, store } = makeApp({
			async *respond({ thread }) {
				yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'assistant_a', 'A') }
				thread.title = 'Mid-stream title'
				yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'assistant_b', 'B') }
				yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'assistant_c', 'C') }
			}
		})
		const { events, threadId } = await createThread(app)
		expect(types(events).slice(3)).toEqual([
			'thread.item.done:assistant_message',
			'thread.item.done:assistant_message',
			'thread.updated',
			'thread.item.done:assistant_message'
		])
		expect(events.slice(3).map((event) => event.item?.id ?? event.thread.title)).toEqual([
			'assistant_a',
			'assistant_b',
			'Mid-stream title',
			'assistant_c'
		])
		expect((await store.loadThread(threadId, CONTEXT)).title).toBe('Mid-stream title')
	})

	test('#12 client tool call round trip: 4 events, then the output completes the call silently and respond resumes with null', async () => {
		const inputs: (UserMessageItem | null)[] = []
		const { app, store } = makeApp({
			async *respond({ thread, input }) {
				inputs.push(input)
				if (input)
					yield {
						type: 'thread.item.done',
						item: {
							id: 'msg_1',
							thread_id: thread.id,
							created_at: new Date().toISOString(),
							type: 'client_tool_call',
							status: 'pending',
							call_id: 'tool_call_1',
							name: 'tool_call_1',
							arguments: { arg1: 'val1', arg2: false }
						}
					}
				else
					yield {
						type: 'thread.item.done',
						item: assistantMessage(thread.id, 'msg_2', 'Glad the tool call succeeded!')
					}
			}
		})
		const { events, threadId } = await createThread(app, 'Hello, world!')
		expect(types(events)).toEqual([
			'thread.created',
			'thread.item.done:user_message',
			'stream_options',
			'thread.item.done:client_tool_call'
		])
		expect(events[3].item).toEqual({
			id: 'msg_1',
			thread_id: threadId,
			created_at: ISO,
			type: 'client_tool_call',
			status: 'pending',
			call_id: 'tool_call_1',
			name: 'tool_call_1',
			arguments: { arg1: 'val1', arg2: false }
		})

		const resumed = await readEvents(
			await call(app, 'threads.add_client_tool_output', {
				thread_id: threadId,
				result: { text: 'Wow!' }
			})
		)
		expect(types(resumed)).toEqual(['stream_options', 'thread.item.done:assistant_message'])
		expect(inputs.map((input) => input?.type ?? null)).toEqual(['user_message', null])
		expect(await store.loadItem(threadId, 'msg_1', CONTEXT)).toMatchObject({
			status: 'completed',
			output: { text: 'Wow!' }
		})
	})

	test('#13 a progress update is forwarded between stream_options and the done item (5 events)', async () => {
		const { app } = makeApp({
			async *respond({ thread }) {
				yield { type: 'progress_update', text: 'Tool status' }
				yield {
					type: 'thread.item.done',
					item: assistantMessage(thread.id, 'msg_4', 'Hello, world!')
				}
			}
		})
		const frames = await readFrames(
			await call(app, 'threads.create', { input: userInput('Hello, world!') })
		)
		expect(types(frames.map((frame) => JSON.parse(frame)))).toEqual([
			'thread.created',
			'thread.item.done:user_message',
			'stream_options',
			'progress_update',
			'thread.item.done:assistant_message'
		])
		expect(frames[3]).toBe('{"type":"progress_update","text":"Tool status"}')
	})

	const createThreads = async (count: number) => {
		const { app } = makeApp()
		const ids: string[] = []
		for (let i = 0; i < count; i++) ids.push((await createThread(app, `Thread ${i}`)).threadId)
		return { app, ids }
	}

	test('#14 threads.list: 20 newest first with has_more and after, then the last 5 without after', async () => {
		const { app, ids } = await createThreads(25)
		const first = await readJson(await call(app, 'threads.list', { limit: 20 }))
		expect(first.data.map((thread: Wire) => thread.id)).toEqual(ids.toReversed().slice(0, 20))
		expect(first.data[0].created_at >= first.data[1].created_at).toBe(true)
		expect(first.has_more).toBe(true)
		expect(first.after).toBe(ids[5])
		expect(first.data[0]).toEqual({
			id: ids[24],
			created_at: ISO,
			status: { type: 'active' },
			metadata: {},
			items: EMPTY_PAGE
		})

		const rest = await readJson(await call(app, 'threads.list', { after: first.data.at(-1).id }))
		expect(rest.data.map((thread: Wire) => thread.id)).toEqual(ids.slice(0, 5).toReversed())
		expect(rest.has_more).toBe(false)
		expect('after' in rest).toBe(false)
	})

	test('#15 items.list: 20 newest items first with a cursor, then the remaining 6 (with the user message)', async () => {
		const { app } = makeApp({
			async *respond({ thread }) {
				for (let i = 0; i < 25; i++)
					yield {
						type: 'thread.item.done',
						item: userMessage(thread.id, `msg_${i}`, `Message ${i}`)
					}
			}
		})
		const { events, threadId } = await createThread(app, 'Thread 1')
		const first = await listItems(app, threadId)
		expect(first.data.map((item: Wire) => item.id)).toEqual(
			Array.from({ length: 20 }, (_, i) => `msg_${24 - i}`)
		)
		expect(first.has_more).toBe(true)
		expect(first.after).toBe('msg_5')

		const rest = await listItems(app, threadId, { after: first.data.at(-1).id })
		expect(rest.data.map((item: Wire) => item.id)).toEqual([
			'msg_4',
			'msg_3',
			'msg_2',
			'msg_1',
			'msg_0',
			events[1].item.id
		])
		expect(rest).toMatchObject({ has_more: false })
		expect('after' in rest).toBe(false)
	})

	const widgetResponder: Responder = async function* ({ thread }) {
		yield {
			type: 'thread.item.done',
			item: widgetItem(thread.id, 'widget_1', card(text({ key: 'text_1', value: 'test' })))
		}
	}
	const emailSent = card(text({ value: 'Email sent!' }))

	test('#16 custom_action: the action and the stored widget reach the handler; its widget update is forwarded, not saved', async () => {
		const calls: { action: Action; sender: WidgetItem | null }[] = []
		const { app, store } = makeApp({
			respond: widgetResponder,
			async *action({ action, sender }: ActionArgs) {
				calls.push({ action, sender })
				yield {
					type: 'thread.item.updated',
					item_id: sender!.id,
					update: { type: 'widget.root.updated', widget: emailSent }
				}
			}
		})
		const { events, threadId } = await createThread(app, 'Show widget')
		const widget = events.find((event) => event.item?.type === 'widget').item
		const before = await store.loadItem(threadId, 'widget_1', CONTEXT)

		const frames = await readFrames(
			await call(app, 'threads.custom_action', {
				thread_id: threadId,
				item_id: widget.id,
				action: { type: 'create_user', payload: { user_id: '123' } }
			})
		)
		expect(calls).toEqual([
			{ action: { type: 'create_user', payload: { user_id: '123' } }, sender: before as WidgetItem }
		])
		expect(frames).toEqual([
			'{"type":"stream_options","stream_options":{"allow_cancel":true}}',
			'{"type":"thread.item.updated","item_id":"widget_1","update":{"type":"widget.root.updated","widget":{"type":"Card","children":[{"type":"Text","value":"Email sent!"}]}}}'
		])
		expect(await store.loadItem(threadId, 'widget_1', CONTEXT)).toEqual(before)
	})

	const questions = (threadId: string): StructuredInputItem => ({
		id: 'si_1',
		thread_id: threadId,
		created_at: new Date().toISOString(),
		type: 'structured_input',
		status: 'pending',
		inputs: [
			{
				id: 'subject',
				question: 'Which subject?',
				type: 'multiple_choice',
				options: [{ value: 'Math' }, { value: 'Science' }],
				multiple: false
			},
			{ id: 'class', question: 'Which class?', type: 'freeform', description: 'Any class' }
		]
	})

	const structuredInputApp = () => {
		const inputs: (UserMessageItem | null)[] = []
		const made = makeApp({
			async *respond({ thread, input }: RespondArgs) {
				inputs.push(input)
				if (input) yield { type: 'thread.item.done', item: questions(thread.id) }
				else
					yield {
						type: 'thread.item.done',
						item: assistantMessage(thread.id, 'after_answer', 'Thanks')
					}
			}
		})
		return { ...made, inputs }
	}

	const answer = async (app: Parameters<typeof call>[0], threadId: string, input: unknown) =>
		readEvents(
			await call(app, 'threads.add_structured_input', { thread_id: threadId, item_id: 'si_1', input })
		)

	test('#17 add_structured_input accepts answers outside the options, replaces the item, then resumes respond', async () => {
		const { app, store, inputs } = structuredInputApp()
		const { threadId } = await createThread(app)
		const events = await answer(app, threadId, {
			status: 'answered',
			answers: { subject: { values: ['Math'] }, class: { values: ['Private class'] } }
		})
		expect(types(events)).toEqual([
			'stream_options',
			'thread.item.replaced',
			'thread.item.done:assistant_message'
		])
		const replaced = events[1].item
		expect(replaced).toMatchObject({ id: 'si_1', type: 'structured_input', status: 'answered' })
		expect(replaced.inputs.map((input: Wire) => input.answer)).toEqual([
			{ values: ['Math'], skipped: false },
			{ values: ['Private class'], skipped: false }
		])
		expect(await store.loadItem(threadId, 'si_1', CONTEXT)).toEqual(replaced)
		expect(inputs.map((input) => input?.type ?? null)).toEqual(['user_message', null])
		expect(events[2].item.content[0].text).toBe('Thanks')
	})

	test('#18 add_structured_input marks questions without an answer as skipped', async () => {
		const { app } = structuredInputApp()
		const { threadId } = await createThread(app)
		const events = await answer(app, threadId, { answers: { subject: { values: ['Science'] } } })
		expect(events[1].item.inputs.map((input: Wire) => input.answer)).toEqual([
			{ values: ['Science'], skipped: false },
			{ values: [], skipped: true }
		])
		expect(events[1].item.status).toBe('answered')
	})

	test('#19 add_structured_input ignores answers to unknown question ids', async () => {
		const { app } = structuredInputApp()
		const { threadId } = await createThread(app)
		const events = await answer(app, threadId, {
			answers: { nope: { values: ['x'] }, class: { values: ['Evening'] } }
		})
		expect(events[1].item.inputs.map((input: Wire) => input.answer)).toEqual([
			{ values: [], skipped: true },
			{ values: ['Evening'], skipped: false }
		])
		expect(JSON.stringify(events[1].item)).not.toContain('nope')
	})

	test('#20 add_structured_input keeps only the first value of a single-choice question, and saves it', async () => {
		const { app, store } = structuredInputApp()
		const { threadId } = await createThread(app)
		const events = await answer(app, threadId, { answers: { subject: { values: ['Math', 'Science'] } } })
		expect(events[1].item.inputs[0].answer).toEqual({ values: ['Math'], skipped: false })
		const stored = (await store.loadItem(threadId, 'si_1', CONTEXT)) as StructuredInputItem
		expect(stored.status).toBe('answered')
		expect(stored.inputs[0]?.answer).toEqual({ values: ['Math'], skipped: false })
	})

	test('#21 sync_custom_action returns the handler updated_item (not saved by the server), or {} without one', async () => {
		const calls: { action: Action; sender: WidgetItem | null }[] = []
		let reply = true
		const { app, store } = makeApp({
			respond: widgetResponder,
			async syncAction({ action, sender }) {
				calls.push({ action, sender })
				return reply ? { updated_item: { ...sender!, widget: emailSent } } : {}
			}
		})
		const { threadId } = await createThread(app, 'Show widget')
		const before = await store.loadItem(threadId, 'widget_1', CONTEXT)
		const params = {
			thread_id: threadId,
			item_id: 'widget_1',
			action: { type: 'create_user', payload: { user_id: '123' } }
		}
		const body = await readJson(await call(app, 'threads.sync_custom_action', params))
		expect(calls).toEqual([
			{ action: { type: 'create_user', payload: { user_id: '123' } }, sender: before as WidgetItem }
		])
		expect(body).toEqual({
			updated_item: {
				id: 'widget_1',
				thread_id: threadId,
				created_at: before.created_at,
				type: 'widget',
				widget: { type: 'Card', children: [{ type: 'Text', value: 'Email sent!' }] }
			}
		})
		expect(await store.loadItem(threadId, 'widget_1', CONTEXT)).toEqual(before)

		reply = false
		const empty = await call(app, 'threads.sync_custom_action', params)
		expect(empty.headers.get('content-type')).toBe('application/json')
		expect(await empty.text()).toBe('{}')
	})

	test('#22 items.feedback reaches addFeedback with the thread, the item ids and the kind', async () => {
		const calls: Omit<FeedbackArgs, 'context'>[] = []
		const { app } = makeApp({
			async *respond({ thread }) {
				yield {
					type: 'thread.item.done',
					item: assistantMessage(thread.id, 'assistant_msg_1', 'Feedback received!')
				}
				yield {
					type: 'thread.item.done',
					item: widgetItem(
						thread.id,
						'widget_1',
						card(text({ key: 'text', value: 'Widget content' }))
					)
				}
			},
			async addFeedback({ threadId, itemIds, kind }) {
				calls.push({ threadId, itemIds, kind })
			}
		})
		const { threadId } = await createThread(app, 'Test feedback')
		for (const [id, kind] of [
			['assistant_msg_1', 'positive'],
			['widget_1', 'negative']
		]) {
			const res = await call(app, 'items.feedback', { thread_id: threadId, item_ids: [id], kind })
			expect(res.headers.get('content-type')).toBe('application/json')
			expect(await res.text()).toBe('{}')
		}
		expect(calls).toEqual([
			{ threadId, itemIds: ['assistant_msg_1'], kind: 'positive' },
			{ threadId, itemIds: ['widget_1'], kind: 'negative' }
		])
	})

	test('#23 threads.get_by_id returns the thread with its first items, oldest first', async () => {
		const { app } = makeApp()
		const { events, threadId } = await createThread(app, 'Test thread')
		const thread = await readJson(await call(app, 'threads.get_by_id', { thread_id: threadId }))
		expect(thread).toEqual({
			id: threadId,
			created_at: events[0].thread.created_at,
			status: { type: 'active' },
			metadata: {},
			items: { data: [events[1].item], has_more: false }
		})
		expect('title' in thread).toBe(false)
		expect(thread.items.data[0].content[0].text).toBe('Test thread')
	})

	test('#24 attachments.create (file): upload descriptor returned, metadata kept server-side only', async () => {
		const attachmentStore = new TestAttachmentStore()
		const { app, store } = makeApp({ attachmentStore })
		const res = await call(app, 'attachments.create', {
			name: 'test-file-name',
			size: 1024,
			mime_type: 'text/plain'
		})
		const attachment = await readJson(res)
		expect(attachment).toEqual({
			id: 'atc_1',
			name: 'test-file-name',
			mime_type: 'text/plain',
			upload_descriptor: {
				url: 'https://example.com/atc_1/upload',
				method: 'PUT',
				headers: { 'X-My-Header': 'my-value' }
			},
			type: 'file'
		})
		expect(attachmentStore.files.get('atc_1')?.metadata).toEqual({ source: 'test' })
		expect((await store.loadAttachment('atc_1', CONTEXT)).metadata).toEqual({ source: 'test' })
	})

	test('#25 attachments.create (image): type image with preview_url and upload descriptor', async () => {
		const attachmentStore = new TestAttachmentStore()
		const { app } = makeApp({ attachmentStore })
		const res = await call(app, 'attachments.create', {
			name: 'test-file-name',
			size: 1024,
			mime_type: 'image/png'
		})
		expect(await readJson(res)).toEqual({
			id: 'atc_1',
			name: 'test-file-name',
			mime_type: 'image/png',
			upload_descriptor: {
				url: 'https://example.com/atc_1/upload',
				method: 'PUT',
				headers: { 'X-My-Header': 'my-value' }
			},
			type: 'image',
			preview_url: 'https://example.com/atc_1/preview'
		})
		expect(attachmentStore.files.has('atc_1')).toBe(true)
	})

	test('#26 attachment metadata of a user message is never serialized (done event, items.list)', async () => {
		const { app, store } = makeApp()
		await store.saveAttachment(
			{
				id: 'file_with_metadata',
				type: 'file',
				mime_type: 'text/plain',
				name: 'test.txt',
				metadata: { source: 'test' }
			},
			CONTEXT
		)
		const { events, threadId } = await createThread(app, 'Message with file', {
			attachments: ['file_with_metadata']
		})
		const wire = {
			id: 'file_with_metadata',
			name: 'test.txt',
			mime_type: 'text/plain',
			thread_id: threadId,
			type: 'file'
		}
		expect(events[1].item.attachments).toEqual([wire])
		const items = await listItems(app, threadId)
		expect(items.data[0].attachments).toEqual([wire])
		expect(JSON.stringify(items)).not.toContain('"metadata"')
	})

	test('#27 threads.create saves the thread id on the attachments of the message', async () => {
		const { app, store } = makeApp()
		await store.saveAttachment(
			{ id: 'file_thread_id_on_create', type: 'file', mime_type: 'text/plain', name: 'test.txt' },
			CONTEXT
		)
		const { threadId } = await createThread(app, 'Message with file', {
			attachments: ['file_thread_id_on_create']
		})
		expect((await store.loadAttachment('file_thread_id_on_create', CONTEXT)).thread_id).toBe(threadId)
	})

	test('#28 threads.add_user_message saves the thread id on the attachments of the message', async () => {
		const { app, store } = makeApp()
		const { threadId } = await createThread(app, 'Start')
		await store.saveAttachment(
			{ id: 'file_thread_id_on_add', type: 'file', mime_type: 'text/plain', name: 'test.txt' },
			CONTEXT
		)
		await addUserMessage(app, threadId, 'Second', { attachments: ['file_thread_id_on_add'] })
		expect((await store.loadAttachment('file_thread_id_on_add', CONTEXT)).thread_id).toBe(threadId)
	})

	test('#29 attachments.create without an attachment store: 501 not_configured (reference: RuntimeError, a 500)', async () => {
		const { app, store } = makeApp()
		const before = await storeSnapshot(store, ['atc_1'])
		await readError(
			await call(app, 'attachments.create', {
				name: 'test-file-name',
				size: 1024,
				mime_type: 'text/plain'
			}),
			501,
			'not_configured'
		)
		expect(await storeSnapshot(store, ['atc_1'])).toEqual(before)
	})

	test('#30 attachments.delete removes the bytes and the record (the record must exist: unknown ids get 404, unlike the reference)', async () => {
		const attachmentStore = new TestAttachmentStore()
		const { app, store } = makeApp({ attachmentStore })
		await readJson(
			await call(app, 'attachments.create', { name: 'a.txt', size: 3, mime_type: 'text/plain' })
		)
		const res = await call(app, 'attachments.delete', { attachment_id: 'atc_1' })
		expect(res.headers.get('content-type')).toBe('application/json')
		expect(await res.text()).toBe('{}')
		expect(attachmentStore.files.size).toBe(0)
		expect(store.loadAttachment('atc_1', CONTEXT)).rejects.toThrow('not found')

		await attachmentStore.createAttachment({ name: 'only-bytes.txt', size: 1, mime_type: 'text/plain' })
		await readError(await call(app, 'attachments.delete', { attachment_id: 'atc_2' }), 404, 'not_found')
		expect(attachmentStore.files.has('atc_2')).toBe(true)
	})

	test('#31 attachments.delete without an attachment store: 501 not_configured (reference: RuntimeError, a 500)', async () => {
		const { app, store } = makeApp()
		await store.saveAttachment(
			{ id: 'test-file-id', type: 'file', mime_type: 'text/plain', name: 'f' },
			CONTEXT
		)
		await readError(
			await call(app, 'attachments.delete', { attachment_id: 'test-file-id' }),
			501,
			'not_configured'
		)
		expect((await store.loadAttachment('test-file-id', CONTEXT)).id).toBe('test-file-id')
	})

	test('#32 threads.list pagination: 20 then 5; a limit of 0 or null means 20', async () => {
		const { app, ids } = await createThreads(25)
		const first = await readJson(await call(app, 'threads.list', { limit: 20 }))
		expect(first.data).toHaveLength(20)
		expect(first).toMatchObject({ has_more: true, after: first.data.at(-1).id })
		const rest = await readJson(await call(app, 'threads.list', { after: first.data.at(-1).id }))
		expect(rest.data).toHaveLength(5)
		expect(rest.has_more).toBe(false)
		for (const limit of [0, null]) {
			const page = await readJson(await call(app, 'threads.list', { limit }))
			expect(page.data).toHaveLength(20)
		}
		const ascending = await readJson(await call(app, 'threads.list', { order: 'asc', limit: 2 }))
		expect(ascending.data.map((thread: Wire) => thread.id)).toEqual(ids.slice(0, 2))
		expect(ascending.after).toBe(ids[1])
	})

	test('#33 threads.update returns the thread with the new title (items empty) and saves it', async () => {
		const { app, store } = makeApp()
		const { events, threadId } = await createThread(app, 'Hello, world!')
		const updated = await readJson(
			await call(app, 'threads.update', { thread_id: threadId, title: 'New Title' })
		)
		expect(updated).toEqual({
			title: 'New Title',
			id: threadId,
			created_at: events[0].thread.created_at,
			status: { type: 'active' },
			metadata: {},
			items: EMPTY_PAGE
		})
		expect((await store.loadThread(threadId, CONTEXT)).title).toBe('New Title')
	})

	const streamedWidget = (...states: WidgetRoot[]): Responder =>
		async function* ({ thread }) {
			async function* build() {
				yield* states
			}
			yield* streamWidget({ threadId: thread.id, widget: build(), generateId: () => 'wd_1' })
		}

	test('#34 streamWidget over HTTP: "" → "Hel" → "Hello," → "Hello, world" gives added, 3 value_delta, done; only done is saved', async () => {
		const state = (value: string) => card(text({ id: 'text', value }))
		const { app, store } = makeApp({
			respond: streamedWidget(state(''), state('Hel'), state('Hello,'), state('Hello, world'))
		})
		const frames = await readFrames(await call(app, 'threads.create', { input: userInput('widget') }))
		const events = frames.map((frame) => JSON.parse(frame))
		expect(types(events).slice(3)).toEqual([
			'thread.item.added:widget',
			'thread.item.updated:widget.streaming_text.value_delta',
			'thread.item.updated:widget.streaming_text.value_delta',
			'thread.item.updated:widget.streaming_text.value_delta',
			'thread.item.done:widget'
		])
		expect(events[3].item.widget).toEqual({
			type: 'Card',
			children: [{ type: 'Text', id: 'text', value: '' }]
		})
		expect(frames.slice(4, 7)).toEqual(
			['Hel', 'lo,', ' world'].map(
				(value) =>
					`{"type":"thread.item.updated","item_id":"wd_1","update":{"type":"widget.streaming_text.value_delta","component_id":"text","delta":${JSON.stringify(value)},"done":true}}`
			)
		)
		expect(events[7].item).toEqual({ ...events[3].item, widget: state('Hello, world') })
		const threadId = events[0].thread.id
		expect((await allItems(store, threadId)).map((item) => item.type)).toEqual(['user_message', 'widget'])
		expect(((await store.loadItem(threadId, 'wd_1', CONTEXT)) as WidgetItem).widget).toEqual(
			state('Hello, world')
		)
	})

	test('#35 streamWidget over HTTP: "Hello" → "World" (not a prefix) gives added, widget.root.updated, done', async () => {
		const hello = card(text({ id: 'text', value: 'Hello' }))
		const world = card(text({ id: 'text', value: 'World' }))
		const { app } = makeApp({ respond: streamedWidget(hello, world) })
		const events = (await createThread(app)).events
		expect(types(events).slice(3)).toEqual([
			'thread.item.added:widget',
			'thread.item.updated:widget.root.updated',
			'thread.item.done:widget'
		])
		expect(events[3].item.widget).toEqual(hello)
		expect(events[4]).toEqual({
			type: 'thread.item.updated',
			item_id: 'wd_1',
			update: { type: 'widget.root.updated', widget: world }
		})
		expect(events[5].item.widget).toEqual(world)
	})

	test('#36 threads.delete answers exactly {}; the thread is then 404 "Thread <id> not found" (reference: NotFoundError, a 500)', async () => {
		const { app, store } = makeApp()
		const { threadId } = await createThread(app, 'Thread to delete')
		const res = await call(app, 'threads.delete', { thread_id: threadId })
		expect(res.headers.get('content-type')).toBe('application/json')
		expect(await res.text()).toBe('{}')
		const error = await readError(
			await call(app, 'threads.get_by_id', { thread_id: threadId }),
			404,
			'not_found'
		)
		expect(error.message).toBe(`Thread ${threadId} not found`)
		expect(await allItems(store, threadId)).toEqual([])
	})

	test('#37 thread.item.removed is forwarded and deletes the stored item', async () => {
		const { app } = makeApp({
			async *respond({ thread }) {
				yield {
					type: 'thread.item.done',
					item: userMessage(thread.id, 'msg_to_remove', 'To be removed')
				}
				yield { type: 'thread.item.removed', item_id: 'msg_to_remove' }
			}
		})
		const frames = await readFrames(
			await call(app, 'threads.create', { input: userInput('Trigger removal') })
		)
		expect(frames.at(-1)).toBe('{"type":"thread.item.removed","item_id":"msg_to_remove"}')
		const threadId = JSON.parse(at(frames, 0)).thread.id
		const items = await listItems(app, threadId)
		expect(items.data.map((item: Wire) => item.id)).not.toContain('msg_to_remove')
		expect(items.data).toHaveLength(1)
	})

	test('#38 an exception in respond becomes an error event (stream.error, retry allowed) and the stream ends', async () => {
		const { app } = makeApp({
			async *respond() {
				throw new Error('Test error')
			}
		})
		const frames = await readFrames(await call(app, 'threads.create', { input: userInput('Test error') }))
		expect(types(frames.map((frame) => JSON.parse(frame)))).toEqual([
			'thread.created',
			'thread.item.done:user_message',
			'stream_options',
			'error'
		])
		expect(frames.at(-1)).toBe('{"type":"error","code":"stream.error","allow_retry":true}')
	})

	test('#39 thread.item.replaced is forwarded and replaces the stored item (even with another type), in place', async () => {
		const { app, store } = makeApp({
			async *respond({ thread }) {
				yield {
					type: 'thread.item.done',
					item: userMessage(thread.id, 'msg_to_replace', 'Original content')
				}
				yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'after', 'After') }
				yield {
					type: 'thread.item.replaced',
					item: assistantMessage(thread.id, 'msg_to_replace', 'This is the replacement content')
				}
			}
		})
		const { events, threadId } = await createThread(app, 'Trigger replacement')
		expect(events.at(-1)).toEqual({
			type: 'thread.item.replaced',
			item: {
				id: 'msg_to_replace',
				thread_id: threadId,
				created_at: ISO,
				type: 'assistant_message',
				content: [{ annotations: [], text: 'This is the replacement content', type: 'output_text' }]
			}
		})
		const items = await allItems(store, threadId)
		expect(items.map((item) => item.id)).toEqual([events[1].item.id, 'msg_to_replace', 'after'])
		expect(items[1]).toMatchObject({
			type: 'assistant_message',
			content: [{ text: 'This is the replacement content' }]
		})
	})

	test('#40 thread.item.replaced of a widget updates the stored widget', async () => {
		const original = card(text({ value: 'Original widget content' }))
		const replacement = card(text({ value: 'Replaced widget content' }))
		const { app } = makeApp({
			async *respond({ thread }) {
				yield { type: 'thread.item.done', item: widgetItem(thread.id, 'widget_to_replace', original) }
				yield {
					type: 'thread.item.replaced',
					item: widgetItem(thread.id, 'widget_to_replace', replacement)
				}
			}
		})
		const { events, threadId } = await createThread(app, 'Trigger widget replacement')
		expect(events.at(-1).item.widget).toEqual(replacement)
		const items = await listItems(app, threadId)
		expect(items.data.find((item: Wire) => item.id === 'widget_to_replace').widget).toEqual(replacement)
	})

	const retryApp = () => {
		const calls: (UserMessageItem | null)[] = []
		const made = makeApp({
			async *respond({ thread, input }) {
				calls.push(input)
				yield {
					type: 'thread.item.done',
					item: assistantMessage(
						thread.id,
						`assistant_msg_${calls.length}`,
						calls.length === 1
							? 'First response'
							: `Response to: ${(input?.content[0] as { text: string } | undefined)?.text}`
					)
				}
			}
		})
		return { ...made, calls }
	}

	test('#41 retry_after_item deletes the newer items silently and reruns respond with the stored user message', async () => {
		const { app, calls } = retryApp()
		const { threadId } = await createThread(app, 'Hello, world!')
		const before = await listItems(app, threadId)
		expect(before.data.map((item: Wire) => item.type)).toEqual(['assistant_message', 'user_message'])
		expect(before.data[0].content[0].text).toBe('First response')

		const events = await readEvents(
			await call(app, 'threads.retry_after_item', { thread_id: threadId, item_id: before.data[1].id })
		)
		expect(types(events)).toEqual(['stream_options', 'thread.item.done:assistant_message'])
		expect(events[1].item.content[0].text).toBe('Response to: Hello, world!')
		expect(calls).toHaveLength(2)
		expect(calls[1]).toEqual(calls[0])
		expect(calls[0]?.content[0]).toEqual({ type: 'input_text', text: 'Hello, world!' })

		const after = await listItems(app, threadId)
		expect(after.data.map((item: Wire) => item.id)).toEqual(['assistant_msg_2', before.data[1].id])
		expect(after.data[1]).toEqual(before.data[1])
	})

	test('#42 retry_after_item on a non-user item: 422 invalid_request, nothing deleted (reference: ValueError)', async () => {
		const { app, store } = retryApp()
		const { threadId } = await createThread(app, 'Hello')
		const snapshot = await storeSnapshot(store)
		const error = await readError(
			await call(app, 'threads.retry_after_item', { thread_id: threadId, item_id: 'assistant_msg_1' }),
			422,
			'invalid_request'
		)
		expect(error.message).toContain('is not a user message')
		expect(await storeSnapshot(store)).toEqual(snapshot)
	})

	test('#43 retry_after_item in a longer thread only replaces what follows that message', async () => {
		const { app, calls } = retryApp()
		const { threadId } = await createThread(app, 'First message')
		await addUserMessage(app, threadId, 'Second message')
		const before = await listItems(app, threadId)
		expect(before.data).toHaveLength(4)

		const events = await readEvents(
			await call(app, 'threads.retry_after_item', { thread_id: threadId, item_id: before.data[1].id })
		)
		expect(types(events)).toEqual(['stream_options', 'thread.item.done:assistant_message'])
		expect(calls).toHaveLength(3)
		expect(calls[2]?.content[0]).toEqual({ type: 'input_text', text: 'Second message' })

		const after = await listItems(app, threadId)
		expect(after.data).toHaveLength(4)
		expect(after.data.slice(1)).toEqual(before.data.slice(1))
		expect(after.data[0].content[0].text).toBe('Response to: Second message')
		expect(after.data[0].id).not.toBe(before.data[0].id)
	})

	const toolChoiceApp = () => {
		const seen: unknown[] = []
		const made = makeApp({
			async *respond({ thread, input }) {
				seen.push(input?.inference_options)
				yield {
					type: 'thread.item.done',
					item: assistantMessage(thread.id, 'assistant_msg_tools', 'ok')
				}
			}
		})
		return { ...made, seen }
	}

	test('#44 threads.create passes inference_options.tool_choice to respond', async () => {
		const { app, seen } = toolChoiceApp()
		const { events } = await createThread(app, 'Hello with tools', {
			inference_options: { tool_choice: { id: 'web_search' } }
		})
		expect(seen).toEqual([{ tool_choice: { id: 'web_search' } }])
		expect(events[1].item.inference_options).toEqual({ tool_choice: { id: 'web_search' } })
		expect(types(events)).toContain('thread.item.done:assistant_message')
	})

	test('#45 input.transcribe decodes base64 and passes the raw and the bare MIME type and the context', async () => {
		const seen: { data: Uint8Array; mime_type: string; media_type: string; context: ChatKitContext }[] =
			[]
		const { app } = makeApp({
			async transcribe(audio, context) {
				seen.push({ ...audio, context })
				return { text: 'ok' }
			}
		})
		const audio = Buffer.from('hello audio')
		const res = await call(app, 'input.transcribe', {
			audio_base64: audio.toString('base64'),
			mime_type: 'audio/webm;codecs=opus'
		})
		expect(await res.text()).toBe('{"text":"ok"}')
		expect(seen).toHaveLength(1)
		const heard = at(seen, 0)
		expect(Buffer.from(heard.data).toString()).toBe('hello audio')
		expect(heard.mime_type).toBe('audio/webm;codecs=opus')
		expect(heard.media_type).toBe('audio/webm')
		expect(heard.context.user).toEqual(USER)
	})

	test('#46 retry_after_item passes the stored inference options (tool_choice, model) to respond (a placeholder in the reference)', async () => {
		const { app, seen } = toolChoiceApp()
		const options = { tool_choice: { id: 'search_tickets' }, model: 'gpt-4.1' }
		const { events, threadId } = await createThread(app, 'Find my tickets', {
			inference_options: options
		})
		const retried = await readEvents(
			await call(app, 'threads.retry_after_item', { thread_id: threadId, item_id: events[1].item.id })
		)
		expect(types(retried)).toEqual(['stream_options', 'thread.item.done:assistant_message'])
		expect(seen).toEqual([options, options])
	})

	test('#47 add_user_message passes tool_choice to respond (a reused item id is upserted: no error event, unlike the reference SQLite store)', async () => {
		const { app, seen, store } = toolChoiceApp()
		const { threadId } = await createThread(app, 'Start', {
			inference_options: { tool_choice: { id: 'retrieval' } }
		})
		const events = await addUserMessage(app, threadId, 'Second', {
			inference_options: { tool_choice: { id: 'retrieval' } }
		})
		expect(types(events)).toEqual([
			'thread.item.done:user_message',
			'stream_options',
			'thread.item.done:assistant_message'
		])
		expect(seen).toEqual([{ tool_choice: { id: 'retrieval' } }, { tool_choice: { id: 'retrieval' } }])
		expect(
			(await allItems(store, threadId)).filter((item) => item.id === 'assistant_msg_tools')
		).toHaveLength(1)
	})

	test('#48 the store id generators are used for the thread and the user message (with the item type and the thread)', async () => {
		class CountingStore extends MemoryStore {
			counter = 0
			override generateThreadId() {
				return `thr_custom_${++this.counter}`
			}
			override generateItemId(itemType: StoreItemType, thread: { id: string }) {
				return `${itemType}_custom_${++this.counter}_${thread.id}`
			}
		}
		const { app } = makeApp({ store: new CountingStore() })
		const { events } = await createThread(app)
		expect(events[0].thread.id).toBe('thr_custom_1')
		expect(events[1].item.id).toBe('message_custom_2_thr_custom_1')
	})
})
