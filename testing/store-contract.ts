import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { ThreadItem, ThreadMetadata } from '../src/protocol/items'
import { type ChatKitContext, NotFoundError, type Store } from '../src/store/types'
import { defined } from './defined'
import {
	assistantMessage,
	at,
	everyItemKind,
	fileAttachment,
	ids,
	imageAttachment,
	newContext,
	thread
} from './fixtures'

export type ContractStore = Store & { close?: () => Promise<void> }

export interface StoreContractOptions {
	/** Opens the store under test, empty or not: every test works as a user of its own. */
	open: () => ContractStore | Promise<ContractStore>
	/**
	 * Makes the database itself reject `operation` on `table` (e.g. with a trigger) until the returned
	 * function is called. Given for stores whose writes can fail halfway; enables the rollback tests.
	 */
	sabotage?: (
		store: ContractStore,
		table: 'threads' | 'items',
		operation: 'insert' | 'delete'
	) => Promise<() => Promise<void>>
	/** Given for stores that check sizes at their boundary; enables the limit tests. */
	limits?: {
		maxIdLength: number
		maxDocumentBytes: number
		/** The error class the store throws for refused values. */
		error: abstract new (
			...args: never[]
		) => Error
	}
}

const notFound = async (promise: Promise<unknown>, kind: NotFoundError['kind']) => {
	const error = await promise.then(
		() => undefined,
		(error: unknown) => error
	)
	expect(error).toBeInstanceOf(NotFoundError)
	expect((error as NotFoundError).kind).toBe(kind)
}

const allItems = async (
	store: Store,
	threadId: string,
	context: ChatKitContext,
	order: 'asc' | 'desc' = 'asc'
) => ids(await store.loadThreadItems(threadId, null, 10_000, order, context))

/** Walks every page and returns the ids in the order they were served. */
const walkItems = async (
	store: Store,
	threadId: string,
	limit: number,
	order: 'asc' | 'desc',
	context: ChatKitContext
) => {
	const seen: string[] = []
	let after: string | null | undefined = null
	for (let pages = 0; pages < 1000; pages++) {
		const page = await store.loadThreadItems(threadId, after, limit, order, context)
		seen.push(...ids(page))
		expect(page.data.length).toBeLessThanOrEqual(limit)
		if (!page.has_more) {
			expect(page.after ?? null).toBeNull()
			return seen
		}
		expect(page.after).toBe(defined(page.data.at(-1), 'a last item on a page with more').id)
		after = page.after
	}
	throw new Error('pagination did not end')
}

const walkThreads = async (store: Store, limit: number, order: 'asc' | 'desc', context: ChatKitContext) => {
	const seen: string[] = []
	let after: string | null | undefined = null
	for (let pages = 0; pages < 1000; pages++) {
		const page = await store.loadThreads(limit, after, order, context)
		seen.push(...ids(page))
		if (!page.has_more) return seen
		expect(page.after).toBe(defined(page.data.at(-1), 'a last item on a page with more').id)
		after = page.after
	}
	throw new Error('pagination did not end')
}

/**
 * The behaviour every `Store` must have. Registers describe blocks for one store; run it once per
 * implementation (memory, SQLite, PostgreSQL).
 */
export function storeContract(name: string, options: StoreContractOptions) {
	describe(`${name} store contract`, () => {
		let store: ContractStore
		beforeAll(async () => {
			store = await options.open()
		})
		afterAll(async () => {
			await store?.close?.()
		})

		const withThread = async (threadId = 'thr_1', context = newContext()) => {
			await store.saveThread(thread(threadId), context)
			return context
		}
		const addItems = async (
			threadId: string,
			context: ChatKitContext,
			count: number,
			seconds = (i: number) => i
		) => {
			for (let i = 0; i < count; i++)
				await store.addThreadItem(
					threadId,
					assistantMessage(threadId, `msg${i}`, at(seconds(i))),
					context
				)
		}

		test('ping answers while the store can serve requests', async () => {
			expect(store.ping).toBeFunction()
			await store.ping?.()
		})

		describe('threads', () => {
			test('thread metadata round-trips: id, title, created_at, status, allowed domains, metadata', async () => {
				const context = newContext()
				const saved = thread('thr_meta', '2026-11-28T01:50:02.126072', {
					status: { type: 'locked', reason: 'Because' },
					allowed_image_domains: ['cdn.example.com'],
					metadata: { last_response_id: 'resp_1', nested: { n: [1, 2.5, null], ok: false } }
				})
				await store.saveThread(saved, context)
				expect(await store.loadThread('thr_meta', context)).toEqual(saved)
			})

			test('a null title stays null', async () => {
				const context = newContext()
				await store.saveThread(thread('thr_null', at(0), { title: null }), context)
				expect((await store.loadThread('thr_null', context)).title).toBeNull()
			})

			test('saving a thread again overwrites its metadata', async () => {
				const context = newContext()
				await store.saveThread(thread('thr_up', at(0), { title: 'first' }), context)
				await store.saveThread(
					thread('thr_up', at(0), {
						title: 'second',
						status: { type: 'closed', reason: 'done' },
						metadata: { k: 1 }
					}),
					context
				)
				const loaded = await store.loadThread('thr_up', context)
				expect(loaded.title).toBe('second')
				expect(loaded.status).toEqual({ type: 'closed', reason: 'done' })
				expect(loaded.metadata).toEqual({ k: 1 })
				expect(ids(await store.loadThreads(10, null, 'asc', context))).toEqual(['thr_up'])
			})

			test('saveThread keeps only metadata: an items property is not persisted', async () => {
				const context = newContext()
				const full = {
					...thread('thr_full'),
					items: { data: [assistantMessage('thr_full', 'msg_x')], has_more: false, after: null }
				} as ThreadMetadata
				await store.saveThread(full, context)
				const loaded = await store.loadThread('thr_full', context)
				expect(loaded).not.toHaveProperty('items')
				expect(await allItems(store, 'thr_full', context)).toEqual([])
			})

			test('an unknown thread is NotFoundError', async () => {
				await notFound(store.loadThread('thr_missing', newContext()), 'thread')
			})

			test('default ids carry the reference prefixes', () => {
				const context = newContext()
				const meta = thread('thr_ids')
				expect(store.generateThreadId(context)).toMatch(/^thr_/)
				expect(store.generateItemId('message', meta, context)).toMatch(/^msg_/)
				expect(store.generateItemId('tool_call', meta, context)).toMatch(/^tc_/)
				expect(store.generateItemId('task', meta, context)).toMatch(/^tsk_/)
				expect(store.generateItemId('workflow', meta, context)).toMatch(/^wf_/)
				expect(store.generateThreadId(context)).not.toBe(store.generateThreadId(context))
			})
		})

		describe('loadThreads', () => {
			test('asc pages with has_more and after (3 threads, limit 2)', async () => {
				const context = newContext()
				for (const [i, id] of ['thread1', 'thread2', 'thread3'].entries())
					await store.saveThread(thread(id, at(i)), context)
				const first = await store.loadThreads(2, null, 'asc', context)
				expect(ids(first)).toEqual(['thread1', 'thread2'])
				expect(first.has_more).toBe(true)
				expect(first.after).toBe('thread2')
				const second = await store.loadThreads(2, 'thread2', 'asc', context)
				expect(ids(second)).toEqual(['thread3'])
				expect(second.has_more).toBe(false)
				expect(second.after ?? null).toBeNull()
			})

			test('desc: 25 threads give 20 newest first, then the 5 oldest', async () => {
				const context = newContext()
				for (let i = 0; i < 25; i++) await store.saveThread(thread(`t${i}`, at(i)), context)
				const first = await store.loadThreads(20, null, 'desc', context)
				expect(ids(first)).toEqual(Array.from({ length: 20 }, (_, i) => `t${24 - i}`))
				expect(first.has_more).toBe(true)
				expect(first.after).toBe('t5')
				const second = await store.loadThreads(20, first.after, 'desc', context)
				expect(ids(second)).toEqual(['t4', 't3', 't2', 't1', 't0'])
				expect(second.has_more).toBe(false)
			})

			test('threads are ordered by created_at, not by the order they were saved', async () => {
				const context = newContext()
				await store.saveThread(thread('late', at(30)), context)
				await store.saveThread(thread('early', at(10)), context)
				await store.saveThread(thread('middle', at(20)), context)
				expect(ids(await store.loadThreads(10, null, 'asc', context))).toEqual([
					'early',
					'middle',
					'late'
				])
				expect(ids(await store.loadThreads(10, null, 'desc', context))).toEqual([
					'late',
					'middle',
					'early'
				])
			})

			test('equal timestamps: insertion order breaks the tie and every page is consistent', async () => {
				const context = newContext()
				const expected = Array.from({ length: 7 }, (_, i) => `same${i}`)
				for (const id of expected) await store.saveThread(thread(id, at(5)), context)
				expect(await walkThreads(store, 2, 'asc', context)).toEqual(expected)
				expect(await walkThreads(store, 3, 'desc', context)).toEqual(expected.toReversed())
			})

			test('saving a thread again keeps its place in the list, even with another created_at', async () => {
				const context = newContext()
				await store.saveThread(thread('first', at(10)), context)
				await store.saveThread(thread('second', at(20)), context)
				await store.saveThread(thread('first', at(30), { title: 'renamed' }), context)
				expect(ids(await store.loadThreads(10, null, 'asc', context))).toEqual(['first', 'second'])
			})

			test('a deleted thread leaves the list and paging over the rest stays whole', async () => {
				const context = newContext()
				for (let i = 0; i < 9; i++) await store.saveThread(thread(`t${i}`, at(i % 3)), context)
				await store.deleteThread('t4', context)
				await store.deleteThread('t0', context)
				const expected = ['t3', 't6', 't1', 't7', 't2', 't5', 't8']
				expect(await walkThreads(store, 2, 'asc', context)).toEqual(expected)
				expect(await walkThreads(store, 3, 'desc', context)).toEqual(expected.toReversed())
				await store.saveThread(thread('t4', at(1)), context)
				expect(await walkThreads(store, 4, 'asc', context)).toEqual([
					't3',
					't6',
					't1',
					't7',
					't4',
					't2',
					't5',
					't8'
				])
			})

			test('an owner without threads gets an empty page', async () => {
				expect(await store.loadThreads(20, null, 'desc', newContext())).toMatchObject({
					data: [],
					has_more: false
				})
			})
		})

		describe('items', () => {
			test('every item kind round-trips exactly (attachment metadata, widget tree, NUL and unicode text)', async () => {
				const context = await withThread('thr_kinds')
				const items = everyItemKind('thr_kinds')
				for (const item of items) await store.addThreadItem('thr_kinds', item, context)
				const page = await store.loadThreadItems('thr_kinds', null, 100, 'asc', context)
				expect(page.data).toEqual(items)
				expect(page.has_more).toBe(false)
				for (const item of items)
					expect(await store.loadItem('thr_kinds', item.id, context)).toEqual(item)
			})

			test('asc and desc ordering', async () => {
				const context = await withThread()
				await addItems('thr_1', context, 3)
				expect(await allItems(store, 'thr_1', context, 'asc')).toEqual(['msg0', 'msg1', 'msg2'])
				expect(await allItems(store, 'thr_1', context, 'desc')).toEqual(['msg2', 'msg1', 'msg0'])
			})

			test('after and limit (5 items)', async () => {
				const context = await withThread()
				await addItems('thr_1', context, 5)
				const afterMsg1 = await store.loadThreadItems('thr_1', 'msg1', 3, 'asc', context)
				expect(ids(afterMsg1)).toEqual(['msg2', 'msg3', 'msg4'])
				expect(afterMsg1.has_more).toBe(false)
				expect(afterMsg1.after ?? null).toBeNull()
				const start = await store.loadThreadItems('thr_1', null, 2, 'asc', context)
				expect(ids(start)).toEqual(['msg0', 'msg1'])
				expect(start.has_more).toBe(true)
				expect(start.after).toBe('msg1')
				const descending = await store.loadThreadItems('thr_1', 'msg3', 2, 'desc', context)
				expect(ids(descending)).toEqual(['msg2', 'msg1'])
				expect(descending.has_more).toBe(true)
			})

			test('items are ordered by created_at, not by the order they were added', async () => {
				const context = await withThread()
				await store.addThreadItem('thr_1', assistantMessage('thr_1', 'b', at(20)), context)
				await store.addThreadItem('thr_1', assistantMessage('thr_1', 'c', at(30)), context)
				await store.addThreadItem('thr_1', assistantMessage('thr_1', 'a', at(10)), context)
				expect(await allItems(store, 'thr_1', context)).toEqual(['a', 'b', 'c'])
				expect(ids(await store.loadThreadItems('thr_1', 'a', 1, 'asc', context))).toEqual(['b'])
				expect(ids(await store.loadThreadItems('thr_1', 'b', 5, 'desc', context))).toEqual(['a'])
			})

			test('created_at with and without offset or microseconds compares as instants', async () => {
				const context = await withThread()
				await store.addThreadItem(
					'thr_1',
					assistantMessage('thr_1', 'third', '2026-01-01T12:00:02.000001'),
					context
				)
				await store.addThreadItem(
					'thr_1',
					assistantMessage('thr_1', 'first', '2026-01-01T13:00:00+02:00'),
					context
				)
				await store.addThreadItem(
					'thr_1',
					assistantMessage('thr_1', 'second', '2026-01-01T12:00:01Z'),
					context
				)
				expect(await allItems(store, 'thr_1', context)).toEqual(['first', 'second', 'third'])
				expect((await store.loadItem('thr_1', 'third', context)).created_at).toBe(
					'2026-01-01T12:00:02.000001'
				)
			})

			test('pagination edges: limit above the count, exact multiple, limit 1, empty and unknown threads', async () => {
				const context = await withThread()
				await addItems('thr_1', context, 4)
				const all = await store.loadThreadItems('thr_1', null, 50, 'asc', context)
				expect(ids(all)).toEqual(['msg0', 'msg1', 'msg2', 'msg3'])
				expect(all.has_more).toBe(false)
				expect(all.after ?? null).toBeNull()
				const exact = await store.loadThreadItems('thr_1', null, 4, 'asc', context)
				expect(exact.has_more).toBe(false)
				const half = await store.loadThreadItems('thr_1', null, 2, 'asc', context)
				expect(half.has_more).toBe(true)
				const rest = await store.loadThreadItems('thr_1', half.after, 2, 'asc', context)
				expect(ids(rest)).toEqual(['msg2', 'msg3'])
				expect(rest.has_more).toBe(false)
				expect(await store.loadThreadItems('thr_1', 'msg3', 2, 'asc', context)).toMatchObject({
					data: [],
					has_more: false
				})
				expect(await walkItems(store, 'thr_1', 1, 'desc', context)).toEqual([
					'msg3',
					'msg2',
					'msg1',
					'msg0'
				])
				await store.saveThread(thread('thr_empty'), context)
				expect(await store.loadThreadItems('thr_empty', null, 20, 'asc', context)).toMatchObject({
					data: [],
					has_more: false
				})
				expect(await store.loadThreadItems('thr_nope', null, 20, 'asc', context)).toMatchObject({
					data: [],
					has_more: false
				})
			})

			test('an unknown after cursor starts from the beginning', async () => {
				const context = await withThread()
				await addItems('thr_1', context, 3)
				expect(ids(await store.loadThreadItems('thr_1', 'msg_gone', 2, 'asc', context))).toEqual([
					'msg0',
					'msg1'
				])
				expect(ids(await store.loadThreadItems('thr_1', 'msg_gone', 2, 'desc', context))).toEqual([
					'msg2',
					'msg1'
				])
				await store.saveThread(thread('thr_2', at(1)), context)
				expect(ids(await store.loadThreads(5, 'thr_gone', 'asc', context))).toEqual([
					'thr_1',
					'thr_2'
				])
			})

			test('equal timestamps: insertion order breaks the tie, pages neither skip nor repeat', async () => {
				const context = await withThread()
				await addItems('thr_1', context, 9, () => 7)
				const expected = Array.from({ length: 9 }, (_, i) => `msg${i}`)
				expect(await walkItems(store, 'thr_1', 2, 'asc', context)).toEqual(expected)
				expect(await walkItems(store, 'thr_1', 4, 'desc', context)).toEqual(expected.toReversed())
				expect(await walkItems(store, 'thr_1', 3, 'asc', context)).toEqual(expected)
			})

			test('addThreadItem with a known id replaces the item in place', async () => {
				const context = await withThread()
				await addItems('thr_1', context, 3)
				await store.addThreadItem(
					'thr_1',
					assistantMessage('thr_1', 'msg1', at(1), 'replaced'),
					context
				)
				expect(await allItems(store, 'thr_1', context)).toEqual(['msg0', 'msg1', 'msg2'])
				const item = (await store.loadItem('thr_1', 'msg1', context)) as ReturnType<
					typeof assistantMessage
				>
				expect(item.content[0]?.text).toBe('replaced')
			})

			test('saveItem updates an item (even to another type) and keeps its position', async () => {
				const context = await withThread()
				const kinds = everyItemKind('thr_1')
				const user = defined(kinds[0], 'a user message')
				const assistant = defined(kinds[1], 'an assistant message')
				const widget = defined(kinds[2], 'a widget')
				for (const item of [user, assistant, widget])
					await store.addThreadItem('thr_1', item, context)
				const updatedAssistant = assistantMessage(
					'thr_1',
					assistant.id,
					assistant.created_at,
					'updated text'
				)
				const updatedWidget = {
					...widget,
					widget: { type: 'Card', children: [{ type: 'Text', id: 'text', value: 'Updated' }] }
				} as ThreadItem
				const replacedUser = assistantMessage(
					'thr_1',
					user.id,
					at(99),
					'user message replaced by assistant'
				)
				await store.saveItem('thr_1', updatedAssistant, context)
				await store.saveItem('thr_1', updatedWidget, context)
				await store.saveItem('thr_1', replacedUser, context)
				expect(await store.loadItem('thr_1', assistant.id, context)).toEqual(updatedAssistant)
				expect(await store.loadItem('thr_1', widget.id, context)).toEqual(updatedWidget)
				expect(await store.loadItem('thr_1', user.id, context)).toEqual(replacedUser)
				expect(await allItems(store, 'thr_1', context)).toEqual([user.id, assistant.id, widget.id])
			})

			test('saveItem inserts an item that is not there yet', async () => {
				const context = await withThread()
				await store.saveItem('thr_1', assistantMessage('thr_1', 'new'), context)
				expect(await allItems(store, 'thr_1', context)).toEqual(['new'])
			})

			test('an unknown item is NotFoundError, also in an unknown thread', async () => {
				const context = await withThread()
				await notFound(store.loadItem('thr_1', 'msg_missing', context), 'item')
				await notFound(store.loadItem('thr_nope', 'msg_missing', context), 'item')
			})

			test('item ids are scoped to their thread', async () => {
				const context = await withThread('thr_a')
				await store.saveThread(thread('thr_b'), context)
				await store.addThreadItem('thr_a', assistantMessage('thr_a', 'same', at(0), 'in a'), context)
				await store.addThreadItem('thr_b', assistantMessage('thr_b', 'same', at(0), 'in b'), context)
				expect((await store.loadItem('thr_a', 'same', context)).thread_id).toBe('thr_a')
				expect((await store.loadItem('thr_b', 'same', context)).thread_id).toBe('thr_b')
				await notFound(store.loadItem('thr_a', 'only_b', context), 'item')
			})

			test('adding an item to an unknown thread is NotFoundError and writes nothing', async () => {
				const context = newContext()
				await notFound(
					store.addThreadItem('thr_nope', assistantMessage('thr_nope', 'm'), context),
					'thread'
				)
				await notFound(
					store.saveItem('thr_nope', assistantMessage('thr_nope', 'm'), context),
					'thread'
				)
				await store.saveThread(thread('thr_nope'), context)
				expect(await allItems(store, 'thr_nope', context)).toEqual([])
			})

			test('deleteThreadItem removes one item and tolerates a missing id', async () => {
				const context = await withThread()
				await addItems('thr_1', context, 3)
				await store.deleteThreadItem('thr_1', 'msg1', context)
				await store.deleteThreadItem('thr_1', 'msg1', context)
				await store.deleteThreadItem('thr_nope', 'msg1', context)
				expect(await allItems(store, 'thr_1', context)).toEqual(['msg0', 'msg2'])
				await notFound(store.loadItem('thr_1', 'msg1', context), 'item')
			})

			test('deleteItemsAfter removes the items after one item in thread order, and nothing else', async () => {
				const context = await withThread()
				await addItems('thr_1', context, 4, (i) => [0, 1, 1, 2][i] ?? i)
				const other = await withThread('thr_2', context)
				await addItems('thr_2', other, 2)
				const stranger = newContext()
				await store.deleteItemsAfter('thr_1', 'msg0', stranger)
				expect(await allItems(store, 'thr_1', context)).toEqual(['msg0', 'msg1', 'msg2', 'msg3'])
				await store.deleteItemsAfter('thr_1', 'msg1', context)
				expect(await allItems(store, 'thr_1', context)).toEqual(['msg0', 'msg1'])
				await store.deleteItemsAfter('thr_1', 'msg_missing', context)
				await store.deleteItemsAfter('thr_nope', 'msg0', context)
				expect(await allItems(store, 'thr_1', context)).toEqual(['msg0', 'msg1'])
				await store.deleteItemsAfter('thr_1', 'msg1', context)
				expect(await allItems(store, 'thr_1', context)).toEqual(['msg0', 'msg1'])
				await store.deleteItemsAfter('thr_1', 'msg0', context)
				expect(await allItems(store, 'thr_1', context)).toEqual(['msg0'])
				expect(await allItems(store, 'thr_2', other)).toEqual(['msg0', 'msg1'])
			})

			test('deleteThread removes the thread and its items, and leaves attachments', async () => {
				const context = await withThread()
				await addItems('thr_1', context, 3)
				await store.saveAttachment({ ...fileAttachment('atc_keep'), thread_id: 'thr_1' }, context)
				await store.deleteThread('thr_1', context)
				await notFound(store.loadThread('thr_1', context), 'thread')
				await notFound(store.loadItem('thr_1', 'msg0', context), 'item')
				expect(await allItems(store, 'thr_1', context)).toEqual([])
				expect(ids(await store.loadThreads(10, null, 'asc', context))).toEqual([])
				expect((await store.loadAttachment('atc_keep', context)).id).toBe('atc_keep')
				await store.saveThread(thread('thr_1'), context)
				expect(await allItems(store, 'thr_1', context)).toEqual([])
				await store.deleteThread('thr_missing', context)
			})
		})

		describe('attachments', () => {
			test('a file attachment round-trips with upload descriptor and metadata', async () => {
				const context = newContext()
				const file = fileAttachment('atc_file')
				await store.saveAttachment(file, context)
				expect(await store.loadAttachment('atc_file', context)).toEqual(file)
			})

			test('an image attachment round-trips with preview_url and metadata', async () => {
				const context = newContext()
				const image = imageAttachment('atc_image')
				await store.saveAttachment(image, context)
				expect(await store.loadAttachment('atc_image', context)).toEqual(image)
			})

			test('saveAttachment upserts (e.g. to set thread_id)', async () => {
				const context = newContext()
				await store.saveAttachment(fileAttachment('atc_1'), context)
				await store.saveAttachment(
					{ ...fileAttachment('atc_1'), thread_id: 'thr_9', upload_descriptor: null },
					context
				)
				const loaded = await store.loadAttachment('atc_1', context)
				expect(loaded.thread_id).toBe('thr_9')
				expect(loaded.upload_descriptor).toBeNull()
				expect(loaded.metadata).toEqual(fileAttachment('atc_1').metadata)
			})

			test('deleteAttachment removes it; unknown ids are NotFoundError on load and ignored on delete', async () => {
				const context = newContext()
				await store.saveAttachment(fileAttachment('atc_del'), context)
				await store.deleteAttachment('atc_del', context)
				await store.deleteAttachment('atc_del', context)
				await notFound(store.loadAttachment('atc_del', context), 'attachment')
			})
		})

		describe('isolation', () => {
			test('another user sees none of my threads, items or attachments', async () => {
				const mine = await withThread('thr_private')
				await addItems('thr_private', mine, 2)
				await store.saveAttachment(fileAttachment('atc_private'), mine)
				const other = newContext()
				await notFound(store.loadThread('thr_private', other), 'thread')
				await notFound(store.loadItem('thr_private', 'msg0', other), 'item')
				await notFound(store.loadAttachment('atc_private', other), 'attachment')
				expect(await store.loadThreadItems('thr_private', null, 20, 'asc', other)).toMatchObject({
					data: [],
					has_more: false
				})
				expect(ids(await store.loadThreads(20, null, 'asc', other))).toEqual([])
			})

			test("writes to another user's thread fail with NotFoundError and change nothing", async () => {
				const mine = await withThread('thr_private')
				await addItems('thr_private', mine, 2)
				await store.saveAttachment(fileAttachment('atc_private'), mine)
				const other = newContext()
				await notFound(
					store.addThreadItem('thr_private', assistantMessage('thr_private', 'intruder'), other),
					'thread'
				)
				await notFound(
					store.saveItem(
						'thr_private',
						assistantMessage('thr_private', 'msg0', at(0), 'overwritten'),
						other
					),
					'thread'
				)
				await store.deleteThreadItem('thr_private', 'msg0', other)
				await store.deleteThread('thr_private', other)
				await store.deleteAttachment('atc_private', other)
				expect(await allItems(store, 'thr_private', mine)).toEqual(['msg0', 'msg1'])
				expect(await store.loadItem('thr_private', 'msg0', mine)).toEqual(
					assistantMessage('thr_private', 'msg0', at(0))
				)
				expect((await store.loadThread('thr_private', mine)).title).toBe('Title of thr_private')
				expect((await store.loadAttachment('atc_private', mine)).metadata).toEqual(
					fileAttachment('x').metadata
				)
			})

			test('the same ids under another owner are separate records', async () => {
				const mine = await withThread('thr_same')
				await addItems('thr_same', mine, 1)
				const other = newContext()
				await store.saveThread(thread('thr_same', at(0), { title: 'theirs' }), other)
				await store.addThreadItem(
					'thr_same',
					assistantMessage('thr_same', 'msg0', at(0), 'theirs'),
					other
				)
				await store.saveAttachment(imageAttachment('atc_same'), other)
				await store.saveAttachment(fileAttachment('atc_same'), mine)
				expect((await store.loadThread('thr_same', mine)).title).toBe('Title of thr_same')
				expect(await store.loadItem('thr_same', 'msg0', mine)).toEqual(
					assistantMessage('thr_same', 'msg0', at(0))
				)
				expect((await store.loadAttachment('atc_same', mine)).type).toBe('file')
				expect((await store.loadAttachment('atc_same', other)).type).toBe('image')
				await store.deleteThread('thr_same', other)
				expect(await allItems(store, 'thr_same', mine)).toEqual(['msg0'])
			})

			test("another owner's item id used as a cursor reveals nothing", async () => {
				const mine = await withThread('thr_c')
				await addItems('thr_c', mine, 3)
				const other = newContext()
				await store.saveThread(thread('thr_c'), other)
				await store.addThreadItem('thr_c', assistantMessage('thr_c', 'theirs', at(1)), other)
				expect(ids(await store.loadThreadItems('thr_c', 'msg1', 10, 'asc', other))).toEqual([
					'theirs'
				])
				expect(ids(await store.loadThreads(10, 'thr_c', 'asc', newContext()))).toEqual([])
			})

			test('two owners whose rows interleave in time: every page, after any cursor and in both orders, holds only the reader’s rows', async () => {
				const owners = { a: newContext(), b: newContext() }
				for (let i = 0; i < 4; i++)
					for (const [name, context] of Object.entries(owners)) {
						const offset = name === 'a' ? 0 : 1
						await store.saveThread(thread(`thr_${name}${i}`, at(2 * i + offset)), context)
						if (i === 0) await store.saveThread(thread('thr_mixed'), context)
						await store.addThreadItem(
							'thr_mixed',
							assistantMessage('thr_mixed', `${name}${i}`, at(2 * i + offset)),
							context
						)
					}
				for (const order of ['asc', 'desc'] as const)
					for (const [name, context] of Object.entries(owners)) {
						const own = [0, 1, 2, 3].map((i) => `${name}${i}`)
						if (order === 'desc') own.reverse()
						expect(await walkItems(store, 'thr_mixed', 1, order, context)).toEqual(own)
						expect(await walkItems(store, 'thr_mixed', 3, order, context)).toEqual(own)
						const threads = await walkThreads(store, 2, order, context)
						expect(threads.filter((id) => id !== 'thr_mixed')).toEqual(
							own.map((id) => `thr_${id}`)
						)
						expect(threads.toSorted()).toEqual(
							[...own.map((id) => `thr_${id}`), 'thr_mixed'].toSorted()
						)
					}
			})

			test('tenants are separate scopes for the same user id, and no tenant is a scope of its own', async () => {
				const acme = { user: { id: 'shared_user', tenantId: `acme_${crypto.randomUUID()}` } }
				const globex = { user: { id: 'shared_user', tenantId: `globex_${crypto.randomUUID()}` } }
				const none = { user: { id: `shared_user_${crypto.randomUUID()}`, tenantId: null } }
				const noneUndefined = { user: { id: none.user.id } }
				const acmeOther = { user: { id: none.user.id, tenantId: acme.user.tenantId } }
				await store.saveThread(thread('thr_t', at(0), { title: 'acme' }), acme)
				await store.addThreadItem('thr_t', assistantMessage('thr_t', 'm', at(0), 'acme'), acme)
				await store.saveAttachment(fileAttachment('atc_t'), acme)
				await notFound(store.loadThread('thr_t', globex), 'thread')
				await notFound(store.loadItem('thr_t', 'm', globex), 'item')
				await notFound(store.loadAttachment('atc_t', globex), 'attachment')
				await notFound(store.addThreadItem('thr_t', assistantMessage('thr_t', 'x'), globex), 'thread')
				expect(ids(await store.loadThreads(10, null, 'asc', globex))).toEqual([])
				await store.saveThread(thread('thr_t', at(0), { title: 'no tenant' }), none)
				expect((await store.loadThread('thr_t', noneUndefined)).title).toBe('no tenant')
				await notFound(store.loadThread('thr_t', acmeOther), 'thread')
				await store.deleteThread('thr_t', globex)
				expect((await store.loadThread('thr_t', acme)).title).toBe('acme')
				expect(await allItems(store, 'thr_t', acme)).toEqual(['m'])
			})
		})

		describe('concurrency', () => {
			test('50 parallel addThreadItem on one thread: all stored, order stable across reads and pages', async () => {
				const context = await withThread()
				const items = Array.from({ length: 50 }, (_, i) =>
					assistantMessage('thr_1', `par${i}`, at(i % 5 === 0 ? 100 : i))
				)
				await Promise.all(items.map((item) => store.addThreadItem('thr_1', item, context)))
				const first = await allItems(store, 'thr_1', context)
				expect(first.toSorted()).toEqual(items.map((item) => item.id).toSorted())
				expect(await allItems(store, 'thr_1', context)).toEqual(first)
				expect(await walkItems(store, 'thr_1', 7, 'asc', context)).toEqual(first)
				expect(await walkItems(store, 'thr_1', 6, 'desc', context)).toEqual(first.toReversed())
				const times = await Promise.all(
					first.map(async (id) =>
						Date.parse((await store.loadItem('thr_1', id, context)).created_at)
					)
				)
				expect(times).toEqual(times.toSorted((a, b) => a - b))
			})

			test('parallel writers on many threads of one user keep every thread whole', async () => {
				const context = newContext()
				await Promise.all(
					Array.from({ length: 10 }, async (_, t) => {
						await store.saveThread(thread(`pt${t}`, at(t)), context)
						await Promise.all(
							Array.from({ length: 10 }, (_, i) =>
								store.addThreadItem(
									`pt${t}`,
									assistantMessage(`pt${t}`, `m${i}`, at(i)),
									context
								)
							)
						)
					})
				)
				expect(await walkThreads(store, 3, 'asc', context)).toEqual(
					Array.from({ length: 10 }, (_, t) => `pt${t}`)
				)
				for (let t = 0; t < 10; t++)
					expect(await allItems(store, `pt${t}`, context)).toEqual(
						Array.from({ length: 10 }, (_, i) => `m${i}`)
					)
			})
		})

		describe('updateThread', () => {
			const stored = (threadId: string) =>
				thread(threadId, at(0), {
					title: 'Kept',
					status: { type: 'locked', reason: 'Because' },
					allowed_image_domains: ['cdn.example.com'],
					metadata: { first: 1, job: { step: 2, note: 'NUL \u0000 and ünïcode' }, last: [true] }
				})

			test('changes only the named fields and metadata keys, in place, and returns the stored thread', async () => {
				const context = newContext()
				await store.saveThread(stored('thr_patch'), context)
				await store.saveThread(thread('thr_after', at(1)), context)
				const updated = await store.updateThread(
					'thr_patch',
					{ title: 'Renamed', metadata: { job: { step: 3 }, added: 'x' } },
					context
				)
				const expected = {
					...stored('thr_patch'),
					title: 'Renamed',
					metadata: { first: 1, job: { step: 3 }, last: [true], added: 'x' }
				}
				expect(updated).toEqual(expected)
				const loaded = await store.loadThread('thr_patch', context)
				expect(loaded).toEqual(expected)
				expect(Object.keys(loaded.metadata)).toEqual(['first', 'job', 'last', 'added'])
				expect(ids(await store.loadThreads(10, null, 'asc', context))).toEqual([
					'thr_patch',
					'thr_after'
				])
			})

			test('status, allowed domains, a null title and a removed key; an empty update changes nothing', async () => {
				const context = newContext()
				await store.saveThread(stored('thr_fields'), context)
				await store.updateThread(
					'thr_fields',
					{
						title: null,
						status: { type: 'closed', reason: 'Done' },
						allowed_image_domains: null,
						metadata: { job: undefined }
					},
					context
				)
				const expected: ThreadMetadata = {
					...stored('thr_fields'),
					title: null,
					status: { type: 'closed', reason: 'Done' },
					allowed_image_domains: null,
					metadata: { first: 1, last: [true] }
				}
				expect(await store.loadThread('thr_fields', context)).toEqual(expected)
				expect(await store.updateThread('thr_fields', {}, context)).toEqual(expected)
				expect(await store.loadThread('thr_fields', context)).toEqual(expected)
			})

			test("an unknown, deleted or other owner's thread is NotFoundError and is not created", async () => {
				const tenant = `acme_${crypto.randomUUID()}`
				const mine = newContext(tenant)
				await store.saveThread(stored('thr_mine'), mine)
				await store.saveThread(stored('thr_gone'), mine)
				await store.deleteThread('thr_gone', mine)
				const other = newContext(tenant)
				await notFound(store.updateThread('thr_mine', { title: 'Stolen' }, other), 'thread')
				await notFound(store.updateThread('thr_gone', { title: 'Back' }, mine), 'thread')
				await notFound(store.updateThread('thr_never', { metadata: { a: 1 } }, mine), 'thread')
				expect(ids(await store.loadThreads(10, null, 'asc', other))).toEqual([])
				expect(ids(await store.loadThreads(10, null, 'asc', mine))).toEqual(['thr_mine'])
				expect(await store.loadThread('thr_mine', mine)).toEqual(stored('thr_mine'))
			})

			test('20 concurrent updates of different keys and a rename: every one is kept', async () => {
				const context = newContext()
				await store.saveThread(stored('thr_keys'), context)
				await Promise.all([
					...Array.from({ length: 20 }, (_, i) =>
						store.updateThread('thr_keys', { metadata: { [`key_${i}`]: i } }, context)
					),
					store.updateThread('thr_keys', { title: 'Renamed' }, context)
				])
				const loaded = await store.loadThread('thr_keys', context)
				expect(loaded.title).toBe('Renamed')
				for (let i = 0; i < 20; i++) expect(loaded.metadata[`key_${i}`]).toBe(i)
				expect(loaded.metadata.job).toEqual(stored('thr_keys').metadata.job)
			})

			test('updates racing a delete never bring the thread back (10 rounds)', async () => {
				const context = newContext()
				for (let round = 0; round < 10; round++) {
					const id = `thr_race_${round}`
					await store.saveThread(stored(id), context)
					const outcomes = await Promise.allSettled([
						store.updateThread(id, { title: 'A' }, context),
						store.deleteThread(id, context),
						store.updateThread(id, { metadata: { b: 1 } }, context)
					])
					for (const outcome of outcomes)
						if (outcome.status === 'rejected')
							expect(outcome.reason).toBeInstanceOf(NotFoundError)
					await notFound(store.loadThread(id, context), 'thread')
				}
				expect(ids(await store.loadThreads(10, null, 'asc', context))).toEqual([])
			})
		})

		describe('updateItem', () => {
			const pendingCall = (threadId: string, id = 'tc_1'): ThreadItem => ({
				id,
				thread_id: threadId,
				created_at: at(1),
				type: 'client_tool_call',
				status: 'pending',
				call_id: 'call_1',
				name: 'pick_color',
				arguments: { hint: 'NUL \u0000 and ünïcode' }
			})
			const complete =
				(output: unknown) =>
				(item: ThreadItem): ThreadItem =>
					item.type === 'client_tool_call' && item.status === 'pending'
						? { ...item, status: 'completed', output }
						: item
			const withCall = async (threadId: string, context: ChatKitContext) => {
				await store.saveThread(thread(threadId), context)
				await store.addThreadItem(threadId, assistantMessage(threadId, 'msg_a', at(0)), context)
				await store.addThreadItem(threadId, pendingCall(threadId), context)
				await store.addThreadItem(threadId, assistantMessage(threadId, 'msg_b', at(2)), context)
			}

			test('update receives the stored item; its result replaces it in place; unchanged writes nothing', async () => {
				const context = newContext()
				await withCall('thr_item', context)
				const before = await store.updateItem('thr_item', 'tc_1', complete({ color: 'red' }), context)
				expect(before).toEqual(pendingCall('thr_item'))
				const after = { ...pendingCall('thr_item'), status: 'completed', output: { color: 'red' } }
				expect(await store.loadItem('thr_item', 'tc_1', context)).toEqual(after as ThreadItem)
				expect(await allItems(store, 'thr_item', context)).toEqual(['msg_a', 'tc_1', 'msg_b'])
				expect(
					await store.updateItem('thr_item', 'tc_1', complete({ color: 'blue' }), context)
				).toEqual(after as ThreadItem)
				expect(await store.loadItem('thr_item', 'tc_1', context)).toEqual(after as ThreadItem)
			})

			test("unknown items, another thread's and another owner's: NotFoundError, update not called, nothing written", async () => {
				const context = newContext()
				await withCall('thr_items', context)
				await store.saveThread(thread('thr_other'), context)
				let calls = 0
				const update = (item: ThreadItem) => {
					calls++
					return { ...item, status: 'completed' } as ThreadItem
				}
				await notFound(store.updateItem('thr_items', 'tc_missing', update, context), 'item')
				await notFound(store.updateItem('thr_other', 'tc_1', update, context), 'item')
				await notFound(store.updateItem('thr_items', 'tc_1', update, newContext()), 'item')
				await notFound(store.updateItem('thr_unknown', 'tc_1', update, context), 'item')
				expect(calls).toBe(0)
				expect(await store.loadItem('thr_items', 'tc_1', context)).toEqual(pendingCall('thr_items'))
			})

			test('an update that throws, or changes the id: an error, and nothing is written', async () => {
				const context = newContext()
				await withCall('thr_bad', context)
				const failure = new RangeError('no')
				await expect(
					store.updateItem(
						'thr_bad',
						'tc_1',
						() => {
							throw failure
						},
						context
					)
				).rejects.toBe(failure)
				await expect(
					store.updateItem('thr_bad', 'tc_1', (item) => ({ ...item, id: 'tc_2' }), context)
				).rejects.toThrow()
				expect(await allItems(store, 'thr_bad', context)).toEqual(['msg_a', 'tc_1', 'msg_b'])
				expect(await store.loadItem('thr_bad', 'tc_1', context)).toEqual(pendingCall('thr_bad'))
			})

			test('20 concurrent claims of a pending item: exactly one finds it pending, and its output is stored', async () => {
				const context = newContext()
				await withCall('thr_claims', context)
				const seen = await Promise.all(
					Array.from({ length: 20 }, (_, i) =>
						store.updateItem('thr_claims', 'tc_1', complete({ claim: i }), context)
					)
				)
				const winners = seen.flatMap((item, i) =>
					item.type === 'client_tool_call' && item.status === 'pending' ? [i] : []
				)
				expect(winners.length).toBe(1)
				expect(await store.loadItem('thr_claims', 'tc_1', context)).toMatchObject({
					status: 'completed',
					output: { claim: winners[0] }
				})
			})
		})

		describe('turn leases', () => {
			test('one turn at a time per thread: taken, refused to another turn, extended by its own, given back', async () => {
				const context = newContext()
				expect(await store.acquireTurn('thr_lease', 'turn_a', 60_000, context)).toBe(true)
				expect(await store.acquireTurn('thr_lease', 'turn_b', 60_000, context)).toBe(false)
				expect(await store.acquireTurn('thr_lease', 'turn_a', 60_000, context)).toBe(true)
				await store.releaseTurn('thr_lease', 'turn_b', context)
				expect(await store.acquireTurn('thr_lease', 'turn_b', 60_000, context)).toBe(false)
				await store.releaseTurn('thr_lease', 'turn_a', context)
				expect(await store.acquireTurn('thr_lease', 'turn_b', 60_000, context)).toBe(true)
				expect(await store.acquireTurn('thr_other', 'turn_c', 60_000, context)).toBe(true)
				await store.releaseTurn('thr_lease', 'turn_b', context)
				await store.releaseTurn('thr_other', 'turn_c', context)
				await store.releaseTurn('thr_unknown', 'turn_d', context)
			})

			test('leases are scoped by owner, and an expired lease is free again', async () => {
				const tenant = `acme_${crypto.randomUUID()}`
				const mine = newContext(tenant)
				expect(await store.acquireTurn('thr_scope', 'turn_a', 60_000, mine)).toBe(true)
				for (const other of [
					newContext(tenant),
					{ user: { id: mine.user.id } },
					{ user: { id: mine.user.id, tenantId: `globex_${crypto.randomUUID()}` } }
				]) {
					expect(
						await store.acquireTurn('thr_scope', `turn_${crypto.randomUUID()}`, 60_000, other)
					).toBe(true)
					await store.releaseTurn('thr_scope', 'turn_a', other)
				}
				expect(await store.acquireTurn('thr_scope', 'turn_b', 60_000, mine)).toBe(false)
				expect(await store.acquireTurn('thr_short', 'turn_a', 1, mine)).toBe(true)
				await Bun.sleep(20)
				expect(await store.acquireTurn('thr_short', 'turn_b', 60_000, mine)).toBe(true)
				expect(await store.acquireTurn('thr_short', 'turn_a', 60_000, mine)).toBe(false)
			})

			test('20 turns asking for one thread at once: exactly one gets it', async () => {
				const context = newContext()
				const taken = await Promise.all(
					Array.from({ length: 20 }, (_, i) =>
						store.acquireTurn('thr_rush', `turn_${i}`, 60_000, context)
					)
				)
				expect(taken.filter(Boolean).length).toBe(1)
			})
		})

		describe('releaseInstanceTurns (optional)', () => {
			test("gives back the leases whose turn id starts with the prefix, every owner's, and no other", async () => {
				const release = store.releaseInstanceTurns?.bind(store)
				if (!release) return
				const [first, second] = [newContext(), newContext()]
				expect(await store.acquireTurn('thr_i1', 'web-1:a', 60_000, first)).toBe(true)
				expect(await store.acquireTurn('thr_i2', 'web-1:b', 60_000, second)).toBe(true)
				expect(await store.acquireTurn('thr_i3', 'web-10:c', 60_000, first)).toBe(true)
				expect(await store.acquireTurn('thr_i4', 'web-2:d', 60_000, second)).toBe(true)
				expect(await release('web-1:')).toBe(2)
				expect(await store.acquireTurn('thr_i1', 'next', 60_000, first)).toBe(true)
				expect(await store.acquireTurn('thr_i2', 'next', 60_000, second)).toBe(true)
				expect(await store.acquireTurn('thr_i3', 'next', 60_000, first)).toBe(false)
				expect(await store.acquireTurn('thr_i4', 'next', 60_000, second)).toBe(false)
				expect(await release('web-1:')).toBe(0)
			})
		})

		describe('startThread (optional)', () => {
			/** The store's `startThread`; the stores that have one run these tests (`test/store/*.test.ts` say which). */
			const startThreadOf = () => store.startThread?.bind(store)
			const firstMessage = (threadId: string) => assistantMessage(threadId, 'msg_first', at(1), 'Hello')

			test('takes the turn lease, saves the thread and adds its first item, together', async () => {
				const startThread = startThreadOf()
				if (!startThread) return
				const context = newContext()
				const saved = thread('thr_start', at(0))
				const turn = { turnId: 'turn_a', ttlMs: 60_000 }
				expect(await startThread(saved, firstMessage('thr_start'), turn, context)).toBe(true)
				expect(await store.loadThread('thr_start', context)).toEqual(saved)
				expect((await store.loadThreadItems('thr_start', null, 10, 'asc', context)).data).toEqual([
					firstMessage('thr_start')
				])
				expect(await store.acquireTurn('thr_start', 'turn_b', 60_000, context)).toBe(false)
				expect(await store.acquireTurn('thr_start', 'turn_a', 60_000, context)).toBe(true)
				await store.releaseTurn('thr_start', 'turn_a', context)
				expect(await store.acquireTurn('thr_start', 'turn_b', 60_000, context)).toBe(true)
			})

			test('refused while another turn holds the lease: false, and nothing written', async () => {
				const startThread = startThreadOf()
				if (!startThread) return
				const context = newContext()
				expect(await store.acquireTurn('thr_busy', 'turn_x', 60_000, context)).toBe(true)
				const turn = { turnId: 'turn_y', ttlMs: 60_000 }
				expect(await startThread(thread('thr_busy'), firstMessage('thr_busy'), turn, context)).toBe(
					false
				)
				await notFound(store.loadThread('thr_busy', context), 'thread')
				expect(await allItems(store, 'thr_busy', context)).toEqual([])
				expect(await store.acquireTurn('thr_busy', 'turn_y', 60_000, context)).toBe(false)
			})

			test("scoped by owner: another owner's lease and thread of the same id are theirs", async () => {
				const startThread = startThreadOf()
				if (!startThread) return
				const mine = newContext()
				const theirs = newContext()
				expect(await store.acquireTurn('thr_shared_id', 'turn_theirs', 60_000, theirs)).toBe(true)
				const turn = { turnId: 'turn_mine', ttlMs: 60_000 }
				expect(
					await startThread(thread('thr_shared_id'), firstMessage('thr_shared_id'), turn, mine)
				).toBe(true)
				await notFound(store.loadThread('thr_shared_id', theirs), 'thread')
				expect(await allItems(store, 'thr_shared_id', theirs)).toEqual([])
				expect(await allItems(store, 'thr_shared_id', mine)).toEqual(['msg_first'])
			})

			if (options.sabotage) {
				const { sabotage } = options
				test('all or nothing: when the item cannot be written, neither the thread nor the lease is', async () => {
					const startThread = startThreadOf()
					if (!startThread) return
					const context = newContext()
					const restore = await sabotage(store, 'items', 'insert')
					try {
						const turn = { turnId: 'turn_a', ttlMs: 60_000 }
						await expect(
							startThread(thread('thr_half'), firstMessage('thr_half'), turn, context)
						).rejects.toThrow()
					} finally {
						await restore()
					}
					await notFound(store.loadThread('thr_half', context), 'thread')
					expect(await store.acquireTurn('thr_half', 'turn_b', 60_000, context)).toBe(true)
				})
			}
		})

		describe('updateThreadMetadata', () => {
			const updateKey = (
				threadId: string,
				key: string,
				update: (current: unknown) => unknown,
				context: ChatKitContext
			) => {
				if (!store.updateThreadMetadata) throw new Error(`${name} store has no updateThreadMetadata`)
				return store.updateThreadMetadata(threadId, key, update, context)
			}
			const take = (threadId: string, key: string, context: ChatKitContext) =>
				updateKey(threadId, key, () => undefined, context)
			const metaThread = (threadId: string) =>
				thread(threadId, at(0), {
					title: 'Kept',
					status: { type: 'locked', reason: 'Because' },
					metadata: { before: 1, job: { step: 2, note: 'NUL \u0000 and ünïcode' }, after: [true] }
				})

			test('taking a value returns it once; the key is gone and nothing else of the thread changes', async () => {
				const context = newContext()
				const saved = metaThread('thr_take')
				await store.saveThread(saved, context)
				expect(await take('thr_take', 'job', context)).toEqual(saved.metadata.job)
				expect(await take('thr_take', 'job', context)).toBeUndefined()
				const loaded = await store.loadThread('thr_take', context)
				expect(loaded).toEqual({ ...saved, metadata: { before: 1, after: [true] } })
				expect(Object.keys(loaded.metadata)).toEqual(['before', 'after'])
			})

			test('update receives the stored value and writes its result in place; unchanged writes nothing', async () => {
				const context = newContext()
				await store.saveThread(metaThread('thr_upd'), context)
				const seen: unknown[] = []
				const previous = await updateKey(
					'thr_upd',
					'job',
					(current) => {
						seen.push(current)
						return { ...(current as object), step: 3 }
					},
					context
				)
				expect(previous).toEqual({ step: 2, note: 'NUL \u0000 and ünïcode' })
				expect(seen).toEqual([previous])
				const loaded = await store.loadThread('thr_upd', context)
				expect(Object.keys(loaded.metadata)).toEqual(['before', 'job', 'after'])
				expect(loaded.metadata.job).toEqual({ step: 3, note: 'NUL \u0000 and ünïcode' })
				expect(await updateKey('thr_upd', 'job', (current) => current, context)).toEqual(
					loaded.metadata.job
				)
				expect(await store.loadThread('thr_upd', context)).toEqual(loaded)
				expect(await updateKey('thr_upd', 'fresh', (current) => current ?? 'added', context)).toBe(
					undefined
				)
				expect((await store.loadThread('thr_upd', context)).metadata.fresh).toBe('added')
				expect(ids(await store.loadThreads(10, null, 'asc', context))).toEqual(['thr_upd'])
			})

			test('other owners and unknown threads: update is not called, the result is undefined, nothing changes', async () => {
				const tenant = `acme_${crypto.randomUUID()}`
				const mine = newContext(tenant)
				const saved = metaThread('thr_owned')
				await store.saveThread(saved, mine)
				const strangers = [
					newContext(tenant),
					{ user: { id: mine.user.id } },
					{ user: { id: mine.user.id, tenantId: `globex_${crypto.randomUUID()}` } }
				]
				let calls = 0
				const update = () => {
					calls++
					return 'stolen'
				}
				for (const other of strangers) {
					expect(await updateKey('thr_owned', 'job', update, other)).toBeUndefined()
					expect(await take('thr_owned', 'job', other)).toBeUndefined()
					await notFound(store.loadThread('thr_owned', other), 'thread')
				}
				expect(await updateKey('thr_unknown', 'job', update, mine)).toBeUndefined()
				expect(calls).toBe(0)
				await notFound(store.loadThread('thr_unknown', mine), 'thread')
				expect(await store.loadThread('thr_owned', mine)).toEqual(saved)
			})

			test('an update that throws: its error comes out as is and nothing is written', async () => {
				const context = newContext()
				await store.saveThread(metaThread('thr_throw'), context)
				const failure = new RangeError('no')
				await expect(
					updateKey(
						'thr_throw',
						'job',
						() => {
							throw failure
						},
						context
					)
				).rejects.toBe(failure)
				expect(await store.loadThread('thr_throw', context)).toEqual(metaThread('thr_throw'))
			})

			test('20 concurrent takes: exactly one gets the value', async () => {
				const context = newContext()
				await store.saveThread(metaThread('thr_race'), context)
				const results = await Promise.all(
					Array.from({ length: 20 }, () => take('thr_race', 'job', context))
				)
				expect(results.filter((result) => result !== undefined)).toEqual([
					{ step: 2, note: 'NUL \u0000 and ünïcode' }
				])
				expect((await store.loadThread('thr_race', context)).metadata).toEqual({
					before: 1,
					after: [true]
				})
			})

			test('20 concurrent increments: none is lost, each saw a different value', async () => {
				const context = newContext()
				await store.saveThread(thread('thr_count', at(0), { metadata: { count: 0 } }), context)
				const seen = await Promise.all(
					Array.from({ length: 20 }, () =>
						updateKey('thr_count', 'count', (current) => (current as number) + 1, context)
					)
				)
				expect(seen.toSorted((a, b) => (a as number) - (b as number))).toEqual(
					Array.from({ length: 20 }, (_, i) => i)
				)
				expect((await store.loadThread('thr_count', context)).metadata).toEqual({ count: 20 })
			})
		})

		const { sabotage } = options
		if (sabotage)
			describe('failures inside the database', () => {
				test('a deleteThread that fails halfway rolls back: the thread and all its items remain', async () => {
					const context = await withThread('thr_rb')
					await addItems('thr_rb', context, 3)
					const restore = await sabotage(store, 'threads', 'delete')
					try {
						await expect(store.deleteThread('thr_rb', context)).rejects.toThrow()
					} finally {
						await restore()
					}
					expect((await store.loadThread('thr_rb', context)).id).toBe('thr_rb')
					expect(await allItems(store, 'thr_rb', context)).toEqual(['msg0', 'msg1', 'msg2'])
					await store.deleteThread('thr_rb', context)
					expect(await allItems(store, 'thr_rb', context)).toEqual([])
				})

				test('a failed write reports an error without the message text and writes nothing', async () => {
					const context = await withThread('thr_err')
					const restore = await sabotage(store, 'items', 'insert')
					let error: unknown
					try {
						error = await store
							.addThreadItem(
								'thr_err',
								assistantMessage('thr_err', 'm', at(0), 'my secret diary entry'),
								context
							)
							.then(
								() => undefined,
								(caught: unknown) => caught
							)
					} finally {
						await restore()
					}
					expect(error).toBeInstanceOf(Error)
					expect(Bun.inspect(error)).not.toContain('secret diary')
					expect(String((error as Error).message)).not.toContain('secret diary')
					expect(await allItems(store, 'thr_err', context)).toEqual([])
				})
			})

		const { limits } = options
		if (limits)
			describe('limits at the store boundary', () => {
				const long = 'x'.repeat(limits.maxIdLength + 1)
				const refused = async (promise: Promise<unknown>) => {
					await expect(promise).rejects.toBeInstanceOf(limits.error)
				}

				test('ids up to the limit are stored; longer ids are refused and nothing is written', async () => {
					const context = newContext()
					const longest = 't'.repeat(limits.maxIdLength)
					await store.saveThread(thread(longest), context)
					expect((await store.loadThread(longest, context)).id).toBe(longest)
					await refused(store.saveThread(thread(long), context))
					await refused(store.addThreadItem(longest, assistantMessage(longest, long), context))
					await refused(store.saveItem(longest, assistantMessage(longest, long), context))
					await refused(store.saveAttachment(fileAttachment(long), context))
					await refused(store.saveThread(thread('thr_1'), { user: { id: long } }))
					await refused(store.saveThread(thread('thr_1'), { user: { id: 'u', tenantId: long } }))
					await refused(store.saveThread(thread('thr_nul\u0000'), context))
					expect(ids(await store.loadThreads(10, null, 'asc', context))).toEqual([longest])
					expect(await allItems(store, longest, context)).toEqual([])
				})

				test('reads with ids that cannot exist are simply not found', async () => {
					const context = newContext()
					await notFound(store.loadThread(long, context), 'thread')
					await notFound(store.loadItem('thr_1', long, context), 'item')
					await notFound(store.loadAttachment('a\u0000b', context), 'attachment')
					expect((await store.loadThreadItems(long, long, 5, 'asc', context)).data).toEqual([])
				})

				test('documents above the size limit are refused and nothing is written', async () => {
					const context = await withThread()
					const huge = 'é'.repeat(Math.ceil(limits.maxDocumentBytes / 2) + 1)
					await refused(
						store.addThreadItem('thr_1', assistantMessage('thr_1', 'big', at(0), huge), context)
					)
					await refused(store.saveThread(thread('thr_1', at(0), { metadata: { huge } }), context))
					await refused(
						store.saveAttachment({ ...fileAttachment('atc_big'), metadata: { huge } }, context)
					)
					expect(await allItems(store, 'thr_1', context)).toEqual([])
					expect((await store.loadThread('thr_1', context)).metadata).toEqual({})
					await notFound(store.loadAttachment('atc_big', context), 'attachment')
				})

				test('malformed created_at, unserializable documents and bad limits are refused', async () => {
					const context = await withThread()
					await refused(store.saveThread(thread('thr_2', 'yesterday'), context))
					await refused(
						store.addThreadItem(
							'thr_1',
							assistantMessage('thr_1', 'm', '2026-13-45T00:00:00Z'),
							context
						)
					)
					const cyclic: Record<string, unknown> = {}
					cyclic.self = cyclic
					await refused(store.saveThread(thread('thr_3', at(0), { metadata: cyclic }), context))
					await refused(store.loadThreadItems('thr_1', null, 0, 'asc', context))
					await refused(store.loadThreads(-1, null, 'asc', context))
					await refused(store.loadThreads(2.5, null, 'asc', context))
					expect(ids(await store.loadThreads(10, null, 'asc', context))).toEqual(['thr_1'])
				})
			})
	})
}
