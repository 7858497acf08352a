import { logError } from './engine/log'
import { type ChatKitRequestType, REQUEST_TYPES } from './protocol/requests'
import type { ChatKitContext, Store } from './store/types'

/** What a request-end hook learns about one request to the ChatKit endpoint (never its content). */
export interface RequestOutcome<C extends ChatKitContext = ChatKitContext> {
	/** The request type, when the body could be read and named a known type; `null` otherwise. */
	type: ChatKitRequestType | null
	/** The user, once authentication gave one (`null` for a request refused before, e.g. a 401). */
	user: C['user'] | null
	/** The thread the request named (`params.thread_id`), or the one a `threads.create` made; `null` otherwise. */
	threadId: string | null
	/** The HTTP status of the answer. Every event stream is a `200`, even one that ended with an `error` event. */
	status: number
	/**
	 * The error code: of a JSON error answer (`not_found`, `invalid_request`, `rate_limited`, `unauthorized`, ...)
	 * or of the last `error` event of a stream; `null` when there was none.
	 */
	code: string | null
	/** True when the answer is an event stream. */
	streamed: boolean
	/** True when the client went away before the stream ended. */
	cancelled: boolean
	/** Milliseconds from the request's arrival to its end (a stream's end, for event streams). */
	durationMs: number
	/**
	 * Who refused the request, when something did before the engine ran: the name of the request guard
	 * (`'limits'`), or of the plugin that reported it with `reportRefusal` (the auth plugins give theirs).
	 */
	refusedBy: string | null
}

/** What a request-end hook receives besides the outcome. */
export interface RequestEndArgs<C extends ChatKitContext = ChatKitContext> {
	/** The request context: the keys the plugins added (`user` only once authenticated). */
	context: Partial<C> & Record<string, unknown>
	/** The store the endpoint uses (`chatkit({ store })` or a store plugin's `chatkitStore`). */
	store: Store<C> | undefined
	request: Request
}

/**
 * Called exactly once for every request that reaches the ChatKit endpoint, answered or refused: a JSON
 * answer's hook runs before the response is returned, a stream's once the stream has ended (before its
 * last bytes are closed) or its client went away. A returned promise is awaited there; a hook that throws
 * is logged and changes nothing.
 */
export type RequestEndHook<C extends ChatKitContext = ChatKitContext> = (
	outcome: RequestOutcome<C>,
	args: RequestEndArgs<C>
) => void | Promise<void>

export const REQUEST_END_HOOK = 'chatkitRequestEnd:'

/**
 * Register a request-end hook from a plugin: `.decorate(requestEndHook('audit', hook))`. Hooks run in the
 * order the plugins were used, after the one given to `chatkit({ onRequestEnd })`.
 */
export const requestEndHook = <const N extends string, C extends ChatKitContext = ChatKitContext>(
	name: N,
	hook: RequestEndHook<C>
) => ({ [`${REQUEST_END_HOOK}${name}`]: hook }) as Record<`${typeof REQUEST_END_HOOK}${N}`, RequestEndHook<C>>

/** One request to the endpoint, from its arrival to its one report. */
export interface RequestRecord {
	readonly outcome: RequestOutcome
	readonly path: string
	/** Set once the endpoint's handler runs: it reports the outcome from then on. */
	handled: boolean
	/** Report the outcome to the hooks, the first time only (a promise while hooks run, nothing without hooks). */
	end(args: { context: Record<string, unknown>; store: Store | undefined }): Promise<void> | undefined
}

/** Arrival of each POST an app with `chatkit()` received, so that plugins refusing it early can report it. */
const records = new WeakMap<Request, RequestRecord>()

export const emptyOutcome = (): RequestOutcome => ({
	type: null,
	user: null,
	threadId: null,
	status: 200,
	code: null,
	streamed: false,
	cancelled: false,
	durationMs: 0,
	refusedBy: null
})

/** Starts the record of a request; `hooks` is read when it ends. */
export const startRecord = (
	request: Request,
	path: string,
	hooks: () => RequestEndHook[],
	started = performance.now()
): RequestRecord => {
	let ended = false
	const record: RequestRecord = {
		outcome: emptyOutcome(),
		path,
		handled: false,
		end({ context, store }) {
			if (ended) return
			ended = true
			record.outcome.durationMs = performance.now() - started
			const list = hooks()
			if (list.length === 0) return
			return runHooks(list, record.outcome, { context, store, request })
		}
	}
	records.set(request, record)
	return record
}

const runHooks = async (hooks: RequestEndHook[], outcome: RequestOutcome, args: RequestEndArgs) => {
	for (const hook of hooks)
		try {
			await hook(outcome, args)
		} catch (error) {
			logError('a request-end hook failed', error)
		}
}

export const recordOf = (request: Request): RequestRecord | undefined => records.get(request)

/** A refusal a plugin answers itself, before the ChatKit endpoint runs. */
export interface Refusal {
	/** The HTTP status sent, e.g. 401. */
	status: number
	/** The error code sent, e.g. `unauthorized`. */
	code: string
	/** The plugin that refused, e.g. `elysia-chatkit/auth`. */
	by: string
}

/**
 * For a plugin that answers a request itself in a `derive`, `resolve` or `beforeHandle` hook (an auth
 * plugin's 401): reports the refusal to the request-end hooks before the answer is sent, when the request
 * was for a ChatKit endpoint (otherwise it does nothing). Await it before returning the answer. A refusal
 * before the endpoint that no plugin reports never reaches the request-end hooks.
 */
export const reportRefusal = async (
	context: { request: Request } & Record<string, unknown>,
	refusal: Refusal
): Promise<void> => {
	const record = records.get(context.request)
	if (!record || new URL(context.request.url).pathname !== record.path) return
	Object.assign(record.outcome, { status: refusal.status, code: refusal.code, refusedBy: refusal.by })
	await record.end({ context, store: context.chatkitStore as Store | undefined })
}

const refusalCodes = new WeakMap<Response, string>()

/**
 * Tags a guard's refusal with its error code, for the request-end hooks. Needed only for a refusal whose
 * body is not a JSON `{ code }` (e.g. a `200` event stream holding one `error` event).
 */
export const withRefusalCode = (response: Response, code: string): Response => {
	refusalCodes.set(response, code)
	return response
}

/** The error code of a refusal: tagged, or the `code` of its JSON body. */
export const refusalCodeOf = async (response: Response): Promise<string | null> => {
	const tagged = refusalCodes.get(response)
	if (tagged) return tagged
	if (!response.headers.get('content-type')?.includes('json')) return null
	try {
		const body = (await response.clone().json()) as { code?: unknown }
		return typeof body?.code === 'string' ? body.code : null
	} catch {
		return null
	}
}

const KNOWN_TYPES = new Set<string>(REQUEST_TYPES)

/** The type and thread of a parsed body, as far as they can be read (before validation). */
export const noteBody = (outcome: RequestOutcome, body: unknown) => {
	if (typeof body !== 'object' || body === null) return
	const { type, params } = body as { type?: unknown; params?: { thread_id?: unknown } }
	if (typeof type === 'string' && KNOWN_TYPES.has(type)) outcome.type = type as ChatKitRequestType
	const threadId = typeof params === 'object' && params !== null ? params.thread_id : undefined
	if (typeof threadId === 'string' && threadId.length <= 255) outcome.threadId = threadId
}
