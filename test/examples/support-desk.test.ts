import { afterAll, describe, expect, it } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assistantMessage, functionCall, ScriptedModel } from '@openai/agents/testing'
import { SignJWT } from 'jose'
import { createSupportDesk, OrderBook } from '../../examples/support-desk'
import { createStore } from '../../plugins/store'
import { ChatKitClientError, createClient } from '../../src/client'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { ThreadItem, WidgetItem } from '../../src/protocol/items'
import { at } from '../defined'

const root = join(import.meta.dir, '../..')
const dir = mkdtempSync(join(tmpdir(), 'support-desk-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const secret = randomBytes(32).toString('base64url')
const token = (sub: string) =>
	new SignJWT({})
		.setProtectedHeader({ alg: 'HS256' })
		.setSubject(sub)
		.setIssuedAt()
		.setExpirationTime('10m')
		.sign(new TextEncoder().encode(secret))

const collect = async (events: AsyncIterable<ThreadStreamEvent>) => {
	const out: ThreadStreamEvent[] = []
	for await (const event of events) out.push(event)
	return out
}

const done = (events: ThreadStreamEvent[]): ThreadItem[] =>
	events.flatMap((event) => (event.type === 'thread.item.done' ? [event.item] : []))

/** Each finished item as the client ends up showing it: its `done`, or the last `replaced` after it. */
const final = (events: ThreadStreamEvent[]): ThreadItem[] => {
	const items = new Map<string, ThreadItem>()
	for (const event of events)
		if (event.type === 'thread.item.done' || event.type === 'thread.item.replaced')
			items.set(event.item.id, event.item)
	return [...items.values()]
}

const widgetOf = (events: ThreadStreamEvent[]): WidgetItem => {
	const widget = done(events).find((item) => item.type === 'widget')
	if (widget?.type !== 'widget') throw new Error('no widget')
	return widget
}

const lastText = (events: ThreadStreamEvent[]) => {
	const last = done(events).at(-1)
	return last?.type === 'assistant_message' ? last.content[0]?.text : undefined
}

const anonymousPost = (url: string) =>
	fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ type: 'threads.list', params: {} })
	})

describe('support desk example', () => {
	it('serves signed-in customers over a real port: server tool with its card and action, approval, client tool', async () => {
		const databaseUrl = `sqlite:${join(dir, 'desk.db')}`
		const model = new ScriptedModel([
			[functionCall('lookup_order', { orderId: 'A-1001' }, { callId: 'call_lookup' })],
			[assistantMessage('Your shoes were delivered; the card lets you request a return.')],
			[functionCall('cancel_order', { orderId: 'A-1002' }, { callId: 'call_cancel' })],
			[assistantMessage('Order A-1002 is cancelled and refunded.')],
			[
				functionCall(
					'pick_delivery_date',
					{ orderId: 'A-1001', earliest: '2030-01-02' },
					{ callId: 'call_date' }
				)
			],
			[assistantMessage('The replacement arrives on 2030-01-04.')]
		])
		const orders = new OrderBook()
		const app = createSupportDesk({ model, databaseUrl, jwtSecret: secret, orders }).listen({
			hostname: '127.0.0.1',
			port: 0
		})
		const url = `http://127.0.0.1:${app.server?.port}/chatkit`
		try {
			expect((await anonymousPost(url)).status).toBe(401)
			const alice = createClient({ url, headers: { authorization: `Bearer ${await token('alice')}` } })
			const user = { id: 'alice', tenantId: null }

			const lookup = await collect(alice.threads.create({ input: 'Where is order A-1001?' }))
			const threadId = (lookup[0] as Extract<ThreadStreamEvent, { type: 'thread.created' }>).thread.id
			const workflow = final(lookup).find((item) => item.type === 'workflow')
			expect(workflow).toMatchObject({
				workflow: {
					tasks: [
						{ title: 'Looking up order A-1001', icon: 'search', status_indicator: 'complete' }
					]
				}
			})
			const card = widgetOf(lookup)
			expect(JSON.stringify(card.widget)).toContain('"label":"Request a return"')
			expect(lastText(lookup)).toBe('Your shoes were delivered; the card lets you request a return.')

			const returned = await collect(
				alice.threads.customAction({
					thread_id: threadId,
					item_id: card.id,
					action: { type: 'order.return', payload: { orderId: 'A-1001' } }
				})
			)
			const replaced = returned.find((event) => event.type === 'thread.item.replaced')
			expect(JSON.stringify(replaced)).toContain('"label":"return requested"')
			expect(JSON.stringify(replaced)).not.toContain('Request a return')
			expect(orders.find(user, 'A-1001')?.status).toBe('return requested')

			const asked = await collect(
				alice.threads.addUserMessage({ thread_id: threadId, input: 'Cancel A-1002' })
			)
			const prompt = widgetOf(asked)
			expect(prompt.widget).toMatchObject({
				children: [
					{ value: 'Cancel order A-1002?' },
					{ value: 'The order is cancelled and refunded in full.' }
				],
				confirm: { label: 'Cancel the order' },
				cancel: { label: 'Keep it' }
			})
			expect(orders.find(user, 'A-1002')?.status).toBe('processing')
			const approved = await collect(
				alice.threads.customAction({
					thread_id: threadId,
					item_id: prompt.id,
					action: { type: 'tool.approve', payload: { id: 'call_cancel' } }
				})
			)
			expect(orders.find(user, 'A-1002')?.status).toBe('cancelled')
			expect(lastText(approved)).toBe('Order A-1002 is cancelled and refunded.')

			const pending = await collect(
				alice.threads.addUserMessage({ thread_id: threadId, input: 'Send a replacement pair' })
			)
			expect(done(pending).at(-1)).toMatchObject({
				type: 'client_tool_call',
				status: 'pending',
				name: 'pick_delivery_date',
				arguments: { orderId: 'A-1001', earliest: '2030-01-02' }
			})
			const answered = await collect(
				alice.threads.addClientToolOutput({ thread_id: threadId, result: { date: '2030-01-04' } })
			)
			expect(lastText(answered)).toBe('The replacement arrives on 2030-01-04.')

			const bob = createClient({ url, headers: { authorization: `Bearer ${await token('bob')}` } })
			const refused = await bob.threads.getById({ thread_id: threadId }).catch((error) => error)
			expect(refused).toBeInstanceOf(ChatKitClientError)
			expect((refused as ChatKitClientError).status).toBe(404)
		} finally {
			await app.stop()
		}

		const store = createStore(databaseUrl)
		try {
			const thread = await store.loadThreadItems(
				at(
					(await store.loadThreads(10, null, 'desc', { user: { id: 'alice', tenantId: null } }))
						.data,
					0
				).id,
				null,
				50,
				'asc',
				{ user: { id: 'alice', tenantId: null } }
			)
			expect(thread.data.map((item) => item.type)).toEqual([
				'user_message',
				'workflow',
				'widget',
				'assistant_message',
				'user_message',
				'widget',
				'workflow',
				'assistant_message',
				'user_message',
				'client_tool_call',
				'assistant_message'
			])
		} finally {
			await store.close()
		}
	})

	it('starts as a program from the environment and answers with the offline model', async () => {
		const env: Record<string, string> = {
			PATH: process.env.PATH ?? '',
			HOME: process.env.HOME ?? dir,
			JWT_SECRET: secret,
			DATABASE_URL: `sqlite:${join(dir, 'program.db')}`,
			HOST: '127.0.0.1',
			PORT: '0'
		}
		const program = Bun.spawn(['bun', 'examples/support-desk.ts'], {
			cwd: root,
			env,
			stdout: 'pipe',
			stderr: 'pipe'
		})
		try {
			const reader = program.stdout.getReader()
			let output = ''
			while (!/\/chatkit/.test(output)) {
				const { value, done: ended } = await reader.read()
				if (ended)
					throw new Error(`the program stopped: ${await new Response(program.stderr).text()}`)
				output += new TextDecoder().decode(value)
			}
			reader.releaseLock()
			const url = /http:\/\/\S+\/chatkit/.exec(output)?.[0] as string
			expect(output).toContain('(model: offline')

			expect((await anonymousPost(url)).status).toBe(401)
			const carol = createClient({ url, headers: { authorization: `Bearer ${await token('carol')}` } })
			const events = await collect(carol.threads.create({ input: 'Please lookup order' }))
			expect(done(events).map((item) => item.type)).toEqual([
				'user_message',
				'workflow',
				'assistant_message'
			])
			expect(lastText(events)).toStartWith('The lookup_order tool returned: No order')
		} finally {
			program.kill()
			await program.exited
		}
	})
})
