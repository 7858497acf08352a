import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type SqliteStore, sqliteStore } from '../../plugins/store'
import type { ThreadMetadata, UserMessageItem } from '../../src/protocol/items'
import { generateId } from '../../src/store/ids'
import type { ChatKitContext } from '../../src/store/types'
import { newContext } from '../../testing/fixtures'

setDefaultTimeout(30_000)

const folder = mkdtempSync(join(tmpdir(), 'chatkit-ids-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

describe('generateId', () => {
	test('the reference prefix, the time in milliseconds (12 hex chars), then 16 random hex chars', () => {
		const before = Date.now()
		const id = generateId('message')
		const after = Date.now()
		const match = /^msg_([0-9a-f]{12})([0-9a-f]{16})$/.exec(id)
		expect(match).not.toBeNull()
		const time = Number.parseInt(match?.[1] ?? '', 16)
		expect(time).toBeGreaterThanOrEqual(before)
		expect(time).toBeLessThanOrEqual(after)
		expect(generateId('thread')).toStartWith('thr_')
		expect(generateId('attachment')).toStartWith('atc_')
	})

	test('an id made a millisecond later sorts after', async () => {
		const first = generateId('thread')
		await Bun.sleep(2)
		expect(generateId('thread') > first).toBe(true)
	})

	test('100,000 ids made at once are distinct, and so are their random parts', () => {
		const ids = Array.from({ length: 100_000 }, () => generateId('message'))
		expect(new Set(ids).size).toBe(ids.length)
		expect(new Set(ids.map((id) => id.slice(-16))).size).toBe(ids.length)
	})
})

const threadOf = (id: string): ThreadMetadata => ({
	id,
	created_at: new Date().toISOString(),
	status: { type: 'active' },
	metadata: {}
})

const questionIn = (
	store: SqliteStore,
	thread: ThreadMetadata,
	context: ChatKitContext
): UserMessageItem => ({
	id: store.generateItemId('message', thread, context),
	thread_id: thread.id,
	created_at: thread.created_at,
	type: 'user_message',
	content: [{ type: 'input_text', text: 'What is the weather like?' }],
	attachments: [],
	inference_options: {}
})

/** Starts `count` turns at once (one group commit), each a new thread with the user's message, as `threads.create` does. */
const startTurns = (store: SqliteStore, context: ChatKitContext, count: number) =>
	Promise.all(
		Array.from({ length: count }, async (_, n) => {
			const thread = threadOf(store.generateThreadId(context))
			const turnId = `turn_${n}_${thread.id}`
			await store.startThread(
				thread,
				questionIn(store, thread, context),
				{ turnId, ttlMs: 30_000 },
				context
			)
			return { thread, turnId }
		})
	)

describe('ids in the SQLite store', () => {
	test('16 turns at once on a user with 20,000 threads write a few pages of the indexes, not some for each turn', async () => {
		const store = sqliteStore({ path: join(folder, 'pages.db') })
		const context = newContext()
		for (let round = 0; round < 40; round++) await startTurns(store, context, 500)
		store.client.run('PRAGMA wal_checkpoint(TRUNCATE)')
		const frames = () =>
			store.client.query<{ log: number }, []>('PRAGMA wal_checkpoint(PASSIVE)').get()?.log ?? -1
		const before = frames()
		await startTurns(store, context, 16)
		const written = frames() - before
		// About 28 pages when ids made together are neighbours in the indexes; about 110 with random ids,
		// where each turn changes a page of its own in every index keyed by a thread or item id.
		expect(written).toBeGreaterThan(0)
		expect(written).toBeLessThan(50)
		await store.close()
	})
})
