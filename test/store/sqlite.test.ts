import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
	defaultLimits,
	SqliteStore,
	StoreError,
	StoreValidationError,
	sqliteStore
} from '../../plugins/store'
import sqliteJournal from '../../plugins/store/migrations/sqlite/meta/_journal.json'
import {
	assistantMessage,
	at,
	everyItemKind,
	fileAttachment,
	ids,
	newContext,
	thread
} from '../../testing/fixtures'
import { storeContract } from '../../testing/store-contract'

// The preload's default timeout reaches only the first file of a multi-file run (Bun 1.4.5).
setDefaultTimeout(20_000)

const folder = mkdtempSync(join(tmpdir(), 'chatkit-store-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const tables = { threads: 'chatkit_threads', items: 'chatkit_items' }

test("the SQLite store has startThread, so the contract's startThread tests run on it", () => {
	expect(SqliteStore.prototype.startThread).toBeFunction()
})

storeContract('SQLite', {
	open: () => sqliteStore({ path: join(folder, 'contract.db') }),
	async sabotage(store, table, operation) {
		const { client } = store as SqliteStore
		client.run(
			`create trigger chatkit_test_sabotage before ${operation} on ${tables[table]} begin select raise(abort, 'sabotaged'); end`
		)
		return async () => {
			client.run('drop trigger chatkit_test_sabotage')
		}
	},
	limits: { ...defaultLimits, error: StoreValidationError }
})

describe('SQLite store on a file', () => {
	test('a thread, its items and attachments survive closing and reopening the file', async () => {
		const path = join(folder, 'nested', 'dir', 'restart.db')
		const context = newContext('tenant_a')
		const first = sqliteStore({ path })
		await first.saveThread(thread('thr_restart', at(0), { title: 'kept' }), context)
		const items = everyItemKind('thr_restart')
		for (const item of items) await first.addThreadItem('thr_restart', item, context)
		await first.saveAttachment(fileAttachment('atc_restart'), context)
		await first.close()
		await first.close()

		const second = sqliteStore({ path })
		try {
			expect((await second.loadThread('thr_restart', context)).title).toBe('kept')
			expect((await second.loadThreadItems('thr_restart', null, 100, 'asc', context)).data).toEqual(
				items
			)
			expect(await second.loadAttachment('atc_restart', context)).toEqual(fileAttachment('atc_restart'))
			await second.addThreadItem(
				'thr_restart',
				assistantMessage('thr_restart', 'after_restart', at(50)),
				context
			)
			expect(ids(await second.loadThreadItems('thr_restart', null, 1, 'desc', context))).toEqual([
				'after_restart'
			])
		} finally {
			await second.close()
		}
	})

	test('the file is in WAL mode with foreign keys on, and reopening does not migrate again', async () => {
		const path = join(folder, 'pragmas.db')
		await sqliteStore({ path }).close()
		const store = sqliteStore({ path })
		try {
			expect(store.client.query('pragma journal_mode').get()).toEqual({ journal_mode: 'wal' })
			expect(store.client.query('pragma foreign_keys').get()).toEqual({ foreign_keys: 1 })
			expect(store.client.query('select count(*) as n from __chatkit_store_migrations').get()).toEqual({
				n: sqliteJournal.entries.length
			})
		} finally {
			await store.close()
		}
	})

	test('two stores on the same file see each other’s writes', async () => {
		const path = join(folder, 'shared.db')
		const writer = sqliteStore({ path })
		const reader = sqliteStore({ path })
		try {
			const context = newContext()
			await writer.saveThread(thread('thr_shared'), context)
			await writer.addThreadItem('thr_shared', assistantMessage('thr_shared', 'm1'), context)
			expect(ids(await reader.loadThreadItems('thr_shared', null, 5, 'asc', context))).toEqual(['m1'])
		} finally {
			await writer.close()
			await reader.close()
		}
	})

	test('updateThreadMetadata from four processes on one file: every update applied, none lost', async () => {
		const path = join(folder, 'processes.db')
		const context = newContext()
		const setup = sqliteStore({ path })
		await setup.saveThread(thread('thr_proc', at(0), { metadata: { count: 0 } }), context)
		await setup.close()
		const script = join(folder, 'increment.ts')
		await Bun.write(
			script,
			`import { sqliteStore } from ${JSON.stringify(join(import.meta.dir, '../../plugins/store'))}
const store = sqliteStore({ path: process.argv[2] })
const context = JSON.parse(process.argv[3])
for (let i = 0; i < 25; i++)
	await store.updateThreadMetadata('thr_proc', 'count', (n) => n + 1, context)
await store.close()`
		)
		const children = Array.from({ length: 4 }, () =>
			Bun.spawn([process.execPath, script, path, JSON.stringify(context)], { stderr: 'pipe' })
		)
		const exits = await Promise.all(children.map((child) => child.exited))
		const errors = await Promise.all(children.map((child) => new Response(child.stderr).text()))
		expect(errors.filter((text) => text.includes('Error'))).toEqual([])
		expect(exits).toEqual([0, 0, 0, 0])
		const store = sqliteStore({ path })
		try {
			expect((await store.loadThread('thr_proc', context)).metadata).toEqual({ count: 100 })
		} finally {
			await store.close()
		}
	})

	test('a closed store refuses calls with a clear error', async () => {
		const store = sqliteStore({ path: join(folder, 'closed.db') })
		await store.close()
		await expect(store.loadThread('thr_1', newContext())).rejects.toThrow('SQLite store is closed')
	})

	test('a store closed after serving calls refuses every call with a StoreError', async () => {
		const store = sqliteStore({ path: join(folder, 'closed-after-use.db') })
		const context = newContext()
		await store.saveThread(thread('thr_used'), context)
		await store.addThreadItem('thr_used', assistantMessage('thr_used', 'm1'), context)
		expect(ids(await store.loadThreads(5, null, 'desc', context))).toEqual(['thr_used'])
		await store.close()
		const calls = [
			store.loadThread('thr_used', context),
			store.saveThread(thread('thr_used'), context),
			store.loadThreads(5, null, 'desc', context),
			store.loadThreadItems('thr_used', 'm1', 5, 'asc', context),
			store.addThreadItem('thr_used', assistantMessage('thr_used', 'm2'), context),
			store.loadItem('thr_used', 'm1', context),
			store.deleteThreadItem('thr_used', 'm1', context),
			store.deleteThread('thr_used', context),
			store.updateThreadMetadata('thr_used', 'k', () => 1, context)
		]
		for (const call of calls) await expect(call).rejects.toBeInstanceOf(StoreError)
	})

	test('opened with migrate: false before the tables exist: calls fail with a StoreError, then work once the file is migrated', async () => {
		const path = join(folder, 'unmigrated.db')
		const store = sqliteStore({ path, migrate: false })
		try {
			const context = newContext()
			await expect(store.loadThread('thr_1', context)).rejects.toBeInstanceOf(StoreError)
			await sqliteStore({ path }).close()
			await store.saveThread(thread('thr_1'), context)
			expect((await store.loadThread('thr_1', context)).id).toBe('thr_1')
		} finally {
			await store.close()
		}
	})
})
