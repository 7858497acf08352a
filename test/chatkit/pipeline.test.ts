// The response pipeline (PROTOCOL.md §6.3, §6.5, Appendix B) seen from the client: order, persistence, errors.
import { describe, expect, test } from 'bun:test'
import { CustomStreamError, StreamError } from '../../src/engine/errors'
import type { Responder } from '../../src/engine/types'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { Annotation, AssistantMessageContent, ThreadItem } from '../../src/protocol/items'
import type { WidgetRoot } from '../../src/protocol/widgets'
import { MemoryStore } from '../../src/store/memory'
import type { ChatKitContext } from '../../src/store/types'
import { at } from '../defined'
import {
	allItems,
	assistantMessage,
	CONTEXT,
	call,
	createThread,
	deferred,
	makeApp,
	readEvents,
	readFrames,
	readUntil,
	types,
	userInput,
	widgetItem
} from './helpers'

const create = (app: Parameters<typeof call>[0], text = 'Hello') =>
	call(app, 'threads.create', { input: userInput(text) })

const widget = { type: 'Card', children: [{ type: 'Text', value: 'w' }] } as unknown as WidgetRoot

describe('Appendix B transcripts', () => {
	test('B.1: title, streamed message with annotation, hidden item, effect, notice, yielded error, widget', async () => {
		const { app, store } = makeApp({
			async *respond({ thread }) {
				thread.title = 'T'
				yield { type: 'progress_update', icon: 'search', text: 'working' }
				yield { type: 'thread.item.added', item: assistantMessage(thread.id, 'msg_a') }
				const empty: AssistantMessageContent = { annotations: [], text: '', type: 'output_text' }
				yield {
					type: 'thread.item.updated',
					item_id: 'msg_a',
					update: { type: 'assistant_message.content_part.added', content_index: 0, content: empty }
				}
				yield {
					type: 'thread.item.updated',
					item_id: 'msg_a',
					update: {
						type: 'assistant_message.content_part.text_delta',
						content_index: 0,
						delta: 'Hi'
					}
				}
				const annotation: Annotation = {
					type: 'annotation',
					source: { title: 'A', type: 'url', url: 'https://a' },
					index: 2
				}
				yield {
					type: 'thread.item.updated',
					item_id: 'msg_a',
					update: {
						type: 'assistant_message.content_part.annotation_added',
						content_index: 0,
						annotation_index: 0,
						annotation
					}
				}
				yield {
					type: 'thread.item.updated',
					item_id: 'msg_a',
					update: {
						type: 'assistant_message.content_part.done',
						content_index: 0,
						content: { annotations: [], text: 'Hi', type: 'output_text' }
					}
				}
				yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'msg_a', 'Hi') }
				yield {
					type: 'thread.item.done',
					item: {
						id: 'hidden_1',
						thread_id: thread.id,
						created_at: new Date().toISOString(),
						type: 'hidden_context_item',
						content: 'only for the model'
					}
				}
				yield { type: 'client_effect', name: 'fx', data: {} }
				yield { type: 'notice', level: 'info', message: 'm' }
				yield { type: 'error', code: 'custom', message: 'custom msg', allow_retry: false }
				yield {
					type: 'thread.item.done',
					item: { ...widgetItem(thread.id, 'wd_1', widget), copy_text: 'copy' }
				}
			}
		})
		const frames = await readFrames(await create(app))
		const events = frames.map((frame) => JSON.parse(frame))
		const threadId = events[0].thread.id
		const createdAt = events[0].thread.created_at
		expect(types(events)).toEqual([
			'thread.created',
			'thread.item.done:user_message',
			'stream_options',
			'progress_update',
			'thread.updated',
			'thread.item.added:assistant_message',
			'thread.item.updated:assistant_message.content_part.added',
			'thread.item.updated:assistant_message.content_part.text_delta',
			'thread.item.updated:assistant_message.content_part.annotation_added',
			'thread.item.updated:assistant_message.content_part.done',
			'thread.item.done:assistant_message',
			'client_effect',
			'notice',
			'error',
			'thread.item.done:widget'
		])
		expect(frames.slice(2, 5)).toEqual([
			'{"type":"stream_options","stream_options":{"allow_cancel":true}}',
			'{"type":"progress_update","icon":"search","text":"working"}',
			`{"type":"thread.updated","thread":{"title":"T","id":"${threadId}","created_at":"${createdAt}","status":{"type":"active"},"metadata":{},"items":{"data":[],"has_more":false}}}`
		])
		expect(frames.slice(6, 10)).toEqual([
			'{"type":"thread.item.updated","item_id":"msg_a","update":{"type":"assistant_message.content_part.added","content_index":0,"content":{"annotations":[],"text":"","type":"output_text"}}}',
			'{"type":"thread.item.updated","item_id":"msg_a","update":{"type":"assistant_message.content_part.text_delta","content_index":0,"delta":"Hi"}}',
			'{"type":"thread.item.updated","item_id":"msg_a","update":{"type":"assistant_message.content_part.annotation_added","content_index":0,"annotation_index":0,"annotation":{"type":"annotation","source":{"title":"A","type":"url","url":"https://a"},"index":2}}}',
			'{"type":"thread.item.updated","item_id":"msg_a","update":{"type":"assistant_message.content_part.done","content_index":0,"content":{"annotations":[],"text":"Hi","type":"output_text"}}}'
		])
		expect(frames.slice(11, 14)).toEqual([
			'{"type":"client_effect","name":"fx","data":{}}',
			'{"type":"notice","level":"info","message":"m"}',
			'{"type":"error","code":"custom","message":"custom msg","allow_retry":false}'
		])
		expect(events[14].item.copy_text).toBe('copy')
		expect(frames.join('\n')).not.toContain('hidden_1')
		expect((await allItems(store, threadId)).map((item) => item.id)).toEqual([
			events[1].item.id,
			'msg_a',
			'hidden_1',
			'wd_1'
		])
		expect((await store.loadThread(threadId, CONTEXT)).title).toBe('T')
	})

	test('B.2: respond fails after changing the thread: thread.updated, error, then thread.updated for the last change', async () => {
		const { app, store } = makeApp({
			async *respond({ thread }) {
				thread.title = 'X'
				yield { type: 'progress_update', text: 'p' }
				thread.status = { type: 'closed' }
				throw new Error('model failed')
			}
		})
		const frames = await readFrames(await create(app))
		const events = frames.map((frame) => JSON.parse(frame))
		expect(types(events).slice(1)).toEqual([
			'thread.item.done:user_message',
			'stream_options',
			'progress_update',
			'thread.updated',
			'error',
			'thread.updated'
		])
		expect(events[4].thread).toMatchObject({ title: 'X', status: { type: 'active' } })
		expect(frames[5]).toBe('{"type":"error","code":"stream.error","allow_retry":true}')
		expect(events[6].thread).toMatchObject({ title: 'X', status: { type: 'closed' } })
		expect(await store.loadThread(events[0].thread.id, CONTEXT)).toMatchObject({
			title: 'X',
			status: { type: 'closed' }
		})
	})
})

describe('errors raised by respond or action become error events (§6.5)', () => {
	const lastFrame = async (error: unknown) => {
		const { app } = makeApp({
			async *respond() {
				throw error
			}
		})
		const frames = await readFrames(await create(app))
		expect(types(frames.map((frame) => JSON.parse(frame)))).toEqual([
			'thread.created',
			'thread.item.done:user_message',
			'stream_options',
			'error'
		])
		return frames.at(-1)
	}

	test('CustomStreamError: code custom with its message and allow_retry', async () => {
		expect(await lastFrame(new CustomStreamError('Quota exceeded'))).toBe(
			'{"type":"error","code":"custom","message":"Quota exceeded","allow_retry":false}'
		)
		expect(await lastFrame(new CustomStreamError('Try later', { allowRetry: true }))).toBe(
			'{"type":"error","code":"custom","message":"Try later","allow_retry":true}'
		)
	})

	test('StreamError: its code, no message, allow_retry true by default only for stream.error', async () => {
		expect(await lastFrame(new StreamError())).toBe(
			'{"type":"error","code":"stream.error","allow_retry":true}'
		)
		expect(await lastFrame(new StreamError('stream.error', { allowRetry: false }))).toBe(
			'{"type":"error","code":"stream.error","allow_retry":false}'
		)
		expect(await lastFrame(new StreamError('rate_limited'))).toBe(
			'{"type":"error","code":"rate_limited","allow_retry":false}'
		)
	})

	test('any other exception: stream.error with retry, and its message is not sent', async () => {
		const frame = await lastFrame(new TypeError('secret internal detail'))
		expect(frame).toBe('{"type":"error","code":"stream.error","allow_retry":true}')
	})

	test('a responder that throws synchronously (not a generator) gets stream_options then the error event, like the reference', async () => {
		const respond: Responder = () => {
			throw new Error('bad configuration')
		}
		const { app, store } = makeApp({ respond })
		const frames = await readFrames(await create(app))
		const events = frames.map((frame) => JSON.parse(frame))
		expect(types(events)).toEqual([
			'thread.created',
			'thread.item.done:user_message',
			'stream_options',
			'error'
		])
		expect(frames.at(-1)).toBe('{"type":"error","code":"stream.error","allow_retry":true}')
		expect(await allItems(store, events[0].thread.id)).toHaveLength(1)
	})

	test('an action handler that throws synchronously gets stream_options then the error event (not a 500)', async () => {
		const { app } = makeApp({
			action: () => {
				throw new Error('bad configuration')
			}
		})
		const { threadId } = await createThread(app)
		const frames = await readFrames(
			await call(app, 'threads.custom_action', { thread_id: threadId, action: { type: 'go' } })
		)
		expect(frames).toEqual([
			'{"type":"stream_options","stream_options":{"allow_cancel":true}}',
			'{"type":"error","code":"stream.error","allow_retry":true}'
		])
	})

	test('a yielded error event keeps its defaults (code custom, allow_retry false) and the stream goes on', async () => {
		const { app } = makeApp({
			async *respond({ thread }) {
				yield { type: 'error' } as ThreadStreamEvent
				yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'after', 'still here') }
			}
		})
		const frames = await readFrames(await create(app))
		expect(frames[3]).toBe('{"type":"error","code":"custom","allow_retry":false}')
		expect(JSON.parse(at(frames, 4)).item.id).toBe('after')
	})

	test('a failing store write becomes stream.error, the unsaved event is not forwarded, and respond is closed', async () => {
		class FailingStore extends MemoryStore {
			override async addThreadItem(threadId: string, item: ThreadItem, context: ChatKitContext) {
				if (item.id === 'boom') throw new Error('disk full')
				return super.addThreadItem(threadId, item, context)
			}
		}
		const closed = deferred()
		const { app, store } = makeApp({
			store: new FailingStore(),
			async *respond({ thread }) {
				try {
					yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'ok', 'saved') }
					yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'boom', 'not saved') }
					yield {
						type: 'thread.item.done',
						item: assistantMessage(thread.id, 'never', 'not reached')
					}
				} finally {
					closed.resolve()
				}
			}
		})
		const frames = await readFrames(await create(app))
		const events = frames.map((frame) => JSON.parse(frame))
		expect(types(events).slice(2)).toEqual([
			'stream_options',
			'thread.item.done:assistant_message',
			'error'
		])
		expect(events[3].item.id).toBe('ok')
		expect(frames.at(-1)).toBe('{"type":"error","code":"stream.error","allow_retry":true}')
		expect((await allItems(store, events[0].thread.id)).map((item) => item.id)).toEqual([
			events[1].item.id,
			'ok'
		])
		await closed.promise
	})
})

describe('persistence follows the stream (§6.3)', () => {
	test('a done item is in the store when its frame arrives; an added item is not', async () => {
		const release = deferred()
		const { app, store } = makeApp({
			async *respond({ thread }) {
				yield { type: 'thread.item.added', item: assistantMessage(thread.id, 'a1') }
				await release.promise
				yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'a1', 'done') }
				await new Promise(() => {})
			}
		})
		const reader = (await create(app)).body!.getReader()
		const added = await readUntil(reader, (event) => event.type === 'thread.item.added')
		const threadId = added[0].thread.id
		expect((await allItems(store, threadId)).map((item) => item.id)).toEqual([added[1].item.id])
		release.resolve()
		await readUntil(reader, (event) => event.type === 'thread.item.done' && event.item.id === 'a1')
		expect((await store.loadItem(threadId, 'a1', CONTEXT)).type).toBe('assistant_message')
		await reader.cancel()
	})

	test('items left pending when respond ends normally are dropped (saved only on cancellation)', async () => {
		const { app, store } = makeApp({
			async *respond({ thread }) {
				yield { type: 'thread.item.added', item: assistantMessage(thread.id, 'a1', 'half') }
			}
		})
		const { threadId } = await createThread(app)
		expect((await allItems(store, threadId)).map((item) => item.type)).toEqual(['user_message'])
	})

	test('a custom action runs in the same pipeline: stream_options, its events, thread changes saved', async () => {
		const senders: unknown[] = []
		const { app, store } = makeApp({
			async *action({ thread, sender, action }) {
				senders.push(sender)
				thread.title = `after ${action.type}`
				yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'from_action', 'done') }
			}
		})
		const { threadId } = await createThread(app)
		const events = await readEvents(
			await call(app, 'threads.custom_action', {
				thread_id: threadId,
				item_id: null,
				action: { type: 'go' }
			})
		)
		expect(types(events)).toEqual([
			'stream_options',
			'thread.item.done:assistant_message',
			'thread.updated'
		])
		expect(senders).toEqual([null])
		expect((await store.loadThread(threadId, CONTEXT)).title).toBe('after go')
	})

	test('getStreamOptions decides allow_cancel and receives the thread and the context', async () => {
		const seen: unknown[] = []
		const { app } = makeApp({
			getStreamOptions(thread, context) {
				seen.push([thread.id, context.user])
				return { allow_cancel: false }
			}
		})
		const frames = await readFrames(await create(app))
		expect(frames[2]).toBe('{"type":"stream_options","stream_options":{"allow_cancel":false}}')
		expect(seen).toEqual([[JSON.parse(at(frames, 0)).thread.id, CONTEXT.user]])
	})
})

describe('SSE framing (§1.2)', () => {
	test('non-ASCII goes out as raw UTF-8, newlines and quotes escaped, one line per event, nothing but data frames', async () => {
		const text = 'héllo ✓ 🚀\nline 2 "quoted" \\ </script>'
		const { app } = makeApp({
			async *respond({ thread }) {
				yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'a1', text) }
			}
		})
		const res = await create(app, 'ünïcode')
		const bytes = new Uint8Array(await res.clone().arrayBuffer())
		const body = new TextDecoder().decode(bytes)
		expect(body).toContain('héllo ✓ 🚀\\nline 2 \\"quoted\\" \\\\ </script>')
		expect(body).toContain('"text":"ünïcode"')
		expect(body).not.toContain('\\u')
		expect(Buffer.from(bytes).includes(Buffer.from('✓', 'utf8'))).toBe(true)
		for (const line of body.split('\n')) expect(line === '' || line.startsWith('data: {')).toBe(true)
		const events = await readEvents(res)
		expect(events.at(-1).item.content[0].text).toBe(text)
		expect(res.headers.get('cache-control')).toBe('no-cache')
	})
})

describe('malformed events from a JavaScript responder', () => {
	for (const [name, bad] of [
		['an unknown event type', { type: 'thread.item.doen' }],
		[
			'an unknown item update',
			{ type: 'thread.item.updated', item_id: 'a1', update: { type: 'assistant_message.typo' } }
		],
		['not an object', null]
	] as const)
		test(`${name} ends the turn with stream.error instead of an invalid frame`, async () => {
			const { app, store } = makeApp({
				async *respond({ thread }) {
					yield bad as unknown as ThreadStreamEvent
					yield {
						type: 'thread.item.done',
						item: assistantMessage(thread.id, 'after', 'not reached')
					}
				}
			})
			const frames = await readFrames(await create(app))
			expect(frames.slice(2)).toEqual([
				'{"type":"stream_options","stream_options":{"allow_cancel":true}}',
				'{"type":"error","code":"stream.error","allow_retry":true}'
			])
			expect(await allItems(store, JSON.parse(at(frames, 0)).thread.id)).toHaveLength(1)
		})
})
