import { widgetToJSON } from '../widgets/serialize'
import type { ThreadItemUpdate, ThreadStreamEvent } from './events'
import type {
	Annotation,
	AssistantMessageContent,
	Attachment,
	Page,
	Source,
	StructuredInput,
	Task,
	ThreadItem,
	ThreadMetadata,
	UserMessageContent,
	Workflow
} from './items'
import type { WidgetComponent } from './widgets'

type Wire = Record<string, unknown>

/** Own properties whose value is not null or undefined (one level; nested free-form values are untouched). */
export const compact = (value: object): Wire => {
	const out: Wire = {}
	for (const key in value) {
		const entry = (value as Wire)[key]
		if (entry !== null && entry !== undefined) out[key] = entry
	}
	return out
}

const HIDDEN_ITEM_TYPES = new Set(['hidden_context_item', 'sdk_hidden_context'])

/** Hidden items are persisted but never sent to the client. */
export const isHiddenItem = (item: { type: string }): boolean => HIDDEN_ITEM_TYPES.has(item.type)

/** Widget components lose null props at every level, except inside free-form values (action payloads, chart data). */
export const widgetToWire = (widget: WidgetComponent): Wire => widgetToJSON(widget) as Wire

const sourceToWire = (source: Source): Wire => {
	const out = compact(source)
	if (source.type === 'entity') {
		out.interactive = source.interactive ?? false
		out.data = source.data ?? {}
	}
	return out
}

const annotationToWire = (annotation: Annotation): Wire => {
	const out = compact(annotation)
	out.source = sourceToWire(annotation.source)
	return out
}

export const assistantContentToWire = (content: AssistantMessageContent): Wire => ({
	annotations: content.annotations ? content.annotations.map(annotationToWire) : [],
	text: content.text,
	type: 'output_text'
})

const userContentToWire = (content: UserMessageContent): Wire =>
	content.type === 'input_tag'
		? { ...compact(content), data: content.data ?? {}, interactive: content.interactive ?? false }
		: compact(content)

/** Attachments as the client sees them: server-only `metadata` removed. */
export const attachmentToWire = (attachment: Attachment): Wire => {
	const { metadata: _metadata, ...rest } = attachment
	const out = compact(rest)
	if (attachment.upload_descriptor)
		out.upload_descriptor = {
			...attachment.upload_descriptor,
			headers: attachment.upload_descriptor.headers ?? {}
		}
	return out
}

export const taskToWire = (task: Task): Wire => {
	const out = compact(task)
	out.status_indicator = task.status_indicator ?? 'none'
	if (task.type === 'web_search') {
		out.queries = task.queries ?? []
		out.sources = (task.sources ?? []).map(sourceToWire)
	} else if (task.type === 'file') out.sources = (task.sources ?? []).map(sourceToWire)
	return out
}

const workflowToWire = (workflow: Workflow): Wire => {
	const out = compact(workflow)
	out.tasks = (workflow.tasks ?? []).map(taskToWire)
	if (workflow.summary) out.summary = compact(workflow.summary)
	out.expanded = workflow.expanded ?? false
	return out
}

const structuredInputToWire = (input: StructuredInput): Wire => {
	const out = compact(input)
	if (input.answer)
		out.answer = { values: input.answer.values ?? [], skipped: input.answer.skipped ?? false }
	if (input.type === 'multiple_choice') out.multiple = input.multiple ?? false
	return out
}

/** A thread item on the wire: nulls omitted, defaults present, attachment metadata removed. */
export const itemToWire = (item: ThreadItem): Wire => {
	const out = compact(item)
	switch (item.type) {
		case 'user_message':
			out.content = item.content.map(userContentToWire)
			out.attachments = (item.attachments ?? []).map(attachmentToWire)
			out.inference_options = item.inference_options ? compact(item.inference_options) : {}
			break
		case 'assistant_message':
			out.content = item.content.map(assistantContentToWire)
			break
		case 'client_tool_call':
			out.status = item.status ?? 'pending'
			break
		case 'widget':
			out.widget = widgetToWire(item.widget)
			break
		case 'structured_input':
			out.status = item.status ?? 'pending'
			out.inputs = item.inputs.map(structuredInputToWire)
			break
		case 'workflow':
			out.workflow = workflowToWire(item.workflow)
			break
		case 'task':
			out.task = taskToWire(item.task)
			break
	}
	return out
}

const EMPTY_PAGE: Page<never> = { data: [], has_more: false }

const isActive = (status: ThreadMetadata['status']) => {
	if (status.type !== 'active') return false
	for (const key in status) if (key !== 'type') return false
	return true
}

const statusToWire = (status: ThreadMetadata['status'] | undefined): Wire =>
	!status || isActive(status) ? { type: 'active' } : compact(status)

/**
 * The thread as every response shows it: `metadata` always `{}`, hidden items filtered,
 * `items` an empty page unless given. One object shape for every thread: a missing title or image domain
 * list is `undefined`, which JSON leaves out.
 */
export const threadToWire = (thread: ThreadMetadata, items: Page<ThreadItem> = EMPTY_PAGE): Wire => ({
	title: thread.title ?? undefined,
	id: thread.id,
	created_at: thread.created_at,
	status: statusToWire(thread.status),
	allowed_image_domains: thread.allowed_image_domains || undefined,
	metadata: {},
	items: items === EMPTY_PAGE ? { data: [], has_more: false } : pageToWire(items, itemToWire, isHiddenItem)
})

export const pageToWire = <T>(
	page: Page<T>,
	toWire: (entry: T) => unknown,
	hidden?: (entry: T) => boolean
): Wire => {
	const data = hidden ? page.data.filter((entry) => !hidden(entry)) : page.data
	const out: Wire = { data: data.map(toWire), has_more: page.has_more }
	if (page.after) out.after = page.after
	return out
}

const updateToWire = (update: ThreadItemUpdate): Wire => {
	switch (update.type) {
		case 'assistant_message.content_part.text_delta':
		case 'widget.streaming_text.value_delta':
			return update
		case 'assistant_message.content_part.added':
		case 'assistant_message.content_part.done':
			return {
				type: update.type,
				content_index: update.content_index,
				content: assistantContentToWire(update.content)
			}
		case 'assistant_message.content_part.annotation_added':
			return { ...update, annotation: annotationToWire(update.annotation) }
		case 'widget.root.updated':
			return { type: update.type, widget: widgetToWire(update.widget) }
		case 'widget.component.updated':
			return { ...update, component: widgetToWire(update.component) }
		case 'workflow.task.added':
		case 'workflow.task.updated':
			return { type: update.type, task_index: update.task_index, task: taskToWire(update.task) }
		case 'generated_image.updated':
			return compact(update)
	}
}

/** A stream event exactly as it goes on the wire (before JSON encoding). */
export const eventToWire = (event: ThreadStreamEvent): Wire => {
	switch (event.type) {
		case 'thread.item.updated':
			return { type: event.type, item_id: event.item_id, update: updateToWire(event.update) }
		case 'thread.created':
		case 'thread.updated':
			return { type: event.type, thread: threadToWire(event.thread) }
		case 'thread.item.added':
		case 'thread.item.done':
		case 'thread.item.replaced':
			return { type: event.type, item: itemToWire(event.item) }
		case 'error':
			return compact({
				type: 'error',
				code: event.code ?? 'custom',
				message: event.message,
				allow_retry: event.allow_retry ?? false
			})
		case 'client_effect':
			return { type: event.type, name: event.name, data: event.data ?? {} }
		case 'progress_update':
		case 'notice':
			return compact(event)
		case 'thread.item.removed':
		case 'stream_options':
			return event
	}
}
