import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStore } from '../../plugins/store'
import { type ChatKitContext, NotFoundError } from '../../src/store/types'
import { createTestDatabase, postgresReachable } from '../store/pg'
import {
	type App,
	assistantTexts,
	createThread,
	Gate,
	gates,
	type Instance,
	instance,
	send,
	structuredInstance,
	userInput
} from './app'

// The preload's default timeout reaches only the first file of a multi-file run (Bun 1.4.5).
setDefaultTimeout(60_000)

const anonymous: ChatKitContext = { user: { id: 'anonymous' } }
const reachable = await postgresReachable()
const dir = mkdtempSync(join(tmpdir(), 'chatkit-races-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

type Setup = { open: () => Promise<[Instance, Instance]>; close: () => Promise<void> }

/** One app on a SQLite file: both requests of a race go to it. */
const sqliteSetup = (): Setup => {
	let store: ReturnType<typeof createStore> | undefined
	return {
		async open() {
			store = createStore(`sqlite:${join(dir, `${crypto.randomUUID()}.db`)}`)
			const app = instance(store)
			return [app, app]
		},
		close: async () => store?.close()
	}
}

/** Two app instances, each with its own store (pool), over one PostgreSQL database: a race's requests are split. */
const postgresSetup = (): Setup => {
	let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
	const stores: ReturnType<typeof createStore>[] = []
	return {
		async open() {
			database = await createTestDatabase()
			const [a, b] = [createStore(database.url), createStore(database.url)]
			stores.push(a, b)
			await Promise.all([a.ready(), b.ready()])
			return [instance(a), instance(b)]
		},
		async close() {
			for (const store of stores) await store.close()
			await database?.drop()
		}
	}
}

/**
 * Name, setup, whether it runs, and whether the rename race runs: on one SQLite instance a rename is
 * too short to straddle an approval (it never reproduced there; the held-turn test covers the same
 * write-back deterministically).
 */
const setups: [string, () => Setup, boolean, boolean][] = [
	['SQLite file, one instance', sqliteSetup, true, false],
	[
		'PostgreSQL, two instances over one database',
		postgresSetup,
		reachable || process.env.CI === 'true',
		true
	]
]

const isGone = async (app: Instance, threadId: string) => {
	const read = await send(app.app, { type: 'threads.get_by_id', params: { thread_id: threadId } })
	const list = await send(app.app, { type: 'threads.list', params: { limit: 100, order: 'desc' } })
	const listed = (list.json as unknown as { data: { id: string }[] }).data.some(
		(thread) => thread.id === threadId
	)
	return read.status === 404 && !listed
}

for (const [name, setup, enabled, renames] of setups)
	describe.skipIf(!enabled)(`races on one thread: ${name}`, () => {
		const current = setup()
		let a: Instance
		let b: Instance
		beforeAll(async () => {
			;[a, b] = await current.open()
		})
		afterAll(() => current.close())

		test('threads.delete and threads.update at once: the thread stays deleted (25 rounds)', async () => {
			const resurrected: number[] = []
			for (let round = 0; round < 25; round++) {
				const { threadId } = await createThread(a.app, `hello ${round}`)
				const [deleted, updated] = await Promise.all([
					send(a.app, { type: 'threads.delete', params: { thread_id: threadId } }),
					send(b.app, { type: 'threads.update', params: { thread_id: threadId, title: 'Renamed' } })
				])
				expect(deleted.status).toBe(200)
				expect([200, 404]).toContain(updated.status)
				if (updated.status === 404) expect(updated.json?.code).toBe('not_found')
				if (!(await isGone(a, threadId))) resurrected.push(round)
			}
			expect(resurrected).toEqual([])
		})

		test.skipIf(!renames)(
			'an approval while the thread is renamed 20 times, then the approval again: the tool runs once (15 rounds)',
			async () => {
				const twice: number[] = []
				for (let round = 0; round < 15; round++) {
					const order = `o${round}`
					const { threadId, events } = await createThread(a.app, `refund ${order}`)
					const prompt = events.find(
						(event) => event.type === 'thread.item.done' && event.item.type === 'widget'
					)
					const promptId = prompt?.type === 'thread.item.done' ? prompt.item.id : null
					const approve = (app: Instance) =>
						send(app.app, {
							type: 'threads.custom_action',
							params: {
								thread_id: threadId,
								item_id: promptId,
								action: { type: 'tool.approve', payload: { id: `call_${order}` } }
							}
						})
					const rename = (title: string) =>
						send(b.app, { type: 'threads.update', params: { thread_id: threadId, title } })
					await Promise.all([
						approve(a),
						...Array.from({ length: 20 }, (_, i) => rename(`Title ${i}`))
					])
					await approve(b)
					const refunds = [...a.payments.refunds, ...(b === a ? [] : b.payments.refunds)].filter(
						(id) => id === order
					)
					if (refunds.length !== 1) twice.push(round)
				}
				expect(twice).toEqual([])
			}
		)

		test('a turn that read the thread before an approval ends after it: the paused run is not written back, the tool runs once', async () => {
			const order = 'held'
			const { threadId, events } = await createThread(a.app, `refund ${order}`)
			const prompt = events.find(
				(event) => event.type === 'thread.item.done' && event.item.type === 'widget'
			)
			const promptId = prompt?.type === 'thread.item.done' ? prompt.item.id : null
			const approve = (app: Instance) =>
				send(app.app, {
					type: 'threads.custom_action',
					params: {
						thread_id: threadId,
						item_id: promptId,
						action: { type: 'tool.approve', payload: { id: `call_${order}` } }
					}
				})
			const gate = new Gate()
			gates.push(gate)
			const held = send(b.app, {
				type: 'threads.custom_action',
				params: {
					thread_id: threadId,
					item_id: null,
					action: { type: 'tag.set', payload: { key: 'tag', value: 'x' } }
				}
			})
			await gate.reached
			const during = await approve(a)
			expect([200, 409]).toContain(during.status)
			gate.release()
			expect((await held).status).toBe(200)
			await approve(a)
			await approve(b)
			const refunds = [...a.payments.refunds, ...(b === a ? [] : b.payments.refunds)]
			expect(refunds.filter((id) => id === order)).toEqual([order])
			const stored = await a.store.loadThread(threadId, anonymous)
			expect(stored.metadata).toEqual({ tag: 'x' })
		})

		test('the same client tool output posted twice at once: one is accepted, the other gets 409 (20 rounds)', async () => {
			const wrong: string[] = []
			for (let round = 0; round < 20; round++) {
				const { threadId } = await createThread(a.app, 'pick')
				const output = (app: Instance, color: string) =>
					send(app.app, {
						type: 'threads.add_client_tool_output',
						params: { thread_id: threadId, result: { color } }
					})
				const answers = await Promise.all([output(a, 'red'), output(b, 'blue')])
				const accepted = answers.filter((answer) => answer.status === 200)
				const refused = answers.filter(
					(answer) =>
						answer.status === 409 &&
						['no_pending_client_tool_call', 'turn_in_progress'].includes(answer.json?.code ?? '')
				)
				const items = (await a.store.loadThreadItems(threadId, null, 100, 'asc', anonymous)).data
				const calls = items.filter((item) => item.type === 'client_tool_call')
				const replies = items.filter((item) => item.type === 'assistant_message')
				const winner = accepted.length === 1 ? (answers[0] === accepted[0] ? 'red' : 'blue') : null
				const stored = calls[0]?.type === 'client_tool_call' ? calls[0].output : undefined
				if (
					accepted.length !== 1 ||
					refused.length !== 1 ||
					calls.length !== 1 ||
					replies.length !== 1 ||
					JSON.stringify(stored) !== JSON.stringify({ color: winner }) ||
					assistantTexts(accepted[0]?.events ?? [])[0] !== `Got {"color":"${winner}"}`
				)
					wrong.push(`round ${round}: ${accepted.length} accepted, ${replies.length} replies`)
			}
			expect(wrong).toEqual([])
		})

		test('two answers to one structured input at once: one is accepted, the other gets 409 (20 rounds)', async () => {
			const [first, second] = [structuredInstance(a.store), structuredInstance(b.store)]
			const wrong: string[] = []
			for (let round = 0; round < 20; round++) {
				const { threadId, events } = await createThread(first, 'ask')
				const asked = events.find(
					(event) => event.type === 'thread.item.done' && event.item.type === 'structured_input'
				)
				const itemId = asked?.type === 'thread.item.done' ? asked.item.id : ''
				const answer = (app: App, color: string) =>
					send(app, {
						type: 'threads.add_structured_input',
						params: {
							thread_id: threadId,
							item_id: itemId,
							input: { status: 'answered', answers: { color: { values: [color] } } }
						}
					})
				const answers = await Promise.all([answer(first, 'red'), answer(second, 'blue')])
				const accepted = answers.filter((answer) => answer.status === 200)
				const refused = answers.filter(
					(answer) =>
						answer.status === 409 &&
						['structured_input_not_pending', 'turn_in_progress'].includes(answer.json?.code ?? '')
				)
				const winner = answers[0] === accepted[0] ? 'red' : 'blue'
				const stored = await a.store.loadItem(threadId, itemId, anonymous)
				const items = (await a.store.loadThreadItems(threadId, null, 100, 'asc', anonymous)).data
				const replies = items.filter((item) => item.type === 'assistant_message')
				if (
					accepted.length !== 1 ||
					refused.length !== 1 ||
					replies.length !== 1 ||
					stored.type !== 'structured_input' ||
					stored.inputs[0]?.answer?.values[0] !== winner ||
					assistantTexts(accepted[0]?.events ?? [])[0] !== `Color: ${winner}`
				)
					wrong.push(`round ${round}: ${accepted.length} accepted, ${replies.length} replies`)
			}
			expect(wrong).toEqual([])
		})

		test('five messages at once on one thread: each reply answers its own message, the others get 409 turn_in_progress (5 rounds)', async () => {
			const wrong: string[] = []
			let accepted = 0
			for (let round = 0; round < 5; round++) {
				const { threadId } = await createThread(a.app, 'hello')
				const texts = [1, 2, 3, 4, 5].map((n) => `message ${round}.${n}`)
				const answers = await Promise.all(
					texts.map((text, i) =>
						send((i % 2 === 0 ? a : b).app, {
							type: 'threads.add_user_message',
							params: { thread_id: threadId, input: userInput(text) }
						})
					)
				)
				for (const [i, answer] of answers.entries()) {
					if (answer.status === 409) {
						if (answer.json?.code !== 'turn_in_progress')
							wrong.push(`${texts[i]}: ${answer.json?.code}`)
						continue
					}
					accepted++
					const replies = assistantTexts(answer.events)
					if (replies.length !== 1 || replies[0] !== `Re: ${texts[i]}`)
						wrong.push(`${texts[i]} answered with ${JSON.stringify(replies)}`)
				}
			}
			expect(accepted).toBeGreaterThanOrEqual(5)
			expect(wrong).toEqual([])
		})

		test('a turn that sets one metadata key while another instance sets another and renames the thread: all kept', async () => {
			const { threadId } = await createThread(a.app, 'hello')
			const gate = new Gate()
			gates.push(gate)
			const turn = send(a.app, {
				type: 'threads.custom_action',
				params: {
					thread_id: threadId,
					item_id: null,
					action: { type: 'tag.set', payload: { key: 'from_turn', value: 'a' } }
				}
			})
			await gate.reached
			await b.store.updateThreadMetadata?.(threadId, 'from_elsewhere', () => 'b', anonymous)
			const renamed = await send(b.app, {
				type: 'threads.update',
				params: { thread_id: threadId, title: 'Renamed' }
			})
			expect(renamed.status).toBe(200)
			gate.release()
			expect((await turn).status).toBe(200)
			const stored = await a.store.loadThread(threadId, anonymous)
			expect(stored.title).toBe('Renamed')
			expect(stored.metadata).toMatchObject({ from_turn: 'a', from_elsewhere: 'b' })
		})

		test('a thread deleted while a turn runs is not brought back by the turn', async () => {
			const { threadId } = await createThread(a.app, 'hello')
			const gate = new Gate()
			gates.push(gate)
			const turn = send(a.app, {
				type: 'threads.custom_action',
				params: {
					thread_id: threadId,
					item_id: null,
					action: { type: 'tag.set', payload: { key: 'from_turn', value: 'a' } }
				}
			})
			await gate.reached
			expect(
				(await send(b.app, { type: 'threads.delete', params: { thread_id: threadId } })).status
			).toBe(200)
			gate.release()
			await turn
			expect(await isGone(a, threadId)).toBe(true)
			await expect(b.store.loadThread(threadId, anonymous)).rejects.toBeInstanceOf(NotFoundError)
		})
	})
