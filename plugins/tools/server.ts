import { type FunctionTool, tool } from '@openai/agents'
import type { z } from 'zod'
import type { IconName } from '../../src/protocol/icons'
import type { CustomTask, WorkflowItem } from '../../src/protocol/items'
import { type AgentContext, agentContext } from '../agent/context'
import { toolErrorMessage } from '../agent/tools'
import { type ToolContext, toolContext } from './context'

/**
 * How a server tool's calls show in the thread: `'task'`, a task in the turn's workflow (running, then
 * done or failed); `'progress'`, a status line while it runs (a warning notice when it fails);
 * `false`, nothing.
 */
export type ToolVisibility = false | 'progress' | 'task'

/** The approve/reject prompt of a tool that needs the user's approval. */
export interface ApprovalPromptOptions<A> {
	/**
	 * The prompt's title.
	 * @default `Allow “<title>”?`
	 */
	title?: string | ((args: A) => string)
	/**
	 * What the call will do, in the user's words (markdown).
	 * @default the arguments, one `name: value` line each
	 * @example ({ amount, orderId }) => `Refund **$${amount}** on order ${orderId}.`
	 */
	description?: string | ((args: A) => string)
	/**
	 * @default 'Approve'
	 */
	approveLabel?: string
	/**
	 * @default 'Reject'
	 */
	rejectLabel?: string
}

/** What a call failure gives `onError` (see `ToolsOptions`). */
export interface ToolFailure {
	tool: string
	callId: string
	error: unknown
	context: ToolContext['context']
}

/** Settings `tools()` applies to the server tools it registers. */
export interface ToolDefaults {
	visible?: ToolVisibility
	onError?: (failure: ToolFailure) => void
}

export interface ServerToolOptions<P extends z.ZodObject, Needs extends object> {
	/** The name the model calls: letters, digits, `_` and `-`. Unique among the agent's tools. */
	name: string
	/** Tells the model when to call it. */
	description: string
	/**
	 * The arguments. The model's arguments are parsed with it before `execute` runs; arguments it
	 * refuses never reach `execute`, and the model is told to call again.
	 * @example z.object({ orderId: z.string() })
	 */
	parameters: P
	/**
	 * What the user sees for a call (the task's title, the progress line).
	 * @default the name in words: `lookup_order` → `Lookup order`
	 */
	title?: string | ((args: z.output<P>) => string)
	/** The icon of the task or progress line. */
	icon?: IconName
	/**
	 * How calls show in the thread.
	 * @default the `visible` option of `tools()`, else `'task'`
	 */
	visible?: ToolVisibility
	/**
	 * Whether a call waits for the user's approval first: the run pauses, the user sees an
	 * approve/reject prompt, and the answer resumes it (on any instance of the app). A rejected call
	 * never runs; the model is told so.
	 * @default false
	 * @example needsApproval: ({ amount }) => amount > 100
	 */
	needsApproval?: boolean | ((args: z.output<P>, ctx: ToolContext<Needs>) => boolean | Promise<boolean>)
	/** The approval prompt's texts. */
	approval?: ApprovalPromptOptions<z.output<P>>
	/**
	 * What the model reads when `execute` throws.
	 * @default `The tool failed: <the error's message>`
	 */
	errorMessage?: (error: unknown) => string
	/**
	 * Runs the call: the parsed arguments, and the request's user, context, thread and store with
	 * helpers to show progress, widgets and effects. Its result goes to the model (objects as JSON).
	 * A thrown error goes to the model too (see `errorMessage`), and the call shows as failed.
	 */
	execute: (args: z.output<P>, ctx: ToolContext<Needs>) => unknown
}

declare const needsBrand: unique symbol

/** @internal */
export const DEFINITION = Symbol.for('elysia-chatkit.serverTool')

/** @internal What `tools()` and the approval prompt read from a server tool. */
export interface ServerToolDefinition {
	options: ServerToolOptions<z.ZodObject, any>
	title(args: unknown): string
	build(defaults: ToolDefaults): FunctionTool<AgentContext<any>, z.ZodObject>
}

/**
 * A server tool: an Agents SDK function tool (usable in any agent's `tools`) that also carries the
 * request context keys it reads, `Needs`, which `tools()` checks against the app.
 */
export type ServerTool<Needs extends object = {}, P extends z.ZodObject = z.ZodObject> = FunctionTool<
	AgentContext<any>,
	P
> & {
	readonly [DEFINITION]: ServerToolDefinition
	/** Type only: the request context keys the tool reads. */
	readonly [needsBrand]?: Needs
}

/** `lookup_order` → `Lookup order`. */
export const humanize = (name: string): string => {
	const words = name.replace(/[_-]+/g, ' ').trim()
	return words.charAt(0).toUpperCase() + words.slice(1)
}

const describeError = (error: unknown) =>
	error instanceof Error ? `${error.name}: ${error.message}` : 'a non-Error value was thrown'

const defaultErrorMessage = (error: unknown) =>
	`The tool failed: ${error instanceof Error ? error.message : String(error)}`

const logFailure = ({ tool, error }: ToolFailure) =>
	console.error(
		`[elysia-chatkit/tools] ${tool} failed: ${error instanceof Error ? error.name : typeof error} (pass onError to tools() to log more)`
	)

interface ShownCall {
	done(): void
	failed(): void
}

/** Show a call as a task of the turn's workflow: loading, then complete or failed. */
const showTask = (agent: AgentContext, title: string, icon?: IconName): ShownCall => {
	const task: CustomTask = { type: 'custom', title, status_indicator: 'loading', ...(icon && { icon }) }
	agent.addWorkflowTask(task)
	const item = agent.workflowItem as WorkflowItem
	const index = item.workflow.tasks.length - 1
	const settle = (next: CustomTask) => {
		if (agent.workflowItem === item) return agent.updateWorkflowTask(next, index)
		item.workflow.tasks[index] = next
		agent.stream({ type: 'thread.item.replaced', item: structuredClone(item) })
	}
	return {
		done: () => settle({ ...task, status_indicator: 'complete' }),
		failed: () => {
			item.workflow.summary ??= { title: `${title} failed` }
			settle({ ...task, status_indicator: 'none', content: 'Failed' })
		}
	}
}

const showCall = (
	agent: AgentContext,
	visible: ToolVisibility,
	title: string,
	icon?: IconName
): ShownCall => {
	if (visible === 'task') return showTask(agent, title, icon)
	if (visible === 'progress') {
		agent.progress(`${title}…`, icon)
		return { done() {}, failed: () => agent.notice(`${title} failed.`, { level: 'warning' }) }
	}
	return { done() {}, failed() {} }
}

const definitionOf = <P extends z.ZodObject, Needs extends object>(
	options: ServerToolOptions<P, Needs>
): ServerToolDefinition => {
	const title = (args: unknown) => {
		if (typeof options.title !== 'function') return options.title ?? humanize(options.name)
		const parsed = options.parameters.safeParse(args)
		return parsed.success ? options.title(parsed.data) : humanize(options.name)
	}
	const { needsApproval } = options
	const approval =
		typeof needsApproval === 'function'
			? async (runContext: unknown, args: z.output<P>, callId?: string) =>
					needsApproval(args, toolContext<Needs>(agentContext(runContext as never), callId ?? ''))
			: (needsApproval ?? false)

	const build = (defaults: ToolDefaults): FunctionTool<AgentContext<any>, z.ZodObject> => {
		const visible = options.visible ?? defaults.visible ?? 'task'
		const onError = defaults.onError ?? logFailure
		const created = tool({
			name: options.name,
			description: options.description,
			parameters: options.parameters,
			needsApproval: approval,
			errorFunction: (_runContext: unknown, error: unknown) => toolErrorMessage(options.name, error),
			async execute(
				args: z.output<P>,
				runContext: unknown,
				details?: { toolCall?: { callId?: string } }
			) {
				const agent = agentContext(runContext as never)
				const callId = details?.toolCall?.callId ?? ''
				const shown = showCall(agent, visible, title(args), options.icon)
				const ctx = toolContext<Needs>(agent, callId)
				try {
					const result = await options.execute(args, ctx)
					shown.done()
					return result === undefined ? 'Done.' : result
				} catch (error) {
					if (agent.signal.aborted) throw error
					shown.failed()
					try {
						onError({ tool: options.name, callId, error, context: ctx.context })
					} catch (hookError) {
						console.error(`[elysia-chatkit/tools] onError failed: ${describeError(hookError)}`)
					}
					return (options.errorMessage ?? defaultErrorMessage)(error)
				}
			}
		} as Parameters<typeof tool>[0])
		return Object.assign(created, { [DEFINITION]: definition }) as unknown as FunctionTool<
			AgentContext<any>,
			z.ZodObject
		>
	}
	const definition: ServerToolDefinition = {
		options: options as ServerToolOptions<z.ZodObject, any>,
		title,
		build
	}
	return definition
}

type ServerToolFactory<Needs extends object> = <P extends z.ZodObject>(
	options: ServerToolOptions<P, Needs>
) => ServerTool<Needs, P>

const createServerTool = <P extends z.ZodObject, Needs extends object>(
	options: ServerToolOptions<P, Needs>
): ServerTool<Needs, P> => {
	return definitionOf(options).build({}) as unknown as ServerTool<Needs, P>
}

/**
 * A tool the server runs, declared with a zod parameter schema. `execute` gets the parsed arguments
 * and a {@link ToolContext}: the user, the thread, the store, and helpers to show progress, widgets
 * and effects. Calls show as workflow tasks by default; a thrown error reaches the model as the
 * result and the call shows as failed.
 *
 * Declare the request context keys the tool reads with `serverTool<Needs>()`: `ctx.context` is typed
 * by them, and `tools()` does not compile on an app whose plugins do not provide them.
 *
 * @example
 * const lookupOrder = serverTool({
 * 	name: 'lookup_order',
 * 	description: 'Look up an order by id',
 * 	parameters: z.object({ orderId: z.string() }),
 * 	async execute({ orderId }, { user }) { return orders.find(user.id, orderId) }
 * })
 *
 * const refund = serverTool<{ payments: Payments }>()({
 * 	name: 'refund',
 * 	description: 'Refund an order',
 * 	parameters: z.object({ orderId: z.string(), amount: z.number() }),
 * 	needsApproval: true,
 * 	async execute({ orderId, amount }, { context }) { return context.payments.refund(orderId, amount) }
 * })
 */
export function serverTool<Needs extends object>(): ServerToolFactory<Needs>
export function serverTool<P extends z.ZodObject>(options: ServerToolOptions<P, {}>): ServerTool<{}, P>
export function serverTool(options?: ServerToolOptions<z.ZodObject, {}>) {
	return options ? createServerTool(options) : createServerTool
}

/** Whether a tool was made with {@link serverTool}. */
export const isServerTool = (value: unknown): value is ServerTool<object> =>
	typeof value === 'object' && value !== null && DEFINITION in value
