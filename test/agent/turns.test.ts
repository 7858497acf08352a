import { describe, expect, test } from 'bun:test'
import { Agent, tool } from '@openai/agents'
import { assistantMessage, functionCall, ScriptedModel } from '@openai/agents/testing'
import { z } from 'zod'
import { type AgentRunContext, agentContext, clientTool } from '../../plugins/agent'
import { at } from '../defined'
import { addMessage, agentApp, createThread, shape, storedItems, stream, textOf, threadIdOf } from './helpers'

describe('an agent turn over HTTP', () => {
	test('streams the assistant message as added, part added, deltas, part done, done, and saves it', async () => {
		const model = new ScriptedModel([[assistantMessage('Hello there')]])
		const { app, store } = agentApp({ agent: new Agent({ name: 'A', model }) })
		const events = await createThread(app, 'Hi')
		expect(events.map(shape)).toEqual([
			'thread.created',
			'thread.item.done:user_message',
			'stream_options',
			'thread.item.added:assistant_message',
			'thread.item.updated:assistant_message.content_part.added',
			'thread.item.updated:assistant_message.content_part.text_delta',
			'thread.item.updated:assistant_message.content_part.done',
			'thread.item.done:assistant_message'
		])
		const done = events.at(-1)
		if (done?.type !== 'thread.item.done' || done.item.type !== 'assistant_message')
			throw new Error('no message')
		expect(done.item.content).toEqual([{ type: 'output_text', text: 'Hello there', annotations: [] }])
		const added = at(events, 3)
		expect(added.type === 'thread.item.added' && added.item.id).toBe(done.item.id)
		const items = await storedItems(store, threadIdOf(events))
		expect(items.map((item) => item.type)).toEqual(['user_message', 'assistant_message'])
		expect(items[1]).toEqual(done.item)
	})

	test('the second turn sends the first turn, loaded from the store, to the model', async () => {
		const model = new ScriptedModel([
			[assistantMessage('First answer')],
			[assistantMessage('Second answer')]
		])
		const { app } = agentApp({ agent: new Agent({ name: 'A', model }) })
		const threadId = threadIdOf(await createThread(app, 'First question'))
		await addMessage(app, threadId, 'Second question')
		const input = at(model.calls, 1).request.input
		expect(textOf(input)).toEqual(['First question', 'First answer', 'Second question'])
		expect((input as { role?: string }[]).map((item) => item.role)).toEqual(['user', 'assistant', 'user'])
	})

	test('history is limited to the latest items', async () => {
		const model = new ScriptedModel([
			[assistantMessage('a1')],
			[assistantMessage('a2')],
			[assistantMessage('a3')]
		])
		const { app } = agentApp({ agent: new Agent({ name: 'A', model }), historyLimit: 3 })
		const threadId = threadIdOf(await createThread(app, 'q1'))
		await addMessage(app, threadId, 'q2')
		await addMessage(app, threadId, 'q3')
		expect(textOf(at(model.calls, 2).request.input)).toEqual(['q2', 'a2', 'q3'])
	})

	test('a tool reports progress, renames the thread and sees the request context; its result reaches the model', async () => {
		const seen: string[] = []
		const lookup = tool({
			name: 'lookup_order',
			description: 'Look up an order',
			parameters: z.object({ orderId: z.string() }),
			async execute({ orderId }, runContext?: AgentRunContext) {
				const ctx = agentContext(runContext)
				seen.push(ctx.user.id, ctx.thread.id)
				ctx.progress('Looking up the order…', 'search')
				ctx.thread.title = `Order ${orderId}`
				return { orderId, status: 'shipped' }
			}
		})
		const model = new ScriptedModel([
			[functionCall('lookup_order', { orderId: '42' }, { callId: 'call_1' })],
			[assistantMessage('Order 42 has shipped.')]
		])
		const { app, store } = agentApp({ agent: new Agent({ name: 'A', model, tools: [lookup] }) })
		const events = await createThread(app, 'Where is order 42?')
		const threadId = threadIdOf(events)
		expect(seen).toEqual(['anonymous', threadId])
		expect(events).toContainEqual({
			type: 'progress_update',
			text: 'Looking up the order…',
			icon: 'search'
		})
		const updated = events.find((event) => event.type === 'thread.updated')
		expect(updated?.type === 'thread.updated' && updated.thread.title).toBe('Order 42')
		expect((await store.loadThread(threadId, { user: { id: 'anonymous' } })).title).toBe('Order 42')
		const second = at(model.calls, 1).request.input as { type?: string; output?: unknown }[]
		expect(second.at(-1)).toMatchObject({ type: 'function_call_result', callId: 'call_1' })
		expect(JSON.stringify(second.at(-1)?.output)).toContain('shipped')
		expect(events.map(shape).slice(-2)).toEqual([
			'thread.item.updated:assistant_message.content_part.done',
			'thread.item.done:assistant_message'
		])
	})

	test('a per-turn agent function receives the context with the user', async () => {
		const users: string[] = []
		const model = new ScriptedModel([[assistantMessage('ok')]])
		const { app } = agentApp({
			agent: (ctx) => {
				users.push(ctx.user.id)
				return new Agent({ name: 'A', model })
			}
		})
		await createThread(app, 'hi')
		expect(users).toEqual(['anonymous'])
	})

	test("the composer's tool choice is applied when the agent has that tool", async () => {
		const search = tool({
			name: 'search',
			description: 's',
			parameters: z.object({}),
			execute: async () => 'none'
		})
		const model = new ScriptedModel([[assistantMessage('ok')], [assistantMessage('ok')]])
		const { app } = agentApp({ agent: new Agent({ name: 'A', model, tools: [search] }) })
		const threadId = threadIdOf(
			await createThread(app, 'hi', { inference_options: { tool_choice: { id: 'search' } } })
		)
		expect(at(model.calls, 0).request.modelSettings.toolChoice).toBe('search')
		await addMessage(app, threadId, 'again', { inference_options: { tool_choice: { id: 'unknown' } } })
		expect(at(model.calls, 1).request.modelSettings.toolChoice).toBeUndefined()
	})
})

describe('client tool calls', () => {
	const pickColor = clientTool({
		name: 'pick_color',
		description: 'Ask the user to pick a color',
		parameters: z.object({ hint: z.string() })
	})

	test('end the turn with a pending call; the client result reaches the model as the function call and its output', async () => {
		const model = new ScriptedModel([
			[
				assistantMessage('Let me ask.'),
				functionCall('pick_color', { hint: 'warm' }, { callId: 'call_7' })
			],
			[assistantMessage('Red it is.')]
		])
		const { app, store } = agentApp({ agent: new Agent({ name: 'A', model, tools: [pickColor] }) })
		const events = await createThread(app, 'Choose a color')
		expect(model.calls.length).toBe(1)
		const last = events.at(-1)
		if (last?.type !== 'thread.item.done' || last.item.type !== 'client_tool_call')
			throw new Error('no client tool call')
		expect(last.item).toMatchObject({
			status: 'pending',
			call_id: 'call_7',
			name: 'pick_color',
			arguments: { hint: 'warm' }
		})
		expect(events.map(shape)).toContain('thread.item.done:assistant_message')
		const threadId = threadIdOf(events)

		const resumed = await stream(app, {
			type: 'threads.add_client_tool_output',
			params: { thread_id: threadId, result: { color: 'red' } }
		})
		expect(resumed.map(shape)).toEqual([
			'stream_options',
			'thread.item.added:assistant_message',
			'thread.item.updated:assistant_message.content_part.added',
			'thread.item.updated:assistant_message.content_part.text_delta',
			'thread.item.updated:assistant_message.content_part.done',
			'thread.item.done:assistant_message'
		])
		const input = at(model.calls, 1).request.input as Record<string, unknown>[]
		expect(input.slice(-2)).toEqual([
			{ type: 'function_call', callId: 'call_7', name: 'pick_color', arguments: '{"hint":"warm"}' },
			{
				type: 'function_call_result',
				callId: 'call_7',
				name: 'pick_color',
				status: 'completed',
				output: '{"color":"red"}'
			}
		])
		const items = await storedItems(store, threadId)
		expect(items.map((item) => item.type)).toEqual([
			'user_message',
			'assistant_message',
			'client_tool_call',
			'assistant_message'
		])
		expect(items[2]).toMatchObject({ status: 'completed', output: { color: 'red' } })
	})
})
