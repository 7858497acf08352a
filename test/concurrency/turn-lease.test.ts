import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Elysia } from 'elysia'
import { createStore } from '../../plugins/store'
import { chatkit } from '../../src/chatkit'
import type { Responder } from '../../src/engine/types'
import { streamText } from '../../src/respond'
import type { ChatKitContext } from '../../src/store/types'
import { post } from '../agent/helpers'
import { assistantTexts, Gate, send, userInput } from './app'

const anonymous: ChatKitContext = { user: { id: 'anonymous' } }
const dir = mkdtempSync(join(tmpdir(), 'chatkit-lease-'))
const stores: { close(): Promise<void> }[] = []
afterAll(async () => {
	for (const store of stores) await store.close()
	rmSync(dir, { recursive: true, force: true })
})

/** An app whose replies wait for the next gate (when one is queued), then answer the message. */
const app = (turnLeaseMs?: number) => {
	const store = createStore(`sqlite:${join(dir, `${crypto.randomUUID()}.db`)}`)
	stores.push(store)
	const gates: Gate[] = []
	const respond: Responder = async function* (args) {
		await gates.shift()?.arrive()
		const said = args.input?.content.map((part) => part.text).join('') ?? ''
		yield* streamText(args, [`Re: ${said}`])
	}
	return { app: new Elysia().use(chatkit({ store, respond, turnLeaseMs })), store, gates }
}

const message = (threadId: string, text: string) => ({
	type: 'threads.add_user_message',
	params: { thread_id: threadId, input: userInput(text) }
})

const newThread = async (target: ReturnType<typeof app>) => {
	const created = await send(target.app, { type: 'threads.create', params: { input: userInput('hi') } })
	const event = created.events.find((e) => e.type === 'thread.created')
	if (event?.type !== 'thread.created') throw new Error('no thread')
	return event.thread.id
}

describe('the turn lease of a thread', () => {
	test('a lease left by a process that died blocks the thread only until it expires', async () => {
		const target = app()
		const threadId = await newThread(target)
		// longer than the retries of a lease found taken (about 0.4 s), so that they end in a refusal
		expect(await target.store.acquireTurn(threadId, 'turn_of_a_dead_process', 1_000, anonymous)).toBe(
			true
		)
		const refused = await send(target.app, message(threadId, 'too early'))
		expect(refused.status).toBe(409)
		expect(refused.json?.code).toBe('turn_in_progress')
		await Bun.sleep(1_050)
		const accepted = await send(target.app, message(threadId, 'later'))
		expect(assistantTexts(accepted.events)).toEqual(['Re: later'])
	})

	test('a turn that runs longer than the lease keeps it: it is renewed while the turn runs', async () => {
		const target = app(1_500)
		const threadId = await newThread(target)
		const gate = new Gate()
		target.gates.push(gate)
		const running = send(target.app, message(threadId, 'slow'))
		await gate.reached
		await Bun.sleep(2_000)
		const refused = await send(target.app, message(threadId, 'meanwhile'))
		expect(refused.json?.code).toBe('turn_in_progress')
		gate.release()
		expect(assistantTexts((await running).events)).toEqual(['Re: slow'])
		const after = await send(target.app, message(threadId, 'after'))
		expect(assistantTexts(after.events)).toEqual(['Re: after'])
	})

	test('the lease is given back when the turn fails, is refused, or its client leaves', async () => {
		const target = app()
		const threadId = await newThread(target)
		const unknownItem = await send(target.app, {
			type: 'threads.add_structured_input',
			params: {
				thread_id: threadId,
				item_id: 'msg_unknown',
				input: { status: 'skipped', answers: {} }
			}
		})
		expect(unknownItem.status).toBe(404)
		const gate = new Gate()
		target.gates.push(gate)
		const abort = new AbortController()
		const response = await target.app.handle(
			new Request('http://localhost/chatkit', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(message(threadId, 'left')),
				signal: abort.signal
			})
		)
		const reader = (response.body as ReadableStream<Uint8Array>).getReader()
		await reader.read()
		await gate.reached
		await reader.cancel()
		abort.abort()
		gate.release()
		let answer = await send(target.app, message(threadId, 'next'))
		for (let tries = 0; answer.status === 409 && tries < 50; tries++) {
			await Bun.sleep(20)
			answer = await send(target.app, message(threadId, 'next'))
		}
		expect(assistantTexts(answer.events)).toEqual(['Re: next'])
		const unread = await post(target.app, { type: 'threads.get_by_id', params: { thread_id: threadId } })
		expect(unread.status).toBe(200)
	})
})
