import { describe, expect, test } from 'bun:test'
import { MENTIONS_HEADER, ThreadItemConverter } from '../../plugins/agent'
import type {
	Attachment,
	HiddenContextItem,
	ThreadItem,
	UserMessageItem,
	UserMessageTagContent
} from '../../src/protocol/items'

const base = { thread_id: 'thr_1', created_at: '2026-01-01T00:00:00.000Z' }
const user = (id: string, text: string, extra: Partial<UserMessageItem> = {}): UserMessageItem => ({
	...base,
	id,
	type: 'user_message',
	content: [{ type: 'input_text', text }],
	attachments: [],
	inference_options: {},
	...extra
})
const userText = (text: string) => ({
	type: 'message',
	role: 'user',
	content: [{ type: 'input_text', text }]
})
const convert = (
	items: ThreadItem | ThreadItem[],
	converter = new ThreadItemConverter()
): Promise<unknown[]> => converter.toAgentInput(items)

describe('ThreadItemConverter', () => {
	test('only the newest user message gets its quoted text', async () => {
		const input = await convert([
			user('u1', 'first', { quoted_text: 'old quote' }),
			user('u2', 'second', { quoted_text: 'new quote' })
		])
		expect(input).toEqual([
			userText('first'),
			userText('second'),
			userText('The user is referring to this in particular: \nnew quote')
		])
	})

	test('assistant messages, widgets and end-of-turn markers', async () => {
		const input = await convert([
			user('u1', 'hi'),
			{
				...base,
				id: 'a1',
				type: 'assistant_message',
				content: [
					{ type: 'output_text', text: 'one', annotations: [] },
					{ type: 'output_text', text: 'two', annotations: [] }
				]
			},
			{
				...base,
				id: 'wd_123',
				type: 'widget',
				widget: { type: 'Card', children: [{ type: 'Text', value: 'Order 42', color: null }] }
			},
			{ ...base, id: 'e1', type: 'end_of_turn' }
		])
		expect(input).toHaveLength(3)
		expect(input[1]).toEqual({
			type: 'message',
			role: 'assistant',
			status: 'completed',
			content: [
				{ type: 'output_text', text: 'one' },
				{ type: 'output_text', text: 'two' }
			]
		})
		expect(input[2]).toEqual(
			userText(
				'The following graphical UI widget (id: wd_123) was displayed to the user:{"type":"Card","children":[{"type":"Text","value":"Order 42"}]}'
			)
		)
	})

	test('tags are written as @mentions, with a context message of the distinct tags', async () => {
		const tag = (text: string, id: string): UserMessageTagContent => ({
			type: 'input_tag',
			id,
			text,
			data: { kind: 'article' },
			interactive: false
		})
		const message = user('u1', '', {
			content: [
				{ type: 'input_text', text: 'Compare ' },
				tag('Hello', 'a1'),
				{ type: 'input_text', text: ' and ' },
				tag('Hello', 'a1'),
				tag('World', 'a2')
			]
		})
		const input = await convert(message)
		expect(input[0]).toEqual(userText('Compare @Hello and @Hello@World'))
		expect(input[1]).toEqual({
			type: 'message',
			role: 'user',
			content: [
				{ type: 'input_text', text: MENTIONS_HEADER },
				{ type: 'input_text', text: '- @Hello (id: a1): {"kind":"article"}' },
				{ type: 'input_text', text: '- @World (id: a2): {"kind":"article"}' }
			]
		})
		expect(MENTIONS_HEADER).toBe(
			"# User-provided context for @-mentions\n- When referencing resolved entities, use their canonical names **without** '@'.\n- The '@' form appears only in user text and should not be echoed."
		)

		class Articles extends ThreadItemConverter {
			override tagToContent(tag: UserMessageTagContent) {
				return { type: 'input_text' as const, text: `Article ${tag.id}: the full text` }
			}
		}
		const custom = await convert(user('u1', '', { content: [tag('Hello!', 'x')] }), new Articles())
		expect(custom).toEqual([
			userText('@Hello!'),
			{
				type: 'message',
				role: 'user',
				content: [
					{ type: 'input_text', text: MENTIONS_HEADER },
					{ type: 'input_text', text: 'Article x: the full text' }
				]
			}
		])
	})

	test('attachments: images by URL, files by the bytes, URL or file id the resolver gives, else named in text', async () => {
		const image: Attachment = {
			id: 'atc_1',
			type: 'image',
			name: 'cat.png',
			mime_type: 'image/png',
			preview_url: 'https://files.test/cat.png'
		}
		const file = (id: string): Attachment => ({
			id,
			type: 'file',
			name: `${id}.pdf`,
			mime_type: 'application/pdf'
		})
		const plain = await convert(user('u1', 'look', { attachments: [image, file('atc_2')] }))
		expect(plain[0]).toEqual({
			type: 'message',
			role: 'user',
			content: [
				{ type: 'input_text', text: 'look' },
				{ type: 'input_image', image: 'https://files.test/cat.png', detail: 'auto' },
				{
					type: 'input_text',
					text: '[The user attached the file "atc_2.pdf" (application/pdf); its content is not available.]'
				}
			]
		})

		const resolved = new ThreadItemConverter({
			resolveAttachment: (attachment) =>
				attachment.id === 'atc_2'
					? { data: new Uint8Array([37, 80, 68, 70]) }
					: attachment.id === 'atc_3'
						? { url: 'https://files.test/3.pdf' }
						: attachment.id === 'atc_4'
							? { fileId: 'file-abc' }
							: { data: 'iVBORw0=', mimeType: 'image/png' }
		})
		const input = await convert(
			user('u1', 'read', { attachments: [image, file('atc_2'), file('atc_3'), file('atc_4')] }),
			resolved
		)
		expect((input[0] as { content: unknown[] }).content.slice(1)).toEqual([
			{ type: 'input_image', image: 'data:image/png;base64,iVBORw0=', detail: 'auto' },
			{ type: 'input_file', file: 'data:application/pdf;base64,JVBERg==', filename: 'atc_2.pdf' },
			{ type: 'input_file', file: { url: 'https://files.test/3.pdf' }, filename: 'atc_3.pdf' },
			{ type: 'input_file', file: { id: 'file-abc' }, filename: 'atc_4.pdf' }
		])
	})

	test('generated images are shown to the model; an image not yet generated is left out', async () => {
		expect(
			await convert({
				...base,
				id: 'g1',
				type: 'generated_image',
				image: { id: 'ig_1', url: 'https://img.test/1.png' }
			})
		).toEqual([
			{
				type: 'message',
				role: 'user',
				content: [
					{ type: 'input_text', text: 'The following image was generated by the agent.' },
					{ type: 'input_image', image: 'https://img.test/1.png', detail: 'auto' }
				]
			}
		])
		expect(await convert({ ...base, id: 'g2', type: 'generated_image' })).toEqual([])
	})

	test('hidden context is wrapped; non-string content is sent as JSON, or as an override decides', async () => {
		const hidden = (content: unknown): HiddenContextItem => ({
			...base,
			id: 'h1',
			type: 'hidden_context_item',
			content
		})
		expect(await convert(hidden('tier: gold'))).toEqual([
			userText(
				'Hidden context for the agent (not shown to the user):\n<HiddenContext>\ntier: gold\n</HiddenContext>'
			)
		])
		expect(await convert(hidden({ tier: 'gold' }))).toEqual([
			userText(
				'Hidden context for the agent (not shown to the user):\n<HiddenContext>\n{"tier":"gold"}\n</HiddenContext>'
			)
		])
		expect(
			await convert({
				...base,
				id: 's1',
				type: 'sdk_hidden_context',
				content: 'The user cancelled the stream.'
			})
		).toEqual([
			userText(
				'Hidden context for the agent (not shown to the user):\n<HiddenContext>\nThe user cancelled the stream.\n</HiddenContext>'
			)
		])
		class Custom extends ThreadItemConverter {
			override hiddenContextToInput(item: HiddenContextItem) {
				return userText(`CTX ${(item.content as { tier: string }).tier}`) as never
			}
		}
		expect(await convert(hidden({ tier: 'gold' }), new Custom())).toEqual([userText('CTX gold')])
	})

	test('tasks, workflows and client tool calls', async () => {
		const input = await convert([
			user('u1', 'go'),
			{
				...base,
				id: 't1',
				type: 'task',
				task: { type: 'custom', content: 'Called xyx', status_indicator: 'none' }
			},
			{
				...base,
				id: 't2',
				type: 'task',
				task: { type: 'thought', content: 'hmm', status_indicator: 'none' }
			},
			{
				...base,
				id: 'w1',
				type: 'workflow',
				workflow: {
					type: 'custom',
					expanded: false,
					tasks: [
						{ type: 'custom', title: 'Search', content: '3 hits', status_indicator: 'complete' },
						{ type: 'thought', content: 'private', status_indicator: 'none' },
						{ type: 'custom', title: 'Read', status_indicator: 'none' }
					]
				}
			},
			{
				...base,
				id: 'c1',
				type: 'client_tool_call',
				status: 'pending',
				call_id: 'call_0',
				name: 'x',
				arguments: {}
			},
			{
				...base,
				id: 'c2',
				type: 'client_tool_call',
				status: 'completed',
				call_id: 'call_1',
				name: 'get_selection',
				arguments: { all: true },
				output: { nodes: ['n1'] }
			}
		])
		const task = (text: string) =>
			userText(
				`A message was displayed to the user that the following task was performed:\n<Task>\n${text}\n</Task>`
			)
		expect(input).toEqual([
			userText('go'),
			task('Called xyx'),
			task('Search: 3 hits'),
			task('Read'),
			{ type: 'function_call', callId: 'call_1', name: 'get_selection', arguments: '{"all":true}' },
			{
				type: 'function_call_result',
				callId: 'call_1',
				name: 'get_selection',
				status: 'completed',
				output: '{"nodes":["n1"]}'
			}
		])
	})

	test('a string client tool output is JSON-encoded, as the reference does', async () => {
		const input = await convert({
			...base,
			id: 'c3',
			type: 'client_tool_call',
			status: 'completed',
			call_id: 'call_2',
			name: 'pick_color',
			arguments: {},
			output: 'teal'
		})
		expect(input.at(-1)).toMatchObject({ type: 'function_call_result', output: '"teal"' })
	})

	test('structured input with its answers', async () => {
		const input = await convert({
			...base,
			id: 's1',
			type: 'structured_input',
			status: 'answered',
			inputs: [
				{
					id: 'q1',
					type: 'multiple_choice',
					question: 'Subject?',
					options: [{ value: 'Math' }],
					multiple: false,
					answer: { values: ['Math'], skipped: false }
				},
				{ id: 'q2', type: 'freeform', question: 'Notes?', answer: { values: [], skipped: true } },
				{ id: 'q3', type: 'freeform', question: 'Level?' }
			]
		})
		expect(input).toEqual([
			userText(
				'A structured input request was displayed to the user with the following status: answered\n<StructuredInput>\n- Subject?: Math\n- Notes?: skipped\n- Level?: unanswered\n</StructuredInput>'
			)
		])
	})
})
