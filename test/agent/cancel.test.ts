import { afterEach, describe, expect, test } from 'bun:test'
import { Agent } from '@openai/agents'
import { assistantMessage, modelStream, ScriptedModel } from '@openai/agents/testing'
import { CANCELLED_NOTE } from '../../src/engine/pipeline'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import { at } from '../defined'
import { addMessage, agentApp, storedItems, textOf, userInput } from './helpers'

const waitFor = async (check: () => boolean | Promise<boolean>, what: string) => {
	for (let attempt = 0; attempt < 500; attempt++) {
		if (await check()) return
		await Bun.sleep(10)
	}
	throw new Error(`gave up waiting for ${what}`)
}

/** A model stream that sends three tokens, then waits at a gate before sending forty more. */
const gatedStream = () => {
	const state = { pulled: 0, closed: false, open: () => {} }
	const gate = new Promise<void>((resolve) => {
		state.open = resolve
	})
	async function* events() {
		try {
			yield { type: 'response_started' }
			for (const delta of ['Hel', 'lo ', 'wor']) {
				state.pulled++
				yield { type: 'output_text_delta', delta }
			}
			await gate
			for (let index = 0; index < 40; index++) {
				state.pulled++
				yield { type: 'output_text_delta', delta: 'x' }
			}
			yield {
				type: 'response_done',
				response: { id: 'r', usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, output: [] }
			}
		} finally {
			state.closed = true
		}
	}
	return { state, step: modelStream(events() as never) }
}

let server: ReturnType<typeof Bun.serve> | undefined
afterEach(() => {
	server?.stop(true)
	server = undefined
})

describe('cancellation', () => {
	test('a client that goes away stops the model and keeps what it saw, with the cancellation note', async () => {
		const { state, step } = gatedStream()
		const model = new ScriptedModel([step, [assistantMessage('Sorry, go on.')]])
		const { app, store } = agentApp({ agent: new Agent({ name: 'A', model }) })
		server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (request) => app.handle(request) })

		const abort = new AbortController()
		const response = await fetch(`http://127.0.0.1:${server.port}/chatkit`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ type: 'threads.create', params: { input: userInput('Tell me a story') } }),
			signal: abort.signal
		})
		const reader = (response.body as ReadableStream<Uint8Array>).getReader()
		const decoder = new TextDecoder()
		const events: ThreadStreamEvent[] = []
		let buffer = ''
		while (
			events.filter(
				(event) =>
					event.type === 'thread.item.updated' &&
					event.update.type === 'assistant_message.content_part.text_delta'
			).length < 3
		) {
			const { value, done } = await reader.read()
			if (done) throw new Error('the stream ended early')
			buffer += decoder.decode(value, { stream: true })
			const frames = buffer.split('\n\n')
			buffer = frames.pop() ?? ''
			for (const frame of frames)
				if (frame.startsWith('data: ')) events.push(JSON.parse(frame.slice(6)))
		}
		abort.abort()
		await reader.cancel().catch(() => {})

		const created = events.find((event) => event.type === 'thread.created')
		if (created?.type !== 'thread.created') throw new Error('no thread')
		const threadId = created.thread.id
		await waitFor(
			async () =>
				(await storedItems(store, threadId)).some((item) => item.type === 'sdk_hidden_context'),
			'the cancellation note'
		)

		state.open()
		await waitFor(() => state.closed, 'the model stream to close')
		expect(state.pulled).toBeLessThanOrEqual(4)

		const items = await storedItems(store, threadId)
		expect(items.map((item) => item.type)).toEqual([
			'user_message',
			'assistant_message',
			'sdk_hidden_context'
		])
		expect(items[1]?.type === 'assistant_message' && items[1].content.map((part) => part.text)).toEqual([
			'Hello wor'
		])
		expect(items[2]?.type === 'sdk_hidden_context' && items[2].content).toBe(CANCELLED_NOTE)

		await addMessage(app, threadId, 'Go on')
		expect(textOf(at(model.calls, 1).request.input)).toEqual([
			'Tell me a story',
			'Hello wor',
			`Hidden context for the agent (not shown to the user):\n<HiddenContext>\n${CANCELLED_NOTE}\n</HiddenContext>`,
			'Go on'
		])
	})
})
