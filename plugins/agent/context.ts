import type { RunContext } from '@openai/agents'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { IconName } from '../../src/protocol/icons'
import type {
	GeneratedImageItem,
	HiddenContextItem,
	Task,
	Thread,
	ThreadMetadata,
	Workflow,
	WorkflowItem,
	WorkflowSummary
} from '../../src/protocol/items'
import type { WidgetRoot } from '../../src/protocol/widgets'
import type { ChatKitContext, Store, StoreItemType } from '../../src/store/types'
import { streamWidget } from '../../src/widgets'

/** A call the client runs (its `onClientTool` callback); the turn ends with it pending. */
export interface ClientToolCall {
	name: string
	arguments: Record<string, unknown>
	/** The model's call id, when known; the client's result is sent back under it. */
	callId?: string
}

/** @internal An unbounded queue with one waiting reader. */
export class EventQueue {
	private readonly events: ThreadStreamEvent[] = []
	/** Called once, at the next push: how the reader waits. */
	onPush?: () => void

	push(event: ThreadStreamEvent): void {
		this.events.push(event)
		const onPush = this.onPush
		this.onPush = undefined
		onPush?.()
	}

	shift(): ThreadStreamEvent | undefined {
		return this.events.shift()
	}

	get size(): number {
		return this.events.length
	}

	clear(): void {
		this.events.length = 0
	}
}

const now = () => new Date().toISOString()
const secondsSince = (iso: string) => Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000))

/** @internal Close a workflow: a duration summary unless it has one, then its `thread.item.done`. */
export const finishWorkflow = (
	item: WorkflowItem,
	summary?: WorkflowSummary,
	expanded = false
): ThreadStreamEvent => {
	if (summary) item.workflow.summary = summary
	else item.workflow.summary ??= { duration: secondsSince(item.created_at) }
	item.workflow.expanded = expanded
	return { type: 'thread.item.done', item: structuredClone(item) }
}

/**
 * What tools, guardrails and hooks see as `runContext.context` during an agent turn: the thread, the
 * store, the request context (user, tenant, whatever your plugins added) and ways to put events in
 * the ChatKit stream while the agent runs.
 *
 * @example
 * const lookup = tool({
 *   name: 'lookup_order',
 *   parameters: z.object({ orderId: z.string() }),
 *   async execute({ orderId }, runContext?: AgentRunContext) {
 *     const ctx = agentContext(runContext)
 *     ctx.progress('Looking up the order…', 'search')
 *     return orders.find(ctx.user.tenantId, orderId)
 *   }
 * })
 */
export class AgentContext<C extends ChatKitContext = ChatKitContext> {
	/** The thread of this turn. Set `title`, `status` or `metadata` and the thread is saved and announced. */
	readonly thread: Thread
	readonly store: Store<C>
	/** The request context the core plugin built (it carries `user`). */
	readonly requestContext: C
	/** Aborted when the client goes away. */
	readonly signal: AbortSignal
	/** Set by a client tool: the turn ends with this call pending on the client. */
	clientToolCall?: ClientToolCall
	/** The workflow being streamed, if any. */
	workflowItem?: WorkflowItem
	/** The generated image being streamed, if any. */
	generatedImageItem?: GeneratedImageItem
	/** @internal */
	readonly events = new EventQueue()

	constructor(args: { thread: Thread; store: Store<C>; requestContext: C; signal?: AbortSignal }) {
		this.thread = args.thread
		this.store = args.store
		this.requestContext = args.requestContext
		this.signal = args.signal ?? new AbortController().signal
	}

	/** The user of the request. */
	get user(): C['user'] {
		return this.requestContext.user
	}

	/** A new id from the store's generators. */
	generateId(type: StoreItemType, thread: ThreadMetadata = this.thread): string {
		return type === 'thread'
			? this.store.generateThreadId(this.requestContext)
			: this.store.generateItemId(type, thread, this.requestContext)
	}

	/** Put any ChatKit event in the stream. */
	stream(event: ThreadStreamEvent): void {
		this.events.push(event)
	}

	/** A transient status line (`progress_update`). */
	progress(text: string, icon?: IconName): void {
		this.stream(icon ? { type: 'progress_update', text, icon } : { type: 'progress_update', text })
	}

	/** A fire-and-forget effect the client handles in `onEffect` (`client_effect`). */
	effect(name: string, data: Record<string, unknown> = {}): void {
		this.stream({ type: 'client_effect', name, data })
	}

	/** A user-facing notice (markdown). */
	notice(message: string, options: { level?: 'info' | 'warning' | 'danger'; title?: string } = {}): void {
		const { level = 'info', title } = options
		this.stream(title ? { type: 'notice', level, message, title } : { type: 'notice', level, message })
	}

	/** Save context the model sees on later turns but the user never does. */
	addHiddenContext(content: unknown): void {
		const item: HiddenContextItem = {
			id: this.generateId('message'),
			thread_id: this.thread.id,
			created_at: now(),
			type: 'hidden_context_item',
			content
		}
		this.stream({ type: 'thread.item.done', item })
	}

	/**
	 * Show a widget: a static one in one event, or stream the states of an async iterable (text of
	 * `Text`/`Markdown` components with an `id` streams as deltas). Resolves when the last state is sent.
	 */
	async streamWidget(widget: WidgetRoot | AsyncIterable<WidgetRoot>, copyText?: string): Promise<void> {
		const generateId = () => this.generateId('message')
		for await (const event of streamWidget({ threadId: this.thread.id, widget, copyText, generateId }))
			this.stream(event)
	}

	/** Start a workflow (ending the active one). A custom workflow with no task appears with its first task. */
	startWorkflow(workflow: Workflow): void {
		if (this.workflowItem) this.endWorkflow()
		this.workflowItem = {
			id: this.generateId('workflow'),
			thread_id: this.thread.id,
			created_at: now(),
			type: 'workflow',
			workflow: structuredClone(workflow)
		}
		if (workflow.type === 'reasoning' || workflow.tasks.length > 0)
			this.stream({ type: 'thread.item.added', item: structuredClone(this.workflowItem) })
	}

	/** Add a task to the active workflow (starting a custom workflow when there is none). */
	addWorkflowTask(task: Task): void {
		if (!this.workflowItem) this.startWorkflow({ type: 'custom', tasks: [], expanded: false })
		const item = this.workflowItem as WorkflowItem
		const { tasks } = item.workflow
		tasks.push(structuredClone(task))
		if (item.workflow.type !== 'reasoning' && tasks.length === 1)
			this.stream({ type: 'thread.item.added', item: structuredClone(item) })
		else
			this.stream({
				type: 'thread.item.updated',
				item_id: item.id,
				update: {
					type: 'workflow.task.added',
					task_index: tasks.length - 1,
					task: structuredClone(task)
				}
			})
	}

	/** Replace the task at `index` of the active workflow. @throws Error when no workflow is active */
	updateWorkflowTask(task: Task, index: number): void {
		if (!this.workflowItem) throw new Error('No workflow is active')
		this.workflowItem.workflow.tasks[index] = structuredClone(task)
		this.stream({
			type: 'thread.item.updated',
			item_id: this.workflowItem.id,
			update: { type: 'workflow.task.updated', task_index: index, task: structuredClone(task) }
		})
	}

	/** Finish the active workflow (a duration summary unless `summary` or one set before). */
	endWorkflow(summary?: WorkflowSummary, expanded = false): void {
		const item = this.workflowItem
		if (!item) return
		this.workflowItem = undefined
		this.stream(finishWorkflow(item, summary, expanded))
	}

	/** End the turn with a call the client runs; its result comes back in the next turn. */
	setClientToolCall(call: ClientToolCall): void {
		this.clientToolCall = call
	}
}

/** The `runContext` a tool receives when the agent runs in a ChatKit turn. */
export type AgentRunContext<C extends ChatKitContext = ChatKitContext> = RunContext<AgentContext<C>>

/**
 * The `AgentContext` of a tool call. @throws Error when the agent is not running in a ChatKit turn
 */
export const agentContext = <C extends ChatKitContext = ChatKitContext>(
	runContext: RunContext<unknown> | undefined
): AgentContext<C> => {
	const context = runContext?.context
	if (!(context instanceof AgentContext))
		throw new Error(
			'This tool needs the agent to run in a ChatKit turn (agentResponder or the agent plugin)'
		)
	return context as AgentContext<C>
}
