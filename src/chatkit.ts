import type { Span } from '@opentelemetry/api'
import type { AnyElysia, Elysia } from 'elysia'
import {
	bodyTimeoutMsFromEnv,
	chatkitPathFromEnv,
	checkInstanceId,
	instanceIdFromEnv,
	isProduction,
	maxBodyBytesFromEnv
} from './config'
import { createEngine } from './engine/engine'
import { ChatKitError } from './engine/errors'
import { logError } from './engine/log'
import type { Emit } from './engine/pipeline'
import type { Turn } from './engine/turns'
import type { ChatKitHandlers, EventHook, Responder, RespondMiddleware } from './engine/types'
import {
	noteBody,
	REQUEST_END_HOOK,
	type RequestEndHook,
	type RequestRecord,
	recordOf,
	refusalCodeOf,
	startRecord
} from './lifecycle'
import type { NeedsBeforeIt } from './needs'
import { clip } from './protocol/limits'
import { type ChatKitRequest, isStreamingRequest } from './protocol/requests'
import { eventToWire } from './protocol/serialize'
import type { RunningTurns } from './running'
import { type ChatKitContext, type ChatKitUser, NotFoundError, type Store } from './store/types'
import {
	describeRequestSpan,
	endRequestSpan,
	setTraceParent,
	startRequestSpan,
	tracedStore,
	tracedTurn
} from './tracing'

/** Options of the core plugin. Handlers given here win over the ones other plugins decorate. */
export interface ChatKitOptions<C extends ChatKitContext = ChatKitContext>
	extends Partial<ChatKitHandlers<C>> {
	/**
	 * The one POST endpoint of the protocol.
	 * @default CHATKIT_PATH from the environment, else '/chatkit' (see `chatkitPathFromEnv`)
	 */
	path?: string
	/**
	 * Largest request body accepted, in bytes; larger ones get a 413.
	 * @default MAX_BODY_BYTES from the environment, else 4 MiB (see `maxBodyBytesFromEnv`)
	 */
	maxBodyBytes?: number
	/**
	 * Milliseconds a client has to send the whole request body, from when the endpoint starts reading it; a
	 * slower (or stalled) client gets a 408 `request_timeout` and its connection is closed.
	 * @default BODY_TIMEOUT_MS from the environment, else 10000 (see `bodyTimeoutMsFromEnv`)
	 */
	bodyTimeoutMs?: number
	/**
	 * The user when no auth plugin put one in the context. Unset, requests run as `{ id: 'anonymous' }`,
	 * except under `NODE_ENV=production`, where they are refused with a 401: use an auth plugin there.
	 * @default undefined
	 */
	defaultUser?: ChatKitUser
	/**
	 * Called once for every request that reaches the endpoint, refused ones included, with its outcome
	 * (type, user, thread, status or error code, duration). Runs before the hooks plugins register with
	 * `requestEndHook`. See `RequestEndHook`.
	 * @default undefined
	 */
	onRequestEnd?: RequestEndHook<C>
	/**
	 * Tracks the turns this endpoint streams, so that a shutdown can wait for them and cancel the rest
	 * (see `RunningTurns`).
	 * @default undefined
	 */
	turns?: RunningTurns
}

const EVENT_HOOK = 'chatkitEventHook:'
const RESPOND_MIDDLEWARE = 'chatkitRespondMiddleware:'
const REQUEST_GUARD = 'chatkitRequestGuard:'

/**
 * Register an event hook from a plugin: `.decorate(eventHook('redact', hook))`. Every hook has its own
 * context key, so plugins never share (or leak) a registry; hooks run in the order plugins were used.
 */
export const eventHook = <const N extends string, C extends ChatKitContext = ChatKitContext>(
	name: N,
	hook: EventHook<C>
) => ({ [`${EVENT_HOOK}${name}`]: hook }) as Record<`${typeof EVENT_HOOK}${N}`, EventHook<C>>

/**
 * The store the ChatKit endpoint uses, from any request context (a `derive`, a `resolve`, a route, a hook),
 * however the app gave it: a store plugin, `chatkit({ store })` or `.decorate('chatkitStore', store)`.
 * `undefined` in an app without one.
 */
export const storeOf = <C extends ChatKitContext = ChatKitContext>(context: object): Store<C> | undefined =>
	(context as { chatkitStore?: Store<C> }).chatkitStore

/** Register responder middleware from a plugin: `.decorate(respondMiddleware('titles', middleware))`. The first used is outermost. */
export const respondMiddleware = <const N extends string, C extends ChatKitContext = ChatKitContext>(
	name: N,
	middleware: RespondMiddleware<C>
) =>
	({ [`${RESPOND_MIDDLEWARE}${name}`]: middleware }) as Record<
		`${typeof RESPOND_MIDDLEWARE}${N}`,
		RespondMiddleware<C>
	>

/** Register a request guard from a plugin: `.decorate(requestGuard('limits', guard))`. */
export const requestGuard = <const N extends string, C extends ChatKitContext = ChatKitContext>(
	name: N,
	guard: RequestGuard<C>
) => ({ [`${REQUEST_GUARD}${name}`]: guard }) as Record<`${typeof REQUEST_GUARD}${N}`, RequestGuard<C>>

const registered = <T>(context: Record<string, unknown>, prefix: string): T[] =>
	Object.keys(context)
		.filter((key) => key.startsWith(prefix))
		.map((key) => context[key] as T)

/** Registered values with their names, in registration order. */
const named = <T>(context: Record<string, unknown>, prefix: string): [string, T][] =>
	Object.keys(context)
		.filter((key) => key.startsWith(prefix))
		.map((key) => [key.slice(prefix.length), context[key] as T])

/** The Elysia context keys plugins decorate for the core plugin. */
export interface ChatKitDecorators<C extends ChatKitContext = ChatKitContext> {
	chatkitStore: Store<C>
	/** The responder. During a request, `chatkit()` replaces it with the composed one (middleware included), so an action that resumes a turn gets the same. */
	chatkitRespond: Responder<C>
	chatkitAction: ChatKitHandlers<C>['action']
	chatkitSyncAction: ChatKitHandlers<C>['syncAction']
	chatkitValidateAction: ChatKitHandlers<C>['validateAction']
	chatkitAttachmentStore: ChatKitHandlers<C>['attachmentStore']
	chatkitTranscribe: ChatKitHandlers<C>['transcribe']
	chatkitFeedback: ChatKitHandlers<C>['addFeedback']
}

/** What a request guard sees: the parsed request and its context (with `user`), before the engine reads or writes anything. */
export interface RequestGuardArgs<C extends ChatKitContext = ChatKitContext> {
	chatkitRequest: ChatKitRequest
	/** True for the six request types answered with an event stream. */
	streaming: boolean
	context: C
	/** The store the endpoint uses (also `context.chatkitStore`). */
	store: Store<C>
	request: Request
}

/** Nothing (admit), a `Response` sent instead, or `{ release }`, called once when the answer is complete. */
export type RequestGuardResult = Response | { release: () => void } | undefined | void

/**
 * Admits or refuses a request after parsing and authentication (rate limits, quotas, field limits).
 * `release` runs after a JSON answer is built, or when a stream ends, fails or its client goes away.
 */
export type RequestGuard<C extends ChatKitContext = ChatKitContext> = (
	args: RequestGuardArgs<C>
) => RequestGuardResult | Promise<RequestGuardResult>

const ANONYMOUS_USER: ChatKitUser = { id: 'anonymous' }

const JSON_HEADERS = { 'content-type': 'application/json' }
const SSE_HEADERS = {
	'content-type': 'text/event-stream',
	'cache-control': 'no-cache',
	'x-accel-buffering': 'no'
}

/** Messages longer than this are cut (they never need more; a long one could only be echoing input). */
const MAX_MESSAGE_CHARS = 500

/** A 408 also closes the connection: the client that did not send its body in time gets no more of our time. */
const CLOSE_HEADERS = { ...JSON_HEADERS, connection: 'close' }

const errorResponse = (status: number, code: string, message: string, details?: unknown) => {
	const text = clip(message, MAX_MESSAGE_CHARS)
	return new Response(
		JSON.stringify(details === undefined ? { code, message: text } : { code, message: text, details }),
		{ status, headers: status === 408 ? CLOSE_HEADERS : JSON_HEADERS }
	)
}

interface ErrorAnswer {
	status: number
	code: string
	message: string
	details?: unknown
}

const errorAnswerOf = (error: unknown): ErrorAnswer => {
	if (error instanceof ChatKitError)
		return { status: error.status, code: error.code, message: error.message, details: error.details }
	if (error instanceof NotFoundError) return { status: 404, code: 'not_found', message: error.message }
	const name = error instanceof Error ? error.name : ''
	if (name === 'StoreValidationError')
		return { status: 422, code: 'invalid_request', message: (error as Error).message }
	logError('request failed', error)
	if (name === 'StoreError')
		return {
			status: 503,
			code: 'store_unavailable',
			message: 'The store could not be reached; try again shortly'
		}
	return { status: 500, code: 'internal_error', message: 'The server could not process the request' }
}

type StreamEvent = Parameters<typeof eventToWire>[0]

/** A turn that writes this much without giving the event loop a turn is flushed at once (first byte, backpressure). */
const FLUSH_AT = 64 * 1024

const frame = (event: StreamEvent) => `data: ${JSON.stringify(eventToWire(event))}\n\n`

/** Bun's direct stream controller: writes go to the socket's buffer; `flush` sends it. */
interface DirectController {
	write(chunk: string): number | Promise<number>
	flush(): number | Promise<number> | undefined
	close(): void
}

/** How a stream ends for the code around it: guards released at once, the request's outcome reported once. */
interface StreamEnd {
	/** Release what the guards took (at the stream's end or as its client goes away). */
	release: () => void
	/** Report the request's outcome (after the turn has handled a cancellation); a promise while hooks run. */
	report: (cancelled: boolean) => Promise<void> | undefined
	/** Sees each event sent (the thread created, error codes). */
	observe: (event: StreamEvent) => void
}

/**
 * Streams a turn as SSE frames through a direct stream: the frames of the events emitted during one turn
 * of the event loop are written and flushed together at its end (a burst of events is one write). While
 * the client reads slower than the turn writes, the turn waits. The response ends with the turn's last
 * event, while the thread's lease is being released; `turns` counts the turn until that release is done.
 * When the client goes away, the turn's signal aborts and `cancel` resolves once the turn has handled it.
 */
const streamResponse = (
	turn: Turn,
	requestSignal: AbortSignal,
	end: StreamEnd,
	turns: RunningTurns | undefined,
	discard: () => Promise<void>
): Response => {
	const abort = new AbortController()
	const onRequestAbort = () => abort.abort()
	requestSignal.addEventListener('abort', onRequestAbort, { once: true })
	let released = false
	let closed = false
	let running: Promise<void> | undefined
	/** Lets a turn held by a slow client go on once that client is gone. */
	let releaseBackpressure: (() => void) | undefined
	const release = () => {
		if (released) return
		released = true
		requestSignal.removeEventListener('abort', onRequestAbort)
		end.release()
	}
	async function writeEvents(controller: DirectController) {
		if (closed) return
		let buffered = ''
		let backpressure: Promise<void> | undefined
		/** The write returns a promise while the client reads slower than the turn writes: the turn then waits. */
		const flushNow = () => {
			if (closed || buffered === '') return
			const written = controller.write(buffered)
			buffered = ''
			controller.flush()
			if (written instanceof Promise)
				backpressure = new Promise<void>((resolve) => {
					releaseBackpressure = resolve
					written.then(
						() => resolve(),
						() => resolve()
					)
				}).then(() => {
					backpressure = undefined
					releaseBackpressure = undefined
				})
		}
		const emit = (event: StreamEvent): Promise<unknown> | undefined => {
			if (closed) return
			end.observe(event)
			if (buffered === '') setImmediate(flushNow)
			buffered += frame(event)
			if (buffered.length >= FLUSH_AT) flushNow()
			return backpressure
		}
		const responded = Promise.withResolvers<void>()
		running = (async () => turn(abort.signal, emit as Emit, responded.resolve))().catch((error) => {
			if (abort.signal.aborted || closed) return
			logError('error while streaming a response', error)
			emit({ type: 'error', code: 'stream.error', allow_retry: true })
		})
		const streamed = Promise.withResolvers<void>()
		turns?.track({
			cancel() {
				abort.abort()
				releaseBackpressure?.()
			},
			done: streamed.promise
		})
		try {
			// The response ends with its last event; the thread's lease is released meanwhile.
			await Promise.race([running, responded.promise])
			release()
			if (closed) return
			if (buffered !== '') controller.write(buffered)
			buffered = ''
			await controller.flush()
			await end.report(false)
			closed = true
			controller.close()
		} catch {
			// the client went away while the last frames were sent
		} finally {
			await running
			streamed.resolve()
		}
	}
	const source = {
		type: 'direct',
		pull: writeEvents,
		async cancel() {
			closed = true
			release()
			abort.abort()
			releaseBackpressure?.()
			if (running) await running
			else await discard()
			await end.report(true)
		}
	} satisfies Bun.DirectUnderlyingSource<Uint8Array>
	// With the DOM lib, ReadableStream has only the web's constructors; Bun's also takes a direct source.
	const body = new ReadableStream(source as unknown as ConstructorParameters<typeof ReadableStream>[0])
	return new Response(body, { headers: SSE_HEADERS })
}

/** Deeper bodies are refused before parsing: deeply nested JSON costs seconds to parse. */
export const MAX_JSON_DEPTH = 64

const QUOTE = 0x22
const BACKSLASH = 0x5c

/** The deepest `[`/`{` nesting of a JSON text, ignoring brackets inside strings (stops early past the limit). */
const nestingDepth = (text: string): number => {
	let depth = 0
	let deepest = 0
	let inString = false
	for (let index = 0; index < text.length; index++) {
		const byte = text.charCodeAt(index)
		if (inString) {
			if (byte === BACKSLASH) index++
			else if (byte === QUOTE) inString = false
		} else if (byte === QUOTE) inString = true
		else if (byte === 0x5b || byte === 0x7b) {
			if (++depth > deepest) deepest = depth
			if (deepest > MAX_JSON_DEPTH) return deepest
		} else if (byte === 0x5d || byte === 0x7d) depth--
	}
	return deepest
}

const tooLarge = (maxBytes: number) =>
	new ChatKitError(413, 'payload_too_large', `Request bodies are limited to ${maxBytes} bytes`)

const bodyTimedOut = (timeoutMs: number) =>
	new ChatKitError(408, 'request_timeout', `The request body was not received within ${timeoutMs} ms`)

/**
 * The body as text, at most `maxBytes` (a body without content-length is refused as soon as it passes the
 * limit), received within `timeoutMs` of the start of reading (else a 408, and the connection is closed).
 */
const readText = async (request: Request, maxBytes: number, timeoutMs: number): Promise<string> => {
	const declared = request.headers.get('content-length')
	if (Number(declared) > maxBytes) throw tooLarge(maxBytes)
	const text = declared !== null ? request.text() : readChunks(request, maxBytes)
	// A body already in memory (a Request built in this process, e.g. for app.handle) needs no deadline.
	if (Bun.peek.status(text) === 'fulfilled') return Bun.peek(text) as string
	let timer: ReturnType<typeof setTimeout> | undefined
	const expired = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(bodyTimedOut(timeoutMs)), timeoutMs)
	})
	try {
		return await Promise.race([text, expired])
	} finally {
		clearTimeout(timer)
	}
}

/** A body without content-length, chunk by chunk, refused as soon as it passes `maxBytes`. */
const readChunks = async (request: Request, maxBytes: number): Promise<string> => {
	const chunks: Uint8Array[] = []
	let size = 0
	if (request.body) {
		const reader = request.body.getReader()
		while (true) {
			const { value, done } = await reader.read()
			if (done) break
			size += value.byteLength
			if (size > maxBytes) {
				reader.cancel().catch(() => {})
				throw tooLarge(maxBytes)
			}
			chunks.push(value)
		}
	}
	return new TextDecoder().decode(Buffer.concat(chunks))
}

/** The parsed body; too deep a nesting is refused before parsing. */
const readBody = async (request: Request, maxBytes: number, timeoutMs: number): Promise<unknown> => {
	const text = await readText(request, maxBytes, timeoutMs)
	if (nestingDepth(text) > MAX_JSON_DEPTH)
		throw new ChatKitError(
			400,
			'invalid_json',
			`The request body nests deeper than ${MAX_JSON_DEPTH} levels`
		)
	try {
		return JSON.parse(text)
	} catch {
		throw new ChatKitError(400, 'invalid_json', 'The request body is not valid JSON')
	}
}

const admitted = () => {}

/** A guard's refusal, with the guard's name. */
interface GuardRefusal {
	response: Response
	by: string
}

/** Run the guards in order; a refusal releases what earlier guards took (and the later ones do not run). */
const runGuards = async (
	guards: [string, RequestGuard][],
	args: RequestGuardArgs
): Promise<GuardRefusal | (() => void)> => {
	if (guards.length === 0) return admitted
	const releases: (() => void)[] = []
	const release = () => {
		for (const fn of releases.splice(0))
			try {
				fn()
			} catch (error) {
				logError('a request guard failed to release', error)
			}
	}
	for (const [name, guard] of guards) {
		let outcome: RequestGuardResult
		try {
			outcome = await guard(args)
		} catch (error) {
			release()
			throw error
		}
		if (outcome instanceof Response) {
			release()
			return { response: outcome, by: name }
		}
		if (outcome) releases.push(outcome.release)
	}
	return release
}

/** What `chatkit()` needs from the app, and where each comes from. */
const CHATKIT_PROVIDERS = {
	chatkitStore: 'a store: use a store plugin such as drizzleStore() before chatkit(), or pass { store }',
	chatkitRespond: 'a responder: use the agent plugin before chatkit(), or pass { respond }'
} as const

type Providers = typeof CHATKIT_PROVIDERS

/** The keys `chatkit(options)` still needs from the app: the store and the responder, unless the options give them. */
type ChatKitNeeds<O> = (O extends Record<'store', object> ? {} : { chatkitStore: object }) &
	(O extends Record<'respond', object> ? {} : { chatkitRespond: object })

type NeededProviders<O> = Expand<Pick<Providers, keyof ChatKitNeeds<O> & keyof Providers>>

type Expand<T> = T extends infer U ? { [K in keyof U]: U[K] } : never

/**
 * The ChatKit protocol endpoint: one POST route that answers every request type with JSON or
 * Server-Sent Events. The store and the responder come from plugins used before it (or from options).
 *
 * @example
 * new Elysia()
 *   .use(chatkit({ store: new MemoryStore(), async *respond({ thread }) { ... } }))
 *   .listen(8000)
 */
export const chatkit = <const O extends ChatKitOptions>(options: O = {} as O) => {
	const {
		path = chatkitPathFromEnv(),
		maxBodyBytes = maxBodyBytesFromEnv(),
		bodyTimeoutMs = bodyTimeoutMsFromEnv(),
		defaultUser,
		onRequestEnd,
		turns,
		instanceId = instanceIdFromEnv(),
		...handlerOptions
	} = options
	if (instanceId !== undefined) checkInstanceId(instanceId, 'chatkit({ instanceId })')
	let warnedAnonymous = false

	const buildEngine = (
		decorated: Partial<ChatKitDecorators> & Record<string, unknown>,
		store: Store | undefined,
		innermost: Responder | undefined
	) => {
		const guards = named<RequestGuard>(decorated, REQUEST_GUARD)
		if (!store || !innermost) throw new Error('chatkit() needs a store and a responder')
		const respond = registered<RespondMiddleware>(decorated, RESPOND_MIDDLEWARE).reduceRight<Responder>(
			(next, middleware) => middleware(next),
			innermost
		)
		const engine = createEngine({
			action: decorated.chatkitAction,
			syncAction: decorated.chatkitSyncAction,
			validateAction: decorated.chatkitValidateAction,
			attachmentStore: decorated.chatkitAttachmentStore,
			transcribe: decorated.chatkitTranscribe,
			addFeedback: decorated.chatkitFeedback,
			...(handlerOptions as Partial<ChatKitHandlers>),
			instanceId,
			eventHooks: [
				...registered<EventHook>(decorated, EVENT_HOOK),
				...(handlerOptions.eventHooks ?? [])
			],
			store: tracedStore(store),
			respond
		})
		return { engine, guards, respond, store, innermost }
	}

	const plugin = (app: AnyElysia) => {
		let built: ReturnType<typeof buildEngine> | undefined
		let endHooks: RequestEndHook[] | undefined
		/** The app's request-end hooks, read once all plugins are in place (at its first request). */
		const requestEndHooks = () => {
			endHooks ??= [
				...(onRequestEnd ? [onRequestEnd as RequestEndHook] : []),
				...registered<RequestEndHook>(
					(app as unknown as { singleton: { decorator: Record<string, unknown> } }).singleton
						.decorator,
					REQUEST_END_HOOK
				)
			]
			return endHooks
		}
		const target = app as unknown as Elysia
		const withStore: Elysia = handlerOptions.store
			? (target.decorate({ as: 'override' }, 'chatkitStore', handlerOptions.store) as unknown as Elysia)
			: target
		return withStore
			.onRequest(function recordChatKitRequest({ request }: { request: Request }) {
				if (request.method === 'POST') startRecord(request, path, requestEndHooks)
			})
			.post(
				path,
				async function handleChatKit(elysiaContext: object) {
					const ctx = elysiaContext as Record<string, unknown> & {
						request: Request
						user?: ChatKitUser
					}
					const { request } = ctx
					const arrived = recordOf(request)
					const record =
						arrived?.path === path && !arrived.handled
							? arrived
							: startRecord(request, path, requestEndHooks)
					record.handled = true
					const { outcome } = record
					if (ctx.user) outcome.user = ctx.user
					let store: Store | undefined =
						handlerOptions.store ?? (ctx.chatkitStore as Store | undefined)
					const span = startRequestSpan()
					const answer = (response: Response, code: string | null) => {
						outcome.status = response.status
						outcome.code = code
						endRequestSpan(span, response.status, code)
						const ending = record.end({ context: ctx, store })
						return ending ? ending.then(() => response) : response
					}
					try {
						const body = await readBody(request, maxBodyBytes, bodyTimeoutMs)
						noteBody(outcome, body)
						const decorated = ctx as Partial<ChatKitDecorators> & Record<string, unknown>
						const innermost = handlerOptions.respond ?? decorated.chatkitRespond
						if (!built || built.store !== store || built.innermost !== innermost)
							built = buildEngine(decorated, store, innermost)
						const { engine: chatkitEngine, guards, respond } = built
						store = built.store
						ctx.chatkitStore = store
						ctx.chatkitRespond = respond
						const chatkitRequest = chatkitEngine.parse(body)
						if (!ctx.user) {
							if (!defaultUser && isProduction()) {
								if (!warnedAnonymous) {
									warnedAnonymous = true
									console.warn(
										'[elysia-chatkit] refusing requests: no auth plugin put a user in the context and NODE_ENV=production (use an auth plugin, or pass defaultUser)'
									)
								}
								return answer(
									errorResponse(401, 'unauthorized', 'Authentication required'),
									'unauthorized'
								)
							}
							ctx.user = defaultUser ?? ANONYMOUS_USER
						}
						outcome.user = ctx.user
						describeRequestSpan(
							span,
							chatkitRequest.type,
							chatkitRequest.params,
							ctx as ChatKitContext
						)
						setTraceParent(ctx, span)
						const release =
							guards.length === 0
								? admitted
								: await runGuards(guards, {
										chatkitRequest,
										streaming: isStreamingRequest(chatkitRequest),
										context: ctx as ChatKitContext,
										store,
										request
									})
						if (typeof release !== 'function') {
							outcome.refusedBy = release.by
							outcome.streamed =
								release.response.headers
									.get('content-type')
									?.startsWith('text/event-stream') ?? false
							return answer(release.response, await refusalCodeOf(release.response))
						}
						let result: Awaited<ReturnType<typeof chatkitEngine.process>>
						try {
							result = await chatkitEngine.process(chatkitRequest, ctx as ChatKitContext)
						} catch (error) {
							release()
							throw error
						}
						if (result.type === 'json') {
							release()
							return answer(
								new Response(JSON.stringify(result.json), { headers: JSON_HEADERS }),
								null
							)
						}
						outcome.streamed = true
						return streamResponse(
							tracedTurn(result.run, span, ctx, outcome.threadId ?? undefined),
							request.signal,
							streamEnd(record, release, ctx, store, span),
							turns,
							result.discard
						)
					} catch (error) {
						const { status, code, message, details } = errorAnswerOf(error)
						return answer(errorResponse(status, code, message, details), code)
					}
				},
				{
					parse: 'none'
				}
			)
	}
	return plugin as unknown as NeedsBeforeIt<'chatkit()', NeededProviders<O>, Expand<ChatKitNeeds<O>>>
}

/** The end of a streamed request: guards released, the thread and error codes seen, the outcome reported. */
const streamEnd = (
	record: RequestRecord,
	release: () => void,
	context: Record<string, unknown>,
	store: Store | undefined,
	span: Span
): StreamEnd => ({
	release,
	observe(event) {
		if (event.type === 'thread.created') record.outcome.threadId = event.thread.id
		else if (event.type === 'error') record.outcome.code = event.code
	},
	report(cancelled) {
		record.outcome.cancelled = cancelled
		endRequestSpan(span, 200, record.outcome.code)
		return record.end({ context, store })
	}
})
