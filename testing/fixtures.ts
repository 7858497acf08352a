import type {
	AssistantMessageItem,
	Attachment,
	ClientToolCallItem,
	FileAttachment,
	ImageAttachment,
	ThreadItem,
	ThreadMetadata,
	UserMessageItem,
	WidgetItem,
	WorkflowItem
} from '../src/protocol/items'
import type { ChatKitContext } from '../src/store/types'

let counter = 0
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${crypto.randomUUID().slice(0, 8)}`

/** A context of a fresh user, so that every test starts with an empty store. */
export const newContext = (tenantId?: string | null): ChatKitContext => ({
	user: { id: `user_${unique()}`, tenantId }
})

const BASE = Date.UTC(2026, 0, 1, 12, 0, 0)
/** ISO timestamp `seconds` after a fixed base. */
export const at = (seconds: number) => new Date(BASE + seconds * 1000).toISOString()

export const thread = (
	id: string,
	createdAt = at(0),
	patch: Partial<ThreadMetadata> = {}
): ThreadMetadata => ({
	id,
	title: `Title of ${id}`,
	created_at: createdAt,
	status: { type: 'active' },
	allowed_image_domains: null,
	metadata: {},
	...patch
})

export const assistantMessage = (
	threadId: string,
	id: string,
	createdAt = at(0),
	text = id
): AssistantMessageItem => ({
	id,
	thread_id: threadId,
	created_at: createdAt,
	type: 'assistant_message',
	content: [{ type: 'output_text', text, annotations: [] }]
})

export const fileAttachment = (id: string): FileAttachment => ({
	id,
	type: 'file',
	name: 'report.pdf',
	mime_type: 'application/pdf',
	upload_descriptor: {
		url: `https://uploads.example.com/${id}`,
		method: 'PUT',
		headers: { 'X-My-Header': 'my-value' }
	},
	metadata: { source: 'test', bytes: 1024, nested: { path: ['a', 'b'], ok: true, none: null } }
})

export const imageAttachment = (id: string): ImageAttachment => ({
	id,
	type: 'image',
	name: 'cat.png',
	mime_type: 'image/png',
	preview_url: `https://example.com/${id}/preview`,
	thread_id: null,
	metadata: { source: 'test', width: 640, height: 480 }
})

/** One item of every kind the protocol defines, with the fields that are easy to lose. */
export const everyItemKind = (threadId: string): ThreadItem[] => {
	const userMessage: UserMessageItem = {
		id: 'msg_user',
		thread_id: threadId,
		created_at: at(1),
		type: 'user_message',
		content: [
			{ type: 'input_text', text: 'héllo 👋 "quoted" \\ back\nslash \u0000 nul' },
			{
				type: 'input_tag',
				id: 'e1',
				text: 'Ent',
				data: { k: 'v', n: 4.5 },
				group: 'g',
				interactive: false
			}
		],
		attachments: [{ ...fileAttachment('atc_in_message'), thread_id: threadId }],
		quoted_text: 'q',
		inference_options: { tool_choice: { id: 'search' }, model: 'gpt' }
	}
	const assistant: AssistantMessageItem = {
		id: 'msg_assistant',
		thread_id: threadId,
		created_at: at(2),
		type: 'assistant_message',
		content: [
			{
				type: 'output_text',
				text: 'See [1]',
				annotations: [
					{
						type: 'annotation',
						index: 4,
						source: { type: 'url', title: 'Doc', url: 'https://example.com' }
					},
					{
						type: 'annotation',
						source: {
							type: 'entity',
							id: 'ent',
							title: 'E',
							interactive: true,
							data: { deep: [1, 2] }
						}
					}
				]
			}
		]
	}
	const widget = {
		type: 'Card',
		size: 'md',
		children: [
			{
				type: 'Col',
				gap: 2,
				padding: { x: 4, y: 2 },
				border: { size: 1, color: '#ccc', style: 'dashed' },
				children: [
					{ type: 'Text', id: 'text', value: 'Hello', streaming: false },
					{ type: 'Button', label: 'Go', onClickAction: { type: 'go', payload: { n: 1 } } }
				]
			}
		]
	} as unknown as WidgetItem['widget']
	const widgetItem: WidgetItem = {
		id: 'wid_1',
		thread_id: threadId,
		created_at: at(3),
		type: 'widget',
		widget,
		copy_text: 'Hello'
	}
	const toolCall: ClientToolCallItem = {
		id: 'tc_1',
		thread_id: threadId,
		created_at: at(4),
		type: 'client_tool_call',
		status: 'completed',
		call_id: 'call_1',
		name: 'get_weather',
		arguments: { city: 'Paris', days: [1, 2] },
		output: { temperature: 21.5, unit: 'C' }
	}
	const workflow: WorkflowItem = {
		id: 'wf_1',
		thread_id: threadId,
		created_at: at(5),
		type: 'workflow',
		workflow: {
			type: 'reasoning',
			tasks: [
				{ status_indicator: 'none', type: 'thought', content: 'hmm' },
				{
					status_indicator: 'complete',
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
	return [
		userMessage,
		assistant,
		widgetItem,
		toolCall,
		workflow,
		{
			id: 'tsk_1',
			thread_id: threadId,
			created_at: at(6),
			type: 'task',
			task: { type: 'image', status_indicator: 'loading' }
		},
		{
			id: 'img_1',
			thread_id: threadId,
			created_at: at(7),
			type: 'generated_image',
			image: { id: 'i', url: 'https://i' }
		},
		{
			id: 'si_1',
			thread_id: threadId,
			created_at: at(8),
			type: 'structured_input',
			status: 'answered',
			inputs: [
				{
					type: 'multiple_choice',
					id: 'q1',
					question: 'Pick',
					options: [{ value: 'a' }, { value: 'b' }],
					multiple: true,
					answer: { values: ['a', 'b'], skipped: false }
				}
			]
		},
		{
			id: 'hc_1',
			thread_id: threadId,
			created_at: at(9),
			type: 'hidden_context_item',
			content: { any: ['json', 1, null] }
		},
		{
			id: 'shcx_1',
			thread_id: threadId,
			created_at: at(10),
			type: 'sdk_hidden_context',
			content: 'cancelled'
		},
		{ id: 'eot_1', thread_id: threadId, created_at: at(11), type: 'end_of_turn' }
	] as ThreadItem[]
}

export const ids = (page: { data: { id: string }[] }) => page.data.map((entry) => entry.id)

export type { Attachment }
