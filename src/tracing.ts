import {
	type Attributes,
	type Context,
	INVALID_SPAN_CONTEXT,
	context as otelContext,
	type Span,
	SpanKind,
	SpanStatusCode,
	trace
} from '@opentelemetry/api'
import type { Emit } from './engine/pipeline'
import type { Turn } from './engine/turns'
import type { ChatKitContext, Store } from './store/types'

/**
 * The tracer every span of the package comes from. Without an OpenTelemetry SDK registered (the
 * default), `@opentelemetry/api` hands out non-recording spans and tracing costs next to nothing.
 */
export const chatkitTracer = () => trace.getTracer('elysia-chatkit')

/**
 * False while no OpenTelemetry SDK is registered: the global provider is then the API's proxy without a
 * delegate, every span would be a no-op, and the package skips making them (and their contexts).
 */
const tracingEnabled = (): boolean => {
	const provider = trace.getTracerProvider() as { getDelegateTracer?: (name: string) => unknown }
	return (
		typeof provider.getDelegateTracer !== 'function' ||
		provider.getDelegateTracer('elysia-chatkit') !== undefined
	)
}

/** The span handed out while tracing is off: records nothing, as the API's no-op spans. */
const NOT_RECORDING: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT)

/** Span attribute names the package sets (never message text, tokens or credentials). */
export const SPAN_ATTRIBUTES = {
	requestType: 'chatkit.request.type',
	threadId: 'chatkit.thread.id',
	userId: 'enduser.id',
	tenantId: 'chatkit.tenant.id',
	status: 'http.response.status_code',
	errorCode: 'chatkit.error.code',
	storeOperation: 'chatkit.store.operation',
	toolName: 'chatkit.tool.name',
	toolCallId: 'chatkit.tool.call_id'
} as const

const parents = new WeakMap<object, Context>()

/** Makes `span` the parent of the spans started for this request context (store, model and tool calls). */
export const setTraceParent = (context: object, span: Span): void => {
	if (span === NOT_RECORDING) return
	parents.set(context, trace.setSpan(parents.get(context) ?? otelContext.active(), span))
}

/** The trace context of a request: its innermost span set by `setTraceParent`, else the active one. */
export const traceParentOf = (context: object | undefined): Context =>
	(context && parents.get(context)) ?? otelContext.active()

/** The user and tenant attributes of a request context. */
export const userAttributes = (context: Partial<ChatKitContext> | undefined): Attributes => {
	const user = context?.user
	if (!user) return {}
	return user.tenantId
		? { [SPAN_ATTRIBUTES.userId]: user.id, [SPAN_ATTRIBUTES.tenantId]: user.tenantId }
		: { [SPAN_ATTRIBUTES.userId]: user.id }
}

/** Ends `span` with an error status naming the error's class (its message may quote user input). */
export const failSpan = (span: Span, error: unknown): void => {
	span.setStatus({
		code: SpanStatusCode.ERROR,
		message: error instanceof Error ? error.name : typeof error
	})
	span.end()
}

/** Runs `run` inside a child span of `parent`, ending it when `run` settles. */
export const withSpan = async <T>(
	name: string,
	parent: Context,
	attributes: Attributes,
	run: (span: Span) => Promise<T>
): Promise<T> => {
	const span = chatkitTracer().startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent)
	if (!span.isRecording()) return run(span)
	try {
		const result = await otelContext.with(trace.setSpan(parent, span), () => run(span))
		span.end()
		return result
	} catch (error) {
		failSpan(span, error)
		throw error
	}
}

/** Store methods that take the request context last; the others are passed through. */
const TRACED_STORE_CALLS = [
	'loadThread',
	'saveThread',
	'startThread',
	'updateThread',
	'updateThreadMetadata',
	'loadThreadItems',
	'loadThreads',
	'addThreadItem',
	'saveItem',
	'loadItem',
	'updateItem',
	'deleteThread',
	'deleteThreadItem',
	'deleteItemsAfter',
	'saveAttachment',
	'loadAttachment',
	'deleteAttachment'
] as const

const tracedStores = new WeakMap<object, Store<any>>()

const threadIdOf = (method: string, first: unknown): string | undefined => {
	if (method === 'loadThreads' || method.includes('Attachment')) return undefined
	if (typeof first === 'string') return first
	const id = (first as { id?: unknown } | undefined)?.id
	return typeof id === 'string' ? id : undefined
}

/**
 * The store with a span around each call (`chatkit.store <method>`, attributes: the operation and the
 * thread id where the call names one), a child of the request's current span. Every other property (a
 * database client, `close`) is the store's own. `chatkit()` wraps its store with it.
 */
export const tracedStore = <S extends Store<any>>(store: S): S => {
	const known = tracedStores.get(store)
	if (known) return known as S
	const wrapped = new Map<PropertyKey, unknown>()
	for (const method of TRACED_STORE_CALLS) {
		const call = store[method] as ((...args: unknown[]) => Promise<unknown>) | undefined
		if (typeof call !== 'function') continue
		wrapped.set(method, function tracedStoreCall(...args: unknown[]) {
			if (!tracingEnabled()) return call.apply(store, args)
			const attributes: Attributes = { [SPAN_ATTRIBUTES.storeOperation]: method }
			const threadId = threadIdOf(method, args[0])
			if (threadId !== undefined) attributes[SPAN_ATTRIBUTES.threadId] = threadId
			return withSpan(
				`chatkit.store ${method}`,
				traceParentOf(args.at(-1) as object | undefined),
				attributes,
				() => call.apply(store, args)
			)
		})
	}
	/** The store's other methods, each bound to it once (a method replaced on the store is bound anew). */
	const bound = new WeakMap<object, unknown>()
	const traced = new Proxy(store, {
		get(target, key) {
			const tracedCall = wrapped.get(key)
			if (tracedCall) return tracedCall
			const value = Reflect.get(target, key, target)
			if (typeof value !== 'function') return value
			let method = bound.get(value)
			if (!method) {
				method = value.bind(target)
				bound.set(value, method)
			}
			return method
		}
	})
	tracedStores.set(store, traced)
	return traced
}

/** Starts the span of one request to the endpoint (`chatkit.request`, renamed `chatkit <type>` once parsed). */
export const startRequestSpan = (): Span =>
	tracingEnabled()
		? chatkitTracer().startSpan('chatkit.request', { kind: SpanKind.SERVER }, otelContext.active())
		: NOT_RECORDING

/** Names the request span after the request and sets its thread and user attributes. */
export const describeRequestSpan = (
	span: Span,
	type: string,
	params: unknown,
	context: Partial<ChatKitContext>
): void => {
	if (!span.isRecording()) return
	span.updateName(`chatkit ${type}`)
	span.setAttribute(SPAN_ATTRIBUTES.requestType, type)
	const threadId = (params as { thread_id?: unknown } | undefined)?.thread_id
	if (typeof threadId === 'string') span.setAttribute(SPAN_ATTRIBUTES.threadId, threadId)
	span.setAttributes(userAttributes(context))
}

/** Ends the request span with the answer's status (an error status from 500 on). */
export const endRequestSpan = (span: Span, status: number, code?: string | null): void => {
	if (!span.isRecording()) return
	span.setAttribute(SPAN_ATTRIBUTES.status, status)
	if (code) span.setAttribute(SPAN_ATTRIBUTES.errorCode, code)
	if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: code ?? String(status) })
	span.end()
}

/**
 * The turn of a streaming request inside a `chatkit.turn` span, child of the request span: the store,
 * model and tool calls of the turn are its children. Events are only looked at while the span records
 * (the id of a thread the turn creates, error codes).
 */
export const tracedTurn = (
	turn: Turn,
	requestSpan: Span,
	context: object,
	threadId: string | undefined
): Turn => {
	if (!requestSpan.isRecording()) return turn
	const parent = trace.setSpan(traceParentOf(context), requestSpan)
	return async (signal, emit, responded) => {
		const attributes: Attributes = threadId ? { [SPAN_ATTRIBUTES.threadId]: threadId } : {}
		await withSpan('chatkit.turn', parent, attributes, async (span) => {
			setTraceParent(context, span)
			const observe: Emit = (event) => {
				if (event.type === 'thread.created') {
					span.setAttribute(SPAN_ATTRIBUTES.threadId, event.thread.id)
					requestSpan.setAttribute(SPAN_ATTRIBUTES.threadId, event.thread.id)
				} else if (event.type === 'error') {
					span.setAttribute(SPAN_ATTRIBUTES.errorCode, event.code)
					requestSpan.setAttribute(SPAN_ATTRIBUTES.errorCode, event.code)
				}
				return emit(event)
			}
			await turn(signal, observe, responded)
			if (signal.aborted) span.setAttribute('chatkit.turn.cancelled', true)
		})
	}
}
