import { describe, expect, it } from 'bun:test'
import { type AnyElysia, Elysia } from 'elysia'
import { z } from 'zod'
import { action, actions } from '../../plugins/actions'
import { Button, Card, Col, Form, Input, showWidget, Text, widgets } from '../../plugins/widgets'
import { chatkit } from '../../src/chatkit'
import type { Responder } from '../../src/engine/types'
import { MemoryStore } from '../../src/store/memory'
import type { ChatKitContext } from '../../src/store/types'
import {
	call,
	createThread,
	listItems,
	readError,
	readEvents,
	readJson,
	storeSnapshot,
	type Wire
} from '../chatkit/helpers'

const USER = { id: 'test_user' }
const CONTEXT: ChatKitContext = { user: USER }

interface Todo {
	id: string
	title: string
	done: boolean
}

const calls: { type: string; payload: unknown; sender: string | null; user: string }[] = []

const todoActions = actions({
	'todo.toggle': action({
		payload: z.object({ id: z.string() }),
		async *handler({ action, payload, sender, user, updateSender }) {
			calls.push({ type: action.type, payload, sender: sender?.id ?? null, user: user.id })
			const todo = { id: payload.id, title: 'Buy milk', done: true }
			yield* updateSender(todoCard(todo))
		}
	}),
	'todo.rename': action({
		payload: z.object({ id: z.string(), title: z.string().min(1) }),
		streaming: false,
		async handler({ action, payload, sender, user, updateSender }) {
			calls.push({ type: action.type, payload, sender: sender?.id ?? null, user: user.id })
			return updateSender(todoCard({ id: payload.id, title: payload.title, done: false }))
		}
	}),
	'todo.archive': action({
		payload: z.object({ id: z.string() }),
		requiresSender: true,
		async *handler({ action, payload, sender, user, updateSender }) {
			calls.push({ type: action.type, payload, sender: sender?.id ?? null, user: user.id })
			yield* updateSender(todoCard({ id: payload.id, title: 'Archived', done: true }))
		}
	}),
	'todo.explain': action({
		payload: z.object({ id: z.string() }),
		async *handler({ updateSender }) {
			async function* explanation() {
				let value = ''
				yield Card({ children: [Text({ id: 'why', value, streaming: true })] })
				for (const word of ['Because ', 'it is ', 'due.']) {
					value += word
					yield Card({ children: [Text({ id: 'why', value, streaming: true })] })
				}
				yield Card({ children: [Text({ id: 'why', value })] })
			}
			yield* updateSender(explanation())
		}
	})
})

const ui = widgets<typeof todoActions>()

function todoCard(todo: Todo): Card {
	return ui.Card({
		children: [
			Text({ id: `title-${todo.id}`, value: todo.title, lineThrough: todo.done }),
			ui.Button({
				label: todo.done ? 'Undo' : 'Done',
				onClickAction: { type: 'todo.toggle', payload: { id: todo.id } }
			}),
			ui.Form({
				onSubmitAction: { type: 'todo.rename', payload: { id: todo.id }, streaming: false },
				children: [
					Input({ name: 'title', required: true }),
					Button({ label: 'Rename', submit: true })
				]
			})
		]
	})
}

const showTodo: Responder = async function* (args) {
	yield* showWidget(args, todoCard({ id: 't1', title: 'Buy milk', done: false }))
}

const makeApp = () => {
	const store = new MemoryStore()
	const app = new Elysia().use(todoActions).use(chatkit({ store, respond: showTodo, defaultUser: USER }))
	return { app, store }
}

/** A thread whose last item is the todo widget. */
const todoThread = async () => {
	const { app, store } = makeApp()
	const { events, threadId } = await createThread(app, 'Show my todo')
	const widget = events.find((event: Wire) => event.item?.type === 'widget').item
	calls.length = 0
	return { app, store, threadId, widget }
}

const customAction = (
	app: AnyElysia,
	threadId: string,
	itemId: string | null,
	type: string,
	payload: unknown
) => call(app, 'threads.custom_action', { thread_id: threadId, item_id: itemId, action: { type, payload } })

const syncAction = (
	app: AnyElysia,
	threadId: string,
	itemId: string | null,
	type: string,
	payload: unknown
) =>
	call(app, 'threads.sync_custom_action', {
		thread_id: threadId,
		item_id: itemId,
		action: { type, payload }
	})

describe('streaming actions', () => {
	it('update their widget, and the update is in the store', async () => {
		const { app, threadId, widget } = await todoThread()
		const events = await readEvents(
			await customAction(app, threadId, widget.id, 'todo.toggle', { id: 't1' })
		)
		const updated = { ...widget, widget: todoCard({ id: 't1', title: 'Buy milk', done: true }) }
		expect(events).toEqual([
			{ type: 'stream_options', stream_options: { allow_cancel: true } },
			{ type: 'thread.item.replaced', item: updated }
		])
		expect(calls).toEqual([
			{ type: 'todo.toggle', payload: { id: 't1' }, sender: widget.id, user: USER.id }
		])
		const items = await listItems(app, threadId, { order: 'asc' })
		expect(items.data.map((item: Wire) => item.id)).toEqual([items.data[0].id, widget.id])
		expect(items.data[1]).toEqual(updated)
	})

	it('stream text into their widget, then persist its last state', async () => {
		const { app, threadId, widget } = await todoThread()
		const events = await readEvents(
			await customAction(app, threadId, widget.id, 'todo.explain', { id: 't1' })
		)
		const final = Card({ children: [Text({ id: 'why', value: 'Because it is due.' })] })
		expect(events.map((event: Wire) => event.update?.type ?? event.type)).toEqual([
			'stream_options',
			'widget.root.updated',
			'widget.streaming_text.value_delta',
			'widget.streaming_text.value_delta',
			'widget.streaming_text.value_delta',
			'widget.root.updated',
			'thread.item.replaced'
		])
		expect(events.slice(2, 5).map((event: Wire) => event.update.delta)).toEqual([
			'Because ',
			'it is ',
			'due.'
		])
		expect(events[6].item).toEqual({ ...widget, widget: final })
		expect((await listItems(app, threadId)).data[0]).toEqual({ ...widget, widget: final })
	})

	it('without a sender widget cannot update one: a non-retryable error event, nothing written', async () => {
		const { app, store, threadId } = await todoThread()
		const before = await storeSnapshot(store, [], CONTEXT)
		const events = await readEvents(await customAction(app, threadId, null, 'todo.toggle', { id: 't1' }))
		expect(events).toEqual([
			{ type: 'stream_options', stream_options: { allow_cancel: true } },
			{
				type: 'error',
				code: 'custom',
				message: 'This action updates its widget: send it with the widget item id',
				allow_retry: false
			}
		])
		expect(calls.map((entry) => entry.sender)).toEqual([null])
		expect(await storeSnapshot(store, [], CONTEXT)).toEqual(before)
	})

	it('declared requiresSender: without a sender widget, 422 no_sender before the stream, nothing run', async () => {
		const { app, store, threadId } = await todoThread()
		const before = await storeSnapshot(store, [], CONTEXT)
		await readError(
			await customAction(app, threadId, null, 'todo.archive', { id: 't1' }),
			422,
			'no_sender'
		)
		expect(calls).toEqual([])
		expect(await storeSnapshot(store, [], CONTEXT)).toEqual(before)
	})
})

describe('synchronous actions', () => {
	it('return the updated item and persist it', async () => {
		const { app, threadId, widget } = await todoThread()
		const body = await readJson(
			await syncAction(app, threadId, widget.id, 'todo.rename', { id: 't1', title: 'Buy oat milk' })
		)
		const updated = { ...widget, widget: todoCard({ id: 't1', title: 'Buy oat milk', done: false }) }
		expect(body).toEqual({ updated_item: updated })
		expect(calls).toEqual([
			{
				type: 'todo.rename',
				payload: { id: 't1', title: 'Buy oat milk' },
				sender: widget.id,
				user: USER.id
			}
		])
		expect((await listItems(app, threadId)).data[0]).toEqual(updated)
	})

	it('also run when the client streams them: the update comes as a persisted replacement', async () => {
		const { app, threadId, widget } = await todoThread()
		const events = await readEvents(
			await customAction(app, threadId, widget.id, 'todo.rename', { id: 't1', title: 'Tea' })
		)
		const updated = { ...widget, widget: todoCard({ id: 't1', title: 'Tea', done: false }) }
		expect(events).toEqual([
			{ type: 'stream_options', stream_options: { allow_cancel: true } },
			{ type: 'thread.item.replaced', item: updated }
		])
		expect((await listItems(app, threadId)).data[0]).toEqual(updated)
	})

	it('without a sender widget answer 422 no_sender and write nothing', async () => {
		const { app, store, threadId } = await todoThread()
		const before = await storeSnapshot(store, [], CONTEXT)
		await readError(
			await syncAction(app, threadId, null, 'todo.rename', { id: 't1', title: 'Tea' }),
			422,
			'no_sender'
		)
		expect(await storeSnapshot(store, [], CONTEXT)).toEqual(before)
	})

	it('refuse a streaming action with a 422 before running it', async () => {
		const { app, store, threadId, widget } = await todoThread()
		const before = await storeSnapshot(store, [], CONTEXT)
		await readError(
			await syncAction(app, threadId, widget.id, 'todo.toggle', { id: 't1' }),
			422,
			'streaming_action'
		)
		expect(calls).toEqual([])
		expect(await storeSnapshot(store, [], CONTEXT)).toEqual(before)
	})
})

describe('validation', () => {
	const requests = [
		['threads.custom_action', customAction],
		['threads.sync_custom_action', syncAction]
	] as const

	for (const [name, send] of requests) {
		it(`refuses an unknown action type with a 422 and changes nothing (${name})`, async () => {
			const { app, store, threadId, widget } = await todoThread()
			const before = await storeSnapshot(store, [], CONTEXT)
			for (const type of ['todo.delete', '__proto__', 'constructor', 'toString']) {
				const error = await readError(
					await send(app, threadId, widget.id, type, null),
					422,
					'unknown_action'
				)
				expect(error.message).toBe(`Unknown action type: ${JSON.stringify(type)}`)
			}
			expect(calls).toEqual([])
			expect(await storeSnapshot(store, [], CONTEXT)).toEqual(before)
		})

		it(`refuses a payload its schema rejects with a 422 naming the issues (${name})`, async () => {
			const { app, store, threadId, widget } = await todoThread()
			const before = await storeSnapshot(store, [], CONTEXT)
			const error = await readError(
				await send(app, threadId, widget.id, 'todo.rename', { id: 7, title: '' }),
				422,
				'invalid_action_payload'
			)
			expect(error.message).toBe('Invalid payload for action "todo.rename"')
			expect(error.details.map((issue: Wire) => issue.path)).toEqual(['id', 'title'])
			for (const issue of error.details) expect(typeof issue.message).toBe('string')
			await readError(
				await send(app, threadId, widget.id, 'todo.toggle', null),
				422,
				'invalid_action_payload'
			)
			expect(calls).toEqual([])
			expect(await storeSnapshot(store, [], CONTEXT)).toEqual(before)
		})
	}

	it('refuses an action before looking up its thread', async () => {
		const { app } = makeApp()
		await readError(
			await customAction(app, 'thr_missing', null, 'todo.delete', null),
			422,
			'unknown_action'
		)
		await readError(
			await customAction(app, 'thr_missing', null, 'todo.toggle', { id: 't1' }),
			404,
			'not_found'
		)
	})

	it('validates the payload once the client merged the form fields into it', async () => {
		const { app, threadId, widget } = await todoThread()
		const form = widget.widget.children[2]
		expect(form.type).toBe('Form')
		const written = form.onSubmitAction
		expect(written).toEqual({ type: 'todo.rename', payload: { id: 't1' }, streaming: false })

		const merged = { ...written.payload, title: 'Call mum' }
		const body = await readJson(await syncAction(app, threadId, widget.id, written.type, merged))
		expect(body.updated_item.widget.children[0].value).toBe('Call mum')

		const error = await readError(
			await syncAction(app, threadId, widget.id, written.type, { ...written.payload, title: '' }),
			422,
			'invalid_action_payload'
		)
		expect(error.details.map((issue: Wire) => issue.path)).toEqual(['title'])
		await readError(
			await syncAction(app, threadId, widget.id, written.type, written.payload),
			422,
			'invalid_action_payload'
		)
	})
})

describe('the actions plugin', () => {
	it('merges the definitions of every actions() plugin of an app', async () => {
		const seen: string[] = []
		const noteActions = actions({
			'note.add': action({
				payload: z.object({ text: z.string() }),
				streaming: false,
				async handler({ payload }) {
					seen.push(payload.text)
				}
			})
		})
		const store = new MemoryStore()
		const app = new Elysia()
			.use(todoActions)
			.use(noteActions)
			.use(chatkit({ store, respond: showTodo, defaultUser: USER }))
		const { events, threadId } = await createThread(app)
		const widget = events[3].item
		expect(
			await readJson(await syncAction(app, threadId, widget.id, 'note.add', { text: 'hi' }))
		).toEqual({})
		expect(seen).toEqual(['hi'])
		const replaced = await readEvents(
			await customAction(app, threadId, widget.id, 'todo.toggle', { id: 't1' })
		)
		expect(replaced[1].type).toBe('thread.item.replaced')
		await readError(
			await syncAction(app, threadId, widget.id, 'note.remove', null),
			422,
			'unknown_action'
		)
	})

	it('keeps the actions of one app out of another app that uses the same plugin', async () => {
		const adminActions = actions({
			'user.ban': action({ payload: z.object({ userId: z.string() }), async *handler() {} })
		})
		const adminApp = new Elysia()
			.use(todoActions)
			.use(adminActions)
			.use(chatkit({ store: new MemoryStore(), respond: showTodo, defaultUser: USER }))
		const publicApp = new Elysia()
			.use(todoActions)
			.use(chatkit({ store: new MemoryStore(), respond: showTodo, defaultUser: USER }))
		for (const app of [adminApp, publicApp]) {
			const { threadId } = await createThread(app)
			const ban = await customAction(app, threadId, null, 'user.ban', { userId: 'u2' })
			if (app === adminApp) expect((await readEvents(ban))[0].type).toBe('stream_options')
			else await readError(ban, 422, 'unknown_action')
		}
	})

	it('gives handlers the request context with what other plugins decorated', async () => {
		interface AppContext extends ChatKitContext {
			audit: string[]
		}
		const audit: string[] = []
		const auditActions = actions.withContext<AppContext>()({
			ping: action({
				async *handler({ context, user, thread }) {
					context.audit.push(`${user.id} pinged ${thread.id}`)
				}
			})
		})
		const app = new Elysia()
			.decorate('audit', audit)
			.use(auditActions)
			.use(chatkit({ store: new MemoryStore(), respond: showTodo, defaultUser: USER }))
		const { threadId } = await createThread(app)
		const events = await readEvents(await customAction(app, threadId, null, 'ping', null))
		expect(events.map((event: Wire) => event.type)).toEqual(['stream_options'])
		expect(audit).toEqual([`${USER.id} pinged ${threadId}`])
		await readError(
			await customAction(app, threadId, null, 'ping', { extra: 1 }),
			422,
			'invalid_action_payload'
		)
	})
})

describe('widgets built with a registry', () => {
	it('carry the action configs exactly as written', () => {
		const card = todoCard({ id: 't9', title: 'Walk', done: false })
		expect(card.children[1]).toEqual({
			type: 'Button',
			label: 'Done',
			onClickAction: { type: 'todo.toggle', payload: { id: 't9' } }
		})
		const button = ui.Button({
			label: 'Save',
			onClickAction: ui.formAction({ type: 'todo.rename', payload: { id: 't9' }, streaming: false })
		})
		expect(button.onClickAction).toEqual({ type: 'todo.rename', payload: { id: 't9' }, streaming: false })
		expect(Col({ children: [Form({ children: [button] })] }).children?.[0]?.type).toBe('Form')
	})
})
