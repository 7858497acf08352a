import type { RunToolApprovalItem } from '@openai/agents'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { ThreadMetadata } from '../../src/protocol/items'
import type { ChatKitContext, Store } from '../../src/store/types'
import type { AgentContext } from './context'

/**
 * The key of `thread.metadata` that holds a run paused for approvals. Thread metadata is saved by the
 * engine whenever a turn changes it, and is never sent to clients.
 */
export const PAUSED_RUN_KEY = 'chatkit_paused_run'

/** A tool call waiting for the user's approval. */
export interface ToolApprovalRequest {
	/** The model's call id: the answer names it. */
	id: string
	/** The tool's name. */
	name: string
	/** The arguments the model sent (parsed JSON, or the raw text when it is not JSON). */
	arguments: unknown
}

export type ApprovalDecision = 'approved' | 'rejected'

/** An approval request of a paused run, with the user's answer once given. */
export interface PausedApproval extends ToolApprovalRequest {
	decision?: ApprovalDecision
	/** What the model reads instead of the tool's result when the call is rejected. */
	message?: string
}

/**
 * An agent run stopped at tool calls that need approval. It is kept in the thread's metadata (so any
 * instance of the app can resume it), and resumed by the first turn without a user message after
 * every request has an answer.
 */
export interface PausedRun {
	/** The Agents SDK `RunState` (`state.toString()`), without the request context. */
	state: string
	approvals: PausedApproval[]
	/** ISO 8601. */
	paused_at: string
}

/**
 * Shows approval requests to the user, as ChatKit events (a widget with approve/reject actions, for
 * example). The tools plugin provides one as the `chatkitApprovalPrompt` context key. Without one, the
 * agent rejects calls that need approval, and the model is told no one could approve them.
 */
export type ApprovalPrompt<C extends ChatKitContext = ChatKitContext> = (
	ctx: AgentContext<C>,
	requests: ToolApprovalRequest[]
) => AsyncIterable<ThreadStreamEvent> | Iterable<ThreadStreamEvent>

const parseArguments = (text: string): unknown => {
	try {
		return JSON.parse(text)
	} catch {
		return text
	}
}

/** @internal The approval requests of the SDK's interruptions. */
export const approvalRequestsOf = (interruptions: RunToolApprovalItem[]): ToolApprovalRequest[] =>
	interruptions.map((item) => {
		const raw = item.rawItem as { callId?: string; id?: string }
		return {
			id: String(raw.callId ?? raw.id ?? ''),
			name: item.name ?? item.toolName ?? 'tool',
			arguments: parseArguments(item.arguments ?? '')
		}
	})

const isPausedRun = (value: unknown): value is PausedRun =>
	typeof value === 'object' &&
	value !== null &&
	typeof (value as PausedRun).state === 'string' &&
	Array.isArray((value as PausedRun).approvals)

/** The run paused in this thread, or `null`. */
export const pausedRunOf = (thread: ThreadMetadata): PausedRun | null => {
	const value = thread.metadata?.[PAUSED_RUN_KEY]
	return isPausedRun(value) ? value : null
}

const withAnswer = (paused: PausedRun, answered: PausedApproval): PausedRun => ({
	...paused,
	approvals: paused.approvals.map((approval) => (approval.id === answered.id ? answered : approval))
})

const answerOf = (
	request: PausedApproval,
	decision: ApprovalDecision,
	message: string | undefined
): PausedApproval => (message === undefined ? { ...request, decision } : { ...request, decision, message })

/**
 * Record the user's answer to an approval request in the thread's metadata (the engine saves it with
 * the turn). Returns the answered request, or `null` when the thread has no unanswered request of
 * that id (answered already, or its run was abandoned by a new message).
 *
 * The engine saves the whole thread: two answers handled at the same moment both see the call open.
 * With a store that has `updateThreadMetadata`, {@link recordApproval} records answers atomically.
 */
export const decideApproval = (
	thread: ThreadMetadata,
	id: string,
	decision: ApprovalDecision,
	message?: string
): PausedApproval | null => {
	const paused = pausedRunOf(thread)
	const request = paused?.approvals.find((approval) => approval.id === id)
	if (!paused || !request || request.decision) return null
	const answered = answerOf(request, decision, message)
	thread.metadata = { ...thread.metadata, [PAUSED_RUN_KEY]: withAnswer(paused, answered) }
	return answered
}

/** What {@link recordApproval} found in the store. */
export type RecordedApproval =
	/** The answer is stored; `paused` is the run with it. Resume it when every request has an answer. */
	| { status: 'recorded'; paused: PausedRun }
	/** The request had an answer already (given first by another request): this one changed nothing. */
	| { status: 'answered'; decision: ApprovalDecision }
	/** The stored thread has no paused run with a request of that id (resumed, abandoned, never asked). */
	| { status: 'gone' }

/**
 * Record the user's answer to an approval request in the stored thread, atomically
 * (`store.updateThreadMetadata`): of answers arriving together, on any instances, the first is
 * recorded and the others find the request answered, and only one answer completes the run.
 * The thread in hand is left as the engine last saved it, so that its save cannot write an older
 * state of the run back. Returns `null` when the store lacks `updateThreadMetadata`
 * (use {@link decideApproval} then).
 */
export const recordApproval = async <C extends ChatKitContext>(
	store: Store<C>,
	threadId: string,
	id: string,
	decision: ApprovalDecision,
	context: C,
	message?: string
): Promise<RecordedApproval | null> => {
	if (!store.updateThreadMetadata) return null
	let outcome: RecordedApproval = { status: 'gone' }
	const record = (current: unknown) => {
		const request = isPausedRun(current)
			? current.approvals.find((approval) => approval.id === id)
			: undefined
		if (!isPausedRun(current) || !request) {
			outcome = { status: 'gone' }
			return current
		}
		if (request.decision) {
			outcome = { status: 'answered', decision: request.decision }
			return current
		}
		const paused = withAnswer(current, answerOf(request, decision, message))
		outcome = { status: 'recorded', paused }
		return paused
	}
	await store.updateThreadMetadata(threadId, PAUSED_RUN_KEY, record, context)
	return outcome
}

/**
 * @internal Take `paused` out of the stored thread before resuming it, so that one request resumes
 * it. `true`: this call took it; `false`: the store holds it no more (another request took it, or a
 * new message abandoned it), and the thread in hand now shows what the store holds; `null`: the store
 * lacks `updateThreadMetadata` and cannot tell.
 */
export const claimPausedRun = async <C extends ChatKitContext>(
	store: Store<C>,
	thread: ThreadMetadata,
	paused: PausedRun,
	context: C
): Promise<boolean | null> => {
	if (!store.updateThreadMetadata) return null
	const isThisRun = (value: unknown) => isPausedRun(value) && value.state === paused.state
	const stored = await store.updateThreadMetadata(
		thread.id,
		PAUSED_RUN_KEY,
		(current) => (isThisRun(current) ? undefined : current),
		context
	)
	if (isThisRun(stored) || stored === undefined) clearPausedRun(thread)
	else thread.metadata = { ...thread.metadata, [PAUSED_RUN_KEY]: stored }
	return isThisRun(stored)
}

/** Whether every request of a paused run has an answer. */
export const isDecided = (paused: PausedRun): boolean =>
	paused.approvals.every((approval) => approval.decision)

/** @internal Remove the paused run from the thread's metadata. */
export const clearPausedRun = (thread: ThreadMetadata): void => {
	if (!thread.metadata || !(PAUSED_RUN_KEY in thread.metadata)) return
	const { [PAUSED_RUN_KEY]: _removed, ...rest } = thread.metadata
	thread.metadata = rest
}
