import { describe, expect, test } from 'bun:test'
import { assistantMessage, functionCall, ScriptedModel } from '@openai/agents/testing'
import { Elysia } from 'elysia'
import { z } from 'zod'
import { agent } from '../../plugins/agent'
import { serverTool, type ToolFailure, tools } from '../../plugins/tools'
import { chatkit } from '../../src/chatkit'
import { MemoryStore } from '../../src/store/memory'
import { at } from '../defined'
import { createThread, shape, storedItems, threadIdOf, toolResults, toolsApp, workflowsOf } from './helpers'

const lookupOrder = (behaviour: (orderId: string) => unknown) =>
	serverTool({
		name: 'lookup_order',
		description: 'Look up an order by id',
		parameters: z.object({ orderId: z.string() }),
		title: ({ orderId }) => `Looking up order ${orderId}`,
		icon: 'search',
		async execute({ orderId }, { progress, user }) {
			progress('Checking the warehouse…', 'cube')
			return { ...(behaviour(orderId) as object), askedBy: user.id }
		}
	})

const callThenAnswer = (args: unknown, answer: string) =>
	new ScriptedModel([
		[functionCall('lookup_order', args as Record<string, unknown>, { callId: 'call_1' })],
		[assistantMessage(answer)]
	])

describe('server tools', () => {
	test('a call shows as a workflow task (running, then done) with its progress updates; the model gets the result', async () => {
		const model = callThenAnswer({ orderId: '42' }, 'Order 42 has shipped.')
		const { app, store } = toolsApp(model, [lookupOrder(() => ({ status: 'shipped' }))])
		const events = await createThread(app, 'Where is order 42?')

		expect(events.map(shape).slice(2)).toEqual([
			'stream_options',
			'thread.item.added:workflow',
			'progress_update',
			'thread.item.updated:workflow.task.updated',
			'thread.item.done:workflow',
			'thread.item.added:assistant_message',
			'thread.item.updated:assistant_message.content_part.added',
			'thread.item.updated:assistant_message.content_part.text_delta',
			'thread.item.updated:assistant_message.content_part.done',
			'thread.item.done:assistant_message'
		])
		const added = events[3] as Extract<(typeof events)[number], { type: 'thread.item.added' }>
		expect(added.item).toMatchObject({
			type: 'workflow',
			workflow: {
				type: 'custom',
				tasks: [
					{
						type: 'custom',
						title: 'Looking up order 42',
						icon: 'search',
						status_indicator: 'loading'
					}
				]
			}
		})
		expect(events[4]).toEqual({ type: 'progress_update', text: 'Checking the warehouse…', icon: 'cube' })
		expect(events[5]).toMatchObject({
			update: { type: 'workflow.task.updated', task_index: 0, task: { status_indicator: 'complete' } }
		})

		expect(JSON.parse(toolResults(at(model.calls, 1).request).call_1 as string)).toEqual({
			status: 'shipped',
			askedBy: 'anonymous'
		})
		const items = await storedItems(store, threadIdOf(events))
		expect(items.map((item) => item.type)).toEqual(['user_message', 'workflow', 'assistant_message'])
		expect(items[1]).toMatchObject({
			workflow: {
				tasks: [{ title: 'Looking up order 42', status_indicator: 'complete' }],
				summary: { duration: expect.any(Number) }
			}
		})
	})

	test('a tool that throws: the model reads the error, the turn completes, the user sees the failed task', async () => {
		const failures: ToolFailure[] = []
		const model = callThenAnswer({ orderId: '7' }, 'Sorry, the order system is down.')
		const { app, store } = toolsApp(
			model,
			[
				lookupOrder(() => {
					throw new Error('warehouse offline')
				})
			],
			{ onError: (failure) => failures.push(failure) }
		)
		const events = await createThread(app, 'Where is order 7?')

		expect(events.some((event) => event.type === 'error')).toBe(false)
		expect(toolResults(at(model.calls, 1).request).call_1).toBe('The tool failed: warehouse offline')
		expect(events.at(-1)).toMatchObject({
			type: 'thread.item.done',
			item: { type: 'assistant_message', content: [{ text: 'Sorry, the order system is down.' }] }
		})
		const workflow = at(workflowsOf(events), 0)
		expect(workflow.workflow).toMatchObject({
			summary: { title: 'Looking up order 7 failed' },
			tasks: [{ title: 'Looking up order 7', status_indicator: 'none', content: 'Failed' }]
		})
		const stored = (await storedItems(store, threadIdOf(events))).find((item) => item.type === 'workflow')
		expect(stored).toEqual(workflow)
		expect(failures.map(({ tool, callId, error }) => [tool, callId, (error as Error).message])).toEqual([
			['lookup_order', 'call_1', 'warehouse offline']
		])
	})

	test("visible: 'progress' shows a status line, and a warning notice when the call fails", async () => {
		const calls = [
			serverTool({
				name: 'ok',
				description: 'works',
				parameters: z.object({}),
				visible: 'progress',
				execute: () => 'fine'
			}),
			serverTool({
				name: 'broken',
				description: 'fails',
				parameters: z.object({}),
				title: 'Charging the card',
				visible: 'progress',
				execute: () => {
					throw new Error('declined')
				}
			})
		]
		const model = new ScriptedModel([
			[functionCall('ok', {}, { callId: 'a' })],
			[functionCall('broken', {}, { callId: 'b' })],
			[assistantMessage('Done.')]
		])
		const { app } = toolsApp(model, calls, { onError() {} })
		const events = await createThread(app, 'go')
		expect(
			events
				.filter((event) => event.type !== 'thread.item.updated')
				.map(shape)
				.slice(2, 6)
		).toEqual(['stream_options', 'progress_update', 'progress_update', 'notice'])
		expect(events.filter((event) => event.type === 'progress_update' || event.type === 'notice')).toEqual(
			[
				{ type: 'progress_update', text: 'Ok…' },
				{ type: 'progress_update', text: 'Charging the card…' },
				{ type: 'notice', level: 'warning', message: 'Charging the card failed.' }
			]
		)
		expect(workflowsOf(events)).toEqual([])
	})

	test('visible: false shows nothing; the plugin default applies to tools that set none', async () => {
		const quiet = serverTool({
			name: 'quiet',
			description: 'q',
			parameters: z.object({}),
			execute: () => 'ok'
		})
		const model = new ScriptedModel([
			[functionCall('quiet', {}, { callId: 'q' })],
			[assistantMessage('Hi.')]
		])
		const { app } = toolsApp(model, [quiet], { visible: false })
		const events = await createThread(app, 'go')
		expect(events.map(shape).slice(2)).toEqual([
			'stream_options',
			'thread.item.added:assistant_message',
			'thread.item.updated:assistant_message.content_part.added',
			'thread.item.updated:assistant_message.content_part.text_delta',
			'thread.item.updated:assistant_message.content_part.done',
			'thread.item.done:assistant_message'
		])
		expect(toolResults(at(model.calls, 1).request).q).toBe('ok')
	})

	test('a tool reads what other plugins put in the request context, shows a widget and sends an effect', async () => {
		const orders = new Map([['u1:42', 'shipped']])
		const status = serverTool<{ orders: Map<string, string> }>()({
			name: 'order_status',
			description: 'Status of an order',
			parameters: z.object({ orderId: z.string() }),
			async execute({ orderId }, { context, user, widget, effect }) {
				const found = context.orders.get(`${user.id}:${orderId}`) ?? 'unknown'
				await widget({
					type: 'Card',
					children: [{ type: 'Text', value: `Order ${orderId}: ${found}` }]
				})
				effect('highlight_order', { orderId })
				return found
			}
		})
		const model = new ScriptedModel([
			[functionCall('order_status', { orderId: '42' }, { callId: 's' })],
			[assistantMessage('Shipped.')]
		])
		const app = new Elysia()
			.derive({ as: 'scoped' }, () => ({ user: { id: 'u1' } }))
			.decorate('orders', orders)
			.use(tools([status]))
			.use(agent({ model }))
			.use(chatkit({ store: new MemoryStore() }))
		const events = await createThread(app, 'Order 42?')
		expect(toolResults(at(model.calls, 1).request).s).toBe('shipped')
		expect(events.map(shape)).toContain('thread.item.done:widget')
		expect(events).toContainEqual({
			type: 'client_effect',
			name: 'highlight_order',
			data: { orderId: '42' }
		})
	})

	test("the agent's own tool wins over a registered one of the same name; two tools of one name are refused", async () => {
		const registered = serverTool({
			name: 'echo',
			description: 'e',
			parameters: z.object({}),
			execute: () => 'registered'
		})
		const own = serverTool({
			name: 'echo',
			description: 'e',
			parameters: z.object({}),
			execute: () => 'own'
		})
		const model = new ScriptedModel([
			[functionCall('echo', {}, { callId: 'e' })],
			[assistantMessage('ok')]
		])
		const app = new Elysia()
			.use(tools([registered]))
			.use(agent({ model, tools: [own] }))
			.use(chatkit({ store: new MemoryStore() }))
		await createThread(app, 'echo')
		expect(toolResults(at(model.calls, 1).request).e).toBe('own')
		expect(() => tools([registered, own])).toThrow('two tools are named "echo"')
	})
})
