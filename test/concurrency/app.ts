import { Agent } from '@openai/agents'
import {
	assistantMessage,
	functionCall,
	modelResponder,
	type RecordedModelCall,
	ScriptedModel
} from '@openai/agents/testing'
import { Elysia } from 'elysia'
import { z } from 'zod'
import { action, actions, askStructuredInput, structuredAnswers } from '../../plugins/actions'
import { agent } from '../../plugins/agent'
import { clientTool, serverTool, tools } from '../../plugins/tools'
import { chatkit } from '../../src/chatkit'
import type { Responder } from '../../src/engine/types'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import { streamText } from '../../src/respond'
import type { Store } from '../../src/store/types'
import { parseSse, post } from '../agent/helpers'

export type App = { handle(request: Request): Promise<Response> }

/** Refunds a real app would make: counted per instance. */
export class Payments {
	readonly refunds: string[] = []
}

const refund = serverTool<{ payments: Payments }>()({
	name: 'refund',
	description: 'Refund an order',
	parameters: z.object({ orderId: z.string() }),
	needsApproval: true,
	async execute({ orderId }, { context }) {
		context.payments.refunds.push(orderId)
		return { refunded: orderId }
	}
})

const pickColor = clientTool({
	name: 'pick_color',
	description: 'Ask the user to pick a color',
	parameters: z.object({ hint: z.string() })
})

type Input = { role?: string; type?: string; content?: unknown; output?: unknown }

const textOf = (content: unknown): string =>
	typeof content === 'string'
		? content
		: Array.isArray(content)
			? content.map((part) => (part as { text?: string }).text ?? '').join('')
			: ''

const outputOf = (item: Input): string => {
	const output = item.output as string | { text?: string }
	return typeof output === 'string' ? output : (output?.text ?? '')
}

/**
 * The model of every instance: `refund N` calls the refund tool (which needs approval), `pick` calls the
 * client tool; a tool result is answered with `Got <result>`; any other message with `Re: <message>`.
 */
const reply = async (call: RecordedModelCall) => {
	const input = call.request.input as Input[]
	const last = input.at(-1)
	await Bun.sleep(1)
	if (last?.type === 'function_call_result') return [assistantMessage(`Got ${outputOf(last)}`)]
	const said = textOf(input.findLast((item) => item.role === 'user')?.content)
	if (said.startsWith('refund '))
		return [functionCall('refund', { orderId: said.slice(7) }, { callId: `call_${said.slice(7)}` })]
	if (said === 'pick') return [functionCall('pick_color', { hint: 'any' }, { callId: 'call_pick' })]
	return [assistantMessage(`Re: ${said}`)]
}

/** Lets a test hold a turn at a known point: `tag.set` waits for `release()` before it changes the thread. */
export class Gate {
	private opened!: () => void
	private reachedResolve!: () => void
	readonly open = new Promise<void>((resolve) => {
		this.opened = resolve
	})
	readonly reached = new Promise<void>((resolve) => {
		this.reachedResolve = resolve
	})
	arrive() {
		this.reachedResolve()
		return this.open
	}
	release() {
		this.opened()
	}
}

export const gates: Gate[] = []

const tagActions = actions({
	'tag.set': action({
		payload: z.object({ key: z.string(), value: z.string() }),
		async *handler({ payload, thread }): AsyncGenerator<ThreadStreamEvent> {
			await gates.shift()?.arrive()
			thread.metadata = { ...thread.metadata, [payload.key]: payload.value }
		}
	})
})

/** One instance of a production-shaped app over `store`: approval and client tools, actions, the agent. */
export const instance = (store: Store) => {
	const payments = new Payments()
	const model = new ScriptedModel(Array.from({ length: 2000 }, () => modelResponder(reply)))
	const app = new Elysia()
		.decorate('payments', payments)
		.use(tools([refund, pickColor]))
		.use(tagActions)
		.use(agent({ agent: new Agent({ name: 'Assistant', model }) }))
		.use(chatkit({ store }))
	return { app, payments, store }
}

export type Instance = ReturnType<typeof instance>

/** A request's answer: the events of a stream, or the status and body of a JSON answer. */
export type Answer = { status: number; events: ThreadStreamEvent[]; json?: { code?: string } }

export const send = async (app: App, body: unknown): Promise<Answer> => {
	const response = await post(app, body)
	const text = await response.text()
	if (response.headers.get('content-type') === 'text/event-stream')
		return { status: response.status, events: parseSse(text) }
	return { status: response.status, events: [], json: JSON.parse(text) }
}

export const userInput = (text: string) => ({
	content: [{ type: 'input_text', text }],
	attachments: [],
	inference_options: {}
})

export const createThread = async (app: App, text: string) => {
	const answer = await send(app, { type: 'threads.create', params: { input: userInput(text) } })
	const created = answer.events.find((event) => event.type === 'thread.created')
	if (created?.type !== 'thread.created') throw new Error(`no thread created: ${JSON.stringify(answer)}`)
	return { threadId: created.thread.id, events: answer.events }
}

export const assistantTexts = (events: ThreadStreamEvent[]) =>
	events.flatMap((event) =>
		event.type === 'thread.item.done' && event.item.type === 'assistant_message'
			? [event.item.content.map((part) => part.text).join('')]
			: []
	)

/** Asks one question on a new message; on resume, says the answer. */
const askColor: Responder = async function* askColor(args) {
	const answers = await structuredAnswers<'color'>(args)
	if (answers) return yield* streamText(args, [`Color: ${answers.value('color')}`])
	yield askStructuredInput(args, {
		questions: [{ id: 'color', question: 'Which color?', options: ['red', 'blue'] }]
	})
}

/** An app over `store` whose responder asks for structured input. */
export const structuredInstance = (store: Store) => new Elysia().use(chatkit({ store, respond: askColor }))
