import type { ThreadStreamEvent } from '../protocol/events'
import {
	type Attachment,
	type ClientToolCallItem,
	type StructuredInputItem,
	type Thread,
	type ThreadItem,
	type ThreadMetadata,
	threadMetadataOf,
	type UserMessageItem,
	type WidgetItem
} from '../protocol/items'
import { clip } from '../protocol/limits'
import type { RequestParams, StructuredInputSubmission, UserMessageInput } from '../protocol/requests'
import { type ChatKitContext, NotFoundError, type Store } from '../store/types'
import { ChatKitError } from './errors'
import { type Emit, emitThroughHooks, runPipeline, type Step } from './pipeline'
import { type TurnLease, type TurnLeases, turnInProgress } from './turn-lease'
import type { ChatKitHandlers } from './types'

/**
 * A streaming request after its checks: running it does the writes and emits the events, until the turn
 * ends or `signal` aborts (then it resolves once the cancellation is handled). `responded` is called once
 * the last event is emitted, before the turn gives its thread back: the response may end there (the
 * promise settles after the release).
 */
export type Turn = (signal: AbortSignal, emit: Emit, responded?: () => void) => Promise<void>

const now = () => new Date().toISOString()
const withItems = (thread: ThreadMetadata): Thread => ({ ...thread, items: { data: [], has_more: false } })

/** Everything a streaming request needs, resolved before the first byte is sent. */
export class Turns<C extends ChatKitContext> {
	constructor(
		private readonly handlers: ChatKitHandlers<C>,
		private readonly leases: TurnLeases<C>
	) {}

	private get store() {
		return this.handlers.store
	}

	private async loadAttachments(ids: string[], context: C): Promise<Attachment[]> {
		return Promise.all(ids.map((id) => this.store.loadAttachment(id, context)))
	}

	private newUserMessage(
		thread: Thread,
		input: UserMessageInput,
		attachments: Attachment[],
		context: C
	): UserMessageItem {
		return {
			id: this.store.generateItemId('message', thread, context),
			thread_id: thread.id,
			created_at: now(),
			type: 'user_message',
			content: input.content,
			attachments: attachments.map((attachment) => ({ ...attachment, thread_id: thread.id })),
			quoted_text: input.quoted_text,
			inference_options: input.inference_options
		}
	}

	private saveUserMessage(thread: Thread, item: UserMessageItem, context: C): Step {
		return async () => {
			for (const attachment of item.attachments) await this.store.saveAttachment(attachment, context)
			await this.store.addThreadItem(thread.id, item, context)
			return { type: 'thread.item.done', item }
		}
	}

	private respond(
		thread: Thread,
		input: UserMessageItem | null,
		context: C,
		signal: AbortSignal,
		emit: Emit,
		before?: Step[]
	): Promise<void> {
		const { store, handlers } = this
		const source = () => handlers.respond({ thread, input, context, store, signal })
		return runPipeline({ handlers, thread, context, signal, source, emit, before })
	}

	/**
	 * A new thread: its turn holds the new thread's lease from the start. With `store.startThread`, the lease,
	 * the thread and the user's message are one write; otherwise the lease is taken before the thread is saved.
	 */
	async create({ input }: RequestParams<'threads.create'>, context: C): Promise<Turn> {
		const attachments = await this.loadAttachments(input.attachments, context)
		const { store, leases } = this
		return async (signal, emit, responded) => {
			const thread: Thread = withItems({
				id: store.generateThreadId(context),
				created_at: now(),
				status: { type: 'active' },
				metadata: {}
			})
			const item = this.newUserMessage(thread, input, attachments, context)
			const created: ThreadStreamEvent = { type: 'thread.created', thread }
			let lease: TurnLease
			let before: Step[]
			if (store.startThread && attachments.length === 0) {
				const startThread = store.startThread.bind(store)
				await leases.ready()
				const turnId = leases.newTurnId()
				lease = leases.hold(thread.id, turnId, context)
				before = [
					async () => {
						if (
							!(await startThread(
								threadMetadataOf(thread),
								item,
								{ turnId, ttlMs: leases.ttlMs },
								context
							))
						)
							throw turnInProgress()
						return [created, { type: 'thread.item.done', item }]
					}
				]
			} else {
				lease = await leases.take(thread.id, context)
				before = [
					async () => {
						await store.saveThread(threadMetadataOf(thread), context)
						return created
					},
					this.saveUserMessage(thread, item, context)
				]
			}
			try {
				await this.respond(thread, item, context, signal, emit, before)
				responded?.()
			} finally {
				await lease.release()
			}
		}
	}

	async addUserMessageTurn(
		{ thread_id, input }: RequestParams<'threads.add_user_message'>,
		context: C
	): Promise<Turn> {
		const thread = withItems(await this.store.loadThread(thread_id, context))
		const attachments = await this.loadAttachments(input.attachments, context)
		return (signal, emit) => {
			const item = this.newUserMessage(thread, input, attachments, context)
			return this.respond(thread, item, context, signal, emit, [
				this.saveUserMessage(thread, item, context)
			])
		}
	}

	async addClientToolOutput(
		{ thread_id, result }: RequestParams<'threads.add_client_tool_output'>,
		context: C
	): Promise<Turn> {
		const { store } = this
		const thread = withItems(await store.loadThread(thread_id, context))
		const [last] = (await store.loadThreadItems(thread_id, null, 1, 'desc', context)).data
		const noPendingCall = () =>
			new ChatKitError(
				409,
				'no_pending_client_tool_call',
				`The last item of thread ${clip(thread_id)} is not a pending client tool call`
			)
		if (!isPendingCall(last)) throw noPendingCall()
		const complete = (item: ThreadItem): ThreadItem =>
			isPendingCall(item) ? { ...item, status: 'completed', output: result } : item
		if (!isPendingCall(await claimItem(store, thread_id, last.id, complete, context)))
			throw noPendingCall()
		const deleteOtherPendingCalls: Step = async () => {
			const recent = await store.loadThreadItems(thread_id, null, 20, 'desc', context)
			for (const item of recent.data)
				if (isPendingCall(item)) await store.deleteThreadItem(thread_id, item.id, context)
			return undefined
		}
		return (signal, emit) => this.respond(thread, null, context, signal, emit, [deleteOtherPendingCalls])
	}

	async addStructuredInput(
		{ thread_id, item_id, input }: RequestParams<'threads.add_structured_input'>,
		context: C
	): Promise<Turn> {
		const { store } = this
		const thread = withItems(await store.loadThread(thread_id, context))
		const item = await store.loadItem(thread_id, item_id, context)
		if (item.type !== 'structured_input')
			throw new ChatKitError(422, 'invalid_request', `Item ${clip(item_id)} is not a structured input`)
		const notPending = () =>
			new ChatKitError(
				409,
				'structured_input_not_pending',
				`Structured input item ${clip(item_id)} is not pending`
			)
		if (item.status !== 'pending') throw notPending()
		const answer = (stored: ThreadItem): ThreadItem =>
			stored.type === 'structured_input' && stored.status === 'pending'
				? answerStructuredInput(stored, input)
				: stored
		const claimed = await claimItem(store, thread_id, item_id, answer, context)
		if (claimed?.type !== 'structured_input' || claimed.status !== 'pending') throw notPending()
		const answered = answerStructuredInput(claimed, input)
		const { respond } = this.handlers
		return (signal, emit) => {
			async function* replaceThenRespond(): AsyncGenerator<ThreadStreamEvent> {
				yield { type: 'thread.item.replaced', item: answered }
				yield* respond({ thread, input: null, context, store, signal })
			}
			return runPipeline({
				handlers: this.handlers,
				thread,
				context,
				signal,
				source: replaceThenRespond,
				emit
			})
		}
	}

	async retryAfterItem(
		{ thread_id, item_id }: RequestParams<'threads.retry_after_item'>,
		context: C
	): Promise<Turn> {
		const { store } = this
		const thread = withItems(await store.loadThread(thread_id, context))
		const target = await store.loadItem(thread_id, item_id, context)
		if (target.type !== 'user_message')
			throw new ChatKitError(422, 'invalid_request', `Item ${clip(item_id)} is not a user message`)
		const userMessage = target
		const deleteNewer: Step = async () => {
			await store.deleteItemsAfter(thread_id, item_id, context)
			return undefined
		}
		return (signal, emit) => this.respond(thread, userMessage, context, signal, emit, [deleteNewer])
	}

	async customAction(
		{ thread_id, item_id, action }: RequestParams<'threads.custom_action'>,
		context: C
	): Promise<Turn> {
		const { store } = this
		const handler = this.handlers.action
		if (!handler)
			throw new ChatKitError(501, 'not_configured', 'This server does not handle custom actions')
		this.handlers.validateAction?.(action, context, item_id ?? null)
		const thread = withItems(await store.loadThread(thread_id, context))
		const sender = item_id ? await store.loadItem(thread_id, item_id, context) : null
		if (sender && sender.type !== 'widget')
			return async (_signal, emit) =>
				emitThroughHooks(
					this.handlers,
					thread,
					context,
					emit
				)({ type: 'error', code: 'stream.error', allow_retry: false })
		const widget = sender as WidgetItem | null
		return (signal, emit) => {
			const source = () => handler({ thread, action, sender: widget, context, store, signal })
			return runPipeline({ handlers: this.handlers, thread, context, signal, source, emit })
		}
	}
}

const isPendingCall = (item: ThreadItem | undefined): item is ClientToolCallItem =>
	item?.type === 'client_tool_call' && item.status === 'pending'

/**
 * Claims a pending item once (`store.updateItem`): the item as it was before `complete` ran, or
 * `undefined` when it is gone.
 */
const claimItem = async <C extends ChatKitContext>(
	store: Store<C>,
	threadId: string,
	itemId: string,
	complete: (item: ThreadItem) => ThreadItem,
	context: C
): Promise<ThreadItem | undefined> => {
	try {
		return await store.updateItem(threadId, itemId, complete, context)
	} catch (error) {
		if (error instanceof NotFoundError && error.kind === 'item') return undefined
		throw error
	}
}

/** The answered copy of a pending structured input, with the reference's normalization rules. */
export const answerStructuredInput = (
	item: StructuredInputItem,
	submission: StructuredInputSubmission
): StructuredInputItem => {
	const answered = structuredClone(item)
	for (const input of answered.inputs) {
		const answer = submission.answers[input.id]
		if (submission.status === 'skipped' || !answer || answer.skipped || answer.values.length === 0) {
			input.answer = { values: [], skipped: true }
			continue
		}
		const single = input.type === 'multiple_choice' && !input.multiple
		input.answer = { values: single ? answer.values.slice(0, 1) : [...answer.values], skipped: false }
	}
	answered.status = submission.status
	return answered
}
