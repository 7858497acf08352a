import type { z } from 'zod'
import type { ThreadStreamEvent } from './protocol/events'
import type { Attachment, Page, Thread, ThreadItem } from './protocol/items'
import type { ChatKitRequestSchema, ChatKitRequestType, UserMessageInput } from './protocol/requests'

type RequestInput = z.input<typeof ChatKitRequestSchema>
type ParamsOf<T extends ChatKitRequestType> = Extract<RequestInput, { type: T }>['params']
type WithInput<P> = P extends { input: UserMessageInput | object }
	? Omit<P, 'input'> & { input: string | ParamsInput<P> }
	: P
type ParamsInput<P> = P extends { input: infer I } ? I : never

/** Anything with Elysia's `handle`: an app instance, used without a port. */
export interface Handler {
	handle(request: Request): Promise<Response>
}

/** What `new Headers()` takes (the global `HeadersInit` exists only with the DOM lib). */
type HeadersInput = NonNullable<ConstructorParameters<typeof Headers>[0]>

export interface ChatKitClientOptions {
	/** The endpoint, e.g. `http://127.0.0.1:8000/chatkit`. With `app`, only its path matters. @default 'http://localhost/chatkit' */
	url?: string
	/** Send requests to this app instance instead of the network. */
	app?: Handler
	/** Extra headers for every request (e.g. `authorization`), or a function that returns them. */
	headers?: HeadersInput | (() => HeadersInput | Promise<HeadersInput>)
	/** @default globalThis.fetch */
	fetch?: (request: Request) => Promise<Response>
}

/** A non-2xx answer: the server's `{ code, message, details? }`. */
export class ChatKitClientError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly details?: unknown
	) {
		super(message)
		this.name = 'ChatKitClientError'
	}
}

/** Parse `data: <json>\n\n` frames from an SSE body as they arrive; cancels the body when the consumer stops early. */
export async function* readEvents(
	body: ReadableStream<Uint8Array | string>
): AsyncGenerator<ThreadStreamEvent> {
	const reader = body.getReader()
	const decoder = new TextDecoder()
	let buffer = ''
	let finished = false
	try {
		while (true) {
			const { done, value } = await reader.read()
			if (done) break
			buffer += typeof value === 'string' ? value : decoder.decode(value, { stream: true })
			let end = buffer.indexOf('\n\n')
			while (end >= 0) {
				const frame = buffer.slice(0, end)
				buffer = buffer.slice(end + 2)
				for (const line of frame.split('\n'))
					if (line.startsWith('data: ')) yield JSON.parse(line.slice(6)) as ThreadStreamEvent
				end = buffer.indexOf('\n\n')
			}
		}
		finished = true
	} finally {
		if (!finished) await reader.cancel().catch(() => {})
		reader.releaseLock()
	}
}

const toInput = (input: string | object) =>
	typeof input === 'string'
		? { content: [{ type: 'input_text', text: input }], attachments: [], inference_options: {} }
		: input

/**
 * A typed client for the whole protocol, over `fetch` or over an app instance.
 *
 * @example
 * const client = createClient({ app })
 * for await (const event of client.threads.create({ input: 'Hello' })) console.log(event.type)
 * const page = await client.threads.list({ limit: 10 })
 */
export const createClient = (options: ChatKitClientOptions = {}) => {
	const url = options.url ?? 'http://localhost/chatkit'
	const send = options.app
		? (request: Request) => (options.app as Handler).handle(request)
		: (options.fetch ?? ((request: Request) => fetch(request)))

	const post = async (
		type: ChatKitRequestType,
		params: object,
		signal?: AbortSignal
	): Promise<Response> => {
		const headers = new Headers(
			typeof options.headers === 'function' ? await options.headers() : options.headers
		)
		headers.set('content-type', 'application/json')
		const response = await send(
			new Request(url, { method: 'POST', headers, body: JSON.stringify({ type, params }), signal })
		)
		if (!response.ok) {
			const text = await response.text()
			let body: { code?: string; message?: string; details?: unknown } = {}
			try {
				body = JSON.parse(text)
			} catch {}
			throw new ChatKitClientError(
				response.status,
				body.code ?? 'http_error',
				body.message ?? (text || response.statusText),
				body.details
			)
		}
		return response
	}

	const json =
		<T extends ChatKitRequestType, R>(type: T) =>
		async (params: ParamsOf<T>, init: { signal?: AbortSignal } = {}): Promise<R> =>
			(await post(type, params as object, init.signal)).json() as Promise<R>

	const stream =
		<T extends ChatKitRequestType>(type: T) =>
		(
			params: WithInput<ParamsOf<T>>,
			init: { signal?: AbortSignal } = {}
		): AsyncGenerator<ThreadStreamEvent> => {
			const body =
				'input' in (params as object) &&
				(type === 'threads.create' || type === 'threads.add_user_message')
					? { ...params, input: toInput((params as { input: string | object }).input) }
					: params
			return (async function* () {
				const response = await post(type, body as object, init.signal)
				if (!response.body) return
				yield* readEvents(response.body)
			})()
		}

	return {
		threads: {
			create: stream('threads.create'),
			addUserMessage: stream('threads.add_user_message'),
			addClientToolOutput: stream('threads.add_client_tool_output'),
			addStructuredInput: stream('threads.add_structured_input'),
			retryAfterItem: stream('threads.retry_after_item'),
			customAction: stream('threads.custom_action'),
			getById: json<'threads.get_by_id', Thread>('threads.get_by_id'),
			list: json<'threads.list', Page<Thread>>('threads.list'),
			update: json<'threads.update', Thread>('threads.update'),
			delete: json<'threads.delete', Record<string, never>>('threads.delete'),
			syncCustomAction: json<'threads.sync_custom_action', { updated_item?: ThreadItem }>(
				'threads.sync_custom_action'
			)
		},
		items: {
			list: json<'items.list', Page<ThreadItem>>('items.list'),
			feedback: json<'items.feedback', Record<string, never>>('items.feedback')
		},
		attachments: {
			create: json<'attachments.create', Attachment>('attachments.create'),
			delete: json<'attachments.delete', Record<string, never>>('attachments.delete')
		},
		input: {
			transcribe: json<'input.transcribe', { text: string }>('input.transcribe')
		}
	}
}

export type ChatKitClient = ReturnType<typeof createClient>
