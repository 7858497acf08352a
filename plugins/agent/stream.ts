import {
	InputGuardrailTripwireTriggered,
	OutputGuardrailTripwireTriggered,
	type RunStreamEvent
} from '@openai/agents'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type {
	AssistantMessageContent,
	AssistantMessageItem,
	GeneratedImageItem,
	ThoughtTask,
	ThreadItem,
	WorkflowItem
} from '../../src/protocol/items'
import type { ChatKitContext } from '../../src/store/types'
import { type AgentContext, type EventQueue, finishWorkflow } from './context'
import { ResponseStreamConverter } from './converter'
import { isTraced, ModelSpans } from './tracing'

type Raw = Record<string, any>
type Events = AsyncGenerator<ThreadStreamEvent>
type Step = IteratorResult<RunStreamEvent>

const now = () => new Date().toISOString()
const isHidden = (item: ThreadItem) =>
	item.type === 'hidden_context_item' || item.type === 'sdk_hidden_context'
const emptyPart = (): AssistantMessageContent => ({ type: 'output_text', text: '', annotations: [] })

/** A message opened from plain text deltas (Chat Completions, scripted or custom models). */
interface OpenMessage {
	key: string
	item: AssistantMessageItem
	text: string
}

/**
 * Maps one agent run onto ChatKit events; the state of one turn. Each method appends its events to
 * `out` (no generator per event: most events are text deltas), which the stream takes after each step.
 */
class RunMapper<C extends ChatKitContext> {
	readonly produced = new Set<string>()
	/** Events mapped and not yet taken. */
	private out: ThreadStreamEvent[] = []
	private readonly annotationCounts = new Map<string, number>()
	private thought?: { itemId: string; summaryIndex: number; task: ThoughtTask }
	/** The current model response streams Responses API events (so plain text deltas are duplicates). */
	private responsesMode = false
	private messageInResponse = false
	private readonly open: OpenMessage[] = []
	/** Function calls of the run: call id → item id (kept only when it is a Responses API id). */
	private readonly toolCalls = new Map<string, string | undefined>()
	private lastCallId?: string

	constructor(
		private readonly ctx: AgentContext<C>,
		private readonly converter: ResponseStreamConverter
	) {}

	private get threadId() {
		return this.ctx.thread.id
	}

	/** The events mapped since the last call. */
	take(): ThreadStreamEvent[] {
		const events = this.out
		this.out = []
		return events
	}

	private endActiveWorkflow(): void {
		const active = this.ctx.workflowItem
		if (!active) return
		this.ctx.workflowItem = undefined
		this.out.push(finishWorkflow(active))
	}

	private content(part: Raw): AssistantMessageContent {
		if (part?.type === 'refusal')
			return { type: 'output_text', text: String(part.refusal ?? ''), annotations: [] }
		const raw = part?.annotations ?? part?.providerData?.annotations ?? []
		const annotations = (Array.isArray(raw) ? raw : [])
			.map((annotation: unknown) => this.converter.convertAnnotation(annotation))
			.filter((annotation) => annotation !== null)
		return { type: 'output_text', text: String(part?.text ?? ''), annotations }
	}

	private message(id: string, content: AssistantMessageContent[]): AssistantMessageItem {
		return { id, thread_id: this.threadId, created_at: now(), type: 'assistant_message', content }
	}

	/** Events a tool or helper put in the context. */
	queued(event: ThreadStreamEvent): void {
		if (event.type === 'thread.item.added' || event.type === 'thread.item.done') {
			const { item } = event
			const active = this.ctx.workflowItem
			if (active && active.id !== item.id && item.type !== 'client_tool_call' && !isHidden(item))
				this.endActiveWorkflow()
			if (item.type === 'workflow') {
				if (event.type === 'thread.item.added' && this.ctx.workflowItem?.id !== item.id)
					this.ctx.workflowItem = structuredClone(item)
				else if (event.type === 'thread.item.done' && this.ctx.workflowItem?.id === item.id)
					this.ctx.workflowItem = undefined
			}
			this.produced.add(item.id)
		}
		this.out.push(event)
	}

	/** One event of the run; a promise only when a converter call is awaited (generated images). */
	run(event: RunStreamEvent): void | Promise<void> {
		if (event.type === 'run_item_stream_event') {
			const { item } = event
			if (item.type === 'tool_call_item' && item.rawItem.type === 'function_call') {
				const { callId, id } = item.rawItem
				this.toolCalls.set(callId, this.responsesMode ? id : undefined)
				this.lastCallId = callId
				if (id) this.produced.add(id)
			}
			return
		}
		if (event.type !== 'raw_model_stream_event') return
		const data = event.data as Raw
		switch (data.type) {
			case 'response_started':
				this.responsesMode = false
				this.messageInResponse = false
				return
			case 'model':
				if (typeof data.event?.type === 'string' && data.event.type.startsWith('response.')) {
					this.responsesMode = true
					return this.responses(data.event)
				}
				return
			case 'output_text_delta':
				if (!this.responsesMode) this.textDelta(data.delta, data.itemId)
				return
			case 'response_done':
				if (!this.responsesMode) this.responseDone(data.response?.output ?? [])
				return
		}
	}

	private openMessage(key: string, withPart: boolean): OpenMessage {
		this.endActiveWorkflow()
		const item = this.message(this.ctx.generateId('message'), [])
		const open = { key, item, text: '' }
		this.open.push(open)
		this.produced.add(item.id)
		this.messageInResponse = true
		this.out.push({ type: 'thread.item.added', item: { ...item, content: [] } })
		if (withPart)
			this.out.push({
				type: 'thread.item.updated',
				item_id: item.id,
				update: {
					type: 'assistant_message.content_part.added',
					content_index: 0,
					content: emptyPart()
				}
			})
		return open
	}

	private openWithKey(key: string): OpenMessage | undefined {
		for (const message of this.open) if (message.key === key) return message
		return undefined
	}

	private textDelta(delta: string, itemId: string | undefined): void {
		const key = itemId ?? ''
		const open = this.openWithKey(key) ?? this.openMessage(key, true)
		open.text += delta
		this.out.push({
			type: 'thread.item.updated',
			item_id: open.item.id,
			update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta }
		})
	}

	private finishMessage(open: OpenMessage, content: AssistantMessageContent[], opened: boolean): void {
		this.open.splice(this.open.indexOf(open), 1)
		const { id } = open.item
		for (const [index, part] of content.entries()) {
			if (index > 0 || !opened)
				this.out.push({
					type: 'thread.item.updated',
					item_id: id,
					update: {
						type: 'assistant_message.content_part.added',
						content_index: index,
						content: emptyPart()
					}
				})
			this.out.push({
				type: 'thread.item.updated',
				item_id: id,
				update: { type: 'assistant_message.content_part.done', content_index: index, content: part }
			})
		}
		this.out.push({ type: 'thread.item.done', item: { ...open.item, content } })
	}

	/** The end of a model response streamed as plain text deltas: finish its messages, show its reasoning. */
	private responseDone(output: Raw[]): void {
		for (const item of output) {
			if (item.type === 'reasoning' && !this.messageInResponse) this.reasoningItem(item)
			if (item.type !== 'message' || item.role !== 'assistant') continue
			const content = (Array.isArray(item.content) ? item.content : [])
				.filter((part: Raw) => part.type === 'output_text' || part.type === 'refusal')
				.map((part: Raw) => this.content(part))
			const open = this.openWithKey(item.id ?? '') ?? this.open[0]
			if (open) this.finishMessage(open, content, true)
			else if (content.length > 0)
				this.finishMessage(this.openMessage(item.id ?? '', false), content, false)
		}
		for (const open of [...this.open])
			this.finishMessage(open, [{ ...emptyPart(), text: open.text }], true)
	}

	private reasoningItem(item: Raw): void {
		const texts = (Array.isArray(item.content) ? item.content : [])
			.map((part: Raw) => part?.text)
			.filter((text: unknown): text is string => typeof text === 'string' && text.trim() !== '')
		if (texts.length === 0) return
		if (!this.ctx.workflowItem) this.startReasoning()
		const workflow = this.ctx.workflowItem as WorkflowItem
		for (const content of texts) this.out.push(this.addThought(workflow, content))
	}

	private startReasoning(): void {
		const item: WorkflowItem = {
			id: this.ctx.generateId('workflow'),
			thread_id: this.threadId,
			created_at: now(),
			type: 'workflow',
			workflow: { type: 'reasoning', tasks: [], expanded: false }
		}
		this.ctx.workflowItem = item
		this.produced.add(item.id)
		this.out.push({ type: 'thread.item.added', item: structuredClone(item) })
	}

	private addThought(
		workflow: WorkflowItem,
		content: string,
		task: ThoughtTask = { type: 'thought', content, status_indicator: 'none' }
	): ThreadStreamEvent {
		workflow.workflow.tasks.push(task)
		return {
			type: 'thread.item.updated',
			item_id: workflow.id,
			update: {
				type: 'workflow.task.added',
				task_index: workflow.workflow.tasks.length - 1,
				task: { ...task }
			}
		}
	}

	private thoughtUpdate(workflow: WorkflowItem, task: ThoughtTask): ThreadStreamEvent {
		return {
			type: 'thread.item.updated',
			item_id: workflow.id,
			update: {
				type: 'workflow.task.updated',
				task_index: workflow.workflow.tasks.indexOf(task),
				task: { ...task }
			}
		}
	}

	private isStreamingThought(workflow: WorkflowItem, event: Raw): boolean {
		const { thought } = this
		return Boolean(
			thought &&
				workflow.workflow.tasks.includes(thought.task) &&
				thought.itemId === event.item_id &&
				thought.summaryIndex === event.summary_index
		)
	}

	/** Responses API stream events (PROTOCOL §7.2); a promise only for generated images. */
	private responses(event: Raw): void | Promise<void> {
		const { ctx, converter } = this
		switch (event.type) {
			case 'response.output_item.added': {
				const item = event.item ?? {}
				if (item.type === 'reasoning' && !ctx.workflowItem) this.startReasoning()
				else if (item.type === 'message') {
					this.endActiveWorkflow()
					this.produced.add(item.id)
					const content = (item.content ?? []).map((part: Raw) => this.content(part))
					this.out.push({ type: 'thread.item.added', item: this.message(item.id, content) })
				} else if (item.type === 'image_generation_call') {
					ctx.generatedImageItem = {
						id: ctx.generateId('message'),
						thread_id: this.threadId,
						created_at: now(),
						type: 'generated_image',
						image: null
					}
					this.produced.add(ctx.generatedImageItem.id)
					this.out.push({
						type: 'thread.item.added',
						item: structuredClone(ctx.generatedImageItem)
					})
				}
				return
			}
			case 'response.content_part.added':
				if (event.part?.type === 'reasoning_text') return
				this.out.push({
					type: 'thread.item.updated',
					item_id: event.item_id,
					update: {
						type: 'assistant_message.content_part.added',
						content_index: event.content_index,
						content: this.content(event.part)
					}
				})
				return
			case 'response.output_text.delta':
			case 'response.refusal.delta':
				this.out.push({
					type: 'thread.item.updated',
					item_id: event.item_id,
					update: {
						type: 'assistant_message.content_part.text_delta',
						content_index: event.content_index,
						delta: event.delta
					}
				})
				return
			case 'response.output_text.done':
			case 'response.refusal.done':
				this.out.push({
					type: 'thread.item.updated',
					item_id: event.item_id,
					update: {
						type: 'assistant_message.content_part.done',
						content_index: event.content_index,
						content: {
							type: 'output_text',
							text: String(event.text ?? event.refusal ?? ''),
							annotations: []
						}
					}
				})
				return
			case 'response.output_text.annotation.added': {
				const annotation = converter.convertAnnotation(event.annotation)
				if (!annotation) return
				const key = `${event.item_id}\u0000${event.content_index}`
				const index = this.annotationCounts.get(key) ?? 0
				this.annotationCounts.set(key, index + 1)
				this.out.push({
					type: 'thread.item.updated',
					item_id: event.item_id,
					update: {
						type: 'assistant_message.content_part.annotation_added',
						content_index: event.content_index,
						annotation_index: index,
						annotation
					}
				})
				return
			}
			case 'response.reasoning_summary_text.delta': {
				const workflow = ctx.workflowItem
				if (!workflow) return
				if (workflow.workflow.type === 'reasoning' && workflow.workflow.tasks.length === 0) {
					const task: ThoughtTask = {
						type: 'thought',
						content: event.delta,
						status_indicator: 'none'
					}
					this.thought = { itemId: event.item_id, summaryIndex: event.summary_index, task }
					this.out.push(this.addThought(workflow, event.delta, task))
				} else if (this.thought && this.isStreamingThought(workflow, event)) {
					this.thought.task.content += event.delta
					this.out.push(this.thoughtUpdate(workflow, this.thought.task))
				}
				return
			}
			case 'response.reasoning_summary_text.done': {
				const workflow = ctx.workflowItem
				if (!workflow) return
				if (this.thought && this.isStreamingThought(workflow, event)) {
					const { task } = this.thought
					task.content = event.text
					this.thought = undefined
					this.out.push(this.thoughtUpdate(workflow, task))
				} else this.out.push(this.addThought(workflow, event.text))
				return
			}
			case 'response.image_generation_call.partial_image': {
				const image = ctx.generatedImageItem
				if (!image) return
				return this.partialImage(image, event)
			}
			case 'response.output_item.done': {
				const item = event.item ?? {}
				if (item.type === 'message') {
					this.produced.add(item.id)
					const content = (item.content ?? []).map((part: Raw) => this.content(part))
					this.out.push({ type: 'thread.item.done', item: this.message(item.id, content) })
				} else if (item.type === 'image_generation_call' && item.result && ctx.generatedImageItem)
					return this.imageDone(ctx.generatedImageItem, item)
				return
			}
		}
	}

	private async partialImage(image: GeneratedImageItem, event: Raw): Promise<void> {
		const { converter } = this
		const url = await converter.base64ImageToUrl(
			event.item_id,
			event.partial_image_b64,
			event.partial_image_index
		)
		image.image = { id: event.item_id, url }
		this.out.push({
			type: 'thread.item.updated',
			item_id: image.id,
			update: {
				type: 'generated_image.updated',
				image: { ...image.image },
				progress: converter.partialImageIndexToProgress(event.partial_image_index)
			}
		})
	}

	private async imageDone(image: GeneratedImageItem, item: Raw): Promise<void> {
		image.image = { id: item.id, url: await this.converter.base64ImageToUrl(item.id, item.result) }
		this.ctx.generatedImageItem = undefined
		this.out.push({ type: 'thread.item.done', item: structuredClone(image) })
	}

	/**
	 * The end of the turn: keep an unfinished workflow for the next turn, then the pending client
	 * tool call. A run paused for approvals closes its workflow and sends no client tool call.
	 */
	async finish(paused = false): Promise<void> {
		const { ctx } = this
		if (paused) this.endActiveWorkflow()
		if (ctx.workflowItem) {
			await ctx.store.addThreadItem(this.threadId, ctx.workflowItem, ctx.requestContext)
			ctx.workflowItem = undefined
		}
		const call = ctx.clientToolCall
		if (!call || paused) return
		const callId = call.callId ?? this.lastCallId
		const id = callId === undefined ? undefined : this.toolCalls.get(callId)
		this.out.push({
			type: 'thread.item.done',
			item: {
				id: id ?? ctx.generateId('tool_call'),
				thread_id: this.threadId,
				created_at: now(),
				type: 'client_tool_call',
				status: 'pending',
				call_id: callId ?? ctx.generateId('tool_call'),
				name: call.name,
				arguments: call.arguments
			}
		})
	}
}

/**
 * The run's steps, read one ahead (the SDK produces the next while this one is mapped and sent);
 * `wait` resolves when a step arrives or a tool queues an event. One handler per step, no race.
 */
class StepReader {
	private step?: Step
	private failure?: { error: unknown }
	private wake?: () => void
	private readonly onStep = (step: Step) => {
		this.step = step
		this.wake?.()
	}
	private readonly onError = (error: unknown) => {
		this.failure = { error }
		this.wake?.()
	}

	constructor(
		private readonly iterator: AsyncIterator<RunStreamEvent>,
		private readonly queue: EventQueue
	) {
		this.request()
	}

	private request(): void {
		this.iterator.next().then(this.onStep, this.onError)
	}

	/** The step that has arrived (the next one is requested), if any. @throws the run's error */
	take(): Step | undefined {
		if (this.failure) throw this.failure.error
		const step = this.step
		if (!step) return undefined
		this.step = undefined
		if (!step.done) this.request()
		return step
	}

	wait(): Promise<void> {
		return new Promise((resolve) => {
			this.wake = resolve
			this.queue.onPush = resolve
		})
	}
}

/** A workflow left open by the previous turn (before a client tool call) continues in this one. */
const resumeWorkflow = async <C extends ChatKitContext>(
	ctx: AgentContext<C>,
	recent?: readonly ThreadItem[]
): Promise<void> => {
	if (ctx.workflowItem) return
	const data =
		recent ?? (await ctx.store.loadThreadItems(ctx.thread.id, null, 2, 'desc', ctx.requestContext)).data
	const [last, previous] = data
	if (last?.type === 'workflow') ctx.workflowItem = last
	else if (last?.type === 'client_tool_call' && previous?.type === 'workflow') ctx.workflowItem = previous
}

export interface StreamAgentResponseOptions {
	/** @default new ResponseStreamConverter() */
	converter?: ResponseStreamConverter
	/** The thread's newest items, newest first, when already loaded (saves a store read). */
	recentItems?: readonly ThreadItem[]
}

/**
 * The ChatKit events of a streamed agent run, merged with the events tools put in the context.
 * Ends with the pending client tool call, if a tool set one. On a guardrail tripwire, removes every
 * item the turn produced and rethrows.
 *
 * @example
 * const result = await run(agent, input, { stream: true, context: ctx, signal })
 * yield* streamAgentResponse(ctx, result)
 */
export async function* streamAgentResponse<C extends ChatKitContext>(
	ctx: AgentContext<C>,
	result: AsyncIterable<RunStreamEvent>,
	options: StreamAgentResponseOptions = {}
): Events {
	const mapper = new RunMapper(ctx, options.converter ?? new ResponseStreamConverter())
	const queue = ctx.events
	const models = isTraced(ctx.requestContext) ? new ModelSpans(ctx.requestContext) : undefined
	try {
		await resumeWorkflow(ctx, options.recentItems)
		const reader = new StepReader(result[Symbol.asyncIterator](), queue)
		while (true) {
			if (queue.size > 0) {
				while (queue.size > 0) mapper.queued(queue.shift() as ThreadStreamEvent)
				for (const event of mapper.take()) yield event
				continue
			}
			const step = reader.take()
			if (!step) {
				await reader.wait()
				continue
			}
			if (step.done) break
			models?.observe(step.value)
			const converting = mapper.run(step.value)
			if (converting) await converting
			for (const event of mapper.take()) yield event
		}
	} catch (error) {
		models?.end(error)
		if (
			error instanceof InputGuardrailTripwireTriggered ||
			error instanceof OutputGuardrailTripwireTriggered
		) {
			queue.clear()
			for (const id of mapper.produced) yield { type: 'thread.item.removed', item_id: id }
		}
		throw error
	}
	models?.end()
	if (ctx.signal.aborted) return
	while (queue.size > 0) mapper.queued(queue.shift() as ThreadStreamEvent)
	for (const event of mapper.take()) yield event
	const interruptions = (result as { interruptions?: unknown[] }).interruptions
	await mapper.finish((interruptions?.length ?? 0) > 0)
	for (const event of mapper.take()) yield event
}
