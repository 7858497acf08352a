import type { ChatKitRequest, UserMessageInput } from '../../src/protocol/requests'

/** Size limits on the fields of a request, checked after parsing, before anything is counted or written. */
export interface FieldLimits {
	/**
	 * Characters in one user message: its text parts, tag labels and quoted text together.
	 * @default 32000
	 */
	maxMessageChars: number
	/**
	 * Characters in a thread title (`threads.update`).
	 * @default 1000
	 */
	maxTitleChars: number
	/**
	 * Attachments on one user message.
	 * @default 10
	 */
	maxAttachments: number
	/**
	 * Characters in the file name of a new attachment (`attachments.create`).
	 * @default 1000
	 */
	maxFileNameChars: number
	/**
	 * Item ids in one `items.feedback` request.
	 * @default 100
	 */
	maxFeedbackItems: number
	/**
	 * Content parts (text and tags) in one user message.
	 * @default 100
	 */
	maxContentParts: number
	/**
	 * A client tool's `result` (`threads.add_client_tool_output`) as JSON, in UTF-8 bytes.
	 * @default 65536
	 */
	maxToolResultBytes: number
	/**
	 * An action's `payload` (`threads.custom_action`, `threads.sync_custom_action`) as JSON, in UTF-8 bytes.
	 * @default 65536
	 */
	maxActionPayloadBytes: number
}

export const defaultFieldLimits: FieldLimits = {
	maxMessageChars: 32_000,
	maxTitleChars: 1_000,
	maxAttachments: 10,
	maxFileNameChars: 1_000,
	maxFeedbackItems: 100,
	maxContentParts: 100,
	maxToolResultBytes: 64 * 1024,
	maxActionPayloadBytes: 64 * 1024
}

/** The first field over its limit: where it is (a dotted path in the request) and what is wrong. */
export interface FieldViolation {
	path: string
	message: string
}

const messageChars = (input: UserMessageInput) => {
	let chars = input.quoted_text?.length ?? 0
	for (const part of input.content) chars += part.text.length
	return chars
}

/** UTF-8 bytes of `value` as JSON (an absent value counts as `null`). */
const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? 'null')

const checkInput = (input: UserMessageInput, limits: FieldLimits): FieldViolation | undefined => {
	if (input.content.length > limits.maxContentParts)
		return {
			path: 'params.input.content',
			message: `A message can have at most ${limits.maxContentParts} content parts`
		}
	if (messageChars(input) > limits.maxMessageChars)
		return {
			path: 'params.input.content',
			message: `The message is longer than ${limits.maxMessageChars} characters`
		}
	if (input.attachments.length > limits.maxAttachments)
		return {
			path: 'params.input.attachments',
			message: `A message can have at most ${limits.maxAttachments} attachments`
		}
}

/** The first field of `request` over its limit, or `undefined`. */
export const checkFields = (request: ChatKitRequest, limits: FieldLimits): FieldViolation | undefined => {
	switch (request.type) {
		case 'threads.create':
		case 'threads.add_user_message':
			return checkInput(request.params.input, limits)
		case 'threads.update':
			if (request.params.title.length > limits.maxTitleChars)
				return {
					path: 'params.title',
					message: `Thread titles are limited to ${limits.maxTitleChars} characters`
				}
			return
		case 'attachments.create':
			if (request.params.name.length > limits.maxFileNameChars)
				return {
					path: 'params.name',
					message: `File names are limited to ${limits.maxFileNameChars} characters`
				}
			return
		case 'threads.add_client_tool_output':
			if (jsonBytes(request.params.result) > limits.maxToolResultBytes)
				return {
					path: 'params.result',
					message: `Client tool results are limited to ${limits.maxToolResultBytes} bytes of JSON`
				}
			return
		case 'threads.custom_action':
		case 'threads.sync_custom_action':
			if (jsonBytes(request.params.action.payload) > limits.maxActionPayloadBytes)
				return {
					path: 'params.action.payload',
					message: `Action payloads are limited to ${limits.maxActionPayloadBytes} bytes of JSON`
				}
			return
		case 'items.feedback':
			if (request.params.item_ids.length > limits.maxFeedbackItems)
				return {
					path: 'params.item_ids',
					message: `Feedback can name at most ${limits.maxFeedbackItems} items`
				}
	}
}
