// RunningTurns, what a graceful shutdown waits on: a turn counts until its response has ended, not only its
// responder, so closing the connections after idle() never cuts a stream's last bytes.
import { describe, expect, test } from 'bun:test'
import { Elysia } from 'elysia'
import { chatkit } from '../../src/chatkit'
import type { Responder } from '../../src/engine/types'
import { RunningTurns } from '../../src/running'
import { MemoryStore } from '../../src/store/memory'
import { call, deferred, readEvents, USER, userInput } from './helpers'

const replyHello: Responder = async function* ({ thread }) {
	yield {
		type: 'thread.item.done',
		item: {
			id: 'msg_reply',
			thread_id: thread.id,
			created_at: new Date().toISOString(),
			type: 'assistant_message',
			content: [{ type: 'output_text', text: 'Hello', annotations: [] }]
		}
	}
}

describe('RunningTurns', () => {
	test('holds a turn until its stream is closed: a slow request-end hook keeps it running', async () => {
		const turns = new RunningTurns()
		const hookCalled = deferred()
		const hookGate = deferred()
		const app = new Elysia().use(
			chatkit({
				store: new MemoryStore(),
				respond: replyHello,
				defaultUser: USER,
				turns,
				async onRequestEnd() {
					hookCalled.resolve()
					await hookGate.promise
				}
			})
		)
		const response = await call(app, 'threads.create', { input: userInput('Hi') })
		const events = readEvents(response)
		await hookCalled.promise
		await Bun.sleep(0)
		expect(turns.size).toBe(1)
		let idle = false
		const idled = turns.idle().then(() => {
			idle = true
		})
		await Bun.sleep(0)
		expect(idle).toBe(false)
		hookGate.resolve()
		expect((await events).at(-1)?.type).toBe('thread.item.done')
		await idled
		expect(turns.size).toBe(0)
	})

	test('a client that leaves ends its turn for the count too', async () => {
		const turns = new RunningTurns()
		const app = new Elysia().use(
			chatkit({
				store: new MemoryStore(),
				defaultUser: USER,
				turns,
				async *respond({ thread, signal }) {
					yield {
						type: 'thread.item.added',
						item: {
							id: 'msg_partial',
							thread_id: thread.id,
							created_at: new Date().toISOString(),
							type: 'assistant_message',
							content: [{ type: 'output_text', text: 'Hel', annotations: [] }]
						}
					}
					await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
				}
			})
		)
		const reader = (await call(app, 'threads.create', { input: userInput('Hi') })).body!.getReader()
		await reader.read()
		expect(turns.size).toBe(1)
		await reader.cancel()
		await turns.idle()
		expect(turns.size).toBe(0)
	})
})
