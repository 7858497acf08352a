import { z } from 'zod'
import { IconNameSchema } from './icons'
import { WidgetRootSchema } from './widgets'

const opt = <T extends z.ZodType>(schema: T) => schema.nullish()
const json = z.unknown()
const record = z.record(z.string(), z.unknown())

// Sources and annotations

const sourceBase = {
	title: z.string(),
	description: opt(z.string()),
	timestamp: opt(z.string()),
	group: opt(z.string())
}

export const URLSourceSchema = z.object({
	...sourceBase,
	type: z.literal('url'),
	url: z.string(),
	attribution: opt(z.string())
})
export const FileSourceSchema = z.object({ ...sourceBase, type: z.literal('file'), filename: z.string() })
export const EntitySourceSchema = z.object({
	...sourceBase,
	type: z.literal('entity'),
	id: z.string(),
	icon: opt(IconNameSchema),
	label: opt(z.string()),
	inline_label: opt(z.string()),
	interactive: z.boolean().default(false),
	data: record.default({}),
	preview: opt(z.literal('lazy'))
})
export const SourceSchema = z.discriminatedUnion('type', [
	URLSourceSchema,
	FileSourceSchema,
	EntitySourceSchema
])

export const AnnotationSchema = z.object({
	type: z.literal('annotation'),
	source: SourceSchema,
	index: opt(z.number().int())
})

// Message content

export const InputTextSchema = z.object({ type: z.literal('input_text'), text: z.string() })
export const InputTagSchema = z.object({
	type: z.literal('input_tag'),
	id: z.string(),
	text: z.string(),
	data: record.nullish().transform((data) => data ?? {}),
	group: opt(z.string()),
	interactive: z.boolean().default(false)
})
export const UserMessageContentSchema = z.discriminatedUnion('type', [InputTextSchema, InputTagSchema])

export const AssistantMessageContentSchema = z.object({
	annotations: z.array(AnnotationSchema).default([]),
	text: z.string(),
	type: z.literal('output_text')
})

export const InferenceOptionsSchema = z.object({
	tool_choice: opt(z.object({ id: z.string() })),
	model: opt(z.string())
})

// Attachments

export const UploadDescriptorSchema = z.object({
	url: z.string(),
	method: z.enum(['POST', 'PUT']),
	headers: z.record(z.string(), z.string()).default({})
})

const attachmentBase = {
	id: z.string(),
	name: z.string(),
	mime_type: z.string(),
	upload_descriptor: opt(UploadDescriptorSchema),
	thread_id: opt(z.string()),
	metadata: opt(record)
}
export const FileAttachmentSchema = z.object({ ...attachmentBase, type: z.literal('file') })
export const ImageAttachmentSchema = z.object({
	...attachmentBase,
	type: z.literal('image'),
	preview_url: z.string()
})
export const AttachmentSchema = z.discriminatedUnion('type', [FileAttachmentSchema, ImageAttachmentSchema])

// Workflows and tasks

const taskBase = { status_indicator: z.enum(['none', 'loading', 'complete']).default('none') }
export const CustomTaskSchema = z.object({
	...taskBase,
	type: z.literal('custom'),
	title: opt(z.string()),
	icon: opt(IconNameSchema),
	content: opt(z.string())
})
export const SearchTaskSchema = z.object({
	...taskBase,
	type: z.literal('web_search'),
	title: opt(z.string()),
	title_query: opt(z.string()),
	queries: z.array(z.string()).default([]),
	sources: z.array(URLSourceSchema).default([])
})
export const ThoughtTaskSchema = z.object({
	...taskBase,
	type: z.literal('thought'),
	title: opt(z.string()),
	content: z.string()
})
export const FileTaskSchema = z.object({
	...taskBase,
	type: z.literal('file'),
	title: opt(z.string()),
	sources: z.array(FileSourceSchema).default([])
})
export const ImageTaskSchema = z.object({ ...taskBase, type: z.literal('image'), title: opt(z.string()) })
export const TaskSchema = z.discriminatedUnion('type', [
	CustomTaskSchema,
	SearchTaskSchema,
	ThoughtTaskSchema,
	FileTaskSchema,
	ImageTaskSchema
])

export const CustomSummarySchema = z.object({ title: z.string(), icon: opt(IconNameSchema) })
export const DurationSummarySchema = z.object({ duration: z.number().int() })
export const WorkflowSummarySchema = z.union([CustomSummarySchema, DurationSummarySchema])

export const WorkflowSchema = z.object({
	type: z.enum(['custom', 'reasoning']),
	tasks: z.array(TaskSchema).default([]),
	summary: opt(WorkflowSummarySchema),
	expanded: z.boolean().default(false)
})

// Structured input

export const StructuredInputAnswerSchema = z.object({
	values: z.array(z.string()).default([]),
	skipped: z.boolean().default(false)
})
const structuredInputBase = { id: z.string(), question: z.string(), answer: opt(StructuredInputAnswerSchema) }
export const MultipleChoiceInputSchema = z.object({
	...structuredInputBase,
	type: z.literal('multiple_choice'),
	options: z.array(z.object({ value: z.string() })),
	multiple: z.boolean().default(false)
})
export const FreeformInputSchema = z.object({
	...structuredInputBase,
	type: z.literal('freeform'),
	description: opt(z.string())
})
export const StructuredInputSchema = z.discriminatedUnion('type', [
	MultipleChoiceInputSchema,
	FreeformInputSchema
])

// Thread items

const itemBase = { id: z.string(), thread_id: z.string(), created_at: z.string() }

export const UserMessageItemSchema = z.object({
	...itemBase,
	type: z.literal('user_message'),
	content: z.array(UserMessageContentSchema),
	attachments: z.array(AttachmentSchema).default([]),
	quoted_text: opt(z.string()),
	inference_options: InferenceOptionsSchema
})
export const AssistantMessageItemSchema = z.object({
	...itemBase,
	type: z.literal('assistant_message'),
	content: z.array(AssistantMessageContentSchema)
})
export const ClientToolCallItemSchema = z.object({
	...itemBase,
	type: z.literal('client_tool_call'),
	status: z.enum(['pending', 'completed']).default('pending'),
	call_id: z.string(),
	name: z.string(),
	arguments: record,
	output: json.optional()
})
export const WidgetItemSchema = z.object({
	...itemBase,
	type: z.literal('widget'),
	widget: WidgetRootSchema,
	copy_text: opt(z.string())
})
export const GeneratedImageSchema = z.object({ id: z.string(), url: z.string() })
export const GeneratedImageItemSchema = z.object({
	...itemBase,
	type: z.literal('generated_image'),
	image: opt(GeneratedImageSchema)
})
export const StructuredInputItemSchema = z.object({
	...itemBase,
	type: z.literal('structured_input'),
	status: z.enum(['pending', 'answered', 'skipped']).default('pending'),
	inputs: z.array(StructuredInputSchema)
})
export const WorkflowItemSchema = z.object({
	...itemBase,
	type: z.literal('workflow'),
	workflow: WorkflowSchema
})
export const TaskItemSchema = z.object({ ...itemBase, type: z.literal('task'), task: TaskSchema })
export const HiddenContextItemSchema = z.object({
	...itemBase,
	type: z.literal('hidden_context_item'),
	content: json
})
export const SDKHiddenContextItemSchema = z.object({
	...itemBase,
	type: z.literal('sdk_hidden_context'),
	content: z.string()
})
export const EndOfTurnItemSchema = z.object({ ...itemBase, type: z.literal('end_of_turn') })

export const ThreadItemSchema = z.discriminatedUnion('type', [
	UserMessageItemSchema,
	AssistantMessageItemSchema,
	ClientToolCallItemSchema,
	WidgetItemSchema,
	GeneratedImageItemSchema,
	StructuredInputItemSchema,
	WorkflowItemSchema,
	TaskItemSchema,
	HiddenContextItemSchema,
	SDKHiddenContextItemSchema,
	EndOfTurnItemSchema
])

// Threads and pages

export const ThreadStatusSchema = z.discriminatedUnion('type', [
	z.object({ type: z.literal('active') }),
	z.object({ type: z.literal('locked'), reason: opt(z.string()) }),
	z.object({ type: z.literal('closed'), reason: opt(z.string()) })
])

export const ThreadMetadataSchema = z.object({
	title: opt(z.string()),
	id: z.string(),
	created_at: z.string(),
	status: ThreadStatusSchema.default({ type: 'active' }),
	allowed_image_domains: opt(z.array(z.string())),
	metadata: record.default({})
})

export const pageSchema = <T extends z.ZodType>(item: T) =>
	z.object({
		data: z.array(item).default([]),
		has_more: z.boolean().default(false),
		after: opt(z.string())
	})

export const ThreadSchema = ThreadMetadataSchema.extend({ items: pageSchema(ThreadItemSchema) })

export type Source = z.infer<typeof SourceSchema>
export type URLSource = z.infer<typeof URLSourceSchema>
export type FileSource = z.infer<typeof FileSourceSchema>
export type EntitySource = z.infer<typeof EntitySourceSchema>
export type Annotation = z.infer<typeof AnnotationSchema>
export type UserMessageContent = z.infer<typeof UserMessageContentSchema>
export type UserMessageTextContent = z.infer<typeof InputTextSchema>
export type UserMessageTagContent = z.infer<typeof InputTagSchema>
export type AssistantMessageContent = z.infer<typeof AssistantMessageContentSchema>
export type InferenceOptions = z.infer<typeof InferenceOptionsSchema>
export type UploadDescriptor = z.infer<typeof UploadDescriptorSchema>
export type FileAttachment = z.infer<typeof FileAttachmentSchema>
export type ImageAttachment = z.infer<typeof ImageAttachmentSchema>
export type Attachment = z.infer<typeof AttachmentSchema>
export type Task = z.infer<typeof TaskSchema>
export type CustomTask = z.infer<typeof CustomTaskSchema>
export type SearchTask = z.infer<typeof SearchTaskSchema>
export type ThoughtTask = z.infer<typeof ThoughtTaskSchema>
export type FileTask = z.infer<typeof FileTaskSchema>
export type ImageTask = z.infer<typeof ImageTaskSchema>
export type WorkflowSummary = z.infer<typeof WorkflowSummarySchema>
export type Workflow = z.infer<typeof WorkflowSchema>
export type StructuredInputAnswer = z.infer<typeof StructuredInputAnswerSchema>
export type StructuredInput = z.infer<typeof StructuredInputSchema>
export type UserMessageItem = z.infer<typeof UserMessageItemSchema>
export type AssistantMessageItem = z.infer<typeof AssistantMessageItemSchema>
export type ClientToolCallItem = z.infer<typeof ClientToolCallItemSchema>
export type WidgetItem = z.infer<typeof WidgetItemSchema>
export type GeneratedImage = z.infer<typeof GeneratedImageSchema>
export type GeneratedImageItem = z.infer<typeof GeneratedImageItemSchema>
export type StructuredInputItem = z.infer<typeof StructuredInputItemSchema>
export type WorkflowItem = z.infer<typeof WorkflowItemSchema>
export type TaskItem = z.infer<typeof TaskItemSchema>
export type HiddenContextItem = z.infer<typeof HiddenContextItemSchema>
export type SDKHiddenContextItem = z.infer<typeof SDKHiddenContextItemSchema>
export type EndOfTurnItem = z.infer<typeof EndOfTurnItemSchema>
export type ThreadItem = z.infer<typeof ThreadItemSchema>
export type ThreadItemType = ThreadItem['type']
export type ThreadStatus = z.infer<typeof ThreadStatusSchema>
export type ThreadMetadata = z.infer<typeof ThreadMetadataSchema>
export interface Page<T> {
	data: T[]
	has_more: boolean
	after?: string | null
}
export type Thread = ThreadMetadata & { items: Page<ThreadItem> }

/** The metadata fields of a thread, without its `items` page or anything else the object carries. */
/** A user message as typed: its text parts, tags as `@text`. */
export const userMessageText = (item: UserMessageItem): string =>
	item.content.map((part) => (part.type === 'input_text' ? part.text : `@${part.text}`)).join('')

export const threadMetadataOf = ({
	title,
	id,
	created_at,
	status,
	allowed_image_domains,
	metadata
}: ThreadMetadata): ThreadMetadata => ({ title, id, created_at, status, allowed_image_domains, metadata })
