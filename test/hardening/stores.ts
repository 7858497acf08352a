import { afterAll, describe, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type PostgresStore, postgresStore, type SqliteStore, sqliteStore } from '../../plugins/store'
import type { ChatKitContext, Store } from '../../src/store/types'
import { ADMIN_URL, createTestDatabase, postgresReachable } from '../store/pg'

export type DatabaseStore = SqliteStore | PostgresStore

/** How to open a fresh store of one kind, and how to seed it with many rows at once. */
export interface StoreKind {
	name: 'SQLite' | 'PostgreSQL'
	open: () => Promise<DatabaseStore>
	/** Inserts `count` assistant messages into the thread with one statement, after `startMs` (1 ms apart). */
	seedItems: (
		store: DatabaseStore,
		context: ChatKitContext,
		threadId: string,
		count: number,
		startMs: number
	) => Promise<void>
}

const sqliteKind = (): StoreKind => {
	const folder = mkdtempSync(join(tmpdir(), 'chatkit-hardening-'))
	afterAll(() => rmSync(folder, { recursive: true, force: true }))
	let opened = 0
	return {
		name: 'SQLite',
		open: async () => sqliteStore({ path: join(folder, `store-${++opened}.db`) }),
		async seedItems(store, context, threadId, count, startMs) {
			;(store as SqliteStore).client
				.prepare(
					`with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
					insert into chatkit_items (tenant_id, user_id, thread_id, id, type, created_at, data)
					select ?, ?, ?, 'msg_seed_' || i, 'assistant_message', ? + i,
						json_object('id', 'msg_seed_' || i, 'thread_id', ?, 'type', 'assistant_message',
							'created_at', strftime('%Y-%m-%dT%H:%M:%fZ', (? + i) / 1000.0, 'unixepoch'),
							'content', json_array(json_object('type', 'output_text', 'text', 'seeded', 'annotations', json_array())))
					from n`
				)
				.run(
					count,
					context.user.tenantId ?? '',
					context.user.id,
					threadId,
					startMs,
					threadId,
					startMs
				)
		}
	}
}

const postgresKind = (): StoreKind => {
	let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
	afterAll(() => database?.drop())
	return {
		name: 'PostgreSQL',
		async open() {
			database ??= await createTestDatabase()
			const store = postgresStore({ url: database.url, max: 4 })
			await store.ready()
			return store
		},
		async seedItems(store, context, threadId, count, startMs) {
			await (store as PostgresStore).client.unsafe(
				`insert into chatkit_items (tenant_id, user_id, thread_id, id, type, created_at, data)
				select $1, $2, $3, 'msg_seed_' || i, 'assistant_message', to_timestamp(($4::bigint + i) / 1000.0),
					json_build_object('id', 'msg_seed_' || i, 'thread_id', $3::text, 'type', 'assistant_message',
						'created_at', to_char(to_timestamp(($4::bigint + i) / 1000.0) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
						'content', json_build_array(json_build_object('type', 'output_text', 'text', 'seeded', 'annotations', json_build_array())))
				from generate_series(1, $5::int) as i`,
				[context.user.tenantId ?? '', context.user.id, threadId, startMs, count]
			)
		}
	}
}

const reachable = await postgresReachable()

/**
 * Registers `body` once for SQLite and once for PostgreSQL (a failing test when CI=true and PostgreSQL is
 * unreachable, a skipped block otherwise).
 */
export const forEachStore = (title: string, body: (kind: StoreKind) => void) => {
	body(sqliteKind())
	if (reachable) body(postgresKind())
	else if (process.env.CI === 'true')
		test(`${title} on PostgreSQL`, () => {
			throw new Error(`PostgreSQL is not reachable at ${new URL(ADMIN_URL).host}`)
		})
	else describe.skip(`${title} on PostgreSQL (not reachable)`, () => test('skipped', () => {}))
}

/** The store with every call counted by method name (the built-in stores run one statement per read). */
export const countingStore = <S extends Store>(store: S) => {
	const calls = new Map<string, number>()
	const counted = new Proxy(store, {
		get(target, key, receiver) {
			const value = Reflect.get(target, key, receiver)
			if (typeof value !== 'function' || typeof key !== 'string') return value
			return (...args: unknown[]) => {
				calls.set(key, (calls.get(key) ?? 0) + 1)
				return value.apply(target, args)
			}
		}
	})
	return {
		store: counted,
		calls,
		reset: () => calls.clear(),
		total: () => [...calls.values()].reduce((sum, n) => sum + n, 0)
	}
}
