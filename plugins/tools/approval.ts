import type { Tool } from '@openai/agents'
import { z } from 'zod'
import type { Responder } from '../../src/engine/types'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { Card, WidgetRoot } from '../../src/protocol/widgets'
import { type ChatKitContext, NotFoundError, type Store } from '../../src/store/types'
import { action, actions, type StreamingActionArgs } from '../actions'
import {
	type ApprovalDecision,
	type ApprovalPrompt,
	decideApproval,
	isDecided,
	PAUSED_RUN_KEY,
	type PausedRun,
	pausedRunOf,
	recordApproval,
	type ToolApprovalRequest
} from '../agent/approvals'
import { registeredTools } from '../agent/tools'
import { widgetItem, widgets } from '../widgets'
import { DEFINITION, humanize, isServerTool } from './server'

/** The action a prompt's Approve button sends, with `{ id }`: the call's id. */
export const APPROVE_ACTION = 'tool.approve'
/** The action a prompt's Reject button sends, with `{ id }`: the call's id. */
export const REJECT_ACTION = 'tool.reject'

const answerPayload = z.object({ id: z.string().min(1).max(256) })

/** The `key` of a prompt's Card: ties an answer to the widget that asked. */
export const approvalKey = (id: string) => `tool-approval:${id}`

const STATUS = {
	pending: { text: 'Waiting for your approval', icon: 'keys' },
	approved: { text: 'Approved', icon: 'check-circle' },
	rejected: { text: 'Rejected', icon: 'empty-circle' },
	expired: { text: 'No longer pending', icon: 'clock' }
} as const

/** The prompt after an answer: the same card, with its status and without its buttons. */
const settledCard = (card: Card, status: keyof typeof STATUS): Card => ({
	...card,
	status: STATUS[status],
	confirm: undefined,
	cancel: undefined
})

/** The notice of an answer that did not count: the call had an answer already (a concurrent one, or one from another tab). */
export const ALREADY_ANSWERED = {
	approved: 'This call was already approved.',
	rejected: 'This call was already rejected.',
	unknown: 'This call was already answered.'
} as const

const alreadyAnswered = (decision: keyof typeof ALREADY_ANSWERED): ThreadStreamEvent => ({
	type: 'notice',
	level: 'info',
	message: ALREADY_ANSWERED[decision]
})

/** The sender's widget as stored now: another answer may have settled it since this request read it. */
const storedWidget = async <C extends ChatKitContext>(
	store: Store<C>,
	threadId: string,
	itemId: string,
	context: C
): Promise<WidgetRoot | null> => {
	try {
		const item = await store.loadItem(threadId, itemId, context)
		return item.type === 'widget' ? item.widget : null
	} catch (error) {
		if (error instanceof NotFoundError) return null
		throw error
	}
}

const isPending = (widget: WidgetRoot | null) => widget?.type === 'Card' && widget.confirm != null

/**
 * Record the user's answer. The last answer of a paused run resumes it through the app's responder
 * (the agent plugin's), in this same action stream. With a store that has `updateThreadMetadata`, the
 * answer is recorded atomically: of answers to one call arriving together, the first counts; the
 * others get the card as answered and a notice, and run nothing.
 */
const answer = (decision: ApprovalDecision) =>
	async function* answerApproval(
		args: StreamingActionArgs<z.output<typeof answerPayload>>
	): AsyncGenerator<ThreadStreamEvent> {
		const { payload, thread, context, store, signal } = args
		const sender = args.sender
		const card =
			sender?.widget.type === 'Card' && sender.widget.key === approvalKey(payload.id)
				? sender.widget
				: null
		const updatePrompt = (status: keyof typeof STATUS) =>
			card?.confirm != null ? args.updateSender(settledCard(card, status)) : (async function* () {})()
		const resume = async function* (paused: PausedRun) {
			if (!isDecided(paused)) return
			const respond = (context as { chatkitRespond?: Responder }).chatkitRespond
			if (!respond) throw new Error('Resuming an approved tool call needs the agent plugin')
			thread.metadata = { ...thread.metadata, [PAUSED_RUN_KEY]: paused }
			yield* respond({ thread, input: null, context, store, signal })
		}

		const recorded = await recordApproval(store, thread.id, payload.id, decision, context)
		if (recorded === null) {
			const known = pausedRunOf(thread)?.approvals.find((approval) => approval.id === payload.id)
			if (known?.decision) return
			if (!decideApproval(thread, payload.id, decision)) return yield* updatePrompt('expired')
			yield* updatePrompt(decision)
			const paused = pausedRunOf(thread)
			return paused ? yield* resume(paused) : undefined
		}
		if (recorded.status === 'recorded') {
			yield* updatePrompt(decision)
			return yield* resume(recorded.paused)
		}
		if (!sender || !card) return
		if (recorded.status === 'answered') {
			yield* args.updateSender(settledCard(card, recorded.decision))
			return yield alreadyAnswered(recorded.decision)
		}
		const stored = await storedWidget(store, thread.id, sender.id, context)
		if (!stored || isPending(stored)) return yield* updatePrompt('expired')
		yield* args.updateSender(stored)
		if (stored.type !== 'Card' || stored.status?.text !== STATUS.expired.text)
			yield alreadyAnswered('unknown')
	}

/** The actions of approval prompts, registered through the actions plugin. */
export const approvalActions = actions({
	[APPROVE_ACTION]: action({ payload: answerPayload, handler: answer('approved') }),
	[REJECT_ACTION]: action({ payload: answerPayload, handler: answer('rejected') })
})

const ui = widgets<typeof approvalActions>()

const argumentLines = (args: unknown): string => {
	if (typeof args !== 'object' || args === null) return String(args ?? '')
	return Object.entries(args)
		.map(([name, value]) => `- ${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
		.join('\n')
}

const textOf = <A>(text: string | ((args: A) => string) | undefined, args: A, fallback: () => string) =>
	typeof text === 'function' ? text(args) : (text ?? fallback())

/** The prompt of one request, worded by the tool's `approval` options when it is a server tool. */
export const approvalCard = (request: ToolApprovalRequest, tool?: Tool<any>): Card => {
	const definition = tool && isServerTool(tool) ? tool[DEFINITION] : undefined
	const parsed = definition?.options.parameters.safeParse(request.arguments)
	const args = (parsed?.success ? parsed.data : request.arguments) as Record<string, unknown>
	const texts = definition?.options.approval ?? {}
	const name = definition ? definition.title(request.arguments) : humanize(request.name)
	const title = textOf(texts.title, args, () => `Allow “${name}”?`)
	const description = textOf(texts.description, args, () => argumentLines(request.arguments))
	const payload = { id: request.id }
	return ui.Card({
		key: approvalKey(request.id),
		size: 'sm',
		status: STATUS.pending,
		children: [
			ui.Title({ value: title, size: 'sm' }),
			...(description ? [ui.Markdown({ value: description })] : [])
		],
		confirm: { label: texts.approveLabel ?? 'Approve', action: { type: APPROVE_ACTION, payload } },
		cancel: { label: texts.rejectLabel ?? 'Reject', action: { type: REJECT_ACTION, payload } }
	})
}

/** Shows one approve/reject card per call that waits for approval. */
export const approvalPrompt: ApprovalPrompt = function* promptForApproval(ctx, requests) {
	const registered = registeredTools(ctx.requestContext)
	const scope = { thread: ctx.thread, store: ctx.store, context: ctx.requestContext as ChatKitContext }
	for (const request of requests)
		yield {
			type: 'thread.item.done',
			item: widgetItem(
				scope,
				approvalCard(
					request,
					registered.find((tool) => tool.name === request.name)
				)
			)
		}
}
