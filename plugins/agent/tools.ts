import { type FunctionTool, type Tool, tool } from '@openai/agents'
import { z } from 'zod'
import { AgentContext, type AgentRunContext, agentContext } from './context'

const CLIENT_TOOL = Symbol.for('elysia-chatkit.clientTool')

export interface ClientToolOptions<P extends z.ZodObject> {
	/** The name the model calls and the client's `onClientTool` receives. */
	name: string
	description: string
	/** The arguments the client receives. */
	parameters: P
}

/**
 * What the model reads when a call fails outside the tool's own code: arguments its schema refuses
 * (the call never runs), or an unexpected error.
 */
export const toolErrorMessage = (name: string, error: unknown): string =>
	error instanceof Error && error.name === 'InvalidToolInputError'
		? `The arguments for ${name} do not match its parameters, so nothing was done. Call it again with valid arguments.`
		: `The call to ${name} failed.`

/**
 * A tool the ChatKit client runs: when the model calls it, the turn ends with a pending
 * `client_tool_call`; the client's `onClientTool` result comes back with the next turn. The agent
 * responder stops the run once a client tool call is set (unless the agent sets its own
 * `toolUseBehavior`). Arguments the schema refuses are never sent to the client: the model is told
 * to call again, and the run goes on.
 *
 * @example
 * const pickColor = clientTool({ name: 'pick_color', description: 'Ask the user to pick a color', parameters: z.object({ hint: z.string() }) })
 * new Agent({ name: 'Assistant', tools: [pickColor] })
 */
export const clientTool = <P extends z.ZodObject>(
	options: ClientToolOptions<P>
): FunctionTool<AgentContext<any>, P> => {
	const created = tool({
		name: options.name,
		description: options.description,
		parameters: options.parameters,
		errorFunction: (_runContext: unknown, error: unknown) => toolErrorMessage(options.name, error),
		async execute(input, runContext, details) {
			agentContext(runContext).setClientToolCall({
				name: options.name,
				arguments: input as Record<string, unknown>,
				callId: details?.toolCall?.callId
			})
			return 'The client is handling this call; its result arrives with the next turn.'
		}
	} as Parameters<typeof tool>[0])
	return Object.assign(created, { [CLIENT_TOOL]: true }) as unknown as FunctionTool<AgentContext<any>, P>
}

const TOOL_KEY = 'chatkitTool:'

/**
 * Register a tool for the agent plugin from another plugin: `.decorate(agentTool(lookupOrder))`.
 * On every turn, the agent plugin adds the tools registered in the app to its agent's own (which win
 * on a name clash). Each tool has its own context key, so apps never share a registry.
 */
export const agentTool = (tool: Tool<any>): Record<string, () => Tool<any>> => ({
	[`${TOOL_KEY}${tool.name}`]: () => tool
})

/** The tools registered with {@link agentTool} in a request context. */
export const registeredTools = (context: object): Tool<any>[] =>
	Object.entries(context as Record<string, () => Tool<any>>)
		.filter(([key]) => key.startsWith(TOOL_KEY))
		.map(([, register]) => register())

/** Whether a tool was made with {@link clientTool}. */
export const isClientTool = (value: Tool<any>): boolean => CLIENT_TOOL in (value as object)

/**
 * A demo tool: the server's current time. It shows a progress update while it works. The offline
 * model calls it when the user mentions "current time".
 */
export const currentTime = tool({
	name: 'current_time',
	description: "The server's current date and time (ISO 8601, UTC).",
	parameters: z.object({}),
	async execute(_input, runContext?: AgentRunContext) {
		if (runContext?.context instanceof AgentContext)
			runContext.context.progress('Checking the clock…', 'clock')
		return new Date().toISOString()
	}
})
