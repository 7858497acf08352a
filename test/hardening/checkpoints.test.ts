import { describe, expect, test } from 'bun:test'
import { Elysia } from 'elysia'
import { chatkit } from '../../src/chatkit'
import { INTERRUPTED_NOTE } from '../../src/engine/checkpoints'
import { CANCELLED_NOTE } from '../../src/engine/pipeline'
import type { Responder } from '../../src/engine/types'
import type { ThreadItem } from '../../src/protocol/items'
import { MemoryStore } from '../../src/store/memory'
import type { ChatKitContext } from '../../src/store/types'
import { countingStore } from './stores'

const CONTEXT: ChatKitContext = { user: { id: 'checkpoint_user' } }

/** A reply streamed word by word; between words it waits for `pause()` to resolve. */
const wordsResponder = (words: number, pause: (word: number) => Promise<void>): Responder =>
	async function* ({ thread, signal }) {
		const item: ThreadItem = {
			id: 'msg_reply',
			thread_id: thread.id,
			created_at: new Date().toISOString(),
			type: 'assistant_message',
			content: []
		}
		yield { type: 'thread.item.added', item }
		let text = ''
		for (let word = 0; word < words && !signal.aborted; word++) {
			text += `w${word} `
			yield {
				type: 'thread.item.updated',
				item_id: item.id,
				update: {
					type: 'assistant_message.content_part.text_delta',
					content_index: 0,
					delta: `w${word} `
				}
			}
			await pause(word)
		}
		yield {
			type: 'thread.item.done',
			item: { ...item, content: [{ type: 'output_text', text, annotations: [] }] }
		}
	}

const create = (app: { handle(request: Request): Promise<Response> }, signal?: AbortSignal) =>
	app.handle(
		new Request('http://localhost/chatkit', {
			method: 'POST',
			body: JSON.stringify({
				type: 'threads.create',
				params: {
					input: {
						content: [{ type: 'input_text', text: 'hi' }],
						attachments: [],
						inference_options: {}
					}
				}
			}),
			signal
		})
	)

const threadItems = async (store: MemoryStore) => {
	const [thread] = (await store.loadThreads(1, null, 'desc', CONTEXT)).data
	return thread ? (await store.loadThreadItems(thread.id, null, 50, 'asc', CONTEXT)).data : []
}

/** Resolves once the store holds a checkpoint of the reply (the test's timeout bounds the wait). */
const checkpointed = async (store: MemoryStore) => {
	while (!(await threadItems(store)).some((item) => item.type === 'assistant_message')) await Bun.sleep(5)
}

describe('checkpoints of a streaming reply', () => {
	test('a turn shorter than the interval writes no checkpoint', async () => {
		const counted = countingStore(new MemoryStore())
		const app = new Elysia().use(
			chatkit({
				store: counted.store,
				respond: wordsResponder(20, async () => {}),
				defaultUser: CONTEXT.user
			})
		)
		await (await create(app)).text()
		expect(counted.calls.get('saveItem')).toBeUndefined()
		expect(counted.calls.get('deleteThreadItem')).toBeUndefined()
	})

	test('a long reply is saved while it streams, with the interrupted note, and the note goes when it is done', async () => {
		const store = new MemoryStore()
		let finish = () => {}
		const finished = new Promise<void>((resolve) => {
			finish = resolve
		})
		const app = new Elysia().use(
			chatkit({
				store,
				checkpointIntervalMs: 20,
				respond: wordsResponder(3, (word) => (word === 1 ? finished : Bun.sleep(1))),
				defaultUser: CONTEXT.user
			})
		)
		const body = (await create(app)).text()
		await checkpointed(store)
		const during = await threadItems(store)
		expect(during.map((item) => item.type)).toEqual([
			'user_message',
			'assistant_message',
			'sdk_hidden_context'
		])
		const partial = during[1]
		expect(partial?.type === 'assistant_message' && partial.content[0]?.text).toBe('w0 w1 ')
		expect(during[2]?.type === 'sdk_hidden_context' && during[2].content).toBe(INTERRUPTED_NOTE)
		finish()
		await body
		const after = await threadItems(store)
		expect(after.map((item) => item.type)).toEqual(['user_message', 'assistant_message'])
		expect(after[1]?.type === 'assistant_message' && after[1].content[0]?.text).toBe('w0 w1 w2 ')
	})

	test('a cancelled reply keeps the checkpoint and only the cancellation note', async () => {
		const store = new MemoryStore()
		const app = new Elysia().use(
			chatkit({
				store,
				checkpointIntervalMs: 20,
				respond: wordsResponder(1_000_000, () => Bun.sleep(2)),
				defaultUser: CONTEXT.user
			})
		)
		const controller = new AbortController()
		const res = await create(app, controller.signal)
		const reader = (res.body as ReadableStream).getReader()
		reader.read().catch(() => {})
		await checkpointed(store)
		await reader.cancel()
		const items = await threadItems(store)
		expect(items.map((item) => item.type)).toEqual([
			'user_message',
			'assistant_message',
			'sdk_hidden_context'
		])
		expect(items[2]?.type === 'sdk_hidden_context' && items[2].content).toBe(CANCELLED_NOTE)
	})
})
