import type { Database, Statement } from 'bun:sqlite'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteStore } from '../../plugins/store'
import { type SqliteStatements, sqliteStatements } from '../../plugins/store/sqlite-statements'

/**
 * The query plans of every SQLite store statement, for a user with thousands of threads among many users
 * with one each: a lookup by id is a search of a unique key that names the id, a listing a search of the
 * owner's (or thread's) range in index order; never a full scan, never a sort of a whole range.
 */
const THREADS = 3_000
const OTHER_USERS = 1_000

const series = (n: number) =>
	`with recursive s(i) as (select 1 union all select i + 1 from s where i < ${n}) `

const seed = (db: Database, analyze: 'never' | 'before' | 'after') => {
	db.run(`${series(OTHER_USERS)}insert into chatkit_threads (tenant_id, user_id, id, created_at, data)
		select 'acme', 'user_' || i, 'thr_other_' || i, i, '{}' from s`)
	if (analyze === 'before') db.run('analyze')
	db.run(`${series(THREADS)}insert into chatkit_threads (tenant_id, user_id, id, created_at, data)
		select 'acme', 'power_user', 'thr_own_' || i, i, '{}' from s`)
	db.run(`${series(THREADS)}insert into chatkit_items (tenant_id, user_id, thread_id, id, type, created_at, data)
		select 'acme', 'power_user', 'thr_own_' || i, 'msg_' || i, 'user_message', i, '{}' from s`)
	if (analyze === 'after') db.run('analyze')
}

/** Every statement of `sqliteStatements`, by its dotted name, with the SQL it was prepared from. */
const compiled = (store: SqliteStore, client: Database) => {
	const texts = new Map<Statement, string>()
	const recording = {
		prepare(text: string) {
			const statement = client.prepare(text)
			texts.set(statement, text)
			return statement
		}
	} as unknown as Database
	const statements = sqliteStatements(store.db, recording)
	const walk = (value: unknown, name: string): [string, string][] => {
		const text = texts.get(value as Statement)
		if (text !== undefined) return [[name, text]]
		if (typeof value !== 'object' || value === null) return []
		return Object.entries(value).flatMap(([key, inner]) => walk(inner, name ? `${name}.${key}` : key))
	}
	return { statements, list: walk(statements, '') }
}

/** A search of one thread's items (deleting a thread deletes its items through the foreign key). */
const itemsOfThread = /^SEARCH chatkit_items .*\bthread_id=\?/

/** A thread's turn lease: its primary key is the thread's (owner and id). */
const turnOfThread = /^SEARCH chatkit_turns .*\(tenant_id=\? AND user_id=\? AND thread_id=\?\)/

/** Statements that walk a range (a page, or a thread's items) rather than look a row up by id. */
const isRange = (name: string) => /^(threads|items)(Asc|Desc)\.|^deleteThreadItems$/.test(name)

for (const analyze of ['never', 'before', 'after'] as const)
	describe(`SQLite query plans for a user with thousands of threads (ANALYZE: ${analyze})`, () => {
		const dir = mkdtempSync(join(tmpdir(), 'chatkit-sqlite-plans-'))
		const store = new SqliteStore({ path: join(dir, 'store.db') })
		let statements: SqliteStatements | undefined
		let list: [string, string][] = []

		beforeAll(() => {
			seed(store.client, analyze)
			;({ statements, list } = compiled(store, store.client))
		})

		afterAll(() => {
			statements?.finalize()
			store.close()
			rmSync(dir, { recursive: true, force: true })
		})

		test('the statements are all found', () => {
			expect(list.length).toBeGreaterThanOrEqual(20)
		})

		test('no full scan, no sorted range; a lookup by id searches a key that names the id', () => {
			const plans = list.map(([name, text]) => {
				const lines = store.client
					.query<{ detail: string }, []>(`explain query plan ${text}`)
					.all()
					.map((row) => row.detail)
				const searches = lines.filter((line) => line.startsWith('SEARCH'))
				return {
					name,
					fullScans: lines.filter((line) => line.startsWith('SCAN')),
					sorts: lines.filter((line) => line.includes('TEMP B-TREE')),
					lookupsWithoutId: isRange(name)
						? []
						: searches.filter(
								(line) =>
									!/\bid=\?/.test(line) &&
									!itemsOfThread.test(line) &&
									!turnOfThread.test(line)
							)
				}
			})
			expect(plans).toEqual(
				list.map(([name]) => ({ name, fullScans: [], sorts: [], lookupsWithoutId: [] }))
			)
		})
	})
