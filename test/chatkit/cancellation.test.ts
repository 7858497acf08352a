// The client stops a response by going away: what the server keeps, over a real socket and through app.handle.
import { afterEach, describe, expect, test } from 'bun:test'
import type { AnyElysia } from 'elysia'
import type { Responder } from '../../src/engine/types'
import type { ThreadItem, ThreadMetadata, WidgetItem, WorkflowItem } from '../../src/protocol/items'
import type { WidgetRoot } from '../../src/protocol/widgets'
import { at } from '../defined'
import {
	aborted,
	allItems,
	assistantMessage,
	CONTEXT,
	call,
	deferred,
	eventually,
	makeApp,
	readUntil,
	userInput,
	type Wire,
	widgetItem
} from './helpers'

const CANCEL_NOTE = 'The user cancelled the stream. Stop responding to the prior request.'
const BODY = JSON.stringify({ type: 'threads.create', params: { input: userInput('Hello') } })

/**
 * Streams what PROTOCOL.md Appendix B.5 describes, changes the title after its last event, then waits:
 * for the abort (`until: 'abort'`) or for something that never comes (`until: 'never'`).
 */
const cancellableResponder = (until: 'abort' | 'never') => {
	const observed = deferred<boolean>()
	const respond: Responder = async function* ({ thread, signal }) {
		yield { type: 'thread.item.added', item: assistantMessage(thread.id, 'a1') }
		yield {
			type: 'thread.item.updated',
			item_id: 'a1',
			update: { type: 'assistant_message.content_part.text_delta', content_index: 1, delta: 'xy' }
		}
		yield {
			type: 'thread.item.updated',
			item_id: 'a1',
			update: { type: 'assistant_message.content_part.text_delta', content_index: 1, delta: 'z' }
		}
		const workflow: WorkflowItem = {
			id: 'wf_1',
			thread_id: thread.id,
			created_at: new Date().toISOString(),
			type: 'workflow',
			workflow: { type: 'custom', tasks: [], expanded: false }
		}
		yield { type: 'thread.item.added', item: workflow }
		yield {
			type: 'thread.item.updated',
			item_id: 'wf_1',
			update: {
				type: 'workflow.task.added',
				task_index: 0,
				task: { type: 'custom', title: 't', status_indicator: 'loading' }
			}
		}
		const widget = { type: 'Card', children: [{ type: 'Text', value: 'w' }] } as unknown as WidgetRoot
		yield { type: 'thread.item.added', item: widgetItem(thread.id, 'wd_1', widget) }
		thread.title = 'Changed after the last event'
		await (until === 'abort' ? aborted(signal) : new Promise(() => {}))
		observed.resolve(signal.aborted)
		yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'a1', 'too late') }
		yield { type: 'thread.item.done', item: assistantMessage(thread.id, 'a2', 'too late') }
	}
	return { respond, observed }
}

const cancellableApp = (until: 'abort' | 'never') => {
	const { respond, observed } = cancellableResponder(until)
	return { ...makeApp({ respond }), observed }
}

const isLastEvent = (event: Wire) => event.type === 'thread.item.added' && event.item.type === 'widget'

/** What must be stored after the cancellation (B.5): user message, padded assistant message, the note; no title. */
const expectCancelledState = async (store: ReturnType<typeof makeApp>['store'], events: Wire[]) => {
	expect(events.map((event) => event.type)).not.toContain('thread.updated')
	const threadId = events[0].thread.id
	const items = await eventually(async () => {
		const items = await allItems(store, threadId)
		return items.some((item) => item.type === 'sdk_hidden_context') ? items : undefined
	})
	expect(items).toEqual([
		expect.objectContaining({ id: events[1].item.id, type: 'user_message' }),
		{
			id: 'a1',
			thread_id: threadId,
			created_at: expect.any(String),
			type: 'assistant_message',
			content: [
				{ type: 'output_text', text: '', annotations: [] },
				{ type: 'output_text', text: 'xyz', annotations: [] }
			]
		},
		{
			id: expect.stringMatching(/^shcx_/),
			thread_id: threadId,
			created_at: expect.any(String),
			type: 'sdk_hidden_context',
			content: CANCEL_NOTE
		}
	])
	const thread = await store.loadThread(threadId, CONTEXT)
	expect(thread.title ?? null).toBeNull()
	return threadId
}

describe('cancellation over a real socket', () => {
	let server: AnyElysia | undefined
	afterEach(() => {
		server?.stop(true)
		server = undefined
	})

	test('aborting the fetch mid-stream: respond sees the abort; the received text and the note are saved; title, workflow, widget and later events are not', async () => {
		const { app, store, observed } = cancellableApp('abort')
		server = app.listen({ port: 0, hostname: '127.0.0.1' })
		const controller = new AbortController()
		const res = await fetch(`http://127.0.0.1:${app.server!.port}/chatkit`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: BODY,
			signal: controller.signal
		})
		expect(res.headers.get('content-type')).toBe('text/event-stream')
		const events = await readUntil(res.body!.getReader(), isLastEvent)
		controller.abort()

		expect(await observed.promise).toBe(true)
		const threadId = await expectCancelledState(store, events)
		expect(store.loadItem(threadId, 'a2', CONTEXT)).rejects.toThrow('not found')
	})
})

describe('cancellation through app.handle', () => {
	test('cancelling the body reader: respond sees the abort, and the same state is saved before cancel() resolves', async () => {
		const { app, store, observed } = cancellableApp('abort')
		const reader = (await call(app, 'threads.create', { input: userInput('Hello') })).body!.getReader()
		const events = await readUntil(reader, isLastEvent)
		await reader.cancel()
		const threadId = await expectCancelledState(store, events)
		expect(await observed.promise).toBe(true)
		expect(store.loadItem(threadId, 'a2', CONTEXT)).rejects.toThrow('not found')
	})

	test('aborting the request signal ends the body and saves the same state', async () => {
		const { app, store, observed } = cancellableApp('abort')
		const controller = new AbortController()
		const res = await app.handle(
			new Request('http://localhost/chatkit', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: BODY,
				signal: controller.signal
			})
		)
		const reader = res.body!.getReader()
		const events = await readUntil(reader, isLastEvent)
		controller.abort()
		while (!(await reader.read()).done) {}
		await expectCancelledState(store, events)
		expect(await observed.promise).toBe(true)
	})

	test('a responder that never looks at the signal is abandoned: the state is saved all the same', async () => {
		const { app, store } = cancellableApp('never')
		const reader = (await call(app, 'threads.create', { input: userInput('Hello') })).body!.getReader()
		const events = await readUntil(reader, isLastEvent)
		await reader.cancel()
		await expectCancelledState(store, events)
	})

	test('a custom handleStreamCancelled gets the thread metadata and every pending item with its updates applied, instead of the default', async () => {
		const calls: { thread: ThreadMetadata; pending: ThreadItem[] }[] = []
		const made = makeApp({
			respond: cancellableResponder('abort').respond,
			async handleStreamCancelled(thread, pending) {
				calls.push({ thread, pending })
			}
		})
		const reader = (
			await call(made.app, 'threads.create', { input: userInput('Hello') })
		).body!.getReader()
		const events = await readUntil(reader, isLastEvent)
		await reader.cancel()

		expect(calls).toHaveLength(1)
		const { thread, pending } = at(calls, 0)
		expect(thread.id).toBe(events[0].thread.id)
		expect('items' in thread).toBe(false)
		expect(pending.map((item) => item.id)).toEqual(['a1', 'wf_1', 'wd_1'])
		expect(pending[0]).toMatchObject({ content: [{ text: '' }, { text: 'xyz' }] })
		expect((pending[1] as WorkflowItem).workflow.tasks).toEqual([
			{ type: 'custom', title: 't', status_indicator: 'loading' }
		])
		expect((pending[2] as WidgetItem).type).toBe('widget')
		expect((await allItems(made.store, thread.id)).map((item) => item.type)).toEqual(['user_message'])
	})
})
