// Cancellation at each point where a turn waits: on the handler, on the reader of its events, on its first writes.
import { describe, expect, test } from 'bun:test'
import { createEngine } from '../../src/engine/engine'
import type { ChatKitHandlers } from '../../src/engine/types'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import { streamText } from '../../src/respond'
import { MemoryStore } from '../../src/store/memory'
import { at } from '../defined'

const context = { user: { id: 'engine_user' } }
const input = { content: [{ type: 'input_text', text: 'hi' }], attachments: [], inference_options: {} }

const startTurn = async (handlers: Partial<ChatKitHandlers>) => {
	const store = new MemoryStore()
	const engine = createEngine({ store, respond: async function* () {}, ...handlers })
	const result = await engine.process(engine.parse({ type: 'threads.create', params: { input } }), context)
	if (result.type !== 'stream') throw new Error('expected a stream')
	return { store, result }
}

const itemTypes = async (store: MemoryStore) => {
	const thread = at((await store.loadThreads(1, null, 'desc', context)).data, 0)
	const items = await store.loadThreadItems(thread.id, null, 50, 'asc', context)
	return { thread, types: items.data.map((item) => item.type) }
}

describe('cancelling a turn', () => {
	test('leaving the event generator early closes the handler and handles the cancellation before return() resolves', async () => {
		const log: string[] = []
		const { store, result } = await startTurn({
			async *respond(args) {
				try {
					yield* streamText(args, ['a', 'b', 'c', 'd', 'e', 'f'])
				} finally {
					log.push('handler closed')
				}
			},
			async handleStreamCancelled() {
				log.push('cancellation handled')
			}
		})
		const seen: ThreadStreamEvent[] = []
		for await (const event of result.events(new AbortController().signal)) {
			seen.push(event)
			if (seen.length === 7) break
		}
		expect(log.toSorted()).toEqual(['cancellation handled', 'handler closed'])
		expect((await itemTypes(store)).types).toEqual(['user_message'])
	})

	test('an abort while the first writes are being sent ends the turn there: no handler, no cancellation note', async () => {
		let responded = false
		const { store, result } = await startTurn({
			async *respond() {
				responded = true
			}
		})
		const abort = new AbortController()
		await result.run(abort.signal, (event) => {
			if (event.type !== 'thread.item.done') return
			abort.abort()
			return Bun.sleep(1)
		})
		expect(responded).toBe(false)
		expect((await itemTypes(store)).types).toEqual(['user_message'])
	})

	test('an abort while the client holds the turn back: the thread change of that moment is neither saved nor sent', async () => {
		const { store, result } = await startTurn({
			async *respond(args) {
				args.thread.title = 'Renamed mid-turn'
				yield* streamText(args, ['a'])
			}
		})
		const abort = new AbortController()
		const sent: string[] = []
		await result.run(abort.signal, (event) => {
			sent.push(event.type)
			if (event.type !== 'thread.item.added') return
			abort.abort()
			return Bun.sleep(1)
		})
		expect(sent).not.toContain('thread.updated')
		const { thread, types } = await itemTypes(store)
		expect(thread.title ?? null).toBeNull()
		expect(types).toEqual(['user_message', 'sdk_hidden_context'])
	})
})

describe('streamText', () => {
	test('takes a plain string as one chunk per character, like any iterable of strings', async () => {
		const store = new MemoryStore()
		const thread = {
			id: 'thr_1',
			created_at: new Date().toISOString(),
			status: { type: 'active' as const },
			metadata: {},
			items: { data: [], has_more: false }
		}
		const events: ThreadStreamEvent[] = []
		for await (const event of streamText({ thread, store, context }, 'hey')) events.push(event)
		expect(events.map((event) => event.type)).toEqual([
			'thread.item.added',
			'thread.item.updated',
			'thread.item.updated',
			'thread.item.updated',
			'thread.item.updated',
			'thread.item.updated',
			'thread.item.done'
		])
	})
})
