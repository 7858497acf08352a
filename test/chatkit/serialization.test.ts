// JSON serialization rules (PROTOCOL.md §1.3 and the §10 checklist), as the client receives them.
import { describe, expect, test } from 'bun:test'
import type { Responder } from '../../src/engine/types'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { ThreadItem } from '../../src/protocol/items'
import { at } from '../defined'
import {
	allItems,
	assistantMessage,
	CONTEXT,
	call,
	createThread,
	listItems,
	makeApp,
	readEvents,
	readFrames,
	readJson,
	TestAttachmentStore,
	userInput,
	type Wire
} from './helpers'

/** A responder that yields `events(threadId)` as they are (JavaScript callers may leave out defaults or put nulls). */
const yielding = (events: (threadId: string) => unknown[]): Responder =>
	async function* ({ thread }) {
		for (const event of events(thread.id)) yield event as ThreadStreamEvent
	}

const base = (threadId: string, id: string, type: string) => ({
	id,
	thread_id: threadId,
	created_at: '2025-01-01T12:00:00.000Z',
	type
})

const streamFrames = async (events: (threadId: string) => unknown[]) => {
	const { app, store } = makeApp({ respond: yielding(events) })
	const frames = await readFrames(await call(app, 'threads.create', { input: userInput('hi') }))
	return { app, store, frames: frames.slice(3), threadId: JSON.parse(at(frames, 0)).thread.id as string }
}

describe('observed frames of PROTOCOL.md §3 and §4 come out byte for byte', () => {
	test('workflow done, task added, component updated, generated image updated', async () => {
		const { frames, threadId } = await streamFrames((threadId) => [
			{
				type: 'thread.item.done',
				item: {
					id: 'wf_1',
					thread_id: threadId,
					created_at: '2025-01-01T12:00:00',
					type: 'workflow',
					workflow: {
						type: 'reasoning',
						tasks: [
							{ status_indicator: 'none', type: 'thought', content: 'hmm' },
							{
								status_indicator: 'none',
								type: 'web_search',
								title_query: 'q',
								queries: ['a'],
								sources: [{ title: 'U', type: 'url', url: 'https://u' }]
							}
						],
						summary: { duration: 3 },
						expanded: false
					}
				}
			},
			{
				type: 'thread.item.updated',
				item_id: 'wf1',
				update: {
					type: 'workflow.task.added',
					task_index: 5,
					task: { status_indicator: 'none', type: 'custom', title: 't' }
				}
			},
			{
				type: 'thread.item.updated',
				item_id: 'w',
				update: {
					type: 'widget.component.updated',
					component_id: 'c1',
					component: { id: 'c1', type: 'Text', value: 'v' }
				}
			},
			{
				type: 'thread.item.updated',
				item_id: 'msg_1',
				update: {
					type: 'generated_image.updated',
					image: { id: 'ig_1', url: 'data:image/png;base64,AA' },
					progress: 0.5
				}
			}
		])
		expect(frames).toEqual([
			`{"type":"thread.item.done","item":{"id":"wf_1","thread_id":"${threadId}","created_at":"2025-01-01T12:00:00","type":"workflow","workflow":{"type":"reasoning","tasks":[{"status_indicator":"none","type":"thought","content":"hmm"},{"status_indicator":"none","type":"web_search","title_query":"q","queries":["a"],"sources":[{"title":"U","type":"url","url":"https://u"}]}],"summary":{"duration":3},"expanded":false}}}`,
			'{"type":"thread.item.updated","item_id":"wf1","update":{"type":"workflow.task.added","task_index":5,"task":{"status_indicator":"none","type":"custom","title":"t"}}}',
			'{"type":"thread.item.updated","item_id":"w","update":{"type":"widget.component.updated","component_id":"c1","component":{"id":"c1","type":"Text","value":"v"}}}',
			'{"type":"thread.item.updated","item_id":"msg_1","update":{"type":"generated_image.updated","image":{"id":"ig_1","url":"data:image/png;base64,AA"},"progress":0.5}}'
		])
	})

	test('the user message with a tag, a file attachment, a quote and inference options', async () => {
		const { app, store } = makeApp()
		await store.saveAttachment(
			{ id: 'atc_x', name: 'f.txt', mime_type: 'text/plain', type: 'file', metadata: { secret: 's3' } },
			CONTEXT
		)
		const { events, threadId } = await createThread(app, 'hi', {
			content: [
				{ type: 'input_text', text: 'hi' },
				{ type: 'input_tag', id: 'e1', text: 'Ent', data: { k: 'v' }, interactive: false }
			],
			attachments: ['atc_x'],
			quoted_text: 'q',
			inference_options: { tool_choice: { id: 'search' }, model: 'gpt' }
		})
		expect(events[1].item).toEqual({
			id: events[1].item.id,
			thread_id: threadId,
			created_at: events[1].item.created_at,
			type: 'user_message',
			content: [
				{ type: 'input_text', text: 'hi' },
				{ type: 'input_tag', id: 'e1', text: 'Ent', data: { k: 'v' }, interactive: false }
			],
			attachments: [
				{ id: 'atc_x', name: 'f.txt', mime_type: 'text/plain', thread_id: threadId, type: 'file' }
			],
			quoted_text: 'q',
			inference_options: { tool_choice: { id: 'search' }, model: 'gpt' }
		})
		expect(JSON.stringify(events[1].item.content[1])).toBe(
			'{"type":"input_tag","id":"e1","text":"Ent","data":{"k":"v"},"interactive":false}'
		)
	})
})

describe('nulls are omitted at field level, kept inside free-form values (§1.3 rule 1)', () => {
	test('items with null optional fields', async () => {
		const { frames, threadId } = await streamFrames((threadId) => [
			{
				type: 'thread.item.done',
				item: {
					...base(threadId, 'u1', 'user_message'),
					content: [
						{
							type: 'input_tag',
							id: 't',
							text: 'T',
							data: { gone: null },
							group: null,
							interactive: true
						}
					],
					attachments: [
						{
							id: 'a',
							name: 'n',
							mime_type: 'image/png',
							type: 'image',
							preview_url: 'https://p',
							upload_descriptor: null,
							thread_id: null,
							metadata: null
						}
					],
					quoted_text: null,
					inference_options: { tool_choice: null, model: null }
				}
			},
			{
				type: 'thread.item.done',
				item: {
					...base(threadId, 'm1', 'assistant_message'),
					content: [
						{
							type: 'output_text',
							text: 'x',
							annotations: [
								{
									type: 'annotation',
									index: null,
									source: {
										type: 'url',
										title: 't',
										url: 'https://u',
										description: null,
										timestamp: null,
										group: null,
										attribution: null
									}
								}
							]
						}
					]
				}
			},
			{
				type: 'thread.item.done',
				item: {
					...base(threadId, 'tc1', 'client_tool_call'),
					status: 'completed',
					call_id: 'c',
					name: 'n',
					arguments: { keep: null },
					output: null
				}
			},
			{
				type: 'thread.item.done',
				item: {
					...base(threadId, 'w1', 'widget'),
					widget: { type: 'Card', key: null, children: [] },
					copy_text: null
				}
			},
			{ type: 'thread.item.done', item: { ...base(threadId, 'g1', 'generated_image'), image: null } },
			{
				type: 'thread.item.done',
				item: {
					...base(threadId, 's1', 'structured_input'),
					status: 'pending',
					inputs: [{ id: 'q', question: 'Q', type: 'freeform', description: null, answer: null }]
				}
			},
			{
				type: 'thread.item.done',
				item: {
					...base(threadId, 'wf1', 'workflow'),
					workflow: {
						type: 'custom',
						tasks: [
							{
								type: 'custom',
								title: null,
								icon: null,
								content: null,
								status_indicator: 'none'
							}
						],
						summary: null,
						expanded: false
					}
				}
			}
		])
		const items = frames.map((frame) => JSON.parse(frame).item)
		for (const frame of frames)
			expect(frame.replaceAll('{"gone":null}', '').replaceAll('{"keep":null}', '')).not.toContain(
				'null'
			)
		expect(items[0].content[0]).toEqual({
			type: 'input_tag',
			id: 't',
			text: 'T',
			data: { gone: null },
			interactive: true
		})
		expect(items[0].attachments).toEqual([
			{ id: 'a', name: 'n', mime_type: 'image/png', type: 'image', preview_url: 'https://p' }
		])
		expect(items[0].inference_options).toEqual({})
		expect('quoted_text' in items[0]).toBe(false)
		expect(items[1].content[0].annotations).toEqual([
			{ type: 'annotation', source: { type: 'url', title: 't', url: 'https://u' } }
		])
		expect(items[2]).toEqual({
			...base(threadId, 'tc1', 'client_tool_call'),
			status: 'completed',
			call_id: 'c',
			name: 'n',
			arguments: { keep: null }
		})
		expect(items[3]).toEqual({
			...base(threadId, 'w1', 'widget'),
			widget: { type: 'Card', children: [] }
		})
		expect(items[4]).toEqual(base(threadId, 'g1', 'generated_image'))
		expect(items[5].inputs).toEqual([{ id: 'q', question: 'Q', type: 'freeform' }])
		expect(items[6].workflow).toEqual({
			type: 'custom',
			tasks: [{ type: 'custom', status_indicator: 'none' }],
			expanded: false
		})
	})

	test('events with null optional fields', async () => {
		const { frames } = await streamFrames(() => [
			{ type: 'progress_update', icon: null, text: 'p' },
			{ type: 'notice', level: 'warning', message: 'm', title: null },
			{ type: 'error', code: 'custom', message: null, allow_retry: false },
			{ type: 'client_effect', name: 'fx', data: { keep: null } },
			{
				type: 'thread.item.updated',
				item_id: 'g',
				update: { type: 'generated_image.updated', image: { id: 'i', url: 'u' }, progress: null }
			}
		])
		expect(frames).toEqual([
			'{"type":"progress_update","text":"p"}',
			'{"type":"notice","level":"warning","message":"m"}',
			'{"type":"error","code":"custom","allow_retry":false}',
			'{"type":"client_effect","name":"fx","data":{"keep":null}}',
			'{"type":"thread.item.updated","item_id":"g","update":{"type":"generated_image.updated","image":{"id":"i","url":"u"}}}'
		])
	})

	test('a thread with a null title, status reason and image domains; a page with a null cursor', async () => {
		const { app, store } = makeApp()
		const { threadId } = await createThread(app)
		const thread = await store.loadThread(threadId, CONTEXT)
		await store.saveThread(
			{ ...thread, title: null, status: { type: 'closed', reason: null }, allowed_image_domains: null },
			CONTEXT
		)
		const wire = await readJson(await call(app, 'threads.get_by_id', { thread_id: threadId }))
		expect(Object.keys(wire)).toEqual(['id', 'created_at', 'status', 'metadata', 'items'])
		expect(wire.status).toEqual({ type: 'closed' })
		expect(Object.keys(wire.items)).toEqual(['data', 'has_more'])
		const list = await readJson(await call(app, 'threads.list', { limit: 5 }))
		expect(list).toEqual({ data: [{ ...wire, items: { data: [], has_more: false } }], has_more: false })
	})
})

describe('defaults are always emitted, even when a responder leaves them out (§1.3 rule 2)', () => {
	test('annotations, interactive, data, status_indicator, expanded, tasks, queries, sources, statuses, multiple, answers, allow_retry, code, headers', async () => {
		const { frames } = await streamFrames((threadId) => [
			{
				type: 'thread.item.done',
				item: {
					...base(threadId, 'm1', 'assistant_message'),
					content: [
						{ type: 'output_text', text: 'no annotations' },
						{
							type: 'output_text',
							text: 'x',
							annotations: [
								{ type: 'annotation', source: { type: 'entity', id: 'e', title: 'E' } }
							]
						}
					]
				}
			},
			{
				type: 'thread.item.done',
				item: {
					...base(threadId, 'wf1', 'workflow'),
					workflow: {
						type: 'custom',
						tasks: [
							{ type: 'web_search' },
							{ type: 'file', sources: [{ type: 'file', title: 'f', filename: 'f.txt' }] },
							{ type: 'thought', content: 'c' }
						]
					}
				}
			},
			{
				type: 'thread.item.done',
				item: { ...base(threadId, 'wf2', 'workflow'), workflow: { type: 'reasoning' } }
			},
			{
				type: 'thread.item.done',
				item: { ...base(threadId, 'tc1', 'client_tool_call'), call_id: 'c', name: 'n', arguments: {} }
			},
			{
				type: 'thread.item.done',
				item: {
					...base(threadId, 's1', 'structured_input'),
					inputs: [
						{
							id: 'q',
							question: 'Q',
							type: 'multiple_choice',
							options: [{ value: 'A' }],
							answer: {}
						}
					]
				}
			},
			{ type: 'thread.item.done', item: { ...base(threadId, 't1', 'task'), task: { type: 'image' } } },
			{
				type: 'thread.item.done',
				item: {
					...base(threadId, 'u1', 'user_message'),
					content: [{ type: 'input_tag', id: 't', text: 'T' }],
					attachments: [
						{
							id: 'a',
							name: 'n',
							mime_type: 'text/plain',
							type: 'file',
							upload_descriptor: { url: 'https://u', method: 'POST' }
						}
					]
				}
			},
			{ type: 'thread.item.done', item: { ...base(threadId, 'u2', 'user_message'), content: [] } },
			{ type: 'error', message: 'plain' },
			{ type: 'client_effect', name: 'fx' }
		])
		const events = frames.map((frame) => JSON.parse(frame))
		expect(events[0].item.content).toEqual([
			{ annotations: [], text: 'no annotations', type: 'output_text' },
			{
				annotations: [
					{
						type: 'annotation',
						source: { type: 'entity', id: 'e', title: 'E', interactive: false, data: {} }
					}
				],
				text: 'x',
				type: 'output_text'
			}
		])
		expect(events[1].item.workflow).toEqual({
			type: 'custom',
			tasks: [
				{ type: 'web_search', status_indicator: 'none', queries: [], sources: [] },
				{
					type: 'file',
					status_indicator: 'none',
					sources: [{ type: 'file', title: 'f', filename: 'f.txt' }]
				},
				{ type: 'thought', content: 'c', status_indicator: 'none' }
			],
			expanded: false
		})
		expect(events[2].item.workflow).toEqual({ type: 'reasoning', tasks: [], expanded: false })
		expect(events[3].item.status).toBe('pending')
		expect(events[4].item).toMatchObject({
			status: 'pending',
			inputs: [
				{
					id: 'q',
					question: 'Q',
					type: 'multiple_choice',
					options: [{ value: 'A' }],
					multiple: false,
					answer: { values: [], skipped: false }
				}
			]
		})
		expect(events[5].item.task).toEqual({ type: 'image', status_indicator: 'none' })
		expect(events[6].item.content).toEqual([
			{ type: 'input_tag', id: 't', text: 'T', data: {}, interactive: false }
		])
		expect(events[6].item.attachments[0].upload_descriptor).toEqual({
			url: 'https://u',
			method: 'POST',
			headers: {}
		})
		expect(events[6].item.inference_options).toEqual({})
		expect(events[7].item).toMatchObject({ attachments: [], inference_options: {} })
		expect(frames.slice(8)).toEqual([
			'{"type":"error","code":"custom","message":"plain","allow_retry":false}',
			'{"type":"client_effect","name":"fx","data":{}}'
		])
	})

	test('an input tag sent without data is accepted and echoed with data {} and interactive false', async () => {
		const { app } = makeApp()
		const { events } = await createThread(app, 'x', {
			content: [{ type: 'input_tag', id: 'e1', text: 'Ent' }]
		})
		expect(JSON.stringify(events[1].item.content)).toBe(
			'[{"type":"input_tag","id":"e1","text":"Ent","data":{},"interactive":false}]'
		)
	})
})

describe('attachment metadata is never sent (§1.3 rule 3)', () => {
	test('not in attachments.create, the done event, thread.item.replaced, get_by_id or items.list; kept in the store', async () => {
		const attachmentStore = new TestAttachmentStore()
		const { app, store } = makeApp({
			attachmentStore,
			async *respond({ input }) {
				if (input) yield { type: 'thread.item.replaced', item: { ...input, quoted_text: 'edited' } }
			}
		})
		const created = await readJson(
			await call(app, 'attachments.create', { name: 'p.png', size: 1, mime_type: 'image/png' })
		)
		expect('metadata' in created).toBe(false)
		const res = await call(app, 'threads.create', {
			input: userInput('with file', { attachments: [created.id] })
		})
		const frames = await readFrames(res)
		const threadId = JSON.parse(at(frames, 0)).thread.id
		const byId = await readJson(await call(app, 'threads.get_by_id', { thread_id: threadId }))
		const items = await listItems(app, threadId)
		for (const text of [...frames, JSON.stringify(byId), JSON.stringify(items)]) {
			expect(text).not.toContain('"metadata":{"source"')
			expect(text).not.toContain('"source":"test"')
		}
		expect(JSON.parse(frames.at(-1)!).type).toBe('thread.item.replaced')
		expect(items.data[0].attachments[0]).toEqual({
			id: 'atc_1',
			name: 'p.png',
			mime_type: 'image/png',
			upload_descriptor: {
				url: 'https://example.com/atc_1/upload',
				method: 'PUT',
				headers: { 'X-My-Header': 'my-value' }
			},
			type: 'image',
			preview_url: 'https://example.com/atc_1/preview',
			thread_id: threadId
		})
		const [stored] = await allItems(store, threadId)
		expect(stored?.type === 'user_message' && stored.attachments[0]?.metadata).toEqual({ source: 'test' })
		expect((await store.loadAttachment('atc_1', CONTEXT)).metadata).toEqual({ source: 'test' })
	})
})

describe('thread metadata is always sent as {} (§4.1 quirk)', () => {
	test('in thread.created, thread.updated, get_by_id, list and update, while the store keeps it', async () => {
		const { app, store } = makeApp({
			async *respond({ thread }) {
				thread.metadata.last_response_id = 'resp_secret'
				thread.title = 'T'
			}
		})
		const res = await call(app, 'threads.create', { input: userInput('x') })
		const frames = await readFrames(res)
		const threadId = JSON.parse(at(frames, 0)).thread.id
		const answers = [
			...frames.filter((frame) => frame.includes('"thread":')).map((frame) => JSON.parse(frame).thread),
			await readJson(await call(app, 'threads.get_by_id', { thread_id: threadId })),
			(await readJson(await call(app, 'threads.list', {}))).data[0],
			await readJson(await call(app, 'threads.update', { thread_id: threadId, title: 'U' }))
		]
		expect(answers).toHaveLength(5)
		for (const thread of answers) expect(thread.metadata).toEqual({})
		expect((await store.loadThread(threadId, CONTEXT)).metadata).toEqual({
			last_response_id: 'resp_secret'
		})
	})
})

describe('hidden items are persisted but never listed or forwarded as done (§10.5)', () => {
	const hidden = (
		threadId: string,
		id: string,
		type: 'hidden_context_item' | 'sdk_hidden_context'
	): ThreadItem =>
		({
			...base(threadId, id, type),
			created_at: new Date().toISOString(),
			content: `hidden ${id}`
		}) as ThreadItem

	test('filtered from done events, get_by_id and items.list after paging (pages may be shorter; cursors come from the store)', async () => {
		const { app, store } = makeApp({
			async *respond({ thread }) {
				yield { type: 'thread.item.done', item: hidden(thread.id, 'h1', 'hidden_context_item') }
				yield { type: 'thread.item.done', item: hidden(thread.id, 'h2', 'sdk_hidden_context') }
				for (let i = 0; i < 20; i++)
					yield { type: 'thread.item.done', item: assistantMessage(thread.id, `a${i}`, `${i}`) }
			}
		})
		const { events, threadId } = await createThread(app)
		expect(
			events.filter((event) => event.type === 'thread.item.done').map((event: Wire) => event.item.id)
		).toEqual([events[1].item.id, ...Array.from({ length: 20 }, (_, i) => `a${i}`)])
		expect((await allItems(store, threadId)).map((item) => item.id).slice(1, 3)).toEqual(['h1', 'h2'])

		const byId = await readJson(await call(app, 'threads.get_by_id', { thread_id: threadId }))
		expect(byId.items.data.map((item: Wire) => item.id)).toEqual([
			events[1].item.id,
			...Array.from({ length: 17 }, (_, i) => `a${i}`)
		])
		expect(byId.items).toMatchObject({ has_more: true, after: 'a16' })

		const page = await listItems(app, threadId, { order: 'asc', limit: 3 })
		expect(page.data.map((item: Wire) => item.id)).toEqual([events[1].item.id])
		expect(page).toMatchObject({ has_more: true, after: 'h2' })
		const next = await listItems(app, threadId, { order: 'asc', limit: 3, after: page.after })
		expect(next.data.map((item: Wire) => item.id)).toEqual(['a0', 'a1', 'a2'])
	})

	test('added and replaced events of a hidden item are forwarded as the reference does; only done is filtered', async () => {
		const { frames } = await streamFrames((threadId) => [
			{ type: 'thread.item.added', item: hidden(threadId, 'h1', 'hidden_context_item') },
			{ type: 'thread.item.done', item: hidden(threadId, 'h1', 'hidden_context_item') },
			{ type: 'thread.item.replaced', item: hidden(threadId, 'h1', 'hidden_context_item') }
		])
		expect(frames.map((frame) => JSON.parse(frame).type)).toEqual([
			'thread.item.added',
			'thread.item.replaced'
		])
	})
})

describe('empty-object answers are the literal bytes {}', () => {
	test('threads.delete, items.feedback, attachments.delete', async () => {
		const { app } = makeApp({ attachmentStore: new TestAttachmentStore() })
		const { threadId, events } = await createThread(app)
		await readJson(await call(app, 'attachments.create', { name: 'a', size: 1, mime_type: 'text/plain' }))
		const answers = [
			await call(app, 'items.feedback', {
				thread_id: threadId,
				item_ids: [events[1].item.id],
				kind: 'positive'
			}),
			await call(app, 'attachments.delete', { attachment_id: 'atc_1' }),
			await call(app, 'threads.delete', { thread_id: threadId })
		]
		for (const res of answers) {
			expect(res.headers.get('content-type')).toBe('application/json')
			expect(await res.text()).toBe('{}')
		}
		expect(
			await readEvents(await call(app, 'threads.create', { input: userInput('again') }))
		).toHaveLength(3)
	})
})
