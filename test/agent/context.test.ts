import { describe, expect, test } from 'bun:test'
import { Agent, OutputGuardrailTripwireTriggered, run, tool } from '@openai/agents'
import { assistantMessage, functionCall, modelStream, ScriptedModel } from '@openai/agents/testing'
import { z } from 'zod'
import { type AgentContext, type AgentRunContext, agentContext, agentResponder } from '../../plugins/agent'
import { StreamError } from '../../src/engine/errors'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { Thread } from '../../src/protocol/items'
import type { WidgetRoot } from '../../src/protocol/widgets'
import { MemoryStore } from '../../src/store/memory'
import { accumulateText } from '../../src/widgets'
import { at } from '../defined'
import {
	addMessage,
	agentApp,
	anonymous,
	createThread,
	shape,
	storedItems,
	textOf,
	threadIdOf
} from './helpers'

/** A turn where the model calls `act` once (which runs `body` with the context), then answers "Done". */
const withTool = (
	body: (ctx: AgentContext) => Promise<void> | void,
	extraSteps: ConstructorParameters<typeof ScriptedModel>[0] = []
) => {
	const act = tool({
		name: 'act',
		description: 'act',
		parameters: z.object({}),
		async execute(_input, runContext?: AgentRunContext) {
			await body(agentContext(runContext))
			return 'acted'
		}
	})
	const model = new ScriptedModel([
		[functionCall('act', {}, { callId: 'c1' })],
		[assistantMessage('Done')],
		...extraSteps
	])
	return { model, ...agentApp({ agent: new Agent({ name: 'A', model, tools: [act] }) }) }
}

const doneItems = (events: ThreadStreamEvent[]) =>
	events.flatMap((event) =>
		event.type === 'thread.item.done' && event.item.type !== 'user_message' ? [event.item] : []
	)

describe('AgentContext in tools', () => {
	test('progress, effects and notices are streamed before the answer', async () => {
		const { app } = withTool((ctx) => {
			ctx.progress('Working…')
			ctx.effect('confetti', { count: 3 })
			ctx.notice('Saved **2** drafts', { level: 'warning', title: 'Drafts' })
		})
		const events = await createThread(app, 'go')
		const kinds = events.map(shape)
		expect(kinds.slice(3, 6)).toEqual(['progress_update', 'client_effect', 'notice'])
		expect(events.slice(3, 6)).toEqual([
			{ type: 'progress_update', text: 'Working…' },
			{ type: 'client_effect', name: 'confetti', data: { count: 3 } },
			{ type: 'notice', level: 'warning', message: 'Saved **2** drafts', title: 'Drafts' }
		])
		expect(kinds.at(-1)).toBe('thread.item.done:assistant_message')
	})

	test('a static widget is one done item, saved', async () => {
		const card: WidgetRoot = { type: 'Card', children: [{ type: 'Text', value: 'Order 42' }] }
		const { app, store } = withTool((ctx) => ctx.streamWidget(card, 'Order 42'))
		const events = await createThread(app, 'go')
		const widgets = events.filter((event) => shape(event).endsWith(':widget'))
		expect(widgets.map(shape)).toEqual(['thread.item.done:widget'])
		const widget = at(doneItems(widgets), 0)
		expect(widget).toMatchObject({ type: 'widget', widget: card, copy_text: 'Order 42' })
		expect(widget.id).toMatch(/^msg_/)
		const stored: unknown = (await storedItems(store, threadIdOf(events))).find(
			(item) => item.type === 'widget'
		)
		expect(stored).toEqual(widget)
	})

	const widgetEvents = (events: ThreadStreamEvent[]) =>
		events.filter(
			(event) =>
				shape(event).endsWith(':widget') ||
				(event.type === 'thread.item.updated' && event.update.type.startsWith('widget.'))
		)

	test('a streamed widget sends its text as deltas, then the last state', async () => {
		async function* typing(): AsyncGenerator<WidgetRoot> {
			for (const value of ['', 'Hello,', 'Hello, world'])
				yield { type: 'Card', children: [{ type: 'Text', id: 'text', value, streaming: true }] }
		}
		const { app } = withTool((ctx) => ctx.streamWidget(typing()))
		const events = widgetEvents(await createThread(app, 'go'))
		expect(events.map(shape)).toEqual([
			'thread.item.added:widget',
			'thread.item.updated:widget.streaming_text.value_delta',
			'thread.item.updated:widget.streaming_text.value_delta',
			'thread.item.done:widget'
		])
		expect(
			events.flatMap((event) => (event.type === 'thread.item.updated' ? [event.update] : []))
		).toEqual([
			{ type: 'widget.streaming_text.value_delta', component_id: 'text', delta: 'Hello,', done: false },
			{ type: 'widget.streaming_text.value_delta', component_id: 'text', delta: ' world', done: false }
		])
		const done = at(doneItems(events), 0)
		expect(done.type === 'widget' && done.widget.children).toEqual([
			{ type: 'Text', id: 'text', value: 'Hello, world', streaming: true }
		])
		expect(events[0]?.type === 'thread.item.added' && events[0].item.id).toBe(done.id)
	})

	test('a streamed widget whose structure changes is replaced whole', async () => {
		async function* swap(): AsyncGenerator<WidgetRoot> {
			yield { type: 'Card', children: [{ type: 'Text', id: 'text', value: 'Hello' }] }
			yield { type: 'Card', children: [{ type: 'Text', id: 'text', key: 'other', value: 'Hello' }] }
		}
		const { app } = withTool((ctx) => ctx.streamWidget(swap()))
		const events = widgetEvents(await createThread(app, 'go'))
		expect(events.map(shape)).toEqual([
			'thread.item.added:widget',
			'thread.item.updated:widget.root.updated',
			'thread.item.done:widget'
		])
	})

	test("a sub-agent's streamed text fills a widget through accumulateText", async () => {
		const writer = new Agent({
			name: 'Writer',
			model: new ScriptedModel([
				modelStream([
					{ type: 'response_started' },
					{ type: 'output_text_delta', delta: 'Once ' },
					{ type: 'output_text_delta', delta: 'upon a time' },
					{
						type: 'response_done',
						response: {
							id: 'w',
							usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
							output: [assistantMessage('Once upon a time')]
						}
					}
				] as never)
			])
		})
		const { app } = withTool(async (ctx) => {
			const result = await run(writer, 'write', { stream: true, signal: ctx.signal })
			async function* card(): AsyncGenerator<WidgetRoot> {
				for await (const text of accumulateText(result.toTextStream(), {
					type: 'Text',
					id: 'story',
					value: '',
					streaming: true
				}))
					yield { type: 'Card', children: [text] }
			}
			await ctx.streamWidget(card())
		})
		const events = widgetEvents(await createThread(app, 'go'))
		const deltas = events.flatMap((event) =>
			event.type === 'thread.item.updated' && event.update.type === 'widget.streaming_text.value_delta'
				? [event.update.delta]
				: []
		)
		expect(deltas).toEqual(['Once ', 'upon a time'])
		const done = at(doneItems(events), 0)
		expect(done.type === 'widget' && done.widget.children).toEqual([
			{ type: 'Text', id: 'story', value: 'Once upon a time', streaming: false }
		])
	})

	test('workflow tasks stream into one workflow, ended with a duration when the answer starts', async () => {
		const { app, store } = withTool((ctx) => {
			ctx.addWorkflowTask({ type: 'custom', title: 'Search', status_indicator: 'loading' })
			ctx.addWorkflowTask({ type: 'custom', title: 'Read', status_indicator: 'none' })
			ctx.updateWorkflowTask(
				{ type: 'custom', title: 'Search', content: '3 results', status_indicator: 'complete' },
				0
			)
		})
		const events = await createThread(app, 'go')
		expect(events.map(shape).slice(3, 7)).toEqual([
			'thread.item.added:workflow',
			'thread.item.updated:workflow.task.added',
			'thread.item.updated:workflow.task.updated',
			'thread.item.done:workflow'
		])
		const added = at(events, 3)
		expect(
			added.type === 'thread.item.added' && added.item.type === 'workflow' && added.item.workflow.tasks
		).toHaveLength(1)
		const workflow = at(doneItems(events), 0)
		if (workflow.type !== 'workflow') throw new Error('no workflow')
		expect(workflow.workflow).toEqual({
			type: 'custom',
			tasks: [
				{ type: 'custom', title: 'Search', content: '3 results', status_indicator: 'complete' },
				{ type: 'custom', title: 'Read', status_indicator: 'none' }
			],
			expanded: false,
			summary: { duration: expect.any(Number) }
		})
		const stored = await storedItems(store, threadIdOf(events))
		expect(stored.map((item) => item.type)).toEqual(['user_message', 'workflow', 'assistant_message'])
		expect(stored[1]).toEqual(workflow)
	})

	test('a summary set on the workflow is kept when the answer ends it', async () => {
		const { app } = withTool((ctx) => {
			ctx.startWorkflow({
				type: 'custom',
				tasks: [{ type: 'custom', title: 'Looked', status_indicator: 'none' }],
				summary: { title: 'Looked it up', icon: 'search' },
				expanded: true
			})
		})
		const workflow = at(doneItems(await createThread(app, 'go')), 0)
		expect(workflow.type === 'workflow' && workflow.workflow).toMatchObject({
			summary: { title: 'Looked it up', icon: 'search' },
			expanded: false
		})
	})

	test('an explicit end keeps the expanded flag and the given summary', async () => {
		const { app } = withTool((ctx) => {
			ctx.addWorkflowTask({ type: 'custom', title: 'Step', status_indicator: 'complete' })
			ctx.endWorkflow({ title: 'All done' }, true)
		})
		const workflow = at(doneItems(await createThread(app, 'go')), 0)
		expect(workflow.type === 'workflow' && workflow.workflow).toMatchObject({
			summary: { title: 'All done' },
			expanded: true
		})
	})

	test('hidden context is saved, never sent, and reaches the model on the next turn', async () => {
		const { app, store, model } = withTool(
			(ctx) => ctx.addHiddenContext('customer tier: gold'),
			[[assistantMessage('Noted')]]
		)
		const events = await createThread(app, 'go')
		expect(events.some((event) => shape(event).includes('hidden_context_item'))).toBe(false)
		const threadId = threadIdOf(events)
		const stored = await storedItems(store, threadId)
		expect(stored.map((item) => item.type)).toEqual([
			'user_message',
			'hidden_context_item',
			'assistant_message'
		])
		await addMessage(app, threadId, 'next')
		expect(textOf(at(model.calls, 2).request.input)).toContain(
			'Hidden context for the agent (not shown to the user):\n<HiddenContext>\ncustomer tier: gold\n</HiddenContext>'
		)
	})

	test('the store, thread and typed request context are reachable', async () => {
		type Ctx = { user: { id: string; tenantId?: string | null }; plan: string }
		const seen: unknown[] = []
		const { app } = withTool(async (ctx) => {
			const typed = ctx as unknown as AgentContext<Ctx>
			const { data } = await typed.store.loadThreadItems(
				typed.thread.id,
				null,
				5,
				'asc',
				typed.requestContext
			)
			seen.push(
				typed.user.id,
				data.map((item) => item.type),
				typed.generateId('task').slice(0, 4)
			)
		})
		await createThread(app, 'go')
		expect(seen).toEqual(['anonymous', ['user_message'], 'tsk_'])
	})
})

describe('agentResponder without Elysia', () => {
	const thread = async (store: MemoryStore): Promise<Thread> => {
		const meta = {
			id: 'thr_1',
			created_at: new Date().toISOString(),
			status: { type: 'active' as const },
			metadata: {}
		}
		await store.saveThread(meta, anonymous)
		await store.addThreadItem(
			'thr_1',
			{
				id: 'msg_u',
				thread_id: 'thr_1',
				created_at: meta.created_at,
				type: 'user_message',
				content: [{ type: 'input_text', text: 'hi' }],
				attachments: [],
				inference_options: {}
			},
			anonymous
		)
		return { ...meta, items: { data: [], has_more: false } }
	}

	test('yields the ChatKit events of the run', async () => {
		const store = new MemoryStore()
		const respond = agentResponder({
			agent: new Agent({ name: 'A', model: new ScriptedModel([[assistantMessage('Hello')]]) })
		})
		const events: ThreadStreamEvent[] = []
		for await (const event of respond({
			thread: await thread(store),
			input: null,
			context: anonymous,
			store,
			signal: new AbortController().signal
		}))
			events.push(event)
		expect(events.map(shape)).toEqual([
			'thread.item.added:assistant_message',
			'thread.item.updated:assistant_message.content_part.added',
			'thread.item.updated:assistant_message.content_part.text_delta',
			'thread.item.updated:assistant_message.content_part.done',
			'thread.item.done:assistant_message'
		])
	})

	test('events a tool streams reach the client while the tool is still running', async () => {
		const store = new MemoryStore()
		let shown: () => void = () => {}
		const progressShown = new Promise<void>((resolve) => {
			shown = resolve
		})
		const wait = tool({
			name: 'wait',
			description: 'wait',
			parameters: z.object({}),
			async execute(_input, runContext?: AgentRunContext) {
				agentContext(runContext).progress('Waiting for the user to see this…')
				await progressShown
				return 'seen'
			}
		})
		const model = new ScriptedModel([
			[functionCall('wait', {}, { callId: 'c1' })],
			[assistantMessage('Done')]
		])
		const events: ThreadStreamEvent[] = []
		for await (const event of agentResponder({ agent: new Agent({ name: 'A', model, tools: [wait] }) })({
			thread: await thread(store),
			input: null,
			context: anonymous,
			store,
			signal: new AbortController().signal
		})) {
			events.push(event)
			if (event.type === 'progress_update') shown()
		}
		expect(events.map(shape)).toEqual([
			'progress_update',
			'thread.item.added:assistant_message',
			'thread.item.updated:assistant_message.content_part.added',
			'thread.item.updated:assistant_message.content_part.text_delta',
			'thread.item.updated:assistant_message.content_part.done',
			'thread.item.done:assistant_message'
		])
	})

	test('a guardrail tripwire surfaces as a StreamError whose cause is the tripwire', async () => {
		const store = new MemoryStore()
		const agent = new Agent({
			name: 'A',
			model: new ScriptedModel([[assistantMessage('x')]]),
			outputGuardrails: [
				{ name: 'no', execute: async () => ({ tripwireTriggered: true, outputInfo: null }) }
			]
		})
		const events: ThreadStreamEvent[] = []
		let caught: unknown
		try {
			for await (const event of agentResponder({ agent })({
				thread: await thread(store),
				input: null,
				context: anonymous,
				store,
				signal: new AbortController().signal
			}))
				events.push(event)
		} catch (error) {
			caught = error
		}
		expect(caught).toBeInstanceOf(StreamError)
		expect((caught as Error).cause).toBeInstanceOf(OutputGuardrailTripwireTriggered)
		expect(events.map(shape).at(-1)).toBe('thread.item.removed')
	})
})
