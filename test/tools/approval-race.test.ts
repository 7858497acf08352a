import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent } from '@openai/agents'
import { assistantMessage, functionCall, ScriptedModel } from '@openai/agents/testing'
import { Elysia } from 'elysia'
import { z } from 'zod'
import { action, actions } from '../../plugins/actions'
import { agent, decideApproval, PAUSED_RUN_KEY, REJECTED_MESSAGE } from '../../plugins/agent'
import { createStore } from '../../plugins/store'
import { ALREADY_ANSWERED, serverTool, tools } from '../../plugins/tools'
import { chatkit } from '../../src/chatkit'
import type { Responder } from '../../src/engine/types'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { WidgetItem } from '../../src/protocol/items'
import { MemoryStore } from '../../src/store/memory'
import type { Store } from '../../src/store/types'
import { parseSse, post } from '../agent/helpers'
import { at } from '../defined'
import { createTestDatabase, postgresReachable } from '../store/pg'
import { anonymous, createThread, customAction, shape, threadIdOf, toolResults, widgetsOf } from './helpers'

const reachable = await postgresReachable()
const dir = mkdtempSync(join(tmpdir(), 'chatkit-race-'))
const opened: { close(): Promise<void> }[] = []
afterAll(async () => {
	for (const store of opened) await store.close()
	rmSync(dir, { recursive: true, force: true })
})

class Payments {
	readonly refunds: string[] = []
}

const refund = serverTool<{ payments: Payments }>()({
	name: 'refund',
	description: 'Refund an order',
	parameters: z.object({ orderId: z.string(), amount: z.number().positive() }),
	needsApproval: true,
	async execute({ orderId, amount }, { context }) {
		context.payments.refunds.push(`${orderId}:${amount}`)
		return { refunded: amount }
	}
})

const refundCall = (callId: string, orderId = '42', amount = 5) =>
	functionCall('refund', { orderId, amount }, { callId })

/** Answers of the app's own making: recorded in the thread in hand, then the run is resumed at once. */
const directAnswers = actions({
	'direct.approve': action({
		payload: z.object({ id: z.string() }),
		async *handler({ payload, thread, context, store, signal }) {
			if (!decideApproval(thread, payload.id, 'approved')) return
			const respond = (context as { chatkitRespond?: Responder }).chatkitRespond
			if (respond) yield* respond({ thread, input: null, context, store, signal })
		}
	})
})

/** One instance of the app: its own model and payments, over `store`. */
const instance = (store: Store, model: ScriptedModel) => {
	const payments = new Payments()
	const app = new Elysia()
		.decorate('payments', payments)
		.use(tools([refund]))
		.use(directAnswers)
		.use(agent({ agent: new Agent({ name: 'Assistant', model }) }))
		.use(chatkit({ store }))
	return { app, payments, model }
}

const sqlite = (file: string) => {
	const store = createStore(`sqlite:${join(dir, file)}`)
	opened.push(store)
	return store
}

/** A new thread whose run waits for approval (the model's first answer calls the tool); its prompts. */
const pausedThread = async (app: { handle(request: Request): Promise<Response> }) => {
	const events = await createThread(app, 'Refund please')
	return { threadId: threadIdOf(events), prompts: widgetsOf(events) }
}

const cardOf = (events: ThreadStreamEvent[]) => {
	const replaced = events.findLast((event) => event.type === 'thread.item.replaced')
	return replaced?.type === 'thread.item.replaced' && replaced.item.type === 'widget'
		? replaced.item.widget
		: undefined
}

const statusOf = (events: ThreadStreamEvent[]) => {
	const card = cardOf(events)
	return card?.type === 'Card' ? card.status?.text : undefined
}

const resumed = (events: ThreadStreamEvent[]) =>
	events.some((event) => shape(event) === 'thread.item.done:assistant_message')

const noticeOf = (events: ThreadStreamEvent[]) => events.find((event) => event.type === 'notice')

const storedCard = async (store: Store, threadId: string, prompt: WidgetItem) => {
	const item = await store.loadItem(threadId, prompt.id, anonymous)
	return item.type === 'widget' ? item.widget : undefined
}

/** What an answer gets while another request's turn runs on the thread: 409 `turn_in_progress`. */
const BUSY = 'turn_in_progress'

/** The events of an answer's stream, or `BUSY` when it was refused because another turn held the thread. */
const answerOrBusy = async (
	app: { handle(request: Request): Promise<Response> },
	threadId: string,
	itemId: string | null,
	type: string,
	payload: unknown
): Promise<ThreadStreamEvent[] | typeof BUSY> => {
	const response = await post(app, {
		type: 'threads.custom_action',
		params: { thread_id: threadId, item_id: itemId, action: { type, payload } }
	})
	if (response.status === 409) {
		expect(await response.json()).toMatchObject({ code: BUSY })
		return BUSY
	}
	expect(response.headers.get('content-type')).toBe('text/event-stream')
	return parseSse(await response.text())
}

/**
 * Two answers to one call at the same moment, through `first` and `second` (the same app or two
 * instances over one database): one counts; the other runs nothing, and is refused with 409 while the
 * winner's turn runs, or says the call was answered.
 */
const raceTwoAnswers = async (
	stores: [Store, Store],
	answers: ['approve' | 'reject', 'approve' | 'reject']
) => {
	const done = [assistantMessage('Done.')]
	const first = instance(stores[0], new ScriptedModel([[refundCall('call_r')], done]))
	const second = stores[1] === stores[0] ? first : instance(stores[1], new ScriptedModel([done]))
	const { threadId, prompts } = await pausedThread(first.app)
	const prompt = at(prompts, 0)
	const results = await Promise.all(
		[first, second].map((app, i) =>
			answerOrBusy(app.app, threadId, prompt.id, `tool.${answers[i]}`, { id: 'call_r' })
		)
	)
	const winners = results.filter((events) => events !== BUSY && resumed(events))
	expect(winners.length).toBe(1)
	const winner = at(winners, 0) as ThreadStreamEvent[]
	const loser = results.find((events) => events !== winner) ?? []
	const decision = statusOf(winner) === 'Approved' ? 'approved' : 'rejected'
	const refunds = [...first.payments.refunds, ...(second === first ? [] : second.payments.refunds)]
	expect(refunds).toEqual(decision === 'approved' ? ['42:5'] : [])
	const calls = [...first.model.calls, ...(second === first ? [] : second.model.calls)]
	expect(calls.length).toBe(2)
	const resumedCall = calls.find((call) => 'call_r' in toolResults(call.request))
	expect(toolResults(resumedCall?.request ?? { input: [] }).call_r).toBe(
		decision === 'approved' ? '{"refunded":5}' : REJECTED_MESSAGE
	)
	if (loser !== BUSY) {
		expect(loser.map(shape)).toEqual(['stream_options', 'thread.item.replaced:widget', 'notice'])
		expect(cardOf(loser)).toEqual(cardOf(winner))
		expect(cardOf(loser)).not.toHaveProperty('confirm')
		expect<string[]>([ALREADY_ANSWERED[decision], ALREADY_ANSWERED.unknown]).toContain(
			(noticeOf(loser) as { message: string }).message
		)
	}
	expect(await storedCard(stores[0], threadId, prompt)).toEqual(cardOf(winner))
	expect((await stores[1].loadThread(threadId, anonymous)).metadata).not.toHaveProperty(PAUSED_RUN_KEY)
	return decision
}

describe('answers to one approval arriving at the same moment', () => {
	test('two approvals on one memory store: the tool runs once; the other answer gets the answered card and a notice', async () => {
		for (let round = 0; round < 5; round++) {
			const store = new MemoryStore()
			expect(await raceTwoAnswers([store, store], ['approve', 'approve'])).toBe('approved')
		}
	})

	test('two approvals on two app instances over one SQLite file: the tool runs once', async () => {
		for (let round = 0; round < 5; round++) {
			const file = `approve-${round}.db`
			expect(await raceTwoAnswers([sqlite(file), sqlite(file)], ['approve', 'approve'])).toBe(
				'approved'
			)
		}
	})

	test('an approval and a rejection at once: one counts, and the run, the tool and every card agree', async () => {
		for (let round = 0; round < 6; round++) {
			const memory = new MemoryStore()
			const file = `mixed-${round}.db`
			const order =
				round % 2 === 0 ? (['approve', 'reject'] as const) : (['reject', 'approve'] as const)
			await raceTwoAnswers([memory, memory], [...order])
			await raceTwoAnswers([sqlite(file), sqlite(file)], [...order])
		}
	})

	test.skipIf(!reachable && process.env.CI !== 'true')(
		'two approvals, and an approval with a rejection, on two app instances over one PostgreSQL database: one counts',
		async () => {
			const database = await createTestDatabase()
			const pools: { close(): Promise<void> }[] = []
			try {
				for (let round = 0; round < 3; round++) {
					const [a, b] = [createStore(database.url), createStore(database.url)]
					pools.push(a, b)
					expect(await raceTwoAnswers([a, b], ['approve', 'approve'])).toBe('approved')
					await raceTwoAnswers([a, b], ['reject', 'approve'])
				}
			} finally {
				for (const pool of pools) await pool.close()
				await database.drop()
			}
		}
	)

	test('answers to the two calls of one run at once, on two instances: both are recorded and the run resumes once', async () => {
		for (let round = 0; round < 5; round++) {
			const file = `two-calls-${round}.db`
			const done = [assistantMessage('Refunded order 1 only.')]
			const calls = [refundCall('call_a', '1', 10), refundCall('call_b', '2', 20)]
			const first = instance(sqlite(file), new ScriptedModel([calls, done]))
			const second = instance(sqlite(file), new ScriptedModel([done]))
			const { threadId, prompts } = await pausedThread(first.app)
			const [promptA, promptB] = [at(prompts, 0), at(prompts, 1)]
			const answerA = () =>
				answerOrBusy(first.app, threadId, promptA.id, 'tool.approve', { id: 'call_a' })
			const answerB = () =>
				answerOrBusy(second.app, threadId, promptB.id, 'tool.reject', { id: 'call_b' })
			let [a, b] = await Promise.all([answerA(), answerB()])
			expect([a, b].filter((events) => events === BUSY).length).toBeLessThanOrEqual(1)
			if (a === BUSY) a = await answerA()
			if (b === BUSY) b = await answerB()
			if (a === BUSY || b === BUSY) throw new Error('an answer sent again was refused')
			const [answeredA, answeredB] = [a, b]
			expect([answeredA, answeredB].filter(resumed).length).toBe(1)
			expect([statusOf(answeredA), statusOf(answeredB)]).toEqual(['Approved', 'Rejected'])
			expect([noticeOf(answeredA), noticeOf(answeredB)]).toEqual([undefined, undefined])
			expect([...first.payments.refunds, ...second.payments.refunds]).toEqual(['1:10'])
			const requests = [...first.model.calls, ...second.model.calls]
			expect(requests.length).toBe(2)
			expect(toolResults(at(requests, 1).request)).toEqual({
				call_a: '{"refunded":10}',
				call_b: REJECTED_MESSAGE
			})
		}
	})

	test('answers an app records in the thread in hand and resumes at once: two at once still run the tool once', async () => {
		for (let round = 0; round < 5; round++) {
			const store = new MemoryStore()
			const app = instance(
				store,
				new ScriptedModel([[refundCall('call_r')], [assistantMessage('Done.')]])
			)
			const { threadId } = await pausedThread(app.app)
			const results = await Promise.all(
				[0, 1].map(() => answerOrBusy(app.app, threadId, null, 'direct.approve', { id: 'call_r' }))
			)
			expect(results.filter((events) => events !== BUSY && resumed(events)).length).toBe(1)
			expect(app.payments.refunds).toEqual(['42:5'])
			expect(app.model.calls.length).toBe(2)
			expect((await store.loadThread(threadId, anonymous)).metadata).not.toHaveProperty(PAUSED_RUN_KEY)
		}
	})
})

describe('a store without updateThreadMetadata', () => {
	/** The memory store as a third-party store without the optional method would be. */
	const withoutUpdate = (store: MemoryStore): Store =>
		new Proxy(store, {
			get: (target, key, receiver) =>
				key === 'updateThreadMetadata' ? undefined : Reflect.get(target, key, receiver)
		})

	test('answers one at a time work as before: the approval resumes the run, a second answer changes nothing', async () => {
		const store = withoutUpdate(new MemoryStore())
		expect(store.updateThreadMetadata).toBeUndefined()
		const app = instance(store, new ScriptedModel([[refundCall('call_r')], [assistantMessage('Done.')]]))
		const { threadId, prompts } = await pausedThread(app.app)
		const events = await customAction(app.app, threadId, at(prompts, 0).id, 'tool.approve', {
			id: 'call_r'
		})
		expect(resumed(events)).toBe(true)
		expect(statusOf(events)).toBe('Approved')
		const again = await customAction(app.app, threadId, at(prompts, 0).id, 'tool.approve', {
			id: 'call_r'
		})
		expect(again.map(shape)).toEqual(['stream_options'])
		expect(app.payments.refunds).toEqual(['42:5'])
		expect((await store.loadThread(threadId, anonymous)).metadata).not.toHaveProperty(PAUSED_RUN_KEY)
	})
})
