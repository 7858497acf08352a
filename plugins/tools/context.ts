import type { IconName } from '../../src/protocol/icons'
import type { Thread } from '../../src/protocol/items'
import type { WidgetRoot } from '../../src/protocol/widgets'
import type { ChatKitContext, Store } from '../../src/store/types'
import type { AgentContext } from '../agent/context'

/** The request context a tool reads: `user`, plus the keys it declared with `serverTool<Needs>()`. */
export type RequestContextOf<Needs extends object> = ChatKitContext & Needs

/**
 * What a server tool's `execute` receives besides its arguments: who is asking, where, and ways to
 * show the user what happens.
 */
export interface ToolContext<Needs extends object = {}> {
	/** The request context: `user` and the keys the tool declared (`serverTool<{ db: Db }>()`). */
	context: RequestContextOf<Needs>
	/** The user of the request (from the auth plugin). */
	user: RequestContextOf<Needs>['user']
	/** The thread of this turn. Set `title` or `metadata` and the thread is saved. */
	thread: Thread
	/** The thread store; every call takes `context`. */
	store: Store<ChatKitContext>
	/** Aborted when the client goes away: stop paid or long work. */
	signal: AbortSignal
	/** The model's id for this call. */
	callId: string
	/** A transient status line under the conversation (`progress_update`). */
	progress(text: string, icon?: IconName): void
	/** A message for the user (markdown), outside the thread. */
	notice(message: string, options?: { level?: 'info' | 'warning' | 'danger'; title?: string }): void
	/** A fire-and-forget event the client handles in `onEffect` (`client_effect`). */
	effect(name: string, data?: Record<string, unknown>): void
	/**
	 * Show a widget in the thread: a finished one, or the successive states of an async iterable
	 * (texts with an `id` stream as deltas). Resolves when the last state is sent.
	 */
	widget(widget: WidgetRoot | AsyncIterable<WidgetRoot>, options?: { copyText?: string }): Promise<void>
	/** Context the model reads on later turns and the user never sees. */
	hiddenContext(content: unknown): void
	/** The agent's turn context, for anything else (workflows, raw events). */
	agent: AgentContext
}

/** @internal */
export const toolContext = <Needs extends object>(
	agent: AgentContext,
	callId: string
): ToolContext<Needs> => {
	const context = agent.requestContext as RequestContextOf<Needs>
	return {
		context,
		user: context.user as RequestContextOf<Needs>['user'],
		thread: agent.thread,
		store: agent.store,
		signal: agent.signal,
		callId,
		progress: (text, icon) => agent.progress(text, icon),
		notice: (message, options) => agent.notice(message, options),
		effect: (name, data) => agent.effect(name, data),
		widget: (widget, options) => agent.streamWidget(widget, options?.copyText),
		hiddenContext: (content) => agent.addHiddenContext(content),
		agent
	}
}
