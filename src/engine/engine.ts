import type { ThreadStreamEvent } from '../protocol/events'
import { clip } from '../protocol/limits'
import {
	type ChatKitRequest,
	ChatKitRequestSchema,
	isStreamingRequest,
	REQUEST_TYPES,
	type StreamingRequest
} from '../protocol/requests'
import type { ChatKitContext } from '../store/types'
import { ChatKitError } from './errors'
import { turnEvents } from './events'
import { createReads } from './reads'
import { DEFAULT_TURN_LEASE_MS, TurnLeases } from './turn-lease'
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
			/**
			 * Gives the thread back to other turns when this one will not run (its client left before the
			 * stream started). Running the turn does it when the turn ends.
			 */
			discard: () => Promise<void>
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
	 *
	 * A streaming request takes its thread's turn lease first (`store.acquireTurn`; `threads.create`
	 * when its turn starts), and holds it until its turn ends: while a turn runs on a thread, another
	 * streaming request on it is refused with `409 turn_in_progress`, on any instance. Reads are never
	 * held back.
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
	const leases = new TurnLeases(
		handlers.store,
		handlers.turnLeaseMs ?? DEFAULT_TURN_LEASE_MS,
		handlers.instanceId
	)
	const turns = new Turns(handlers, leases)

	/** A streaming request on an existing thread, once its turn lease is held. */
	const startTurn = (
		request: Exclude<StreamingRequest, { type: 'threads.create' }>,
		context: C
	): Promise<Turn> => {
		switch (request.type) {
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
			if (request.type === 'threads.create') {
				const run = await turns.create(request.params, context)
				return { type: 'stream', run, events: turnEvents(run), discard: async () => {} }
			}
			if (isStreamingRequest(request)) {
				const lease = await leases.take(request.params.thread_id, context)
				let turn: Turn
				try {
					turn = await startTurn(request, context)
				} catch (error) {
					await lease.release()
					throw error
				}
				const run: Turn = async (signal, emit, responded) => {
					try {
						await turn(signal, emit)
						responded?.()
					} finally {
						await lease.release()
					}
				}
				return { type: 'stream', run, events: turnEvents(run), discard: lease.release }
			}
			const read = reads[request.type] as (params: unknown, context: C) => Promise<unknown>
			return { type: 'json', json: await read(request.params, context) }
		}
	}
}
