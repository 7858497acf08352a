import {
	Agent,
	type AgentInputItem,
	InputGuardrailTripwireTriggered,
	type Model,
	OutputGuardrailTripwireTriggered,
	type Runner,
	run,
	type Tool
} from '@openai/agents'
import { CustomStreamError, StreamError } from '../../src/engine/errors'
import type { RespondArgs, Responder } from '../../src/engine/types'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { UserMessageItem } from '../../src/protocol/items'
import type { ChatKitContext } from '../../src/store/types'
import { AgentContext } from './context'
import type { ResponseStreamConverter } from './converter'
import { ThreadItemConverter } from './input'
import { modelFromEnv } from './models'
import { streamAgentResponse } from './stream'
import { isClientTool } from './tools'

// biome-ignore lint/suspicious/noExplicitAny: agents of any context and output type are accepted
export type AnyAgent = Agent<any, any>

export const DEFAULT_INSTRUCTIONS = 'You are a helpful assistant. Answer concisely.'

export interface AgentResponderOptions<C extends ChatKitContext = ChatKitContext> {
	/**
	 * The agent that answers, or a function that picks one per turn (from the user, the thread…).
	 * Tools receive the {@link AgentContext} as `runContext.context`.
	 * @default new Agent({ name, instructions, model, tools })
	 * @example
	 * agent: (ctx) => ctx.user.roles?.includes('admin') ? adminAgent : supportAgent
	 */
	agent?: AnyAgent | ((context: AgentContext<C>) => AnyAgent | Promise<AnyAgent>)
	/**
	 * Instructions of the default agent (ignored when `agent` is given).
	 * @default 'You are a helpful assistant. Answer concisely.'
	 */
	instructions?: string
	/**
	 * Model of the default agent: a `Model` or a model name for the runner's provider.
	 * @default modelFromEnv()
	 */
	model?: Model | string
	/**
	 * Tools of the default agent.
	 * @default []
	 */
	tools?: Tool<AgentContext<C>>[]
	/**
	 * Name of the default agent.
	 * @default 'Assistant'
	 */
	name?: string
	/**
	 * How many of the thread's latest items are loaded from the store and sent to the model on every turn.
	 * @default 20
	 */
	historyLimit?: number
	/**
	 * Most model calls in one turn.
	 * @default the Agents SDK default (10)
	 */
	maxTurns?: number
	/**
	 * Runs the agent (e.g. `new Runner({ modelProvider })`).
	 * @default the SDK's `run()`
	 */
	runner?: Runner
	/**
	 * Turns model output into ChatKit content (citations, generated images).
	 * @default new ResponseStreamConverter()
	 */
	converter?: ResponseStreamConverter
	/**
	 * Turns stored thread items into the model's input.
	 * @default new ThreadItemConverter()
	 */
	inputConverter?: ThreadItemConverter
}

/**
 * Agents SDK errors carry the run state (the conversation): log one line, and hand the engine a
 * `StreamError` (the client shows a retryable error) with the original as `cause`.
 */
const safeError = (error: unknown): unknown => {
	if (error instanceof StreamError || error instanceof CustomStreamError) return error
	const name = error instanceof Error ? error.name : typeof error
	const tripwire =
		error instanceof InputGuardrailTripwireTriggered || error instanceof OutputGuardrailTripwireTriggered
	if (!tripwire) {
		const message = error instanceof Error ? `: ${error.message.replace(/\bsk-[\w*.-]+/g, 'sk-…')}` : ''
		console.error(`[elysia-chatkit/agent] the agent run failed: ${name}${message}`)
	}
	return Object.assign(new StreamError('stream.error'), { cause: error })
}

/** The composer's tool choice, when the agent has that tool; client tools stop the run. */
const agentForTurn = (agent: AnyAgent, input: UserMessageItem | null): AnyAgent => {
	const tools = agent.tools as Tool<unknown>[]
	const clientTools = tools.filter(isClientTool).map((tool) => tool.name)
	const choice = input?.inference_options.tool_choice?.id
	const config: Partial<AnyAgent> = {}
	if (choice && tools.some((tool) => tool.name === choice))
		config.modelSettings = { ...agent.modelSettings, toolChoice: choice }
	if (clientTools.length > 0 && agent.toolUseBehavior === 'run_llm_again')
		config.toolUseBehavior = { stopAtToolNames: clientTools }
	return Object.keys(config).length > 0 ? agent.clone(config) : agent
}

/**
 * A ChatKit responder that runs an OpenAI Agents SDK agent: on every turn it loads the thread's
 * latest items from the store, converts them to the agent's input, runs the agent streamed (aborted
 * when the client goes away) and maps the run onto ChatKit events. Usable without Elysia.
 *
 * @example
 * chatkit({ store, respond: agentResponder({ agent: new Agent({ name: 'Assistant', model: modelFromEnv() }) }) })
 */
export const agentResponder = <C extends ChatKitContext = ChatKitContext>(
	options: AgentResponderOptions<C> = {}
): Responder<C> => {
	const { historyLimit = 20, maxTurns, runner, converter } = options
	const inputConverter = options.inputConverter ?? new ThreadItemConverter()
	let fallback: AnyAgent | undefined
	const defaultAgent = () =>
		(fallback ??= new Agent({
			name: options.name ?? 'Assistant',
			instructions: options.instructions ?? DEFAULT_INSTRUCTIONS,
			model: options.model ?? modelFromEnv(),
			tools: options.tools ?? []
		}))

	return async function* respondWithAgent({
		thread,
		input,
		context,
		store,
		signal
	}: RespondArgs<C>): AsyncGenerator<ThreadStreamEvent> {
		const abort = new AbortController()
		const onAbort = () => abort.abort(signal.reason)
		if (signal.aborted) return
		signal.addEventListener('abort', onAbort, { once: true })
		try {
			const ctx = new AgentContext<C>({ thread, store, requestContext: context, signal: abort.signal })
			const page = await store.loadThreadItems(thread.id, null, historyLimit, 'desc', context)
			const history: AgentInputItem[] = await inputConverter.toAgentInput(page.data.toReversed())
			const chosen =
				typeof options.agent === 'function'
					? await options.agent(ctx)
					: (options.agent ?? defaultAgent())
			const agent = agentForTurn(chosen, input)
			const runOptions = { stream: true as const, context: ctx, signal: abort.signal, maxTurns }
			const result = runner
				? await runner.run(agent, history, runOptions)
				: await run(agent, history, runOptions)
			yield* streamAgentResponse(ctx, result, { converter, recentItems: page.data })
		} catch (error) {
			throw safeError(error)
		} finally {
			signal.removeEventListener('abort', onAbort)
			abort.abort()
		}
	}
}
