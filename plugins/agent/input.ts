import type { AgentInputItem } from '@openai/agents'
import type {
	AssistantMessageItem,
	Attachment,
	ClientToolCallItem,
	EndOfTurnItem,
	GeneratedImageItem,
	HiddenContextItem,
	SDKHiddenContextItem,
	StructuredInputItem,
	Task,
	TaskItem,
	ThreadItem,
	UserMessageItem,
	UserMessageTagContent,
	WidgetItem,
	WorkflowItem
} from '../../src/protocol/items'
import { userMessageText } from '../../src/protocol/items'
import { widgetToJSON } from '../../src/widgets'

type UserMessageInput = Extract<AgentInputItem, { role: 'user' }>
/** A part of a user message sent to the model (`input_text`, `input_image`, `input_file`). */
export type UserContentPart = Exclude<UserMessageInput['content'], string>[number]
type Converted = AgentInputItem | AgentInputItem[] | null | undefined
type MaybePromise<T> = T | Promise<T>

/** Where the model reads an attachment from: a URL, the bytes, or a file id of the model provider. */
export type AttachmentSource =
	| { url: string }
	| { data: Uint8Array | string; mimeType?: string }
	| { fileId: string }

export interface ThreadItemConverterOptions {
	/**
	 * Where the model reads an attachment from (`data` may be bytes or base64).
	 * Return `null` to fall back to the default: an image's `preview_url`, and a line of text naming
	 * any other file.
	 * @default () => null
	 * @example
	 * resolveAttachment: async (attachment) => ({ data: await files.read(attachment.id), mimeType: attachment.mime_type })
	 */
	resolveAttachment?: (attachment: Attachment) => MaybePromise<AttachmentSource | null | undefined>
}

export const MENTIONS_HEADER =
	"# User-provided context for @-mentions\n- When referencing resolved entities, use their canonical names **without** '@'.\n- The '@' form appears only in user text and should not be echoed."

const userText = (text: string): UserMessageInput => ({
	type: 'message',
	role: 'user',
	content: [{ type: 'input_text', text }]
})

const taskText = (task: Task): string | null => {
	if (task.type !== 'custom' || (!task.title && !task.content)) return null
	const body = task.title && task.content ? `${task.title}: ${task.content}` : task.title || task.content
	return `A message was displayed to the user that the following task was performed:\n<Task>\n${body}\n</Task>`
}

const hidden = (content: string) =>
	userText(
		`Hidden context for the agent (not shown to the user):\n<HiddenContext>\n${content}\n</HiddenContext>`
	)

const json = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? null))

const dataUrl = (data: Uint8Array | string, mimeType: string) =>
	data instanceof Uint8Array || !data.startsWith('data:')
		? `data:${mimeType};base64,${typeof data === 'string' ? data : Buffer.from(data).toString('base64')}`
		: data

/**
 * Turns stored thread items into the agent's input, one method per item type. Subclass it and
 * override a method to change how one kind of item reaches the model.
 *
 * @example
 * class MyConverter extends ThreadItemConverter {
 *   override widgetToInput(item: WidgetItem) {
 *     return null // the model never sees widgets
 *   }
 * }
 */
export class ThreadItemConverter {
	constructor(protected readonly options: ThreadItemConverterOptions = {}) {}

	/** An attachment of a user message: images as `input_image`, other files as `input_file`. */
	async attachmentToContent(attachment: Attachment): Promise<UserContentPart> {
		const source =
			(await this.options.resolveAttachment?.(attachment)) ??
			(attachment.type === 'image' ? { url: attachment.preview_url } : null)
		if (!source)
			return {
				type: 'input_text',
				text: `[The user attached the file "${attachment.name}" (${attachment.mime_type}); its content is not available.]`
			}
		if (attachment.type === 'image') {
			const image =
				'url' in source
					? source.url
					: 'fileId' in source
						? { id: source.fileId }
						: dataUrl(source.data, source.mimeType ?? attachment.mime_type)
			return { type: 'input_image', image, detail: 'auto' }
		}
		const file =
			'url' in source
				? { url: source.url }
				: 'fileId' in source
					? { id: source.fileId }
					: dataUrl(source.data, source.mimeType ?? attachment.mime_type)
		return { type: 'input_file', file, filename: attachment.name }
	}

	/** What the model learns about an @-mentioned entity. */
	tagToContent(tag: UserMessageTagContent): MaybePromise<UserContentPart> {
		const about = tag.group ? `id: ${tag.id}, group: ${tag.group}` : `id: ${tag.id}`
		return { type: 'input_text', text: `- @${tag.text} (${about}): ${JSON.stringify(tag.data ?? {})}` }
	}

	/**
	 * The message as typed (tags as `@text`) with its attachments; for the newest message, the quoted
	 * text and the context of its @-mentions follow as extra user messages.
	 */
	async userMessageToInput(item: UserMessageItem, isLast: boolean): Promise<Converted> {
		const text = userMessageText(item)
		const content: UserContentPart[] = [{ type: 'input_text', text }]
		for (const attachment of item.attachments) content.push(await this.attachmentToContent(attachment))
		const out: AgentInputItem[] = [{ type: 'message', role: 'user', content }]
		if (item.quoted_text && isLast)
			out.push(userText(`The user is referring to this in particular: \n${item.quoted_text}`))
		const seen = new Set<string>()
		const tags = item.content.filter(
			(part): part is UserMessageTagContent =>
				part.type === 'input_tag' && !seen.has(part.text) && Boolean(seen.add(part.text))
		)
		if (tags.length > 0) {
			const parts: UserContentPart[] = [{ type: 'input_text', text: MENTIONS_HEADER }]
			for (const tag of tags) parts.push(await this.tagToContent(tag))
			out.push({ type: 'message', role: 'user', content: parts })
		}
		return out
	}

	assistantMessageToInput(item: AssistantMessageItem): MaybePromise<Converted> {
		return {
			type: 'message',
			role: 'assistant',
			status: 'completed',
			content: item.content.map((part) => ({ type: 'output_text' as const, text: part.text }))
		}
	}

	/** A completed client tool call as the function call and its result; a pending one is left out. */
	clientToolCallToInput(item: ClientToolCallItem): MaybePromise<Converted> {
		if (item.status === 'pending') return null
		return [
			{
				type: 'function_call',
				callId: item.call_id,
				name: item.name,
				arguments: JSON.stringify(item.arguments)
			},
			{
				type: 'function_call_result',
				callId: item.call_id,
				name: item.name,
				status: 'completed',
				output: JSON.stringify(item.output ?? null)
			}
		]
	}

	widgetToInput(item: WidgetItem): MaybePromise<Converted> {
		return userText(
			`The following graphical UI widget (id: ${item.id}) was displayed to the user:${JSON.stringify(widgetToJSON(item.widget))}`
		)
	}

	/** One message per custom task with a title or content; reasoning thoughts are not replayed. */
	workflowToInput(item: WorkflowItem): MaybePromise<Converted> {
		return item.workflow.tasks.flatMap((task) => {
			const text = taskText(task)
			return text ? [userText(text)] : []
		})
	}

	taskToInput(item: TaskItem): MaybePromise<Converted> {
		const text = taskText(item.task)
		return text ? userText(text) : null
	}

	structuredInputToInput(item: StructuredInputItem): MaybePromise<Converted> {
		const lines = item.inputs.map(({ question, answer }) => {
			if (!answer) return `- ${question}: unanswered`
			if (answer.skipped) return `- ${question}: skipped`
			return `- ${question}: ${answer.values.join(', ')}`
		})
		return userText(
			`A structured input request was displayed to the user with the following status: ${item.status}\n<StructuredInput>\n${lines.join('\n')}\n</StructuredInput>`
		)
	}

	/** Hidden context (non-string content is sent as JSON). */
	hiddenContextToInput(item: HiddenContextItem): MaybePromise<Converted> {
		return hidden(json(item.content))
	}

	sdkHiddenContextToInput(item: SDKHiddenContextItem): MaybePromise<Converted> {
		return hidden(item.content)
	}

	generatedImageToInput(item: GeneratedImageItem): MaybePromise<Converted> {
		if (!item.image) return null
		return {
			type: 'message',
			role: 'user',
			content: [
				{ type: 'input_text', text: 'The following image was generated by the agent.' },
				{ type: 'input_image', image: item.image.url, detail: 'auto' }
			]
		}
	}

	endOfTurnToInput(_item: EndOfTurnItem): MaybePromise<Converted> {
		return null
	}

	/** One item → input items. */
	async itemToInput(item: ThreadItem, isLast = true): Promise<AgentInputItem[]> {
		let out: Converted
		switch (item.type) {
			case 'user_message':
				out = await this.userMessageToInput(item, isLast)
				break
			case 'assistant_message':
				out = await this.assistantMessageToInput(item)
				break
			case 'client_tool_call':
				out = await this.clientToolCallToInput(item)
				break
			case 'widget':
				out = await this.widgetToInput(item)
				break
			case 'workflow':
				out = await this.workflowToInput(item)
				break
			case 'task':
				out = await this.taskToInput(item)
				break
			case 'structured_input':
				out = await this.structuredInputToInput(item)
				break
			case 'hidden_context_item':
				out = await this.hiddenContextToInput(item)
				break
			case 'sdk_hidden_context':
				out = await this.sdkHiddenContextToInput(item)
				break
			case 'generated_image':
				out = await this.generatedImageToInput(item)
				break
			case 'end_of_turn':
				out = await this.endOfTurnToInput(item)
				break
		}
		return out ? (Array.isArray(out) ? out : [out]) : []
	}

	/** Thread items, oldest first → the agent's input. */
	async toAgentInput(items: ThreadItem | readonly ThreadItem[]): Promise<AgentInputItem[]> {
		const list = Array.isArray(items) ? [...items] : [items as ThreadItem]
		const out: AgentInputItem[] = []
		for (const [index, item] of list.entries())
			out.push(...(await this.itemToInput(item, index === list.length - 1)))
		return out
	}
}
