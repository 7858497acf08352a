import { Elysia } from 'elysia'
import type { ChatKitContext } from '../../src/store/types'
import { type AgentResponderOptions, agentResponder } from './responder'

/** The Agents SDK names an app passes to `agent()` (its own agent, tools or runner), from the SDK the plugin runs on. */
export { Agent, type Model, Runner, type Tool, tool } from '@openai/agents'
export * from './approvals'
export * from './context'
export * from './converter'
export * from './input'
export * from './models'
export * from './offline'
export * from './responder'
export * from './stream'
export * from './tools'

/** Options of the agent plugin: those of {@link agentResponder}. */
export interface AgentOptions<C extends ChatKitContext = ChatKitContext> extends AgentResponderOptions<C> {}

const seedOf = (options: AgentOptions<any>) => ({
	agent:
		typeof options.agent === 'function'
			? 'per-turn'
			: (options.agent?.name ?? options.name ?? 'Assistant'),
	instructions: options.instructions,
	model: typeof options.model === 'string' ? options.model : undefined,
	historyLimit: options.historyLimit,
	maxTurns: options.maxTurns
})

/**
 * Answers ChatKit turns with an OpenAI Agents SDK agent: decorates the responder that `chatkit()`
 * uses. History comes from the store on every turn; the run streams token by token and stops when
 * the client goes away.
 *
 * @example
 * new Elysia()
 *   .use(agent({ instructions: 'You help customers.', tools: [lookupOrder] }))
 *   .use(chatkit({ store: new MemoryStore() }))
 *   .listen(8000)
 */
export const agent = <C extends ChatKitContext = ChatKitContext>(options: AgentOptions<C> = {}) =>
	new Elysia({ name: 'elysia-chatkit/agent', seed: seedOf(options) }).decorate(
		'chatkitRespond',
		agentResponder<C>(options)
	)
