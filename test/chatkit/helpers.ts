import { expect } from 'bun:test'
import { type AnyElysia, Elysia } from 'elysia'
import { chatkit } from '../../src/chatkit'
import type { ChatKitHandlers, Responder } from '../../src/engine/types'
import type {
	AssistantMessageItem,
	Attachment,
	ThreadItem,
	UserMessageItem,
	WidgetItem
} from '../../src/protocol/items'
import type { WidgetRoot } from '../../src/protocol/widgets'
import { MemoryStore } from '../../src/store/memory'
import type { AttachmentCreateParams, AttachmentStore, ChatKitContext, Store } from '../../src/store/types'

/** Parsed JSON as the client sees it. */
export type Wire = any

export const USER = { id: 'test_user' }
export const CONTEXT: ChatKitContext = { user: USER }
export const ENDPOINT = 'http://localhost/chatkit'

export const emptyResponder: Responder = async function* () {}

export type AppOptions = Partial<ChatKitHandlers> & { maxBodyBytes?: number }

/** An app with only the core plugin, the memory store and the test user. */
export const makeApp = (options: AppOptions = {}) => {
	const store = options.store ?? new MemoryStore()
	const app: AnyElysia = new Elysia().use(
		chatkit({ defaultUser: USER, respond: emptyResponder, ...options, store })
	)
	return { app, store }
}

/** POST a body (a string is sent as is) to the endpoint through the full Elysia lifecycle. */
export const post = (app: AnyElysia, body: unknown, init: RequestInit = {}): Promise<Response> =>
	app.handle(
		new Request(ENDPOINT, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: typeof body === 'string' ? body : JSON.stringify(body),
			...init
		})
	)

export const call = (app: AnyElysia, type: string, params: unknown) => post(app, { type, params })

const FRAME = /^data: ([^\n]*)$/

/**
 * Check the exact SSE framing of a whole body (every frame `data: <compact JSON>\n\n`, nothing else)
 * and return the JSON text of each frame.
 */
export const checkFrames = (text: string): string[] => {
	if (text === '') return []
	expect(text.endsWith('\n\n')).toBe(true)
	return text
		.slice(0, -2)
		.split('\n\n')
		.map((frame) => {
			const data = FRAME.exec(frame)?.[1]
			if (data === undefined) throw new Error(`not a data frame: ${JSON.stringify(frame)}`)
			expect(JSON.stringify(JSON.parse(data))).toBe(data)
			return data
		})
}

/** The raw JSON of each frame of a streamed response, after checking status, headers and framing. */
export const readFrames = async (res: Response): Promise<string[]> => {
	expect(res.status).toBe(200)
	expect(res.headers.get('content-type')).toBe('text/event-stream')
	return checkFrames(await res.text())
}

export const readEvents = async (res: Response): Promise<Wire[]> =>
	(await readFrames(res)).map((frame) => JSON.parse(frame))

export const types = (events: Wire[]): string[] =>
	events.map((event) =>
		event.type === 'thread.item.done' || event.type === 'thread.item.added'
			? `${event.type}:${event.item.type}`
			: event.type === 'thread.item.updated'
				? `${event.type}:${event.update.type}`
				: event.type
	)

/** A successful JSON answer. */
export const readJson = async (res: Response): Promise<Wire> => {
	expect(res.status).toBe(200)
	expect(res.headers.get('content-type')).toBe('application/json')
	return res.json()
}

/** A 4xx/5xx answer: JSON `{ code, message }` (plus `details` when given). */
export const readError = async (res: Response, status: number, code: string): Promise<Wire> => {
	expect(res.status).toBe(status)
	expect(res.headers.get('content-type')).toBe('application/json')
	const body = await res.json()
	expect(body.code).toBe(code)
	expect(typeof body.message).toBe('string')
	expect(Object.keys(body).filter((key) => !['code', 'message', 'details'].includes(key))).toEqual([])
	return body
}

export const userInput = (text: string, extra: Record<string, unknown> = {}) => ({
	content: [{ type: 'input_text', text }],
	attachments: [],
	inference_options: {},
	...extra
})

/** `threads.create` with a text message; the events and the new thread's id. */
export const createThread = async (app: AnyElysia, text = 'Hello', extra: Record<string, unknown> = {}) => {
	const events = await readEvents(await call(app, 'threads.create', { input: userInput(text, extra) }))
	expect(events[0].type).toBe('thread.created')
	return { events, threadId: events[0].thread.id as string }
}

export const addUserMessage = async (app: AnyElysia, threadId: string, text: string, extra = {}) =>
	readEvents(
		await call(app, 'threads.add_user_message', { thread_id: threadId, input: userInput(text, extra) })
	)

export const listItems = async (app: AnyElysia, threadId: string, params: Record<string, unknown> = {}) =>
	readJson(await call(app, 'items.list', { thread_id: threadId, ...params }))

const now = () => new Date().toISOString()

export const assistantMessage = (threadId: string, id: string, ...texts: string[]): AssistantMessageItem => ({
	id,
	thread_id: threadId,
	created_at: now(),
	type: 'assistant_message',
	content: texts.map((text) => ({ type: 'output_text', text, annotations: [] }))
})

export const userMessage = (threadId: string, id: string, text: string): UserMessageItem => ({
	id,
	thread_id: threadId,
	created_at: now(),
	type: 'user_message',
	content: [{ type: 'input_text', text }],
	attachments: [],
	inference_options: {}
})

export const widgetItem = (threadId: string, id: string, widget: WidgetRoot): WidgetItem => ({
	id,
	thread_id: threadId,
	created_at: now(),
	type: 'widget',
	widget
})

/** Two-phase uploads like the reference's test attachment store: `atc_<n>`, image or file by MIME type. */
export class TestAttachmentStore implements AttachmentStore {
	readonly files = new Map<string, Attachment>()
	private count = 0

	async createAttachment({ name, mime_type }: AttachmentCreateParams): Promise<Attachment> {
		const id = `atc_${++this.count}`
		const common = {
			id,
			name,
			mime_type,
			upload_descriptor: {
				url: `https://example.com/${id}/upload`,
				method: 'PUT' as const,
				headers: { 'X-My-Header': 'my-value' }
			},
			metadata: { source: 'test' }
		}
		const attachment: Attachment = mime_type.startsWith('image/')
			? { ...common, type: 'image', preview_url: `https://example.com/${id}/preview` }
			: { ...common, type: 'file' }
		this.files.set(id, attachment)
		return attachment
	}

	async deleteAttachment(attachmentId: string): Promise<void> {
		this.files.delete(attachmentId)
	}
}

/** Everything the store holds for the test user (threads, items, the named attachments), for before/after comparisons. */
export const storeSnapshot = async (store: Store, attachmentIds: string[] = [], context = CONTEXT) => {
	const threads = await store.loadThreads(10_000, null, 'asc', context)
	const items: Record<string, ThreadItem[]> = {}
	for (const thread of threads.data)
		items[thread.id] = (await store.loadThreadItems(thread.id, null, 10_000, 'asc', context)).data
	const attachments: Record<string, Attachment | null> = {}
	for (const id of attachmentIds)
		attachments[id] = await store.loadAttachment(id, context).catch(() => null)
	return { threads: threads.data, items, attachments }
}

export const allItems = async (store: Store, threadId: string, context = CONTEXT) =>
	(await store.loadThreadItems(threadId, null, 10_000, 'asc', context)).data

export const deferred = <T = void>() => {
	let resolve!: (value: T) => void
	const promise = new Promise<T>((done) => {
		resolve = done
	})
	return { promise, resolve }
}

/** Resolves when `signal` aborts. */
export const aborted = (signal: AbortSignal) =>
	new Promise<void>((resolve) => {
		if (signal.aborted) resolve()
		else signal.addEventListener('abort', () => resolve(), { once: true })
	})

/** Read SSE frames from a live body until `until` matches one; returns the parsed events read so far. */
export const readUntil = async (
	reader: ReadableStreamDefaultReader<Uint8Array | string>,
	until: (event: Wire) => boolean
): Promise<Wire[]> => {
	const decoder = new TextDecoder()
	let text = ''
	while (true) {
		const { value, done } = await reader.read()
		if (done) throw new Error('the stream ended early')
		text += typeof value === 'string' ? value : decoder.decode(value, { stream: true })
		const complete = text.slice(0, text.lastIndexOf('\n\n') + 2)
		const events = checkFrames(complete).map((frame) => JSON.parse(frame))
		if (events.some(until)) return events
	}
}

/** Poll until `check` returns a value (the test's timeout bounds the wait). */
export const eventually = async <T>(check: () => Promise<T | undefined>): Promise<T> => {
	while (true) {
		const value = await check()
		if (value !== undefined) return value
		await Bun.sleep(2)
	}
}
