import type { ThreadStreamEvent } from '../protocol/events'
import {
	type ChatKitRequest,
	ChatKitRequestSchema,
	isStreamingRequest,
	REQUEST_TYPES,
	type StreamingRequest
} from '../protocol/requests'
import { clip } from '../protocol/limits'
import type { ChatKitContext } from '../store/types'
import { ChatKitError } from './errors'
import { turnEvents } from './events'
import { createReads } from './reads'
import { type Turn, Turns } from './turns'
import type { ChatKitHandlers } from './types'

export type ProcessResult =
	| { type: 'json'; json: unknown }
	| {
			type: 'stream'
			/** Run the turn, each event handed to `emit` (the way the HTTP plugin streams). */
			run: Turn
			/** The same turn as an async generator. */
			events: (signal: AbortSignal) => AsyncGenerator<ThreadStreamEvent>
	  }

export interface ChatKitEngine<C extends ChatKitContext = ChatKitContext> {
	/** Validate a parsed JSON body as a ChatKit request. @throws ChatKitError (422) naming what is wrong */
	parse(body: unknown): ChatKitRequest
	/**
	 * Check a request against the store and return its JSON answer or its event stream.
	 * Nothing is written before the stream is consumed, except the claim a request makes: a client tool
	 * output completes the pending call and a structured input answers its item, atomically
	 * (`store.updateItem`), so that of two concurrent requests one is accepted and the other refused.
	 * A missing thread, item or attachment throws `NotFoundError` and a refused request `ChatKitError`,
	 * both before the first event.
	 */
	process(request: ChatKitRequest, context: C): Promise<ProcessResult>
}

/** At most this many validation issues are listed in an answer. */
const MAX_ISSUES = 20

const describeIssues = (issues: { path: PropertyKey[]; message: string }[]) =>
	issues.slice(0, MAX_ISSUES).map((issue) => ({
		path: clip(issue.path.map(String).join('.')),
		message: clip(issue.message, 200)
	}))

/** The ChatKit server semantics, with no HTTP in them. */
export const createEngine = <C extends ChatKitContext>(handlers: ChatKitHandlers<C>): ChatKitEngine<C> => {
	const reads = createReads(handlers)
	const turns = new Turns(handlers)

	const startTurn = (request: StreamingRequest, context: C): Promise<Turn> => {
		switch (request.type) {
			case 'threads.create':
				return turns.create(request.params, context)
			case 'threads.add_user_message':
				return turns.addUserMessageTurn(request.params, context)
			case 'threads.add_client_tool_output':
				return turns.addClientToolOutput(request.params, context)
			case 'threads.add_structured_input':
				return turns.addStructuredInput(request.params, context)
			case 'threads.retry_after_item':
				return turns.retryAfterItem(request.params, context)
			case 'threads.custom_action':
				return turns.customAction(request.params, context)
		}
	}

	return {
		parse(body) {
			if (typeof body !== 'object' || body === null || Array.isArray(body))
				throw new ChatKitError(422, 'invalid_request', 'The request body must be a JSON object')
			const type = (body as { type?: unknown }).type
			if (typeof type !== 'string' || !(REQUEST_TYPES as string[]).includes(type))
				throw new ChatKitError(
					422,
					'unknown_request_type',
					`Unknown request type: ${JSON.stringify(typeof type === 'string' ? clip(type) : (type ?? null))?.slice(0, 80)}`,
					{
						expected: REQUEST_TYPES
					}
				)
			const parsed = ChatKitRequestSchema.safeParse(body)
			if (!parsed.success)
				throw new ChatKitError(
					422,
					'invalid_request',
					`Invalid ${type} request`,
					describeIssues(parsed.error.issues)
				)
			return parsed.data
		},

		async process(request, context) {
			if (isStreamingRequest(request)) {
				const run = await startTurn(request, context)
				return { type: 'stream', run, events: turnEvents(run) }
			}
			const read = reads[request.type] as (params: unknown, context: C) => Promise<unknown>
			return { type: 'json', json: await read(request.params, context) }
		}
	}
}
