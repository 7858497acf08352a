import { z } from 'zod'
import { IconNameSchema } from './icons'
import {
	AnnotationSchema,
	AssistantMessageContentSchema,
	GeneratedImageSchema,
	TaskSchema,
	ThreadItemSchema,
	ThreadSchema
} from './items'
import { WidgetComponentSchema, WidgetRootSchema } from './widgets'

// Item updates (the `update` of `thread.item.updated`)

export const ContentPartAddedSchema = z.object({
	type: z.literal('assistant_message.content_part.added'),
	content_index: z.number().int(),
	content: AssistantMessageContentSchema
})
export const ContentPartTextDeltaSchema = z.object({
	type: z.literal('assistant_message.content_part.text_delta'),
	content_index: z.number().int(),
	delta: z.string()
})
export const ContentPartAnnotationAddedSchema = z.object({
	type: z.literal('assistant_message.content_part.annotation_added'),
	content_index: z.number().int(),
	annotation_index: z.number().int(),
	annotation: AnnotationSchema
})
export const ContentPartDoneSchema = z.object({
	type: z.literal('assistant_message.content_part.done'),
	content_index: z.number().int(),
	content: AssistantMessageContentSchema
})
export const WidgetStreamingTextValueDeltaSchema = z.object({
	type: z.literal('widget.streaming_text.value_delta'),
	component_id: z.string(),
	delta: z.string(),
	done: z.boolean()
})
export const WidgetRootUpdatedSchema = z.object({
	type: z.literal('widget.root.updated'),
	widget: WidgetRootSchema
})
export const WidgetComponentUpdatedSchema = z.object({
	type: z.literal('widget.component.updated'),
	component_id: z.string(),
	component: WidgetComponentSchema
})
export const WorkflowTaskAddedSchema = z.object({
	type: z.literal('workflow.task.added'),
	task_index: z.number().int(),
	task: TaskSchema
})
export const WorkflowTaskUpdatedSchema = z.object({
	type: z.literal('workflow.task.updated'),
	task_index: z.number().int(),
	task: TaskSchema
})
export const GeneratedImageUpdatedSchema = z.object({
	type: z.literal('generated_image.updated'),
	image: GeneratedImageSchema,
	progress: z.number().nullish()
})

export const ThreadItemUpdateSchema = z.discriminatedUnion('type', [
	ContentPartAddedSchema,
	ContentPartTextDeltaSchema,
	ContentPartAnnotationAddedSchema,
	ContentPartDoneSchema,
	WidgetStreamingTextValueDeltaSchema,
	WidgetRootUpdatedSchema,
	WidgetComponentUpdatedSchema,
	WorkflowTaskAddedSchema,
	WorkflowTaskUpdatedSchema,
	GeneratedImageUpdatedSchema
])

// Stream events

export const ThreadCreatedEventSchema = z.object({ type: z.literal('thread.created'), thread: ThreadSchema })
export const ThreadUpdatedEventSchema = z.object({ type: z.literal('thread.updated'), thread: ThreadSchema })
export const ThreadItemAddedEventSchema = z.object({
	type: z.literal('thread.item.added'),
	item: ThreadItemSchema
})
export const ThreadItemUpdatedEventSchema = z.object({
	type: z.literal('thread.item.updated'),
	item_id: z.string(),
	update: ThreadItemUpdateSchema
})
export const ThreadItemDoneEventSchema = z.object({
	type: z.literal('thread.item.done'),
	item: ThreadItemSchema
})
export const ThreadItemRemovedEventSchema = z.object({
	type: z.literal('thread.item.removed'),
	item_id: z.string()
})
export const ThreadItemReplacedEventSchema = z.object({
	type: z.literal('thread.item.replaced'),
	item: ThreadItemSchema
})
export const StreamOptionsSchema = z.object({ allow_cancel: z.boolean() })
export const StreamOptionsEventSchema = z.object({
	type: z.literal('stream_options'),
	stream_options: StreamOptionsSchema
})
export const ProgressUpdateEventSchema = z.object({
	type: z.literal('progress_update'),
	icon: IconNameSchema.nullish(),
	text: z.string()
})
export const ClientEffectEventSchema = z.object({
	type: z.literal('client_effect'),
	name: z.string(),
	data: z.record(z.string(), z.unknown()).default({})
})
export const ErrorEventSchema = z.object({
	type: z.literal('error'),
	code: z.string().default('custom'),
	message: z.string().nullish(),
	allow_retry: z.boolean().default(false)
})
export const NoticeEventSchema = z.object({
	type: z.literal('notice'),
	level: z.enum(['info', 'warning', 'danger']),
	message: z.string(),
	title: z.string().nullish()
})

export const ThreadStreamEventSchema = z.discriminatedUnion('type', [
	ThreadCreatedEventSchema,
	ThreadUpdatedEventSchema,
	ThreadItemAddedEventSchema,
	ThreadItemUpdatedEventSchema,
	ThreadItemDoneEventSchema,
	ThreadItemRemovedEventSchema,
	ThreadItemReplacedEventSchema,
	StreamOptionsEventSchema,
	ProgressUpdateEventSchema,
	ClientEffectEventSchema,
	ErrorEventSchema,
	NoticeEventSchema
])

export type ThreadItemUpdate = z.infer<typeof ThreadItemUpdateSchema>
export type ThreadStreamEvent = z.infer<typeof ThreadStreamEventSchema>
export type ThreadStreamEventType = ThreadStreamEvent['type']
export type StreamOptions = z.infer<typeof StreamOptionsSchema>
export type ErrorEvent = z.infer<typeof ErrorEventSchema>
export type NoticeEvent = z.infer<typeof NoticeEventSchema>
export type ProgressUpdateEvent = z.infer<typeof ProgressUpdateEventSchema>
export type ClientEffectEvent = z.infer<typeof ClientEffectEventSchema>
