import { describe, expect, test } from 'bun:test'
import { Agent, tool } from '@openai/agents'
import { functionCall, modelStream, ScriptedModel } from '@openai/agents/testing'
import { z } from 'zod'
import { type AgentRunContext, agentContext, clientTool, ResponseStreamConverter } from '../../plugins/agent'
import type { ThreadItemUpdate, ThreadStreamEvent } from '../../src/protocol/events'
import type { Annotation } from '../../src/protocol/items'
import { at } from '../defined'
import { agentApp, createThread, shape, storedItems, stream, threadIdOf } from './helpers'
import { messageEvents, responsesStep, sdkMessage } from './responses'

const updates = (events: ThreadStreamEvent[]): ThreadItemUpdate[] =>
	events.flatMap((event) => (event.type === 'thread.item.updated' ? [event.update] : []))
const doneItems = (events: ThreadStreamEvent[]) =>
	events.flatMap((event) => (event.type === 'thread.item.done' ? [event.item] : []))
const turn = async (
	model: ScriptedModel,
	options: { converter?: ResponseStreamConverter; tools?: never[] } = {}
) => {
	const { app, store } = agentApp({
		agent: new Agent({ name: 'A', model, tools: options.tools ?? [] }),
		converter: options.converter
	})
	const events = await createThread(app, 'hi')
	return { app, store, events, threadId: threadIdOf(events) }
}

describe('Responses API events', () => {
	test('map onto message updates, reusing the Responses message id', async () => {
		const annotation = { type: 'file_citation', file_id: 'f1', filename: 'file.txt', index: 5 }
		const model = new ScriptedModel([
			responsesStep(
				messageEvents('msg_r1', 'Hello', [
					{
						type: 'response.output_text.annotation.added',
						item_id: 'msg_r1',
						content_index: 0,
						annotation_index: 0,
						annotation
					}
				]),
				[sdkMessage('msg_r1', 'Hello')]
			)
		])
		const { events } = await turn(model)
		expect(events.map(shape).slice(3)).toEqual([
			'thread.item.added:assistant_message',
			'thread.item.updated:assistant_message.content_part.added',
			'thread.item.updated:assistant_message.content_part.text_delta',
			'thread.item.updated:assistant_message.content_part.annotation_added',
			'thread.item.updated:assistant_message.content_part.done',
			'thread.item.done:assistant_message'
		])
		expect(updates(events)).toEqual([
			{
				type: 'assistant_message.content_part.added',
				content_index: 0,
				content: { type: 'output_text', text: '', annotations: [] }
			},
			{ type: 'assistant_message.content_part.text_delta', content_index: 0, delta: 'Hello' },
			{
				type: 'assistant_message.content_part.annotation_added',
				content_index: 0,
				annotation_index: 0,
				annotation: {
					type: 'annotation',
					source: { type: 'file', filename: 'file.txt', title: 'file.txt' },
					index: 5
				}
			},
			{
				type: 'assistant_message.content_part.done',
				content_index: 0,
				content: { type: 'output_text', text: 'Hello', annotations: [] }
			}
		])
		expect(
			events.flatMap((event) => (event.type === 'thread.item.updated' ? [event.item_id] : []))
		).toEqual(Array(4).fill('msg_r1'))
		expect(doneItems(events).at(-1)?.id).toBe('msg_r1')
	})

	test('the plain text deltas the SDK also emits are not sent twice', async () => {
		const model = new ScriptedModel([
			modelStream([
				{ type: 'response_started' },
				{ type: 'model', event: { type: 'response.created' } },
				...messageEvents('msg_r1', 'Hi').flatMap((event) =>
					event.type === 'response.output_text.delta'
						? [
								{ type: 'output_text_delta' as const, delta: 'Hi', itemId: 'msg_r1' },
								{ type: 'model' as const, event }
							]
						: [{ type: 'model' as const, event }]
				),
				{
					type: 'response_done',
					response: {
						id: 'r',
						usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
						output: [sdkMessage('msg_r1', 'Hi')]
					}
				}
			] as never)
		])
		const { events } = await turn(model)
		expect(
			updates(events).filter((update) => update.type === 'assistant_message.content_part.text_delta')
		).toHaveLength(1)
		expect(doneItems(events).filter((item) => item.type === 'assistant_message')).toHaveLength(1)
	})

	test('unconvertible annotations are dropped and annotation indices re-counted per part', async () => {
		const added = (annotation: Record<string, unknown>, annotation_index: number) => ({
			type: 'response.output_text.annotation.added',
			item_id: 'msg_r1',
			content_index: 0,
			annotation_index,
			annotation
		})
		const model = new ScriptedModel([
			responsesStep(
				messageEvents('msg_r1', 'Cited', [
					added({ type: 'file_citation', file_id: 'f', filename: '', index: 1 }, 0),
					added(
						{
							type: 'container_file_citation',
							container_id: 'c',
							file_id: 'f',
							filename: 'data.csv',
							start_index: 0,
							end_index: 3
						},
						1
					),
					added(
						{
							type: 'url_citation',
							url: 'https://example.com',
							title: 'Example',
							start_index: 0,
							end_index: 5
						},
						2
					),
					added({ type: 'file_path', file_id: 'f', index: 2 }, 3)
				]),
				[sdkMessage('msg_r1', 'Cited')]
			)
		])
		const { events } = await turn(model)
		const annotations = updates(events).flatMap((update) =>
			update.type === 'assistant_message.content_part.annotation_added' ? [update] : []
		)
		expect(
			annotations.map(({ annotation_index, annotation }) => ({ annotation_index, annotation }))
		).toEqual([
			{
				annotation_index: 0,
				annotation: {
					type: 'annotation',
					source: { type: 'file', filename: 'data.csv', title: 'data.csv' },
					index: 3
				}
			},
			{
				annotation_index: 1,
				annotation: {
					type: 'annotation',
					source: { type: 'url', url: 'https://example.com', title: 'Example' },
					index: 5
				}
			}
		])
	})

	test('the final message carries converted annotations of every part, through a custom converter', async () => {
		class Upper extends ResponseStreamConverter {
			override urlCitationToAnnotation(citation: Record<string, unknown>): Annotation | null {
				return {
					type: 'annotation',
					source: { type: 'url', url: String(citation.url), title: 'CUSTOM' },
					index: 0
				}
			}
		}
		const done = {
			type: 'response.output_item.done',
			output_index: 1,
			item: {
				id: 'msg_r1',
				type: 'message',
				role: 'assistant',
				status: 'completed',
				content: [
					{
						type: 'output_text',
						text: 'A',
						annotations: [
							{ type: 'file_citation', file_id: 'f', filename: 'a.txt', index: 1 },
							{
								type: 'container_file_citation',
								container_id: 'c',
								file_id: 'f',
								filename: 'b.csv',
								start_index: 0,
								end_index: 2
							},
							{
								type: 'url_citation',
								url: 'https://u',
								title: 'U',
								start_index: 0,
								end_index: 4
							},
							{ type: 'file_path', file_id: 'f', index: 0 }
						]
					},
					{ type: 'output_text', text: 'B', annotations: [] }
				]
			}
		}
		const model = new ScriptedModel([
			responsesStep(
				[
					{
						type: 'response.output_item.done',
						output_index: 0,
						item: { id: 'fs_1', type: 'file_search_call', status: 'completed', queries: [] }
					},
					{
						type: 'response.output_item.added',
						output_index: 1,
						item: { id: 'msg_r1', type: 'message', role: 'assistant', content: [] }
					},
					done
				],
				[sdkMessage('msg_r1', 'AB')]
			)
		])
		const { events, store, threadId } = await turn(model, { converter: new Upper() })
		const messages = doneItems(events).filter((item) => item.type === 'assistant_message')
		expect(messages).toHaveLength(1)
		expect(messages[0]?.type === 'assistant_message' && messages[0].content).toEqual([
			{
				type: 'output_text',
				text: 'A',
				annotations: [
					{
						type: 'annotation',
						source: { type: 'file', filename: 'a.txt', title: 'a.txt' },
						index: 1
					},
					{
						type: 'annotation',
						source: { type: 'file', filename: 'b.csv', title: 'b.csv' },
						index: 2
					},
					{
						type: 'annotation',
						source: { type: 'url', url: 'https://u', title: 'CUSTOM' },
						index: 0
					}
				]
			},
			{ type: 'output_text', text: 'B', annotations: [] }
		])
		expect((await storedItems(store, threadId)).at(-1)).toEqual(messages[0])
	})

	test('Chat Completions citations (nested url_citation) reach the final message', async () => {
		const model = new ScriptedModel([
			modelStream([
				{ type: 'response_started' },
				{ type: 'output_text_delta', delta: 'See docs' },
				{
					type: 'response_done',
					response: {
						id: 'chatcmpl-1',
						usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
						output: [
							{
								id: 'chatcmpl-1',
								type: 'message',
								role: 'assistant',
								status: 'completed',
								content: [
									{
										type: 'output_text',
										text: 'See docs',
										providerData: {
											annotations: [
												{
													type: 'url_citation',
													url_citation: {
														url: 'https://docs',
														title: 'Docs',
														start_index: 4,
														end_index: 8
													}
												}
											]
										}
									}
								]
							}
						]
					}
				}
			] as never)
		])
		const { events } = await turn(model)
		const message = doneItems(events).at(-1)
		expect(message?.type === 'assistant_message' && message.content[0]?.annotations).toEqual([
			{ type: 'annotation', source: { type: 'url', url: 'https://docs', title: 'Docs' }, index: 8 }
		])
	})
})

describe('generated images', () => {
	const imageEvents = [
		{
			type: 'response.output_item.added',
			output_index: 0,
			item: { id: 'ig_1', type: 'image_generation_call', status: 'in_progress' }
		},
		{
			type: 'response.image_generation_call.partial_image',
			item_id: 'ig_1',
			output_index: 0,
			partial_image_index: 1,
			partial_image_b64: 'UA=='
		},
		{
			type: 'response.output_item.done',
			output_index: 0,
			item: { id: 'ig_1', type: 'image_generation_call', status: 'completed', result: 'AAA=' }
		}
	]
	const imageModel = () => new ScriptedModel([responsesStep(imageEvents, [sdkMessage('msg_x', '')])])

	test('stream as a generated image item with partial progress and a data URL', async () => {
		const { events, store, threadId } = await turn(imageModel(), {
			converter: new ResponseStreamConverter({ partialImages: 3 })
		})
		const added = events.find((event) => event.type === 'thread.item.added')
		if (added?.type !== 'thread.item.added' || added.item.type !== 'generated_image')
			throw new Error('no image')
		expect(added.item.id).toMatch(/^msg_/)
		expect(added.item.image ?? null).toBeNull()
		expect(updates(events)).toContainEqual({
			type: 'generated_image.updated',
			image: { id: 'ig_1', url: 'data:image/png;base64,UA==' },
			progress: 1 / 3
		})
		const done = doneItems(events).find((item) => item.type === 'generated_image')
		expect(done).toMatchObject({
			id: added.item.id,
			image: { id: 'ig_1', url: 'data:image/png;base64,AAA=' }
		})
		expect((await storedItems(store, threadId)).map((item) => item.type)).toContain('generated_image')
	})

	test('use the converter for image URLs', async () => {
		const calls: unknown[][] = []
		class Hosted extends ResponseStreamConverter {
			override async base64ImageToUrl(id: string, b64: string, partial?: number) {
				calls.push([id, b64, partial])
				return `https://img.test/${id}/${partial ?? 'final'}`
			}
		}
		const { events } = await turn(imageModel(), { converter: new Hosted() })
		expect(calls).toEqual([
			['ig_1', 'UA==', 1],
			['ig_1', 'AAA=', undefined]
		])
		expect(updates(events)).toContainEqual({
			type: 'generated_image.updated',
			image: { id: 'ig_1', url: 'https://img.test/ig_1/1' },
			progress: 0
		})
		expect(doneItems(events).find((item) => item.type === 'generated_image')).toMatchObject({
			image: { url: 'https://img.test/ig_1/final' }
		})
	})
})

describe('reasoning', () => {
	const reasoningAdded = {
		type: 'response.output_item.added',
		output_index: 0,
		item: { id: 'rs_1', type: 'reasoning', summary: [] }
	}
	const summaryDelta = (delta: string, summary_index = 0) => ({
		type: 'response.reasoning_summary_text.delta',
		item_id: 'rs_1',
		summary_index,
		delta
	})
	const summaryDone = (text: string, summary_index = 0) => ({
		type: 'response.reasoning_summary_text.done',
		item_id: 'rs_1',
		summary_index,
		text
	})

	test('streams the first thought, adds later ones, and ends the workflow with a duration when the message starts', async () => {
		const model = new ScriptedModel([
			responsesStep(
				[
					reasoningAdded,
					summaryDelta('Think'),
					summaryDelta('ing 1'),
					summaryDone('Thinking 1'),
					summaryDone('Thinking 2', 1),
					...messageEvents('msg_r1', 'Answer')
				],
				[sdkMessage('msg_r1', 'Answer')]
			)
		])
		const { events, store, threadId } = await turn(model)
		expect(events.map(shape).slice(3, 9)).toEqual([
			'thread.item.added:workflow',
			'thread.item.updated:workflow.task.added',
			'thread.item.updated:workflow.task.updated',
			'thread.item.updated:workflow.task.updated',
			'thread.item.updated:workflow.task.added',
			'thread.item.done:workflow'
		])
		const workflowUpdates = updates(events).filter((update) => update.type.startsWith('workflow.'))
		expect(workflowUpdates).toEqual([
			{
				type: 'workflow.task.added',
				task_index: 0,
				task: { type: 'thought', content: 'Think', status_indicator: 'none' }
			},
			{
				type: 'workflow.task.updated',
				task_index: 0,
				task: { type: 'thought', content: 'Thinking 1', status_indicator: 'none' }
			},
			{
				type: 'workflow.task.updated',
				task_index: 0,
				task: { type: 'thought', content: 'Thinking 1', status_indicator: 'none' }
			},
			{
				type: 'workflow.task.added',
				task_index: 1,
				task: { type: 'thought', content: 'Thinking 2', status_indicator: 'none' }
			}
		])
		const workflow = doneItems(events).find((item) => item.type === 'workflow')
		if (workflow?.type !== 'workflow') throw new Error('no workflow')
		expect(workflow.workflow).toMatchObject({
			type: 'reasoning',
			expanded: false,
			summary: { duration: expect.any(Number) }
		})
		expect(workflow.workflow.tasks.map((task) => task.type === 'thought' && task.content)).toEqual([
			'Thinking 1',
			'Thinking 2'
		])
		expect((await storedItems(store, threadId)).map((item) => item.type)).toEqual([
			'user_message',
			'workflow',
			'assistant_message'
		])
	})

	test('a workflow open before a client tool call continues after the client answers', async () => {
		const pick = clientTool({ name: 'pick', description: 'p', parameters: z.object({}) })
		const model = new ScriptedModel([
			responsesStep(
				[reasoningAdded, summaryDone('Need input')],
				[
					{ id: 'rs_1', type: 'reasoning', content: [] },
					functionCall('pick', {}, { callId: 'call_p', id: 'fc_p' })
				]
			),
			responsesStep(
				[summaryDone('Got it', 1), ...messageEvents('msg_r2', 'Thanks')],
				[sdkMessage('msg_r2', 'Thanks')],
				'resp_2'
			)
		])
		const { app, store } = agentApp({ agent: new Agent({ name: 'A', model, tools: [pick] }) })
		const first = await createThread(app, 'hi')
		const threadId = threadIdOf(first)
		expect(first.map(shape).slice(3)).toEqual([
			'thread.item.added:workflow',
			'thread.item.updated:workflow.task.added',
			'thread.item.done:client_tool_call'
		])
		expect(doneItems(first).at(-1)).toMatchObject({ id: 'fc_p', call_id: 'call_p' })
		const workflowId = (first[3] as Extract<ThreadStreamEvent, { type: 'thread.item.added' }>).item.id
		expect((await storedItems(store, threadId)).map((item) => item.type)).toEqual([
			'user_message',
			'workflow',
			'client_tool_call'
		])

		const second = await stream(app, {
			type: 'threads.add_client_tool_output',
			params: { thread_id: threadId, result: 'blue' }
		})
		expect(second.map(shape).slice(0, 3)).toEqual([
			'stream_options',
			'thread.item.updated:workflow.task.added',
			'thread.item.done:workflow'
		])
		const ended = at(doneItems(second), 0)
		if (ended.type !== 'workflow') throw new Error('no workflow')
		expect(ended.id).toBe(workflowId)
		expect(ended.workflow.tasks).toHaveLength(2)
		expect(ended.workflow.summary).toEqual({ duration: expect.any(Number) })
		const items = await storedItems(store, threadId)
		expect(items.map((item) => item.type)).toEqual([
			'user_message',
			'workflow',
			'client_tool_call',
			'assistant_message'
		])
		expect(items[1]).toEqual(ended)
	})

	test('reasoning items of a model without Responses events become thoughts', async () => {
		const echo = tool({
			name: 'echo',
			description: 'e',
			parameters: z.object({}),
			execute: async () => 'ok'
		})
		const model = new ScriptedModel([
			[
				{ id: 'rs_1', type: 'reasoning', content: [{ type: 'input_text', text: 'Use echo' }] },
				functionCall('echo', {}, { callId: 'c1' })
			],
			[sdkMessage('m2', 'Done') as never]
		])
		const { app } = agentApp({ agent: new Agent({ name: 'A', model, tools: [echo] }) })
		const events = await createThread(app, 'hi')
		expect(events.map(shape).slice(3, 6)).toEqual([
			'thread.item.added:workflow',
			'thread.item.updated:workflow.task.added',
			'thread.item.done:workflow'
		])
		expect(updates(events)[0]).toEqual({
			type: 'workflow.task.added',
			task_index: 0,
			task: { type: 'thought', content: 'Use echo', status_indicator: 'none' }
		})
	})
})

describe('guardrail tripwires', () => {
	const showTool = tool({
		name: 'show',
		description: 'show things',
		parameters: z.object({}),
		async execute(_input, runContext?: AgentRunContext) {
			const ctx = agentContext(runContext)
			ctx.stream({
				type: 'thread.item.added',
				item: {
					id: 'msg_2',
					thread_id: ctx.thread.id,
					created_at: new Date().toISOString(),
					type: 'assistant_message',
					content: []
				}
			})
			await ctx.streamWidget({ type: 'Card', children: [{ type: 'Text', value: 'w' }] })
			return 'shown'
		}
	})

	test('an output tripwire removes every item the turn produced', async () => {
		const model = new ScriptedModel([
			[functionCall('show', {}, { callId: 'c1' })],
			responsesStep(messageEvents('msg_1', 'Secret'), [sdkMessage('msg_1', 'Secret')])
		])
		const agent = new Agent({
			name: 'A',
			model,
			tools: [showTool],
			outputGuardrails: [
				{ name: 'no secrets', execute: async () => ({ tripwireTriggered: true, outputInfo: null }) }
			]
		})
		const { app, store } = agentApp({ agent })
		const events = await createThread(app, 'hi')
		const widget = doneItems(events).find((item) => item.type === 'widget')
		const removed = events.flatMap((event) =>
			event.type === 'thread.item.removed' ? [event.item_id] : []
		)
		expect(new Set(removed)).toEqual(new Set(['c1', 'msg_2', widget?.id as string, 'msg_1']))
		expect(events.at(-1)).toEqual({ type: 'error', code: 'stream.error', allow_retry: true })
		expect((await storedItems(store, threadIdOf(events))).map((item) => item.type)).toEqual([
			'user_message'
		])
	})

	test('an input tripwire ends the turn with an error and keeps only the user message', async () => {
		let release: () => void = () => {}
		const streamed = new Promise<void>((resolve) => {
			release = resolve
		})
		async function* slowMessage() {
			for (const event of [
				{ type: 'response_started' },
				{ type: 'model', event: { type: 'response.created' } },
				...messageEvents('msg_1', 'Too late').map((event) => ({ type: 'model', event }))
			])
				yield event
			release()
			yield {
				type: 'response_done',
				response: {
					id: 'r',
					usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
					output: [sdkMessage('msg_1', 'Too late')]
				}
			}
		}
		const agent = new Agent({
			name: 'A',
			model: new ScriptedModel([modelStream(slowMessage() as never)]),
			inputGuardrails: [
				{
					name: 'blocked',
					execute: async () => {
						await streamed
						return { tripwireTriggered: true, outputInfo: null }
					}
				}
			]
		})
		const { app, store } = agentApp({ agent })
		const events = await createThread(app, 'hi')
		expect(events.at(-1)).toEqual({ type: 'error', code: 'stream.error', allow_retry: true })
		expect((await storedItems(store, threadIdOf(events))).map((item) => item.type)).toEqual([
			'user_message'
		])
	})
})
