import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, type Model, tool } from '@openai/agents'
import { assistantMessage, functionCall, ScriptedModel } from '@openai/agents/testing'
import { Elysia } from 'elysia'
import { z } from 'zod'
import {
	agent,
	NO_APPROVER_MESSAGE,
	PAUSED_RUN_KEY,
	type PausedRun,
	REJECTED_MESSAGE
} from '../../plugins/agent'
import { createStore } from '../../plugins/store'
import { ALREADY_ANSWERED, serverTool, tools } from '../../plugins/tools'
import { chatkit } from '../../src/chatkit'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { WidgetItem } from '../../src/protocol/items'
import { MemoryStore } from '../../src/store/memory'
import { at } from '../defined'
import { createTestDatabase } from '../store/pg'
import {
	addMessage,
	anonymous,
	createThread,
	customAction,
	shape,
	storedItems,
	threadIdOf,
	toolResults,
	widgetsOf
} from './helpers'

const dir = mkdtempSync(join(tmpdir(), 'chatkit-tools-'))
const stores: { close(): Promise<void> }[] = []
afterAll(async () => {
	for (const store of stores) await store.close()
	rmSync(dir, { recursive: true, force: true })
})

class Payments {
	readonly refunds: string[] = []
}

const refund = serverTool<{ payments: Payments }>()({
	name: 'refund',
	description: 'Refund an order',
	parameters: z.object({ orderId: z.string(), amount: z.number().positive() }),
	title: ({ orderId }) => `Refunding order ${orderId}`,
	needsApproval: true,
	approval: { description: ({ orderId, amount }) => `Refund **$${amount}** on order ${orderId}.` },
	async execute({ orderId, amount }, { context }) {
		context.payments.refunds.push(`${orderId}:${amount}`)
		return { refunded: amount }
	}
})

/**
 * One instance of the app: its own store connection, model and payments, over a shared database (a
 * SQLite file in the test's folder, or a PostgreSQL URL).
 */
const instance = (database: string, model: Model) => {
	const store = createStore(database.startsWith('postgres') ? database : `sqlite:${join(dir, database)}`)
	stores.push(store)
	const payments = new Payments()
	const app = new Elysia()
		.decorate('payments', payments)
		.use(tools([refund]))
		.use(agent({ agent: new Agent({ name: 'Assistant', model }) }))
		.use(chatkit({ store }))
	return { app, store, payments }
}

const refundCall = (callId: string, orderId = '42', amount = 5) =>
	functionCall('refund', { orderId, amount }, { callId })

const pausedRun = async (store: ReturnType<typeof createStore>, threadId: string) =>
	(await store.loadThread(threadId, anonymous)).metadata[PAUSED_RUN_KEY] as PausedRun | undefined

const promptOf = (events: ThreadStreamEvent[]): WidgetItem => {
	const [prompt] = widgetsOf(events)
	if (!prompt) throw new Error('no approval prompt')
	return prompt
}

const replacedCard = (events: ThreadStreamEvent[]) => {
	const replaced = events.find((event) => event.type === 'thread.item.replaced')
	if (replaced?.type !== 'thread.item.replaced' || replaced.item.type !== 'widget')
		throw new Error('the prompt was not replaced')
	return replaced.item.widget
}

/** Pause on one instance, approve on another over the same database. */
const approveOnAnotherInstance = async (database: string) => {
	const first = instance(database, new ScriptedModel([[refundCall('call_r')]]))
	const events = await createThread(first.app, 'Refund order 42')
	const threadId = threadIdOf(events)
	expect(events.map(shape).slice(2)).toEqual([
		'stream_options',
		'thread.item.done:widget',
		'thread.updated'
	])
	const prompt = promptOf(events)
	expect(prompt.widget).toEqual({
		type: 'Card',
		key: 'tool-approval:call_r',
		size: 'sm',
		status: { text: 'Waiting for your approval', icon: 'keys' },
		children: [
			{ type: 'Title', value: 'Allow “Refunding order 42”?', size: 'sm' },
			{ type: 'Markdown', value: 'Refund **$5** on order 42.' }
		],
		confirm: { label: 'Approve', action: { type: 'tool.approve', payload: { id: 'call_r' } } },
		cancel: { label: 'Reject', action: { type: 'tool.reject', payload: { id: 'call_r' } } }
	})
	expect(first.payments.refunds).toEqual([])
	const updated = events.find((event) => event.type === 'thread.updated')
	expect(updated).toMatchObject({ thread: { metadata: {} } })
	const wire = await first.app.handle(
		new Request('http://localhost/chatkit', {
			method: 'POST',
			body: JSON.stringify({ type: 'threads.get_by_id', params: { thread_id: threadId } })
		})
	)
	expect(await wire.text()).not.toContain('"state"')

	const second = instance(database, new ScriptedModel([[assistantMessage('Refunded $5 on order 42.')]]))
	const paused = await pausedRun(second.store, threadId)
	expect(paused?.approvals).toEqual([
		{ id: 'call_r', name: 'refund', arguments: { orderId: '42', amount: 5 } }
	])
	expect(JSON.parse(paused?.state ?? '{}').context.context).toEqual({})

	const resumed = await customAction(second.app, threadId, prompt.id, 'tool.approve', { id: 'call_r' })
	expect(resumed.map(shape)).toEqual([
		'stream_options',
		'thread.item.replaced:widget',
		'thread.item.added:workflow',
		'thread.updated',
		'thread.item.updated:workflow.task.updated',
		'thread.item.done:workflow',
		'thread.item.added:assistant_message',
		'thread.item.updated:assistant_message.content_part.added',
		'thread.item.updated:assistant_message.content_part.text_delta',
		'thread.item.updated:assistant_message.content_part.done',
		'thread.item.done:assistant_message'
	])
	expect(replacedCard(resumed)).toMatchObject({ status: { text: 'Approved', icon: 'check-circle' } })
	expect(replacedCard(resumed)).not.toHaveProperty('confirm')
	expect(second.payments.refunds).toEqual(['42:5'])
	expect(first.payments.refunds).toEqual([])
	expect(await pausedRun(first.store, threadId)).toBeUndefined()
	const items = await storedItems(first.store, threadId)
	expect(items.map((item) => item.type)).toEqual([
		'user_message',
		'widget',
		'workflow',
		'assistant_message'
	])
	expect(items[1]).toMatchObject({ widget: { status: { text: 'Approved' } } })
	expect(items[2]).toMatchObject({
		workflow: { tasks: [{ title: 'Refunding order 42', status_indicator: 'complete' }] }
	})

	const again = await customAction(first.app, threadId, prompt.id, 'tool.approve', { id: 'call_r' })
	expect(again.map(shape)).toEqual(['stream_options', 'thread.item.replaced:widget', 'notice'])
	expect(replacedCard(again)).toMatchObject({ status: { text: 'Approved' } })
	expect(again.at(-1)).toEqual({ type: 'notice', level: 'info', message: ALREADY_ANSWERED.unknown })
	expect([...first.payments.refunds, ...second.payments.refunds]).toEqual(['42:5'])
}

describe('tools that need approval', () => {
	test('the run pauses with a prompt, its state in the store; another instance resumes it when the user approves', () =>
		approveOnAnotherInstance('approve.db'))

	test('the same over PostgreSQL', async () => {
		const database = await createTestDatabase()
		try {
			await approveOnAnotherInstance(database.url)
		} finally {
			for (const store of stores.splice(0)) await store.close()
			await database.drop()
		}
	})

	test('a rejected call never runs; another instance resumes the run and the model is told', async () => {
		const first = instance('reject.db', new ScriptedModel([[refundCall('call_x', '9', 80)]]))
		const events = await createThread(first.app, 'Refund order 9')
		const threadId = threadIdOf(events)
		const model = new ScriptedModel([[assistantMessage('Understood, no refund.')]])
		const second = instance('reject.db', model)
		const resumed = await customAction(second.app, threadId, promptOf(events).id, 'tool.reject', {
			id: 'call_x'
		})
		expect(replacedCard(resumed)).toMatchObject({ status: { text: 'Rejected' } })
		expect(toolResults(at(model.calls, 0).request).call_x).toBe(REJECTED_MESSAGE)
		expect(resumed.map(shape).at(-1)).toBe('thread.item.done:assistant_message')
		expect(resumed.map(shape)).not.toContain('thread.item.added:workflow')
		expect([...first.payments.refunds, ...second.payments.refunds]).toEqual([])
		expect(await pausedRun(second.store, threadId)).toBeUndefined()
	})

	test('two calls in one response: the first answer waits for the second, then the run resumes with both', async () => {
		const first = instance(
			'both.db',
			new ScriptedModel([
				[refundCall('call_a', '1', 10), refundCall('call_b', '2', 20)],
				[assistantMessage('Refunded order 1 only.')]
			])
		)
		const events = await createThread(first.app, 'Refund orders 1 and 2')
		const threadId = threadIdOf(events)
		const [promptA, promptB] = [at(widgetsOf(events), 0), at(widgetsOf(events), 1)]
		expect([promptA.widget.key, promptB.widget.key]).toEqual([
			'tool-approval:call_a',
			'tool-approval:call_b'
		])

		const model = new ScriptedModel([])
		const second = instance('both.db', model)
		const partial = await customAction(second.app, threadId, promptA.id, 'tool.approve', { id: 'call_a' })
		expect(partial.map(shape)).toEqual(['stream_options', 'thread.item.replaced:widget'])
		expect((await pausedRun(second.store, threadId))?.approvals.map((call) => call.decision)).toEqual([
			'approved',
			undefined
		])
		expect(model.calls.length).toBe(0)

		const rest = await customAction(first.app, threadId, promptB.id, 'tool.reject', { id: 'call_b' })
		expect(rest.map(shape).at(-1)).toBe('thread.item.done:assistant_message')
		expect(model.calls.length).toBe(0)
		expect(second.payments.refunds).toEqual([])
		expect(first.payments.refunds).toEqual(['1:10'])
	})

	test('a new message abandons the paused run: a later answer shows the prompt as no longer pending and runs nothing', async () => {
		const { app, payments, store } = instance(
			'abandon.db',
			new ScriptedModel([[refundCall('call_z')], [assistantMessage('Sure, let us talk about shoes.')]])
		)
		const events = await createThread(app, 'Refund order 42')
		const threadId = threadIdOf(events)
		await addMessage(app, threadId, 'Never mind, tell me about shoes')
		expect(await pausedRun(store, threadId)).toBeUndefined()
		const late = await customAction(app, threadId, promptOf(events).id, 'tool.approve', { id: 'call_z' })
		expect(late.map(shape)).toEqual(['stream_options', 'thread.item.replaced:widget'])
		expect(replacedCard(late)).toMatchObject({ status: { text: 'No longer pending' } })
		expect(payments.refunds).toEqual([])
	})

	test('an answer names a call id: other ids and malformed payloads are refused before anything is written', async () => {
		const { app, store } = instance('invalid.db', new ScriptedModel([[refundCall('call_q')]]))
		const events = await createThread(app, 'Refund order 42')
		const threadId = threadIdOf(events)
		const response = await app.handle(
			new Request('http://localhost/chatkit', {
				method: 'POST',
				body: JSON.stringify({
					type: 'threads.custom_action',
					params: {
						thread_id: threadId,
						item_id: null,
						action: { type: 'tool.approve', payload: { id: 5 } }
					}
				})
			})
		)
		expect(response.status).toBe(422)
		const other = await customAction(app, threadId, promptOf(events).id, 'tool.approve', {
			id: 'call_other'
		})
		expect(other.map(shape)).toEqual(['stream_options'])
		const paused = await pausedRun(store, threadId)
		expect(paused && at(paused.approvals, 0).decision).toBeUndefined()
	})

	test('a conditional approval asks only when its policy says so; any SDK tool gets a generic prompt', async () => {
		let wiped = 0
		const wipe = tool({
			name: 'wipe_cache',
			description: 'Wipe a cache',
			parameters: z.object({ region: z.string(), confirm: z.boolean() }),
			needsApproval: true,
			execute: async () => {
				wiped++
				return 'wiped'
			}
		})
		const transfer = serverTool({
			name: 'transfer',
			description: 'Move money',
			parameters: z.object({ amount: z.number() }),
			needsApproval: ({ amount }, { user }) => amount > 100 || user.id !== 'anonymous',
			execute: ({ amount }) => `moved ${amount}`
		})
		const model = new ScriptedModel([
			[functionCall('transfer', { amount: 20 }, { callId: 'small' })],
			[
				functionCall('transfer', { amount: 500 }, { callId: 'large' }),
				functionCall('wipe_cache', { region: 'eu', confirm: true }, { callId: 'wipe' })
			]
		])
		const app = new Elysia()
			.use(tools([transfer, wipe]))
			.use(agent({ agent: new Agent({ name: 'Assistant', model }) }))
			.use(chatkit({ store: new MemoryStore() }))
		const events = await createThread(app, 'Move 20, then 500, and wipe the cache')
		expect(toolResults(at(model.calls, 1).request).small).toBe('moved 20')
		const prompts = widgetsOf(events).map((item) => item.widget)
		expect(prompts.map((card) => card.key)).toEqual(['tool-approval:large', 'tool-approval:wipe'])
		expect(prompts[0]).toMatchObject({
			children: [{ value: 'Allow “Transfer”?' }, { value: '- amount: 500' }]
		})
		expect(prompts[1]).toMatchObject({
			children: [{ value: 'Allow “Wipe cache”?' }, { value: '- region: eu\n- confirm: true' }]
		})
		expect(wiped).toBe(0)
	})

	test('without the tools plugin, a call that needs approval is rejected and the model is told no one could approve it', async () => {
		let ran = false
		const guarded = tool({
			name: 'wipe',
			description: 'Wipe the account',
			parameters: z.object({}),
			needsApproval: true,
			execute: async () => {
				ran = true
				return 'wiped'
			}
		})
		const model = new ScriptedModel([
			[functionCall('wipe', {}, { callId: 'w' })],
			[assistantMessage('I cannot do that.')]
		])
		const app = new Elysia()
			.use(agent({ model, tools: [guarded] }))
			.use(chatkit({ store: new MemoryStore() }))
		const events = await createThread(app, 'Wipe my account')
		expect(ran).toBe(false)
		expect(toolResults(at(model.calls, 1).request).w).toBe(NO_APPROVER_MESSAGE)
		expect(events.map(shape).at(-1)).toBe('thread.item.done:assistant_message')
	})
})
