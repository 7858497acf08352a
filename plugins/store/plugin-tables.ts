import type { Database } from 'bun:sqlite'
import type { BunSQLiteDatabase } from 'drizzle-orm/bun-sqlite'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type postgres from 'postgres'

/** One step of a plugin's schema: the DDL for each dialect, applied once per database, in version order. */
export interface PluginMigration {
	/** A positive integer, unique within the plugin; never change a version once released, add one. */
	version: number
	/** Statements for SQLite, run in one `BEGIN IMMEDIATE` transaction with the version's record. */
	sqlite: string[]
	/** Statements for PostgreSQL, run in one transaction with the version's record. */
	postgresql: string[]
}

export interface PluginTablesOptions<S, P> {
	/**
	 * The plugin's name (e.g. `acme/audit-log`): its applied versions are recorded under it in
	 * `chatkit_plugin_migrations`, and on PostgreSQL it keys the advisory lock held while migrating.
	 */
	name: string
	/** The plugin's migrations, creating the tables below. */
	migrations: PluginMigration[]
	/** The plugin's Drizzle tables for SQLite (`sqliteTable(...)` from `drizzle-orm/sqlite-core`). */
	sqlite: S
	/** The same tables for PostgreSQL (`pgTable(...)` from `drizzle-orm/pg-core`). */
	postgresql: P
}

/** A plugin's handle on the store's database: its tables, and the store's connection to write them. */
export type PluginDatabase<S, P> =
	| {
			dialect: 'sqlite'
			/** Drizzle on the store's `bun:sqlite` connection. */
			db: BunSQLiteDatabase
			tables: S
			/**
			 * Run a synchronous write (e.g. `() => db.insert(t).values(row).run()`) in the store's next group
			 * commit, with the store's own writes; resolves once committed.
			 */
			write<T>(run: () => T): Promise<T>
	  }
	| {
			dialect: 'postgresql'
			/** Drizzle on the store's postgres.js pool (`store.client`). */
			db: PostgresJsDatabase
			tables: P
	  }

/** A plugin's own tables in the store's database (see `pluginTables`). */
export interface PluginTables<S, P> {
	readonly name: string
	/**
	 * Applies the plugin's migrations to the store's database once (per store, and once across instances),
	 * then gives the plugin's handle on it; `undefined` for a store that keeps no SQLite or PostgreSQL
	 * database (the memory store, a custom store). Call it at start-up to migrate early, or on first use.
	 */
	open(store: unknown): Promise<PluginDatabase<S, P> | undefined>
}

/** Where plugins' applied versions are recorded (one table for every plugin). */
export const PLUGIN_MIGRATIONS_TABLE = 'chatkit_plugin_migrations'
/** First key of the two-key advisory lock taken while a plugin migrates (the second is the name's hash). */
const PLUGIN_LOCK = 728_392_103

interface SqliteLike {
	dialect: 'sqlite'
	client: Database
	db: BunSQLiteDatabase<any>
	queueWrite<T>(run: () => T): Promise<T>
}
interface PostgresLike {
	dialect: 'postgresql'
	client: postgres.Sql
	db: PostgresJsDatabase<any>
	ready(): Promise<void>
}

const isSqlite = (store: unknown): store is SqliteLike =>
	(store as SqliteLike | null)?.dialect === 'sqlite' &&
	typeof (store as SqliteLike).queueWrite === 'function'
const isPostgres = (store: unknown): store is PostgresLike =>
	(store as PostgresLike | null)?.dialect === 'postgresql' && !!(store as PostgresLike).client

const checkMigrations = (name: string, migrations: PluginMigration[]) => {
	const seen = new Set<number>()
	for (const { version } of migrations) {
		if (!Number.isInteger(version) || version < 1)
			throw new Error(`pluginTables(${name}): version ${version} is not a positive integer`)
		if (seen.has(version)) throw new Error(`pluginTables(${name}): version ${version} appears twice`)
		seen.add(version)
	}
	return [...migrations].sort((a, b) => a.version - b.version)
}

const migrateSqlite = (client: Database, name: string, migrations: PluginMigration[]) =>
	client
		.transaction(() => {
			client.run(
				`CREATE TABLE IF NOT EXISTS ${PLUGIN_MIGRATIONS_TABLE} (plugin TEXT NOT NULL, version INTEGER NOT NULL, applied_at INTEGER NOT NULL, PRIMARY KEY (plugin, version)) WITHOUT ROWID`
			)
			const done = new Set(
				client
					.query<{ version: number }, [string]>(
						`SELECT version FROM ${PLUGIN_MIGRATIONS_TABLE} WHERE plugin = ?`
					)
					.all(name)
					.map((row) => row.version)
			)
			for (const migration of migrations) {
				if (done.has(migration.version)) continue
				for (const statement of migration.sqlite) client.run(statement)
				client.run(
					`INSERT INTO ${PLUGIN_MIGRATIONS_TABLE} (plugin, version, applied_at) VALUES (?, ?, ?)`,
					[name, migration.version, Date.now()]
				)
			}
		})
		.immediate()

const migratePostgres = async (sql: postgres.Sql, name: string, migrations: PluginMigration[]) => {
	await sql.begin(async (tx) => {
		await tx`SELECT pg_advisory_xact_lock(${PLUGIN_LOCK}::integer, hashtext(${name}))`
		await tx.unsafe(
			`CREATE TABLE IF NOT EXISTS ${PLUGIN_MIGRATIONS_TABLE} (plugin text NOT NULL, version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (plugin, version))`
		)
		const rows = await tx.unsafe<{ version: number }[]>(
			`SELECT version FROM ${PLUGIN_MIGRATIONS_TABLE} WHERE plugin = $1`,
			[name]
		)
		const done = new Set(rows.map((row) => row.version))
		for (const migration of migrations) {
			if (done.has(migration.version)) continue
			for (const statement of migration.postgresql) await tx.unsafe(statement)
			await tx.unsafe(`INSERT INTO ${PLUGIN_MIGRATIONS_TABLE} (plugin, version) VALUES ($1, $2)`, [
				name,
				migration.version
			])
		}
	})
}

/**
 * Declares a plugin's own tables in the store's database, for both dialects: Drizzle tables to query, and
 * migrations applied once per database (under `BEGIN IMMEDIATE` on SQLite, an advisory lock on PostgreSQL,
 * so instances starting together migrate one at a time), after the store's own. Writes go through the
 * store's connection; on SQLite, `write` puts them in the store's group commit.
 *
 * @example
 * const auditTables = pluginTables({ name: 'acme/audit-log', migrations, sqlite: { log: sqliteLog }, postgresql: { log: pgLog } })
 * const database = await auditTables.open(context.chatkitStore)
 * if (database?.dialect === 'sqlite') await database.write(() => database.db.insert(database.tables.log).values(row).run())
 * else if (database) await database.db.insert(database.tables.log).values(row)
 */
export const pluginTables = <S, P>(options: PluginTablesOptions<S, P>): PluginTables<S, P> => {
	const migrations = checkMigrations(options.name, options.migrations)
	const opened = new WeakMap<object, Promise<PluginDatabase<S, P>>>()
	const open = async (store: SqliteLike | PostgresLike): Promise<PluginDatabase<S, P>> => {
		if (store.dialect === 'sqlite') {
			migrateSqlite(store.client, options.name, migrations)
			return {
				dialect: 'sqlite',
				db: store.db,
				tables: options.sqlite,
				write: (run) => store.queueWrite(run)
			}
		}
		await store.ready()
		await migratePostgres(store.client, options.name, migrations)
		return { dialect: 'postgresql', db: store.db, tables: options.postgresql }
	}
	return {
		name: options.name,
		open(store) {
			if (!isSqlite(store) && !isPostgres(store)) return Promise.resolve(undefined)
			let database = opened.get(store)
			if (!database) {
				database = open(store)
				database.catch(() => opened.delete(store))
				opened.set(store, database)
			}
			return database
		}
	}
}
