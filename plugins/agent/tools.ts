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
 * A tool the ChatKit client runs: when the model calls it, the turn ends with a pending
 * `client_tool_call`; the client's `onClientTool` result comes back with the next turn. The agent
 * responder stops the run at client tools (unless the agent sets its own `toolUseBehavior`).
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
