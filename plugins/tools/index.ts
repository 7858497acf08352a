import type { Tool } from '@openai/agents'
import { type AnyElysia, Elysia } from 'elysia'
import { agentTool } from '../agent/tools'
import { approvalActions, approvalPrompt } from './approval'
import {
	DEFINITION,
	isServerTool,
	type ServerTool,
	type ToolDefaults,
	type ToolFailure,
	type ToolVisibility
} from './server'

export { type ClientToolOptions, clientTool, isClientTool } from '../agent/tools'
export * from './approval'
export * from './context'
export {
	type ApprovalPromptOptions,
	humanize,
	isServerTool,
	type ServerTool,
	type ServerToolOptions,
	serverTool,
	type ToolFailure,
	type ToolVisibility
} from './server'

export interface ToolsOptions {
	/**
	 * How calls of server tools that set no `visible` show: `'task'` (a task in the turn's workflow,
	 * running → done or failed), `'progress'` (a status line) or `false`.
	 * @default 'task'
	 */
	visible?: ToolVisibility
	/**
	 * Called when a server tool throws, after the model is given the error as the call's result.
	 * @default a log line with the tool's name and the error's class (never its message, which may hold user data)
	 * @example onError: ({ tool, error }) => logger.warn({ tool, err: error })
	 */
	onError?: (failure: ToolFailure) => void
}

type Context<A extends AnyElysia> = A['~Singleton']['decorator'] &
	A['~Singleton']['derive'] &
	A['~Singleton']['resolve'] &
	A['~Volatile']['derive'] &
	A['~Volatile']['resolve'] &
	A['~Ephemeral']['derive'] &
	A['~Ephemeral']['resolve']

type NeedsOf<T> = T extends ServerTool<infer Needs, any> ? Needs : {}

type Intersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void
	? I
	: never

/** The request context keys the tools read, all together. */
export type ToolsNeeds<T extends readonly Tool<any>[]> = Intersection<NeedsOf<T[number]>> & {}

/** The keys an app's context lacks, or provides with another type. */
type Unmet<Provided, Needs> = {
	[K in keyof Needs]-?: K extends keyof Provided ? (Provided[K] extends Needs[K] ? never : K) : K
}[keyof Needs]

/** What `.use(tools([...]))` gives when a tool reads a context key no plugin of the app provides: a compile error that names it. */
export interface ToolsMissing<Keys> {
	'tools() reads request context keys that no plugin used before it provides': Keys
}

type Checked<A extends AnyElysia, Needs> = [Unmet<Context<A>, Needs>] extends [never]
	? A
	: ToolsMissing<Unmet<Context<A>, Needs>>

const registryOf = (list: readonly Tool<any>[], defaults: ToolDefaults) => {
	const registry: Record<string, () => Tool<any>> = {}
	for (const tool of list) {
		const entry = agentTool(isServerTool(tool) ? tool[DEFINITION].build(defaults) : tool)
		if (Object.keys(entry).some((key) => key in registry))
			throw new Error(`tools(): two tools are named ${JSON.stringify(tool.name)}`)
		Object.assign(registry, entry)
	}
	return registry
}

/**
 * Registers tools for the agent plugin: server tools (`serverTool`), client tools (`clientTool`) and
 * any Agents SDK tool. On every turn the agent plugin adds them to its agent. Server tools that need
 * approval get an approve/reject prompt, answered through the actions `tool.approve` and
 * `tool.reject` (registered with the actions plugin).
 *
 * Use it after the plugins that provide what the tools read: the app does not compile when a tool
 * declared with `serverTool<Needs>()` reads a context key that no plugin provides.
 *
 * @example
 * new Elysia()
 * 	.use(jwtAuth({ secret: process.env.JWT_SECRET }))
 * 	.use(payments())                                  // derives `payments`
 * 	.use(tools([lookupOrder, refund, pickDate]))      // refund reads `payments`
 * 	.use(agent({ instructions: 'You help customers.' }))
 * 	.use(drizzleStore({ url: process.env.DATABASE_URL }))
 * 	.use(chatkit())
 */
export const tools = <const T extends readonly Tool<any>[]>(list: T, options: ToolsOptions = {}) => {
	const registry = registryOf(list, options)
	const plugin = new Elysia({
		name: 'elysia-chatkit/tools',
		seed: { tools: Object.keys(registry).sort(), visible: options.visible ?? 'task' }
	})
		.decorate(registry)
		.decorate('chatkitApprovalPrompt', approvalPrompt)
		.use(approvalActions)
	return <const A extends AnyElysia>(app: A): Checked<A, ToolsNeeds<T>> =>
		(app as AnyElysia).use(plugin) as unknown as Checked<A, ToolsNeeds<T>>
}
