import { afterAll, beforeAll, describe, expect, spyOn, test } from 'bun:test'
import { Agent, tool } from '@openai/agents'
import { z } from 'zod'
import {
	currentTime,
	describeModelFromEnv,
	modelFromEnv,
	OFFLINE_IN_PRODUCTION,
	OfflineModel
} from '../../plugins/agent'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import { at } from '../defined'
import { addMessage, agentApp, anonymous, createThread, storedItems, threadIdOf } from './helpers'

const deltas = (events: ThreadStreamEvent[]) =>
	events.flatMap((event) =>
		event.type === 'thread.item.updated' &&
		event.update.type === 'assistant_message.content_part.text_delta'
			? [event.update.delta]
			: []
	)
const answer = (events: ThreadStreamEvent[]) => {
	const done = events.findLast(
		(event) => event.type === 'thread.item.done' && event.item.type === 'assistant_message'
	)
	return done?.type === 'thread.item.done' && done.item.type === 'assistant_message'
		? done.item.content[0]?.text
		: undefined
}

/** A small OpenAI-compatible server: Chat Completions, streamed. */
const fakeOpenAI = () => {
	const requests: { authorization: string | null; body: Record<string, any> }[] = []
	const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
		`data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model: 'fake-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
	const server = Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		async fetch(request) {
			if (new URL(request.url).pathname !== '/v1/chat/completions')
				return new Response('not found', { status: 404 })
			requests.push({ authorization: request.headers.get('authorization'), body: await request.json() })
			const body = [
				chunk({ role: 'assistant', content: '' }),
				chunk({ content: 'Hel' }),
				chunk({ content: 'lo ' }),
				chunk({ content: 'from fake' }),
				chunk({}, 'stop'),
				'data: [DONE]\n\n'
			].join('')
			return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
		}
	})
	return { server, requests }
}

describe('an OpenAI-compatible server through modelFromEnv', () => {
	let fake: ReturnType<typeof fakeOpenAI>
	beforeAll(() => {
		fake = fakeOpenAI()
	})
	afterAll(() => fake.server.stop(true))

	test('streams every delta it sends, with the key, model, instructions, history and image attachments', async () => {
		const env = {
			OPENAI_API_KEY: 'sk-test-123',
			OPENAI_BASE_URL: `http://127.0.0.1:${fake.server.port}/v1`,
			OPENAI_MODEL: 'fake-model'
		}
		const agent = new Agent({ name: 'A', instructions: 'Be brief.', model: modelFromEnv(env) })
		const { app, store } = agentApp({ agent })
		const first = await createThread(app, 'Hi')
		expect(deltas(first)).toEqual(['Hel', 'lo ', 'from fake'])
		expect(answer(first)).toBe('Hello from fake')

		const threadId = threadIdOf(first)
		await store.saveAttachment(
			{
				id: 'atc_img',
				type: 'image',
				name: 'cat.png',
				mime_type: 'image/png',
				preview_url: 'https://files.test/cat.png'
			},
			anonymous
		)
		const second = await addMessage(app, threadId, 'And this?', { attachments: ['atc_img'] })
		expect(answer(second)).toBe('Hello from fake')

		expect(fake.requests).toHaveLength(2)
		const request = at(fake.requests, 1)
		expect(request.authorization).toBe('Bearer sk-test-123')
		expect(request.body).toMatchObject({ model: 'fake-model', stream: true })
		const messages = request.body.messages as { role: string; content: unknown }[]
		expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user'])
		expect(at(messages, 0).content).toBe('Be brief.')
		expect(JSON.stringify(at(messages, 2).content)).toContain('Hello from fake')
		expect(at(messages, 3).content).toEqual([
			{ type: 'text', text: 'And this?' },
			{ type: 'image_url', image_url: { url: 'https://files.test/cat.png', detail: 'auto' } }
		])
		expect((await storedItems(store, threadId)).map((item) => item.type)).toEqual([
			'user_message',
			'assistant_message',
			'user_message',
			'assistant_message'
		])
	})
})

test('a provider error ends the turn with a retryable error and logs one line without the conversation', async () => {
	const server = Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		fetch: () =>
			Response.json(
				{ error: { message: 'Incorrect API key provided: sk-wrong', type: 'invalid_request_error' } },
				{ status: 401 }
			)
	})
	const logged = spyOn(console, 'error').mockImplementation(() => {})
	try {
		const env = { OPENAI_API_KEY: 'sk-wrong', OPENAI_BASE_URL: `http://127.0.0.1:${server.port}/v1` }
		const { app, store } = agentApp({ agent: new Agent({ name: 'A', model: modelFromEnv(env) }) })
		const events = await createThread(app, 'my secret question')
		expect(events.at(-1)).toEqual({ type: 'error', code: 'stream.error', allow_retry: true })
		expect((await storedItems(store, threadIdOf(events))).map((item) => item.type)).toEqual([
			'user_message'
		])
		const lines = logged.mock.calls.map((call) => call.map(String).join(' '))
		expect(lines).toHaveLength(1)
		expect(lines[0]).toStartWith('[elysia-chatkit/agent] the agent run failed:')
		expect(lines[0]).not.toContain('my secret question')
		expect(lines[0]).toContain('Incorrect API key provided: sk-…')
		expect(lines[0]).not.toContain('sk-wrong')
	} finally {
		logged.mockRestore()
		server.stop(true)
	}
})

describe('model choice from the environment', () => {
	test('no key: the offline model, and the start-up line says so', () => {
		expect(modelFromEnv({})).toBeInstanceOf(OfflineModel)
		expect(describeModelFromEnv({})).toBe(
			'offline model (OPENAI_API_KEY is not set): deterministic replies, no network'
		)
	})

	test('no key under NODE_ENV=production: still the offline model, with a warning that says why', () => {
		const warned = spyOn(console, 'warn').mockImplementation(() => {})
		try {
			expect(modelFromEnv({ NODE_ENV: 'production' })).toBeInstanceOf(OfflineModel)
			expect(warned.mock.calls).toEqual([[OFFLINE_IN_PRODUCTION]])
			expect(OFFLINE_IN_PRODUCTION).toContain('OPENAI_API_KEY is not set under NODE_ENV=production')
			modelFromEnv({})
			modelFromEnv({ NODE_ENV: 'production', OPENAI_API_KEY: 'sk-test' })
			expect(warned.mock.calls.length).toBe(1)
		} finally {
			warned.mockRestore()
		}
	})

	test('a key: the named model, through the Responses API or Chat Completions for a custom base URL; never the key or URL credentials', () => {
		const openai = describeModelFromEnv({ OPENAI_API_KEY: 'sk-secret' })
		expect(openai).toBe('OpenAI model "gpt-4.1-mini" via the Responses API at api.openai.com')
		const custom = describeModelFromEnv({
			OPENAI_API_KEY: 'sk-secret',
			OPENAI_BASE_URL: 'http://user:pw@127.0.0.1:11434/v1',
			OPENAI_MODEL: 'llama3'
		})
		expect(custom).toBe('OpenAI model "llama3" via Chat Completions at http://127.0.0.1:11434/v1')
		expect(
			describeModelFromEnv({
				OPENAI_API_KEY: 'k',
				OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
				OPENAI_API: 'responses'
			})
		).toContain('Responses API')
		for (const line of [openai, custom]) expect(line).not.toMatch(/sk-secret|pw/)
		expect(modelFromEnv({ OPENAI_API_KEY: 'k' })).not.toBeInstanceOf(OfflineModel)
	})
})

describe('the offline model', () => {
	test('streams a deterministic reply token by token through the agent', async () => {
		const { app } = agentApp({ model: new OfflineModel() })
		const events = await createThread(app, 'hello there')
		expect(deltas(events).length).toBeGreaterThan(10)
		expect<string | undefined>(deltas(events).join('')).toBe(answer(events))
		expect(answer(events)).toStartWith(
			'You said: "hello there". I am the offline model built into elysia-chatkit'
		)
		const again = await createThread(app, 'hello there')
		expect(answer(again)).toBe(answer(events))
	})

	test('calls a tool the user names, then reports what it returned', async () => {
		const { app } = agentApp({ model: new OfflineModel(), tools: [currentTime] })
		const events = await createThread(app, 'What is the current time?')
		expect(events).toContainEqual({ type: 'progress_update', text: 'Checking the clock…', icon: 'clock' })
		expect(answer(events)).toMatch(/^The current_time tool returned: \d{4}-\d{2}-\d{2}T/)
	})

	test('fills the arguments a tool asks for', async () => {
		const received: unknown[] = []
		const lookup = tool({
			name: 'lookup_order',
			description: 'Look up an order',
			parameters: z.object({ orderId: z.string(), count: z.number(), express: z.boolean() }),
			async execute(input) {
				received.push(input)
				return 'shipped'
			}
		})
		const { app } = agentApp({
			agent: new Agent({ name: 'A', model: new OfflineModel(), tools: [lookup] })
		})
		const events = await createThread(app, 'please lookup order 7')
		expect(received).toEqual([{ orderId: '7', count: 0, express: false }])
		expect(answer(events)).toBe('The lookup_order tool returned: shipped')
	})
})
