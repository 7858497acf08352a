import { Database } from 'bun:sqlite'
import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultLimits, type SqliteStore, StoreValidationError, sqliteStore } from '../../plugins/store'
import { NotFoundError } from '../../src/store/types'
import { assistantMessage, at, newContext, thread } from '../../testing/fixtures'
import { storeContract } from '../../testing/store-contract'

setDefaultTimeout(20_000)

const folder = mkdtempSync(join(tmpdir(), 'chatkit-group-commit-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

storeContract('SQLite without group commit', {
	open: () => sqliteStore({ path: join(folder, 'contract.db'), groupCommit: false }),
	async sabotage(store, table, operation) {
		const { client } = store as SqliteStore
		const name = table === 'threads' ? 'chatkit_threads' : 'chatkit_items'
		client.run(
			`create trigger chatkit_test_sabotage before ${operation} on ${name} begin select raise(abort, 'sabotaged'); end`
		)
		return async () => {
			client.run('drop trigger chatkit_test_sabotage')
		}
	},
	limits: { ...defaultLimits, error: StoreValidationError }
})

/** What another connection to the file sees: only committed rows. */
const committedItemIds = (path: string) => {
	const reader = new Database(path, { readonly: true })
	try {
		return reader
			.query<{ id: string }, []>('select id from chatkit_items order by id')
			.all()
			.map((row) => row.id)
	} finally {
		reader.close()
	}
}

describe('SQLite group commit', () => {
	test('writes asked for together are committed together: each call resolves once another connection can read it', async () => {
		const path = join(folder, 'together.db')
		const store = sqliteStore({ path })
		const owners = [newContext('t1'), newContext('t2'), newContext()]
		await Promise.all(owners.map((context, n) => store.saveThread(thread(`thr_${n}`, at(n)), context)))
		await Promise.all(
			owners.flatMap((context, n) =>
				[0, 1, 2].map((k) =>
					store.addThreadItem(
						`thr_${n}`,
						assistantMessage(`thr_${n}`, `msg_${n}${k}`, at(k)),
						context
					)
				)
			)
		)
		expect(committedItemIds(path)).toEqual([
			'msg_00',
			'msg_01',
			'msg_02',
			'msg_10',
			'msg_11',
			'msg_12',
			'msg_20',
			'msg_21',
			'msg_22'
		])
		await store.close()
	})

	test('a failing write fails alone: the writes batched with it are committed', async () => {
		const path = join(folder, 'alone.db')
		const store = sqliteStore({ path })
		const context = newContext()
		await store.saveThread(thread('thr_ok', at(0)), context)
		const results = await Promise.allSettled([
			store.addThreadItem('thr_ok', assistantMessage('thr_ok', 'msg_a', at(1)), context),
			store.addThreadItem('thr_missing', assistantMessage('thr_missing', 'msg_b', at(1)), context),
			store.updateThreadMetadata(
				'thr_ok',
				'count',
				() => {
					throw new Error('the caller changed its mind')
				},
				context
			),
			store.addThreadItem('thr_ok', assistantMessage('thr_ok', 'msg_c', at(2)), context)
		])
		expect(results.map((result) => result.status)).toEqual([
			'fulfilled',
			'rejected',
			'rejected',
			'fulfilled'
		])
		expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError)
		expect((results[2] as PromiseRejectedResult).reason).toEqual(new Error('the caller changed its mind'))
		expect(committedItemIds(path)).toEqual(['msg_a', 'msg_c'])
		expect((await store.loadThread('thr_ok', context)).metadata).toEqual({})
		await store.close()
	})

	test('a write that makes SQLite abandon the whole transaction fails alone: the others run again and commit', async () => {
		const path = join(folder, 'rollback.db')
		const store = sqliteStore({ path })
		const context = newContext()
		await store.saveThread(thread('thr_1', at(0)), context)
		store.client.run(
			`create trigger chatkit_test_rollback before insert on chatkit_items when new.id = 'msg_bad'
			begin select raise(rollback, 'refused by a trigger'); end`
		)
		const results = await Promise.allSettled(
			['msg_a', 'msg_bad', 'msg_c'].map((id, n) =>
				store.addThreadItem('thr_1', assistantMessage('thr_1', id, at(n)), context)
			)
		)
		expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
		expect(String((results[1] as PromiseRejectedResult).reason)).toContain('SQLite addThreadItem failed')
		expect(committedItemIds(path)).toEqual(['msg_a', 'msg_c'])
		await store.close()
	})

	test('a read-modify-write in a batch sees the writes queued before it', async () => {
		const store = sqliteStore({ path: join(folder, 'order.db') })
		const context = newContext()
		await store.saveThread(thread('thr_1', at(0)), context)
		const increment = (current: unknown) => (typeof current === 'number' ? current + 1 : 1)
		const seen = await Promise.all(
			Array.from({ length: 5 }, () => store.updateThreadMetadata('thr_1', 'count', increment, context))
		)
		expect(seen).toEqual([undefined, 1, 2, 3, 4])
		expect((await store.loadThread('thr_1', context)).metadata).toEqual({ count: 5 })
		await store.close()
	})

	test('closing the store commits what is queued before the connection closes', async () => {
		const path = join(folder, 'close.db')
		const store = sqliteStore({ path })
		const context = newContext()
		await store.saveThread(thread('thr_1', at(0)), context)
		const pending = store.addThreadItem('thr_1', assistantMessage('thr_1', 'msg_last', at(1)), context)
		await store.close()
		await pending
		expect(committedItemIds(path)).toEqual(['msg_last'])
	})
})
