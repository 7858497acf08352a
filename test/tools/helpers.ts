import { Agent, type Model, type Tool } from '@openai/agents'
import { Elysia } from 'elysia'
import { agent } from '../../plugins/agent'
import { type ToolsOptions, tools } from '../../plugins/tools'
import { chatkit } from '../../src/chatkit'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { ThreadItem, WidgetItem, WorkflowItem } from '../../src/protocol/items'
import { MemoryStore } from '../../src/store/memory'
import type { ChatKitContext, Store } from '../../src/store/types'
import { stream } from '../agent/helpers'

export { addMessage, createThread, stream, threadIdOf } from '../agent/helpers'

/** Events without the parts that change from run to run (ids, times). */
export const shape = (event: ThreadStreamEvent) =>
	event.type === 'thread.item.updated'
		? `${event.type}:${event.update.type}`
		: event.type === 'thread.item.added' ||
				event.type === 'thread.item.done' ||
				event.type === 'thread.item.replaced'
			? `${event.type}:${event.item.type}`
			: event.type

export const anonymous: ChatKitContext = { user: { id: 'anonymous' } }

/** An app whose agent has no tools of its own: every tool comes from the tools plugin. */
export const toolsApp = (
	model: Model,
	list: readonly Tool<any>[],
	options: ToolsOptions = {},
	store: Store = new MemoryStore()
) => {
	const app = new Elysia()
		.use(tools(list, options))
		.use(agent({ agent: new Agent({ name: 'Assistant', model }) }))
		.use(chatkit({ store }))
	return { app, store }
}

export const storedItems = async (store: Store, threadId: string): Promise<ThreadItem[]> =>
	(await store.loadThreadItems(threadId, null, 100, 'asc', anonymous)).data

export const doneItems = (events: ThreadStreamEvent[]): ThreadItem[] =>
	events.flatMap((event) => (event.type === 'thread.item.done' ? [event.item] : []))

export const workflowsOf = (events: ThreadStreamEvent[]): WorkflowItem[] =>
	doneItems(events).filter((item): item is WorkflowItem => item.type === 'workflow')

export const widgetsOf = (events: ThreadStreamEvent[]): WidgetItem[] =>
	doneItems(events).filter((item): item is WidgetItem => item.type === 'widget')

/** The `function_call_result` outputs the model received in one request, by call id. */
export const toolResults = (request: { input: unknown }): Record<string, unknown> =>
	Object.fromEntries(
		(request.input as Record<string, unknown>[])
			.filter((item) => item.type === 'function_call_result')
			.map((item) => {
				const output = item.output as string | { type: string; text: string }
				return [item.callId as string, typeof output === 'string' ? output : output.text]
			})
	)

export const customAction = (
	app: { handle(request: Request): Promise<Response> },
	threadId: string,
	itemId: string | null,
	type: string,
	payload: unknown
) =>
	stream(app, {
		type: 'threads.custom_action',
		params: { thread_id: threadId, item_id: itemId, action: { type, payload } }
	})
