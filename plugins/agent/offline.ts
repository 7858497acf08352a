import { type AgentInputItem, type Model, type ModelRequest, type ModelResponse, Usage } from '@openai/agents'

type StreamEvent = ReturnType<Model['getStreamedResponse']> extends AsyncIterable<infer E> ? E : never
type Output = Extract<StreamEvent, { type: 'response_done' }>['response']['output']
type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; enum?: unknown[] }

export interface OfflineModelOptions {
	/**
	 * Pause between streamed tokens, in milliseconds (makes streaming visible in a UI).
	 * @default 0
	 */
	tokenDelayMs?: number
	/**
	 * The reply to a user message.
	 * @default (text) => `You said: "${text}". …`
	 */
	reply?: (text: string, toolNames: string[]) => string
}

const CONTEXT_PREFIXES = [
	'# User-provided context',
	'The user is referring to this',
	'Hidden context for the agent'
]

const textOf = (content: unknown): string => {
	if (typeof content === 'string') return content
	if (!Array.isArray(content)) return ''
	return content
		.map((part) => (part && typeof part === 'object' && 'text' in part ? String(part.text) : ''))
		.join('')
}

const lastUserText = (input: AgentInputItem[]): string => {
	for (let index = input.length - 1; index >= 0; index--) {
		const item = input[index] as { role?: string; content?: unknown }
		if (item.role !== 'user') continue
		const text = textOf(item.content)
		if (!CONTEXT_PREFIXES.some((prefix) => text.startsWith(prefix))) return text
	}
	return ''
}

const sampleValue = (schema: JsonSchema | undefined, said: string): unknown => {
	if (schema?.enum?.length) return schema.enum[0]
	const type = Array.isArray(schema?.type) ? schema.type[0] : schema?.type
	switch (type) {
		case 'number':
		case 'integer':
			return 0
		case 'boolean':
			return false
		case 'array':
			return []
		case 'object':
			return sampleArguments(schema, said)
		case 'null':
			return null
		default:
			return /[\w-]*\d[\w-]*/.exec(said)?.[0] ?? ''
	}
}

/** Arguments that fit the schema; string fields take the first token of the message with a digit in it (an order number, a date). */
const sampleArguments = (schema: JsonSchema | undefined, said = ''): Record<string, unknown> =>
	Object.fromEntries(
		Object.entries(schema?.properties ?? {}).map(([key, value]) => [key, sampleValue(value, said)])
	)

const defaultReply = (text: string, toolNames: string[]) => {
	const said = text.length > 200 ? `${text.slice(0, 200)}…` : text
	const tools = toolNames.length > 0 ? ` Name a tool (${toolNames.join(', ')}) and I will call it.` : ''
	return `You said: "${said}". I am the offline model built into elysia-chatkit: I stream a fixed reply without calling any API. Set OPENAI_API_KEY to talk to a real model.${tools}`
}

const tokens = (text: string) => text.match(/\s*\S+\s*/g) ?? [text]

const abortError = () => Object.assign(new Error('The request was aborted'), { name: 'AbortError' })

const pause = (ms: number, signal?: AbortSignal) =>
	new Promise<void>((resolve) => {
		if (ms <= 0 || signal?.aborted) return resolve()
		const timer = setTimeout(resolve, ms)
		signal?.addEventListener(
			'abort',
			() => {
				clearTimeout(timer)
				resolve()
			},
			{ once: true }
		)
	})

/**
 * A model that needs no network or key: it answers every message with a deterministic reply,
 * streamed token by token through the real Agents SDK, and calls a tool of the agent when the user
 * names it (then reports what the tool returned). What `bun run dev` runs without `OPENAI_API_KEY`,
 * and a handy model for tests next to the SDK's `ScriptedModel`.
 *
 * @example
 * const agent = new Agent({ name: 'Assistant', model: new OfflineModel({ tokenDelayMs: 15 }), tools: [currentTime] })
 */
export class OfflineModel implements Model {
	private responses = 0
	private readonly tokenDelayMs: number
	private readonly reply: NonNullable<OfflineModelOptions['reply']>

	constructor(options: OfflineModelOptions = {}) {
		this.tokenDelayMs = options.tokenDelayMs ?? 0
		this.reply = options.reply ?? defaultReply
	}

	/** What the model answers to a request: a message, or a call to a tool the user named. */
	plan(request: ModelRequest): { id: string; output: Output } {
		const id = `offline_${++this.responses}`
		const input: AgentInputItem[] =
			typeof request.input === 'string' ? [{ role: 'user', content: request.input }] : request.input
		const tools = request.tools.flatMap((tool) => (tool.type === 'function' ? [tool] : []))
		const last = input.at(-1) as { type?: string; name?: string; output?: unknown } | undefined
		const message = (text: string): Output => [
			{
				id: `msg_${id}`,
				type: 'message',
				role: 'assistant',
				status: 'completed',
				content: [{ type: 'output_text', text }]
			}
		]
		if (last?.type === 'function_call_result') {
			const output = typeof last.output === 'string' ? last.output : textOf([last.output])
			return { id, output: message(`The ${last.name} tool returned: ${output}`) }
		}
		const text = lastUserText(input)
		const lower = text.toLowerCase()
		const named = tools.find(
			(tool) =>
				lower.includes(tool.name.toLowerCase()) ||
				lower.includes(tool.name.toLowerCase().replaceAll('_', ' '))
		)
		if (named)
			return {
				id,
				output: [
					{
						id: `fc_${id}`,
						type: 'function_call',
						callId: `call_${id}`,
						name: named.name,
						status: 'completed',
						arguments: JSON.stringify(sampleArguments(named.parameters as JsonSchema, text))
					}
				]
			}
		return {
			id,
			output: message(
				this.reply(
					text,
					tools.map((tool) => tool.name)
				)
			)
		}
	}

	async getResponse(request: ModelRequest): Promise<ModelResponse> {
		const { id, output } = this.plan(request)
		return { responseId: id, output, usage: new Usage() }
	}

	async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
		const { signal } = request
		if (signal?.aborted) throw abortError()
		const { id, output } = this.plan(request)
		yield { type: 'response_started' }
		let outputTokens = 0
		for (const item of output) {
			if (item.type !== 'message' || item.role !== 'assistant') continue
			for (const part of item.content) {
				if (part.type !== 'output_text') continue
				for (const delta of tokens(part.text)) {
					if (this.tokenDelayMs > 0) await pause(this.tokenDelayMs, signal)
					if (signal?.aborted) throw abortError()
					outputTokens++
					yield { type: 'output_text_delta', delta, itemId: item.id }
				}
			}
		}
		yield {
			type: 'response_done',
			response: { id, usage: { inputTokens: 0, outputTokens, totalTokens: outputTokens }, output }
		}
	}
}
