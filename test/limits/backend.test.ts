import { afterAll, beforeAll } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
	MemoryRateLimitBackend,
	PostgresRateLimitBackend,
	SqliteRateLimitBackend
} from '../../plugins/limits'
import { PostgresStore, SqliteStore } from '../../plugins/store'
import { createTestDatabase } from '../store/pg'
import { backendContract } from './contract'

backendContract('memory', {
	async open() {
		const backend = new MemoryRateLimitBackend()
		return { backend, second: async () => backend }
	}
})

const dir = mkdtempSync(join(tmpdir(), 'chatkit-limits-'))
const sqliteStores: SqliteStore[] = []
const openSqlite = (path: string) => {
	const store = new SqliteStore({ path })
	sqliteStores.push(store)
	return new SqliteRateLimitBackend(store.client)
}
afterAll(async () => {
	for (const store of sqliteStores) await store.close()
	rmSync(dir, { recursive: true, force: true })
})

backendContract('SQLite', {
	async open() {
		const path = join(dir, `${crypto.randomUUID()}.db`)
		return { backend: openSqlite(path), second: async () => openSqlite(path) }
	}
})

let database: Awaited<ReturnType<typeof createTestDatabase>>
const pgStores: PostgresStore[] = []
beforeAll(async () => {
	database = await createTestDatabase()
})
afterAll(async () => {
	for (const store of pgStores) await store.close()
	await database?.drop()
})
const openPostgres = () => {
	const store = new PostgresStore({ url: database.url, max: 4 })
	pgStores.push(store)
	return new PostgresRateLimitBackend(store.client)
}

backendContract('PostgreSQL', {
	async open() {
		return { backend: openPostgres(), second: async () => openPostgres() }
	}
})
