// The engine without HTTP: what createEngine promises to the plugin, the typed client and server-side callers.
import { describe, expect, test } from 'bun:test'
import { createEngine } from '../../src/engine/engine'
import { ChatKitError } from '../../src/engine/errors'
import { applyUpdate } from '../../src/engine/pending'
import { answerStructuredInput } from '../../src/engine/turns'
import type { ChatKitHandlers, Responder } from '../../src/engine/types'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type {
	AssistantMessageItem,
	StructuredInputItem,
	ThreadItem,
	WorkflowItem
} from '../../src/protocol/items'
import { MemoryStore } from '../../src/store/memory'
import { NotFoundError } from '../../src/store/types'

const context = { user: { id: 'engine_user' } }
const input = { content: [{ type: 'input_text', text: 'hi' }], attachments: [], inference_options: {} }

const engineWith = (handlers: Partial<ChatKitHandlers> = {}) => {
	const store = new MemoryStore()
	const engine = createEngine({ store, respond: async function* () {}, ...handlers })
	return { engine, store }
}

const drain = async (events: AsyncIterable<ThreadStreamEvent>) => {
	const out: ThreadStreamEvent[] = []
	for await (const event of events) out.push(event)
	return out
}

const stream = async (engine: ReturnType<typeof engineWith>['engine'], body: unknown) => {
	const result = await engine.process(engine.parse(body), context)
	if (result.type !== 'stream') throw new Error('expected a stream')
	return result.events
}

describe('createEngine', () => {
	test('parse refuses bad requests with a ChatKitError carrying status, code and details', () => {
		const { engine } = engineWith()
		const refusal = (body: unknown): ChatKitError => {
			try {
				engine.parse(body)
			} catch (error) {
				expect(error).toBeInstanceOf(ChatKitError)
				return error as ChatKitError
			}
			throw new Error('accepted')
		}
		expect(refusal({ type: 'nope', params: {} })).toMatchObject({
			status: 422,
			code: 'unknown_request_type'
		})
		const invalid = refusal({ type: 'threads.list' })
		expect(invalid.status).toBe(422)
		expect(invalid.toJSON()).toEqual({
			code: 'invalid_request',
			message: 'Invalid threads.list request',
			details: [{ path: 'params', message: expect.any(String) }]
		})
		expect(refusal('text').code).toBe('invalid_request')
	})

	test('parse ignores unknown fields and request metadata, and applies the defaults', () => {
		const { engine } = engineWith()
		expect(
			engine.parse({
				type: 'threads.list',
				params: { extra: 1 },
				metadata: { client: 'x' },
				other: true
			})
		).toEqual({ type: 'threads.list', params: { order: 'desc' }, metadata: { client: 'x' } })
	})

	test('a stream writes nothing until it is consumed', async () => {
		const { engine, store } = engineWith()
		const events = await stream(engine, { type: 'threads.create', params: { input } })
		expect((await store.loadThreads(10, null, 'asc', context)).data).toEqual([])
		const consumed = await drain(events(new AbortController().signal))
		expect(consumed.map((event) => event.type)).toEqual([
			'thread.created',
			'thread.item.done',
			'stream_options'
		])
		expect((await store.loadThreads(10, null, 'asc', context)).data).toHaveLength(1)
	})

	test('a missing thread throws NotFoundError from process, before any stream exists', async () => {
		const { engine } = engineWith()
		const request = engine.parse({
			type: 'threads.add_user_message',
			params: { thread_id: 'thr_x', input }
		})
		expect(engine.process(request, context)).rejects.toBeInstanceOf(NotFoundError)
	})

	test('retry_after_item walks past the first page of 20 items and deletes every newer item', async () => {
		let turn = 0
		const respond: Responder = async function* ({ thread }) {
			turn++
			const count = turn === 1 ? 30 : 1
			for (let i = 0; i < count; i++)
				yield {
					type: 'thread.item.done',
					item: {
						id: `a${turn}_${i}`,
						thread_id: thread.id,
						created_at: new Date().toISOString(),
						type: 'assistant_message',
						content: [{ type: 'output_text', text: `${i}`, annotations: [] }]
					}
				}
		}
		const { engine, store } = engineWith({ respond })
		const created = await drain(
			(await stream(engine, { type: 'threads.create', params: { input } }))(
				new AbortController().signal
			)
		)
		const threadId = (created[0] as Extract<ThreadStreamEvent, { type: 'thread.created' }>).thread.id
		const userId = (created[1] as Extract<ThreadStreamEvent, { type: 'thread.item.done' }>).item.id
		expect((await store.loadThreadItems(threadId, null, 100, 'asc', context)).data).toHaveLength(31)

		const retry = await stream(engine, {
			type: 'threads.retry_after_item',
			params: { thread_id: threadId, item_id: userId }
		})
		await drain(retry(new AbortController().signal))
		const items = (await store.loadThreadItems(threadId, null, 100, 'asc', context)).data
		expect(items.map((item) => item.id)).toEqual([userId, 'a2_0'])
	})

	test('thread changes are detected deep inside metadata, and an unchanged thread is not saved again', async () => {
		let turn = 0
		const respond: Responder = async function* ({ thread }) {
			turn++
			if (turn === 1) thread.metadata = { usage: { tokens: 1 } }
			if (turn === 2) (thread.metadata.usage as { tokens: number }).tokens++
			if (turn === 3) thread.title = thread.title ?? null
		}
		const { engine, store } = engineWith({ respond })
		const signal = new AbortController().signal
		const first = await drain(
			(await stream(engine, { type: 'threads.create', params: { input } }))(signal)
		)
		expect(first.at(-1)?.type).toBe('thread.updated')
		const threadId = (first[0] as Extract<ThreadStreamEvent, { type: 'thread.created' }>).thread.id
		const add = { type: 'threads.add_user_message', params: { thread_id: threadId, input } }
		expect((await drain((await stream(engine, add))(signal))).at(-1)?.type).toBe('thread.updated')
		expect((await store.loadThread(threadId, context)).metadata).toEqual({ usage: { tokens: 2 } })
		expect((await drain((await stream(engine, add))(signal))).map((event) => event.type)).toEqual([
			'thread.item.done',
			'stream_options'
		])
	})
})

describe('answerStructuredInput (PROTOCOL.md §6.4)', () => {
	const item: StructuredInputItem = {
		id: 'si',
		thread_id: 't',
		created_at: '2025-01-01T00:00:00Z',
		type: 'structured_input',
		status: 'pending',
		inputs: [
			{
				id: 'one',
				question: '1?',
				type: 'multiple_choice',
				options: [{ value: 'A' }],
				multiple: false
			},
			{
				id: 'many',
				question: 'n?',
				type: 'multiple_choice',
				options: [{ value: 'A' }],
				multiple: true
			},
			{ id: 'free', question: 'f?', type: 'freeform' }
		]
	}

	test('a skipped submission skips every question', () => {
		const answered = answerStructuredInput(item, {
			status: 'skipped',
			answers: { one: { values: ['A'], skipped: false } }
		})
		expect(answered.status).toBe('skipped')
		expect(answered.inputs.map((input) => input.answer)).toEqual(
			Array(3).fill({ values: [], skipped: true })
		)
	})

	test('multiple choice keeps every value; a skipped answer or no values count as skipped; the item is not touched', () => {
		const before = structuredClone(item)
		const answered = answerStructuredInput(item, {
			status: 'answered',
			answers: {
				one: { values: [], skipped: false },
				many: { values: ['A', 'custom'], skipped: false },
				free: { values: ['text'], skipped: true }
			}
		})
		expect(answered.inputs.map((input) => input.answer)).toEqual([
			{ values: [], skipped: true },
			{ values: ['A', 'custom'], skipped: false },
			{ values: [], skipped: true }
		])
		expect(item).toEqual(before)
	})
})

describe('pending items follow their updates (PROTOCOL.md §3.1), for the cancellation hook', () => {
	const message = (): AssistantMessageItem => ({
		id: 'm',
		thread_id: 't',
		created_at: '2025-01-01T00:00:00Z',
		type: 'assistant_message',
		content: []
	})
	const annotation = (title: string) => ({
		type: 'annotation' as const,
		source: { type: 'url' as const, title, url: `https://${title}` }
	})

	test('parts are padded up to the index; added and done replace a part; deltas append', () => {
		const item = message()
		applyUpdate(item, { type: 'assistant_message.content_part.text_delta', content_index: 2, delta: 'x' })
		expect(item.content.map((part) => part.text)).toEqual(['', '', 'x'])
		applyUpdate(item, {
			type: 'assistant_message.content_part.added',
			content_index: 0,
			content: { type: 'output_text', text: 'start', annotations: [] }
		})
		applyUpdate(item, { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: '!' })
		applyUpdate(item, {
			type: 'assistant_message.content_part.done',
			content_index: 2,
			content: { type: 'output_text', text: 'final', annotations: [] }
		})
		expect(item.content.map((part) => part.text)).toEqual(['start!', '', 'final'])
	})

	test('an annotation is inserted at its index, or appended when the index is past the end', () => {
		const item = message()
		const add = (index: number, title: string) =>
			applyUpdate(item, {
				type: 'assistant_message.content_part.annotation_added',
				content_index: 0,
				annotation_index: index,
				annotation: annotation(title)
			})
		add(0, 'b')
		add(0, 'a')
		add(9, 'c')
		expect(item.content[0]?.annotations.map((entry) => entry.source.title)).toEqual(['a', 'b', 'c'])
	})

	test('workflow task added appends whatever its index, task updated replaces at its index; other pairs are ignored', () => {
		const item: WorkflowItem = {
			id: 'w',
			thread_id: 't',
			created_at: '2025-01-01T00:00:00Z',
			type: 'workflow',
			workflow: { type: 'custom', tasks: [], expanded: false }
		}
		const task = (title: string) => ({
			type: 'custom' as const,
			title,
			status_indicator: 'none' as const
		})
		applyUpdate(item, { type: 'workflow.task.added', task_index: 7, task: task('one') })
		applyUpdate(item, { type: 'workflow.task.added', task_index: 7, task: task('two') })
		applyUpdate(item, { type: 'workflow.task.updated', task_index: 0, task: task('first') })
		applyUpdate(item, { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: 'x' })
		expect(item.workflow.tasks.map((entry) => entry.title)).toEqual(['first', 'two'])
		const other = message() as ThreadItem
		applyUpdate(other, { type: 'workflow.task.added', task_index: 0, task: task('x') })
		expect(other).toEqual(message())
	})
})
