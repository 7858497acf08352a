import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { AnyElysia } from 'elysia'
import { REQUEST_TYPES } from '../../src/protocol/requests'
import { at } from '../defined'
import type { HandlerCall } from './app'

type Wire = any

/** alice and bob in one tenant, and alice again in a second tenant. */
export type Identity = 'alice@acme' | 'bob@acme' | 'alice@globex'

/** The app under test and how each identity reaches it. */
export interface IsolationTarget {
	/** An app built by `isolationApp`, with the auth plugin under test. */
	app: AnyElysia
	calls: HandlerCall[]
	/** The request headers that authenticate each identity. */
	credentials: Record<Identity, Record<string, string>>
	/** Each identity's `user.id@tenantId`, as the app's handlers record it. */
	owners: Record<Identity, string>
	close(): Promise<void>
}

const pairs: { victim: Identity; attacker: Identity }[] = [
	{ victim: 'alice@acme', attacker: 'bob@acme' },
	{ victim: 'alice@acme', attacker: 'alice@globex' },
	{ victim: 'alice@globex', attacker: 'alice@acme' }
]

const send = (app: IsolationTarget, who: Identity, type: string, params: unknown) =>
	app.app.handle(
		new Request('http://localhost/chatkit', {
			method: 'POST',
			headers: { ...app.credentials[who], 'content-type': 'application/json' },
			body: JSON.stringify({ type, params })
		})
	)

const input = (text: string, attachments: string[] = []) => ({
	content: [{ type: 'input_text', text }],
	attachments,
	inference_options: {}
})

const json = async (res: Response): Promise<Wire> => {
	expect(res.status).toBe(200)
	expect(res.headers.get('content-type')).toBe('application/json')
	return res.json()
}

const stream = async (res: Response): Promise<Wire[]> => {
	expect(res.status).toBe(200)
	expect(res.headers.get('content-type')).toBe('text/event-stream')
	const events = (await res.text())
		.split('\n\n')
		.filter(Boolean)
		.map((frame) => JSON.parse(frame.slice('data: '.length)))
	expect(events.filter((event) => event.type === 'error')).toEqual([])
	return events
}

/** Everything `who` can read through the protocol, as the exact bytes the server sends. */
const snapshot = async (app: IsolationTarget, who: Identity) => {
	const list = await send(app, who, 'threads.list', { limit: 100, order: 'asc' })
	const listText = await list.text()
	const parts = [listText]
	for (const thread of JSON.parse(listText).data as { id: string }[]) {
		parts.push(await (await send(app, who, 'threads.get_by_id', { thread_id: thread.id })).text())
		parts.push(
			await (
				await send(app, who, 'items.list', { thread_id: thread.id, limit: 100, order: 'asc' })
			).text()
		)
	}
	return parts
}

interface VictimIds {
	thread: string
	userItem: string
	widgetItem: string
	toolThread: string
	askThread: string
	askItem: string
	pendingAttachment: string
	usedAttachment: string
}

/** The victim's data: attachments (one attached, one pending), a widget, a pending tool call, a pending question. */
const victimData = async (app: IsolationTarget, victim: Identity): Promise<VictimIds> => {
	const file = { size: 5, mime_type: 'text/plain' }
	const pending = await json(await send(app, victim, 'attachments.create', { name: 'plan.txt', ...file }))
	const used = await json(await send(app, victim, 'attachments.create', { name: 'notes.txt', ...file }))
	const main = await stream(
		await send(app, victim, 'threads.create', { input: input('secret widget', [used.id]) })
	)
	const thread = main[0].thread.id
	await stream(
		await send(app, victim, 'threads.add_user_message', { thread_id: thread, input: input('more') })
	)
	const tool = await stream(await send(app, victim, 'threads.create', { input: input('use the tool') }))
	const ask = await stream(await send(app, victim, 'threads.create', { input: input('ask me') }))
	const done = (events: Wire[], type: string) =>
		events.find((event) => event.type === 'thread.item.done' && event.item.type === type).item.id
	return {
		thread,
		userItem: done(main, 'user_message'),
		widgetItem: done(main, 'widget'),
		toolThread: tool[0].thread.id,
		askThread: ask[0].thread.id,
		askItem: done(ask, 'structured_input'),
		pendingAttachment: pending.id,
		usedAttachment: used.id
	}
}

const action = { type: 'approve', payload: { ok: true } }
const answer = { status: 'answered', answers: { q1: { values: ['because'] } } }

/** Every request that names one of the victim's threads, items or attachments; each must be a 404. */
const attacks = (v: VictimIds, own: { thread: string }): [string, string, unknown][] => [
	['read the thread', 'threads.get_by_id', { thread_id: v.thread }],
	['rename the thread', 'threads.update', { thread_id: v.thread, title: 'mine now' }],
	['delete the thread', 'threads.delete', { thread_id: v.thread }],
	['list its items', 'items.list', { thread_id: v.thread }],
	['list its items from one of them', 'items.list', { thread_id: v.thread, after: v.userItem }],
	['rate its items', 'items.feedback', { thread_id: v.thread, item_ids: [v.widgetItem], kind: 'negative' }],
	[
		'rate its item through an own thread',
		'items.feedback',
		{ thread_id: own.thread, item_ids: [v.userItem], kind: 'positive' }
	],
	['add a message', 'threads.add_user_message', { thread_id: v.thread, input: input('hello') }],
	['retry its turn', 'threads.retry_after_item', { thread_id: v.thread, item_id: v.userItem }],
	[
		'retry its turn through an own thread',
		'threads.retry_after_item',
		{ thread_id: own.thread, item_id: v.userItem }
	],
	[
		'answer its client tool call',
		'threads.add_client_tool_output',
		{ thread_id: v.toolThread, result: { color: 'red' } }
	],
	[
		'answer its question',
		'threads.add_structured_input',
		{ thread_id: v.askThread, item_id: v.askItem, input: answer }
	],
	[
		'answer its question through an own thread',
		'threads.add_structured_input',
		{ thread_id: own.thread, item_id: v.askItem, input: answer }
	],
	['act on its widget', 'threads.custom_action', { thread_id: v.thread, item_id: v.widgetItem, action }],
	['act in its thread', 'threads.custom_action', { thread_id: v.thread, action }],
	[
		'act on its widget from an own thread',
		'threads.custom_action',
		{ thread_id: own.thread, item_id: v.widgetItem, action }
	],
	[
		'act synchronously on its widget',
		'threads.sync_custom_action',
		{ thread_id: v.thread, item_id: v.widgetItem, action }
	],
	[
		'act synchronously on its widget from an own thread',
		'threads.sync_custom_action',
		{ thread_id: own.thread, item_id: v.widgetItem, action }
	],
	['start a thread with its attachment', 'threads.create', { input: input('look', [v.pendingAttachment]) }],
	[
		'attach its attachment to an own message',
		'threads.add_user_message',
		{ thread_id: own.thread, input: input('look', [v.usedAttachment]) }
	],
	['delete its pending attachment', 'attachments.delete', { attachment_id: v.pendingAttachment }],
	['delete its attached attachment', 'attachments.delete', { attachment_id: v.usedAttachment }]
]

/** Ids of the same shapes that never existed: a 404 for the victim's ids must read exactly like one for these. */
const ghostsOf = (ids: VictimIds): VictimIds =>
	Object.fromEntries(
		Object.entries(ids).map(([key, id]) => [key, `${id.slice(0, 4)}${crypto.randomUUID().slice(0, 8)}`])
	) as unknown as VictimIds

const normalise = (text: string, ids: VictimIds) =>
	Object.entries(ids).reduce((result, [key, id]) => result.replaceAll(id, `<${key}>`), text)

/**
 * For each pair of identities, the attacker tries all 16 request types on the victim's threads, items and
 * attachments: each answers 404 exactly like an unknown id, no handler runs for the victim's data, and the
 * victim's data reads the same byte for byte before and after.
 */
export const isolationSuite = (name: string, open: () => Promise<IsolationTarget>, timeout?: number) =>
	describe(`isolation over ${name}`, () => {
		let app: IsolationTarget
		beforeAll(async () => {
			app = await open()
		}, timeout)
		afterAll(() => app.close(), timeout)

		for (const { victim, attacker } of pairs)
			it(
				`${attacker} cannot read or change anything of ${victim} through any of the 16 request types`,
				async () => {
					const v = await victimData(app, victim)
					const created = await stream(
						await send(app, attacker, 'threads.create', { input: input('mine') })
					)
					const own = { thread: created[0].thread.id as string }
					const victimBefore = await snapshot(app, victim)
					const attackerBefore = await snapshot(app, attacker)
					const { calls, owners } = app
					calls.length = 0
					const tried = new Set<string>()

					const ghosts = ghostsOf(v)
					const ghostAttacks = attacks(ghosts, own)
					for (const [index, [what, type, params]] of attacks(v, own).entries()) {
						tried.add(type)
						const res = await send(app, attacker, type, params)
						const body = await res.text()
						expect({ what, status: res.status, type: res.headers.get('content-type') }).toEqual({
							what,
							status: 404,
							type: 'application/json'
						})
						expect(JSON.parse(body).code).toBe('not_found')
						const ghost = await send(app, attacker, type, at(ghostAttacks, index)[2])
						expect({
							what,
							status: ghost.status,
							body: normalise(await ghost.text(), ghosts)
						}).toEqual({
							what,
							status: 404,
							body: normalise(body, v)
						})
					}

					tried.add('threads.list')
					const ownList = await json(await send(app, attacker, 'threads.list', {}))
					expect(ownList.data.map((thread: { id: string }) => thread.id)).not.toContain(v.thread)
					for (const cursor of [v.thread, v.toolThread]) {
						const listed = await json(
							await send(app, attacker, 'threads.list', { after: cursor })
						)
						expect(listed).toEqual(ownList)
					}

					tried.add('attachments.create')
					const planted = await json(
						await send(app, attacker, 'attachments.create', {
							name: 'plan.txt',
							size: 5,
							mime_type: 'text/plain'
						})
					)
					expect(Object.values(v)).not.toContain(planted.id)
					tried.add('input.transcribe')
					const heard = await json(
						await send(app, attacker, 'input.transcribe', {
							audio_base64: 'AAAA',
							mime_type: 'audio/webm'
						})
					)
					expect(heard).toEqual({ text: `heard ${owners[attacker]}` })
					expect([...tried].sort()).toEqual([...REQUEST_TYPES].sort())

					// No handler ran for the victim's data: only the attacker's own upload and transcription.
					expect(calls).toEqual([
						{ handler: 'createAttachment', user: owners[attacker] },
						{ handler: 'transcribe', user: owners[attacker] }
					])
					expect(await snapshot(app, victim)).toEqual(victimBefore)
					expect(await snapshot(app, attacker)).toEqual(attackerBefore)

					// The other way round: the attacker's upload does not exist for the victim either.
					const reverse = await send(app, victim, 'threads.add_user_message', {
						thread_id: v.thread,
						input: input('look', [planted.id])
					})
					expect(reverse.status).toBe(404)
					expect(await snapshot(app, victim)).toEqual(victimBefore)

					// The same requests from the owner reach everything: the 404s above come from ownership alone.
					calls.length = 0
					const mine = (type: string, params: unknown) => send(app, victim, type, params)
					expect((await json(await mine('threads.get_by_id', { thread_id: v.thread }))).id).toBe(
						v.thread
					)
					expect((await json(await mine('items.list', { thread_id: v.thread }))).data.length).toBe(
						4
					)
					await json(
						await mine('items.feedback', {
							thread_id: v.thread,
							item_ids: [v.widgetItem],
							kind: 'positive'
						})
					)
					await json(
						await mine('threads.sync_custom_action', {
							thread_id: v.thread,
							item_id: v.widgetItem,
							action
						})
					)
					await stream(
						await mine('threads.custom_action', {
							thread_id: v.thread,
							item_id: v.widgetItem,
							action
						})
					)
					await stream(
						await mine('threads.add_client_tool_output', { thread_id: v.toolThread, result: {} })
					)
					await stream(
						await mine('threads.add_structured_input', {
							thread_id: v.askThread,
							item_id: v.askItem,
							input: answer
						})
					)
					await stream(
						await mine('threads.retry_after_item', { thread_id: v.thread, item_id: v.userItem })
					)
					const attached = await stream(
						await mine('threads.add_user_message', {
							thread_id: v.thread,
							input: input('with the plan', [v.pendingAttachment])
						})
					)
					expect(
						attached[0].item.attachments.map((attachment: { id: string }) => attachment.id)
					).toEqual([v.pendingAttachment])
					expect(
						(await json(await mine('threads.update', { thread_id: v.thread, title: 'Mine' })))
							.title
					).toBe('Mine')
					await json(await mine('attachments.delete', { attachment_id: v.usedAttachment }))
					await json(await mine('threads.delete', { thread_id: v.thread }))
					expect(calls.map((call) => call.handler)).toEqual([
						'addFeedback',
						'syncAction',
						'action',
						'respond',
						'respond',
						'respond',
						'respond',
						'deleteAttachment'
					])
					expect(calls.every((call) => call.user === owners[victim])).toBe(true)
				},
				timeout
			)
	})
