import {
	Agent,
	type AgentInputItem,
	InputGuardrailTripwireTriggered,
	type Model,
	OutputGuardrailTripwireTriggered,
	RunContext,
	type Runner,
	RunState,
	run,
	type StreamedRunResult,
	type Tool,
	type ToolToFinalOutputFunction
} from '@openai/agents'
import { CustomStreamError, StreamError } from '../../src/engine/errors'
import type { RespondArgs, Responder } from '../../src/engine/types'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { ThreadItem, UserMessageItem } from '../../src/protocol/items'
import type { ChatKitContext } from '../../src/store/types'
import {
	type ApprovalPrompt,
	approvalRequestsOf,
	claimPausedRun,
	clearPausedRun,
	isDecided,
	PAUSED_RUN_KEY,
	type PausedRun,
	pausedRunOf
} from './approvals'
import { AgentContext } from './context'
import type { ResponseStreamConverter } from './converter'
import { ThreadItemConverter } from './input'
import { modelFromEnv } from './models'
import { streamAgentResponse } from './stream'
import { isClientTool, registeredTools } from './tools'
import { isTraced, withTracedTools } from './tracing'

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

/** Stop the run once a client tool set its call: an invalid call (refused before it runs) lets the model try again. */
const stopAtClientToolCall: ToolToFinalOutputFunction = (runContext) =>
	runContext.context instanceof AgentContext && runContext.context.clientToolCall
		? { isFinalOutput: true, isInterrupted: undefined, finalOutput: '' }
		: { isFinalOutput: false, isInterrupted: undefined }

/** The composer's tool choice, when the agent has that tool; client tools stop the run. */
const agentForTurn = (agent: AnyAgent, input: UserMessageItem | null): AnyAgent => {
	const tools = agent.tools as Tool<unknown>[]
	const choice = input?.inference_options.tool_choice?.id
	const config: Partial<AnyAgent> = {}
	if (choice && tools.some((tool) => tool.name === choice))
		config.modelSettings = { ...agent.modelSettings, toolChoice: choice }
	if (tools.some(isClientTool) && agent.toolUseBehavior === 'run_llm_again')
		config.toolUseBehavior = stopAtClientToolCall
	return Object.keys(config).length > 0 ? agent.clone(config) : agent
}

/** The tools other plugins registered (`agentTool`, e.g. the tools plugin) join the agent's own; its own win on a name clash. */
const withRegisteredTools = (agent: AnyAgent, context: object): AnyAgent => {
	const registered = registeredTools(context)
	if (registered.length === 0) return agent
	const own = new Set((agent.tools as Tool<unknown>[]).map((tool) => tool.name))
	const extra = registered.filter((tool) => !own.has(tool.name))
	return extra.length > 0 ? agent.clone({ tools: [...agent.tools, ...extra] }) : agent
}

export const NO_APPROVER_MESSAGE =
	"This call needs the user's approval, which cannot be asked for here. It was not run."
export const REJECTED_MESSAGE = 'The user did not approve this call. It was not run.'

/** The run state to keep: the request context (user, store, connections) stays out of it. */
const serializeState = (result: StreamedRunResult<any, any>): string => {
	const runContext = result.runContext
	const live = runContext.context
	runContext.context = {}
	try {
		return result.state.toString()
	} finally {
		runContext.context = live
	}
}

/** A paused run, rebuilt around this turn's context, with the user's answers applied. */
const resumedState = async <C extends ChatKitContext>(
	agent: AnyAgent,
	paused: PausedRun,
	ctx: AgentContext<C>
): Promise<RunState<AgentContext<C>, AnyAgent>> => {
	const state = await RunState.fromStringWithContext<AgentContext<C>, AnyAgent>(
		agent,
		paused.state,
		new RunContext(ctx),
		{ contextStrategy: 'merge' }
	)
	const interruptions = state.getInterruptions()
	const requests = approvalRequestsOf(interruptions)
	for (const [index, item] of interruptions.entries()) {
		// one request per interruption, in order
		const answer = paused.approvals.find((approval) => approval.id === requests[index]!.id)
		if (answer?.decision === 'approved') state.approve(item)
		else state.reject(item, { message: answer?.message ?? REJECTED_MESSAGE })
	}
	return state
}

const approvalPromptOf = (context: object): ApprovalPrompt<any> | undefined =>
	(context as { chatkitApprovalPrompt?: ApprovalPrompt<any> }).chatkitApprovalPrompt

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
			const chosen =
				typeof options.agent === 'function'
					? await options.agent(ctx)
					: (options.agent ?? defaultAgent())
			const forTurn = agentForTurn(withRegisteredTools(chosen, context), input)
			const agent = isTraced(context) ? withTracedTools(forTurn) : forTurn
			const runOptions = { stream: true as const, signal: abort.signal, maxTurns }
			const start = (from: AgentInputItem[] | RunState<AgentContext<C>, AnyAgent>) => {
				const withOptions = from instanceof RunState ? runOptions : { ...runOptions, context: ctx }
				return runner ? runner.run(agent, from, withOptions) : run(agent, from, withOptions)
			}
			const paused = pausedRunOf(thread)
			const resume = paused !== null && input === null && isDecided(paused)
			if (resume && (await claimPausedRun(store, thread, paused, context)) === false) return
			if (paused && (resume || input !== null)) clearPausedRun(thread)
			let result = resume
				? await start(await resumedState(agent, paused, ctx))
				: await start(await inputConverter.toAgentInput(page.data.toReversed()))
			let recentItems: readonly ThreadItem[] = page.data
			while (true) {
				yield* streamAgentResponse(ctx, result, { converter, recentItems })
				const interruptions = result.interruptions
				if (interruptions.length === 0 || abort.signal.aborted) break
				const prompt = approvalPromptOf(context)
				if (!prompt) {
					for (const item of interruptions)
						result.state.reject(item, { message: NO_APPROVER_MESSAGE })
					result = await start(result.state)
					recentItems = []
					continue
				}
				const requests = approvalRequestsOf(interruptions)
				const pausedRun: PausedRun = {
					state: serializeState(result),
					approvals: requests,
					paused_at: new Date().toISOString()
				}
				thread.metadata = { ...thread.metadata, [PAUSED_RUN_KEY]: pausedRun }
				yield* prompt(ctx, requests)
				break
			}
		} catch (error) {
			throw safeError(error)
		} finally {
			signal.removeEventListener('abort', onAbort)
			abort.abort()
		}
	}
}
