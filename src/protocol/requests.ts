import { z } from 'zod'
import { UserMessageContentSchema } from './items'
import { PROTOCOL_LIMITS } from './limits'

const { maxMetadataKeys, maxMetadataBytes, maxMimeTypeChars, maxContentParts, maxOptionChars } =
	PROTOCOL_LIMITS

/** A plain object within the metadata ceilings, checked without parsing each key. */
const isBoundedRecord = (value: unknown): value is Record<string, unknown> => {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
	let keys = 0
	for (const _ in value) if (++keys > maxMetadataKeys) return false
	return Buffer.byteLength(JSON.stringify(value)) <= maxMetadataBytes
}

const metadata = z
	.custom<Record<string, unknown>>(isBoundedRecord, {
		message: `Expected an object of at most ${maxMetadataKeys} keys and ${maxMetadataBytes} bytes`
	})
	.default({})
const mimeType = z.string().max(maxMimeTypeChars)
const option = z.string().max(maxOptionChars).nullish()
const threadId = z.string().min(1)
const limit = z.number().int().min(0).nullish()
const order = z.enum(['asc', 'desc']).default('desc')
const after = z.string().nullish()

export const UserMessageInputSchema = z.object({
	content: z.array(UserMessageContentSchema).max(maxContentParts),
	attachments: z.array(z.string()),
	quoted_text: z.string().nullish(),
	inference_options: z.object({
		tool_choice: z.object({ id: z.string().max(maxOptionChars) }).nullish(),
		model: option
	})
})

export const ActionSchema = z.object({ type: z.string(), payload: z.unknown().default(null) })

export const StructuredInputSubmissionSchema = z.object({
	status: z.enum(['answered', 'skipped']).default('answered'),
	answers: z
		.record(
			z.string(),
			z.object({ values: z.array(z.string()).default([]), skipped: z.boolean().default(false) })
		)
		.default({})
})

const request = <T extends string, P extends z.ZodType>(type: T, params: P) =>
	z.object({ type: z.literal(type), params, metadata })

export const ThreadsCreateRequestSchema = request(
	'threads.create',
	z.object({ input: UserMessageInputSchema })
)
export const ThreadsAddUserMessageRequestSchema = request(
	'threads.add_user_message',
	z.object({ thread_id: threadId, input: UserMessageInputSchema })
)
export const ThreadsAddClientToolOutputRequestSchema = request(
	'threads.add_client_tool_output',
	z.object({ thread_id: threadId, result: z.unknown() })
)
export const ThreadsAddStructuredInputRequestSchema = request(
	'threads.add_structured_input',
	z.object({ thread_id: threadId, item_id: z.string(), input: StructuredInputSubmissionSchema })
)
export const ThreadsRetryAfterItemRequestSchema = request(
	'threads.retry_after_item',
	z.object({ thread_id: threadId, item_id: z.string() })
)
export const ThreadsCustomActionRequestSchema = request(
	'threads.custom_action',
	z.object({ thread_id: threadId, item_id: z.string().nullish(), action: ActionSchema })
)
export const ThreadsGetByIdRequestSchema = request('threads.get_by_id', z.object({ thread_id: threadId }))
export const ThreadsListRequestSchema = request('threads.list', z.object({ limit, order, after }))
export const ThreadsUpdateRequestSchema = request(
	'threads.update',
	z.object({ thread_id: threadId, title: z.string() })
)
export const ThreadsDeleteRequestSchema = request('threads.delete', z.object({ thread_id: threadId }))
export const ThreadsSyncCustomActionRequestSchema = request(
	'threads.sync_custom_action',
	z.object({ thread_id: threadId, item_id: z.string().nullish(), action: ActionSchema })
)
export const ItemsListRequestSchema = request(
	'items.list',
	z.object({ thread_id: threadId, limit, order, after })
)
export const ItemsFeedbackRequestSchema = request(
	'items.feedback',
	z.object({ thread_id: threadId, item_ids: z.array(z.string()), kind: z.enum(['positive', 'negative']) })
)
export const AttachmentsCreateRequestSchema = request(
	'attachments.create',
	z.object({ name: z.string(), size: z.number().int().min(0), mime_type: mimeType })
)
export const AttachmentsDeleteRequestSchema = request(
	'attachments.delete',
	z.object({ attachment_id: z.string() })
)
export const InputTranscribeRequestSchema = request(
	'input.transcribe',
	z.object({ audio_base64: z.string(), mime_type: mimeType })
)

export const StreamingRequestSchema = z.discriminatedUnion('type', [
	ThreadsCreateRequestSchema,
	ThreadsAddUserMessageRequestSchema,
	ThreadsAddClientToolOutputRequestSchema,
	ThreadsAddStructuredInputRequestSchema,
	ThreadsRetryAfterItemRequestSchema,
	ThreadsCustomActionRequestSchema
])
export const NonStreamingRequestSchema = z.discriminatedUnion('type', [
	ThreadsGetByIdRequestSchema,
	ThreadsListRequestSchema,
	ThreadsUpdateRequestSchema,
	ThreadsDeleteRequestSchema,
	ThreadsSyncCustomActionRequestSchema,
	ItemsListRequestSchema,
	ItemsFeedbackRequestSchema,
	AttachmentsCreateRequestSchema,
	AttachmentsDeleteRequestSchema,
	InputTranscribeRequestSchema
])
export const ChatKitRequestSchema = z.discriminatedUnion('type', [
	...StreamingRequestSchema.options,
	...NonStreamingRequestSchema.options
])

export const STREAMING_REQUEST_TYPES = StreamingRequestSchema.options.map((o) => o.shape.type.value)
export const REQUEST_TYPES = ChatKitRequestSchema.options.map((o) => o.shape.type.value)

export type UserMessageInput = z.infer<typeof UserMessageInputSchema>
export type Action<T extends string = string, P = unknown> = { type: T; payload: P }
export type StructuredInputSubmission = z.infer<typeof StructuredInputSubmissionSchema>
export type StreamingRequest = z.infer<typeof StreamingRequestSchema>
export type NonStreamingRequest = z.infer<typeof NonStreamingRequestSchema>
export type ChatKitRequest = z.infer<typeof ChatKitRequestSchema>
export type ChatKitRequestType = ChatKitRequest['type']
export type RequestParams<T extends ChatKitRequestType> = Extract<ChatKitRequest, { type: T }>['params']
export type FeedbackKind = 'positive' | 'negative'

export const isStreamingRequest = (request: ChatKitRequest): request is StreamingRequest =>
	(STREAMING_REQUEST_TYPES as string[]).includes(request.type)
