import { join } from 'node:path'
import { ConfigError, type Env, envString } from '../../src/config'
import { MemoryStore } from '../../src/store/memory'
import type { ChatKitContext } from '../../src/store/types'
import { PostgresStore, type PostgresStoreOptions } from './postgres'
import { SqliteStore, type SqliteStoreOptions } from './sqlite'

/** The in-memory store with the same lifecycle methods as the database stores. */
export class ManagedMemoryStore<C extends ChatKitContext = ChatKitContext> extends MemoryStore<C> {
	readonly dialect = 'memory' as const
	async ready(): Promise<void> {}
	async close(): Promise<void> {}
}

/** Any store `createStore` can return. */
export type ChatKitStore<C extends ChatKitContext = ChatKitContext> =
	| SqliteStore<C>
	| PostgresStore<C>
	| ManagedMemoryStore<C>

export type DatabaseTarget =
	| { dialect: 'sqlite'; path: string }
	| { dialect: 'postgresql'; url: string }
	| { dialect: 'memory' }

export const DEFAULT_SQLITE_PATH = join('.data', 'chatkit.db')

/**
 * Reads a `DATABASE_URL`: absent or empty → the SQLite file `.data/chatkit.db`; `sqlite:<path>`
 * (also `sqlite://<path>`, `sqlite::memory:`) or a bare file path → SQLite; `postgres://…` or
 * `postgresql://…` → PostgreSQL; `memory:` → the in-memory store.
 * @throws ConfigError naming `DATABASE_URL` for any other scheme (the message shows the scheme only, never the URL).
 */
export const parseDatabaseUrl = (databaseUrl?: string | null): DatabaseTarget => {
	const value = databaseUrl?.trim()
	if (!value) return { dialect: 'sqlite', path: DEFAULT_SQLITE_PATH }
	const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(value)?.[1]?.toLowerCase()
	if (scheme === undefined) return { dialect: 'sqlite', path: value }
	if (scheme === 'postgres' || scheme === 'postgresql') return { dialect: 'postgresql', url: value }
	if (scheme === 'memory') return { dialect: 'memory' }
	if (scheme === 'sqlite') {
		const path = value.slice('sqlite:'.length).replace(/^\/\//, '')
		if (!path)
			throw new ConfigError([
				{ variable: 'DATABASE_URL', message: '"sqlite:" needs a path, e.g. sqlite:.data/chatkit.db' }
			])
		return { dialect: 'sqlite', path }
	}
	throw new ConfigError([
		{
			variable: 'DATABASE_URL',
			message: `unsupported scheme "${scheme}:" (use postgres://, postgresql://, sqlite:<path>, a file path or memory:)`
		}
	])
}

/**
 * `DATABASE_URL` read and checked (see `parseDatabaseUrl`): the SQLite file `.data/chatkit.db` when unset.
 * @throws ConfigError naming `DATABASE_URL`
 * @example const store = createStore(databaseFromEnv())
 */
export const databaseFromEnv = (env: Env = process.env): DatabaseTarget =>
	parseDatabaseUrl(envString(env, 'DATABASE_URL'))

export interface CreateStoreOptions {
	/** Passed to the SQLite store (its `path` comes from the URL). */
	sqlite?: Omit<SqliteStoreOptions, 'path'>
	/** Passed to the PostgreSQL store (its `url` comes from the URL). */
	postgres?: Omit<PostgresStoreOptions, 'url'>
}

/**
 * Opens the store a `DATABASE_URL` names (see `parseDatabaseUrl`), or the one `databaseFromEnv()` read. SQLite is opened and migrated at once;
 * PostgreSQL starts migrating at once and its calls wait for it (`await store.ready()` to fail fast).
 * @example const store = createStore(process.env.DATABASE_URL)
 */
export const createStore = <C extends ChatKitContext = ChatKitContext>(
	databaseUrl?: string | null | DatabaseTarget,
	options: CreateStoreOptions = {}
): ChatKitStore<C> => {
	const target =
		typeof databaseUrl === 'object' && databaseUrl !== null ? databaseUrl : parseDatabaseUrl(databaseUrl)
	if (target.dialect === 'memory') return new ManagedMemoryStore<C>()
	if (target.dialect === 'postgresql') return new PostgresStore<C>({ ...options.postgres, url: target.url })
	return new SqliteStore<C>({ ...options.sqlite, path: target.path })
}
