import { Elysia } from 'elysia'
import { type AgentOptions, agent } from '../../plugins/agent'
import { chatkit } from '../../src/chatkit'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { ThreadItem } from '../../src/protocol/items'
import { MemoryStore } from '../../src/store/memory'
import type { ChatKitContext } from '../../src/store/types'

export const anonymous: ChatKitContext = { user: { id: 'anonymous' } }

/** An app with the agent plugin and the core plugin over a fresh memory store. */
export const agentApp = (options: AgentOptions) => {
	const store = new MemoryStore()
	const app = new Elysia().use(agent(options)).use(chatkit({ store }))
	return { app, store }
}

export const parseSse = (text: string): ThreadStreamEvent[] =>
	text
		.split('\n\n')
		.filter((frame) => frame.startsWith('data: '))
		.map((frame) => JSON.parse(frame.slice(6)) as ThreadStreamEvent)

export const post = (app: { handle(request: Request): Promise<Response> }, body: unknown) =>
	app.handle(
		new Request('http://localhost/chatkit', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body)
		})
	)

export const stream = async (app: { handle(request: Request): Promise<Response> }, body: unknown) => {
	const response = await post(app, body)
	if (response.headers.get('content-type') !== 'text/event-stream')
		throw new Error(`expected a stream, got ${response.status}: ${await response.text()}`)
	return parseSse(await response.text())
}

export const userInput = (text: string, extra: Record<string, unknown> = {}) => ({
	content: [{ type: 'input_text', text }],
	attachments: [],
	inference_options: {},
	...extra
})

export const createThread = (
	app: { handle(request: Request): Promise<Response> },
	text: string,
	extra?: Record<string, unknown>
) => stream(app, { type: 'threads.create', params: { input: userInput(text, extra) } })

export const addMessage = (
	app: { handle(request: Request): Promise<Response> },
	threadId: string,
	text: string,
	extra?: Record<string, unknown>
) =>
	stream(app, {
		type: 'threads.add_user_message',
		params: { thread_id: threadId, input: userInput(text, extra) }
	})

export const threadIdOf = (events: ThreadStreamEvent[]) => {
	const created = events.find((event) => event.type === 'thread.created')
	if (created?.type !== 'thread.created') throw new Error('no thread.created event')
	return created.thread.id
}

export const storedItems = async (store: MemoryStore, threadId: string): Promise<ThreadItem[]> =>
	(await store.loadThreadItems(threadId, null, 100, 'asc', anonymous)).data

/** Events without the parts that change from run to run (ids, times). */
export const shape = (event: ThreadStreamEvent) =>
	event.type === 'thread.item.updated'
		? `${event.type}:${event.update.type}`
		: event.type === 'thread.item.added' || event.type === 'thread.item.done'
			? `${event.type}:${event.item.type}`
			: event.type

export const textOf = (input: unknown): string[] =>
	(Array.isArray(input) ? input : []).map((item: any) =>
		typeof item.content === 'string'
			? item.content
			: Array.isArray(item.content)
				? item.content.map((part: any) => part.text ?? '').join('')
				: `${item.type}`
	)
