import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import postgres from 'postgres'
import {
	defaultLimits,
	PostgresStore,
	postgresStore,
	StoreError,
	StoreValidationError
} from '../../plugins/store'
import pgJournal from '../../plugins/store/migrations/pg/meta/_journal.json'
import { assistantMessage, at, fileAttachment, ids, newContext, thread } from '../../testing/fixtures'
import { storeContract } from '../../testing/store-contract'
import { defined } from '../defined'
import { ADMIN_URL, createTestDatabase, postgresReachable, terminateConnections } from './pg'

// The preload's default timeout reaches only the first file of a multi-file run (Bun 1.4.5).
setDefaultTimeout(20_000)

const reachable = await postgresReachable()
const where = new URL(ADMIN_URL).host

if (!reachable && process.env.CI === 'true') {
	test('PostgreSQL is reachable (required when CI=true)', () => {
		throw new Error(`PostgreSQL is not reachable at ${where}; the PostgreSQL store tests cannot run`)
	})
} else if (!reachable) {
	describe.skip(`PostgreSQL store (not reachable at ${where}; set CI=true to make this a failure)`, () => {
		test('contract', () => {})
	})
} else {
	const database = await createTestDatabase()
	afterAll(() => database.drop())

	const tables = { threads: 'chatkit_threads', items: 'chatkit_items' }

	test("the PostgreSQL store has startThread, so the contract's startThread tests run on it", () => {
		expect(PostgresStore.prototype.startThread).toBeFunction()
	})

	storeContract('PostgreSQL', {
		open: () => postgresStore({ url: database.url, max: 4 }),
		async sabotage(store, table, operation) {
			const { client } = store as PostgresStore
			await client.unsafe(
				`create function chatkit_test_sabotage() returns trigger language plpgsql as $$ begin raise exception 'sabotaged'; end $$`
			)
			await client.unsafe(
				`create trigger chatkit_test_sabotage before ${operation} on ${tables[table]} for each row execute function chatkit_test_sabotage()`
			)
			return async () => {
				await client.unsafe(`drop trigger chatkit_test_sabotage on ${tables[table]}`)
				await client.unsafe('drop function chatkit_test_sabotage')
			}
		},
		limits: { ...defaultLimits, error: StoreValidationError }
	})

	describe('PostgreSQL store', () => {
		test('recovers when the server drops every connection (as on a restart), without being reopened', async () => {
			const store = postgresStore({ url: database.url, max: 3 })
			try {
				const context = newContext()
				await store.saveThread(thread('thr_recover'), context)
				await Promise.all(
					Array.from({ length: 3 }, (_, i) =>
						store.addThreadItem(
							'thr_recover',
							assistantMessage('thr_recover', `m${i}`, at(i)),
							context
						)
					)
				)
				expect(await terminateConnections(database.name)).toBeGreaterThan(0)
				expect((await store.loadThread('thr_recover', context)).id).toBe('thr_recover')
				await store.addThreadItem(
					'thr_recover',
					assistantMessage('thr_recover', 'm3', at(3)),
					context
				)
				expect(await terminateConnections(database.name)).toBeGreaterThan(0)
				const pages = await Promise.all(
					Array.from({ length: 3 }, () =>
						store.loadThreadItems('thr_recover', null, 10, 'asc', context)
					)
				)
				for (const page of pages) expect(ids(page)).toEqual(['m0', 'm1', 'm2', 'm3'])
			} finally {
				await store.close()
			}
		})

		test('a call whose connection is terminated while it runs is retried and applies once', async () => {
			const store = postgresStore({ url: database.url, max: 2 })
			const locker = postgres(database.url, { max: 1, onnotice: () => {} })
			try {
				const context = newContext()
				await store.saveThread(thread('thr_lost'), context)
				let calls = 0
				let pending: Promise<unknown> | undefined
				let terminated = 0
				await locker.begin(async (sql) => {
					await sql`select 1 from chatkit_threads where id = 'thr_lost' for update`
					pending = store.updateThreadMetadata(
						'thr_lost',
						'count',
						(value) => {
							calls++
							return ((value as number | undefined) ?? 0) + 1
						},
						context
					)
					for (let i = 0; i < 500 && terminated === 0; i++) {
						const rows = await sql`
							select pg_terminate_backend(pid) from pg_stat_activity
							where datname = ${database.name} and wait_event_type = 'Lock'`
						terminated = rows.length
						if (terminated === 0) await Bun.sleep(10)
					}
				})
				expect(terminated).toBe(1)
				expect(await pending).toBeUndefined()
				expect(calls).toBe(1)
				expect((await store.loadThread('thr_lost', context)).metadata).toEqual({ count: 1 })
			} finally {
				await locker.end()
				await store.close()
			}
		})

		test('stores starting together on an empty database migrate once', async () => {
			const fresh = await createTestDatabase()
			const stores = Array.from({ length: 3 }, () => postgresStore({ url: fresh.url, max: 1 }))
			try {
				await Promise.all(stores.map((store) => store.ready()))
				const context = newContext()
				await defined(stores[0]).saveThread(thread('thr_m'), context)
				expect((await defined(stores[2]).loadThread('thr_m', context)).id).toBe('thr_m')
				const [migrations] = await defined(stores[1])
					.client`select count(*)::int as n from drizzle.__chatkit_store_migrations`
				expect(migrations?.n).toBe(pgJournal.entries.length)
				const reopened = postgresStore({ url: fresh.url, max: 1 })
				await reopened.ready()
				expect((await reopened.loadThread('thr_m', context)).id).toBe('thr_m')
				await reopened.close()
			} finally {
				await Promise.all(stores.map((store) => store.close()))
				await fresh.drop()
			}
		})

		test('a database missing at start-up is a StoreError, and the store works once it exists', async () => {
			const later = await createTestDatabase()
			await later.drop()
			const store = postgresStore({ url: later.url, max: 1 })
			try {
				const context = newContext()
				await expect(store.loadThread('thr_1', context)).rejects.toBeInstanceOf(StoreError)
				await createTestDatabase(later.name)
				await store.saveThread(thread('thr_late'), context)
				expect((await store.loadThread('thr_late', context)).id).toBe('thr_late')
			} finally {
				await store.close()
				await later.drop()
			}
		})

		test('documents are stored as json objects, items in key order, created_at a millisecond timestamptz', async () => {
			const store = postgresStore({ url: database.url, max: 1 })
			try {
				const context = newContext()
				await store.saveThread(thread('thr_cols'), context)
				await store.addThreadItem(
					'thr_cols',
					assistantMessage('thr_cols', 'm', '2026-01-01T12:00:00.123456Z'),
					context
				)
				const [stored] = await store.client`
					select data::text as text, created_at::text as created from chatkit_items
					where user_id = ${context.user.id}`
				const row = defined(stored, 'the stored item row')
				expect(row.text.startsWith('{"id":"m","thread_id":"thr_cols"')).toBe(true)
				expect(row.created).toBe('2026-01-01 12:00:00.123+00')
				await store.saveAttachment(fileAttachment('atc_cols'), context)
				const types = await store.client`
					select json_typeof(data) as type from chatkit_threads where user_id = ${context.user.id}
					union all select json_typeof(data) from chatkit_items where user_id = ${context.user.id}
					union all select json_typeof(data) from chatkit_attachments where user_id = ${context.user.id}`
				expect(types.map((entry) => entry.type)).toEqual(['object', 'object', 'object'])
			} finally {
				await store.close()
			}
		})

		test('prepare: false (for poolers without prepared statements) serves the same calls', async () => {
			const store = postgresStore({ url: database.url, max: 1, prepare: false })
			try {
				const context = newContext()
				await store.saveThread(thread('thr_unprepared', at(1)), context)
				await store.addThreadItem('thr_unprepared', assistantMessage('thr_unprepared', 'm1'), context)
				expect(ids(await store.loadThreads(5, null, 'desc', context))).toEqual(['thr_unprepared'])
				expect(ids(await store.loadThreadItems('thr_unprepared', null, 5, 'asc', context))).toEqual([
					'm1'
				])
			} finally {
				await store.close()
			}
		})
	})
}

describe('PostgreSQL store without a server', () => {
	test('an unreachable server is a StoreError that names the problem and not the credentials', async () => {
		const store = postgresStore({
			url: 'postgres://chatkit:hunter2@127.0.0.1:1/chatkit',
			connectTimeout: 2
		})
		try {
			const error = await store.loadThread('thr_1', newContext()).then(
				() => undefined,
				(caught: unknown) => caught
			)
			expect(error).toBeInstanceOf(StoreError)
			expect((error as StoreError).message).toContain('could not reach the database')
			expect(Bun.inspect(error)).not.toContain('hunter2')
		} finally {
			await store.close()
		}
	})
})
