import type { AnyElysia } from 'elysia'
import { Elysia } from 'elysia'
import { type AuthPlugin, type AuthUser, jwtAuth } from '../../plugins/auth'
import { drizzleStore } from '../../plugins/store'
import { chatkit } from '../../src/chatkit'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { Attachment, ThreadItem } from '../../src/protocol/items'
import type { WidgetRoot } from '../../src/protocol/widgets'
import type { AttachmentStore, ChatKitContext, Store } from '../../src/store/types'
import { secret } from '../auth/utils'

/** One call of an application handler: which handler, for whom, on which thread. */
export interface HandlerCall {
	handler: string
	user: string
	thread?: string
}

const owner = (context: ChatKitContext) => `${context.user.id}@${context.user.tenantId ?? ''}`
const now = () => new Date().toISOString()
const widget = { type: 'Card', children: [{ type: 'Text', value: 'Approve?' }] } as unknown as WidgetRoot

/** The reply for a message: a widget for "widget", a pending client tool call for "tool", a question for "ask". */
const replyTo = (threadId: string, text: string, context: ChatKitContext): ThreadItem => {
	const base = { id: `msg_${crypto.randomUUID().slice(0, 12)}`, thread_id: threadId, created_at: now() }
	if (text.includes('widget')) return { ...base, id: `wig_${base.id.slice(4)}`, type: 'widget', widget }
	if (text.includes('tool'))
		return {
			...base,
			id: `ctc_${base.id.slice(4)}`,
			type: 'client_tool_call',
			status: 'pending',
			call_id: 'call_1',
			name: 'pick_color',
			arguments: {}
		}
	if (text.includes('ask'))
		return {
			...base,
			id: `sin_${base.id.slice(4)}`,
			type: 'structured_input',
			status: 'pending',
			inputs: [{ id: 'q1', type: 'freeform', question: 'Why?' }]
		}
	return {
		...base,
		type: 'assistant_message',
		content: [{ type: 'output_text', text: `Reply for ${owner(context)}`, annotations: [] }]
	}
}

/**
 * The app under test: the given store, the auth plugin (jwtAuth with the test secret unless told), and every
 * handler the protocol can reach (responder, streaming and synchronous actions, feedback, transcription, a
 * tiny attachment store), each recording who called it. `base` is the app they are added to.
 */
export const isolationApp = (
	store: Store,
	auth: AuthPlugin<AuthUser> = jwtAuth({ secret, log: () => {} }),
	base: AnyElysia = new Elysia()
) => {
	const calls: HandlerCall[] = []
	const attachmentStore: AttachmentStore = {
		async createAttachment({ name, mime_type }, context): Promise<Attachment> {
			calls.push({ handler: 'createAttachment', user: owner(context) })
			const id = `atc_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`
			return {
				id,
				name,
				mime_type,
				type: 'file',
				upload_descriptor: { url: `https://uploads.example.com/${id}`, method: 'PUT', headers: {} }
			}
		},
		async deleteAttachment(attachmentId, context) {
			calls.push({ handler: 'deleteAttachment', user: owner(context), thread: attachmentId })
		}
	}
	const chat = new Elysia()
		.use(drizzleStore({ store }))
		.use(auth)
		.use(
			chatkit({
				attachmentStore,
				async *respond({ thread, input, context }): AsyncIterable<ThreadStreamEvent> {
					calls.push({ handler: 'respond', user: owner(context), thread: thread.id })
					const text = input?.content.map((part) => part.text).join(' ') ?? ''
					yield { type: 'thread.item.done', item: replyTo(thread.id, text, context) }
				},
				async *action({ thread, context }): AsyncIterable<ThreadStreamEvent> {
					calls.push({ handler: 'action', user: owner(context), thread: thread.id })
					yield { type: 'thread.item.done', item: replyTo(thread.id, 'done', context) }
				},
				async syncAction({ thread, context }) {
					calls.push({ handler: 'syncAction', user: owner(context), thread: thread.id })
					return {}
				},
				async addFeedback({ threadId, context }) {
					calls.push({ handler: 'addFeedback', user: owner(context), thread: threadId })
				},
				async transcribe(_audio, context) {
					calls.push({ handler: 'transcribe', user: owner(context) })
					return { text: `heard ${owner(context)}` }
				}
			})
		)
	const app: AnyElysia = base.use(chat)
	return { app, calls }
}
