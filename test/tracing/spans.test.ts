import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { Agent, setTracingDisabled, tool } from '@openai/agents'
import { assistantMessage, functionCall, ScriptedModel } from '@openai/agents/testing'
import { trace } from '@opentelemetry/api'
import {
	BasicTracerProvider,
	InMemorySpanExporter,
	type ReadableSpan,
	SimpleSpanProcessor
} from '@opentelemetry/sdk-trace-base'
import { Elysia } from 'elysia'
import { z } from 'zod'
import { agent } from '../../plugins/agent'
import { chatkit } from '../../src/chatkit'
import { MemoryStore } from '../../src/store/memory'
import { createThread, post, threadIdOf } from '../agent/helpers'

setTracingDisabled(true)

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })

beforeAll(() => {
	trace.setGlobalTracerProvider(provider)
})
afterAll(async () => {
	trace.disable()
	await provider.shutdown()
})
beforeEach(() => exporter.reset())

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

/** The spans as an indented tree of names, children in start order. */
const tree = (spans: ReadableSpan[]): string[] => {
	const lines: string[] = []
	const visit = (parent: string | undefined, depth: number) => {
		for (const span of spans
			.filter((candidate) => parentOf(candidate) === parent)
			.sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])) {
			lines.push(`${'  '.repeat(depth)}${span.name}`)
			visit(span.spanContext().spanId, depth + 1)
		}
	}
	visit(undefined, 0)
	return lines
}

const lookupApp = (secretReply = 'Order 42 has shipped.') => {
	const lookup = tool({
		name: 'lookup_order',
		description: 'Look an order up',
		parameters: z.object({ orderId: z.string() }),
		async execute({ orderId }) {
			return { orderId, status: 'shipped' }
		}
	})
	const model = new ScriptedModel([
		[functionCall('lookup_order', { orderId: '42' }, { callId: 'call_1' })],
		[assistantMessage(secretReply)]
	])
	const store = new MemoryStore()
	const app = new Elysia()
		.use(agent({ agent: new Agent({ name: 'A', model, tools: [lookup] }) }))
		.use(chatkit({ store }))
	return { app, store }
}

describe('OpenTelemetry spans', () => {
	test('one streamed turn with a tool call: request → turn → store, model, tool and model calls', async () => {
		const { app } = lookupApp()
		const events = await createThread(app, 'Where is my order 42? my password is hunter2')
		const threadId = threadIdOf(events)
		const spans = exporter.getFinishedSpans()
		const names = tree(spans)
		expect(names[0]).toBe('chatkit threads.create')
		expect(names[1]).toBe('  chatkit.turn')
		expect(names.slice(1).every((line) => line.startsWith('  '))).toBe(true)
		const turnChildren = names.filter((line) => /^ {4}\S/.test(line)).map((line) => line.trim())
		expect(turnChildren.filter((name) => name === 'chatkit.model')).toHaveLength(2)
		expect(turnChildren).toContain('chatkit.tool lookup_order')
		expect(turnChildren).toContain('chatkit.store saveThread')
		expect(turnChildren).toContain('chatkit.store addThreadItem')
		expect(turnChildren).toContain('chatkit.store loadThreadItems')
		const order = turnChildren.filter(
			(name) => name === 'chatkit.model' || name.startsWith('chatkit.tool')
		)
		expect(order).toEqual(['chatkit.model', 'chatkit.tool lookup_order', 'chatkit.model'])

		const request = spans.find((span) => span.name === 'chatkit threads.create') as ReadableSpan
		expect(request.attributes).toMatchObject({
			'chatkit.request.type': 'threads.create',
			'chatkit.thread.id': threadId,
			'enduser.id': 'anonymous',
			'http.response.status_code': 200
		})
		const turn = spans.find((span) => span.name === 'chatkit.turn') as ReadableSpan
		expect(turn.attributes['chatkit.thread.id']).toBe(threadId)
		const toolSpan = spans.find((span) => span.name === 'chatkit.tool lookup_order') as ReadableSpan
		expect(toolSpan.attributes).toEqual({
			'chatkit.tool.name': 'lookup_order',
			'chatkit.tool.call_id': 'call_1'
		})
		const addItem = spans.find((span) => span.name === 'chatkit.store addThreadItem') as ReadableSpan
		expect(addItem.attributes).toEqual({
			'chatkit.store.operation': 'addThreadItem',
			'chatkit.thread.id': threadId
		})
		const everything = JSON.stringify(
			spans.map((span) => [span.name, span.attributes, span.status, span.events])
		)
		expect(everything).not.toContain('hunter2')
		expect(everything).not.toContain('shipped')
		expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1)
	})

	test('a JSON request is one span with its store calls, and a refused one carries its status and code', async () => {
		const { app } = lookupApp()
		const threadId = threadIdOf(await createThread(app, 'hello'))
		exporter.reset()
		expect((await post(app, { type: 'items.list', params: { thread_id: threadId } })).status).toBe(200)
		expect(tree(exporter.getFinishedSpans())).toEqual([
			'chatkit items.list',
			'  chatkit.store loadThreadItems'
		])
		exporter.reset()
		expect(
			(await post(app, { type: 'threads.get_by_id', params: { thread_id: 'thr_nope' } })).status
		).toBe(404)
		const [refused] = exporter.getFinishedSpans().filter((span) => parentOf(span) === undefined)
		expect(refused?.attributes).toMatchObject({
			'chatkit.request.type': 'threads.get_by_id',
			'chatkit.thread.id': 'thr_nope',
			'http.response.status_code': 404,
			'chatkit.error.code': 'not_found'
		})
	})
})
