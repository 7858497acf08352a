import type { Database } from 'bun:sqlite'
import type postgres from 'postgres'
import {
	type HitResult,
	hitResult,
	newLeaseId,
	previousWeight,
	type RateLimitBackend,
	windowStartOf
} from './backend'

/** The limiter's own migrations, recorded in `chatkit_limits_migrations` (independent of the store's). */
const migrations: { version: number; sqlite: string[]; postgresql: string[] }[] = [
	{
		version: 1,
		sqlite: [
			`CREATE TABLE IF NOT EXISTS chatkit_rate_limits (key TEXT PRIMARY KEY NOT NULL, window_start INTEGER NOT NULL,
			 hits INTEGER NOT NULL, previous_hits INTEGER NOT NULL, allowed INTEGER NOT NULL) WITHOUT ROWID`,
			`CREATE TABLE IF NOT EXISTS chatkit_stream_slots (key TEXT PRIMARY KEY NOT NULL, leases TEXT NOT NULL) WITHOUT ROWID`
		],
		postgresql: [
			`CREATE UNLOGGED TABLE IF NOT EXISTS chatkit_rate_limits (key text PRIMARY KEY, window_start bigint NOT NULL,
			 hits integer NOT NULL, previous_hits integer NOT NULL, allowed boolean NOT NULL)`,
			`CREATE UNLOGGED TABLE IF NOT EXISTS chatkit_stream_slots (key text PRIMARY KEY, leases jsonb NOT NULL)`
		]
	}
]

const MIGRATIONS_TABLE = 'chatkit_limits_migrations'
/** Transaction advisory lock held while migrating, so that instances starting together migrate one at a time. */
const MIGRATION_LOCK = 7_283_921_017

/**
 * One upsert per hit: roll the row to the caller's window (the counts of the window before become
 * `previous_hits`, older ones are dropped; a row already in a later window, written by an instance whose
 * clock is ahead, is kept), then add this request only if the sliding estimate stays within the limit.
 * Parameters: 1 key, 2 window start, 3 window length, 4 weight of the previous window, 5 limit.
 */
const hitStatement = (p: (n: number, type: string) => string, greatest: string) => {
	const same = `r.window_start >= ${p(2, 'bigint')}`
	const previous = `CASE WHEN ${same} THEN r.previous_hits WHEN r.window_start = ${p(2, 'bigint')} - ${p(3, 'bigint')} THEN r.hits ELSE 0 END`
	const current = `CASE WHEN ${same} THEN r.hits ELSE 0 END`
	const fits = `(${previous}) * ${p(4, 'float8')} + (${current}) + 1 <= ${p(5, 'integer')}`
	return `INSERT INTO chatkit_rate_limits AS r (key, window_start, hits, previous_hits, allowed)
		VALUES (${p(1, 'text')}, ${p(2, 'bigint')}, 1, 0, ${p(5, 'integer')} >= 1)
		ON CONFLICT (key) DO UPDATE SET
			window_start = ${greatest}(r.window_start, ${p(2, 'bigint')}),
			previous_hits = ${previous},
			hits = (${current}) + CASE WHEN ${fits} THEN 1 ELSE 0 END,
			allowed = ${fits}
		RETURNING window_start, hits, previous_hits, allowed`
}

interface HitRow {
	window_start: number | string
	hits: number
	previous_hits: number
	allowed: boolean | number
}

const toResult = (row: HitRow, now: number, windowMs: number, limit: number): HitResult =>
	hitResult(
		{ windowStart: Number(row.window_start), previous: row.previous_hits, count: row.hits },
		Boolean(row.allowed),
		now,
		windowMs,
		limit
	)

const SQLITE_HIT = hitStatement((n) => `?${n}`, 'max')
// Parameters: 1 key, 2 lease, 3 expiry, 4 now, 5 max.
const SQLITE_ACQUIRE = `INSERT INTO chatkit_stream_slots AS s (key, leases) VALUES (?1, json_object(?2, ?3))
	ON CONFLICT (key) DO UPDATE SET leases = json_set(
		(SELECT coalesce(json_group_object(e.key, e.value), '{}') FROM json_each(s.leases) AS e WHERE e.value > ?4),
		'$."' || ?2 || '"', ?3)
	WHERE (SELECT count(*) FROM json_each(s.leases) AS e WHERE e.value > ?4) < ?5
	RETURNING key`
const SQLITE_RENEW = `UPDATE chatkit_stream_slots SET leases = json_set(leases, '$."' || ?2 || '"', ?3)
	WHERE key = ?1 AND json_type(leases, '$."' || ?2 || '"') IS NOT NULL`
const SQLITE_RELEASE = `UPDATE chatkit_stream_slots SET leases = json_remove(leases, '$."' || ?2 || '"') WHERE key = ?1`
// Parameter: 1 owner prefix.
const SQLITE_RELEASE_OWNER = `UPDATE chatkit_stream_slots SET leases = (
		SELECT coalesce(json_group_object(e.key, e.value), '{}') FROM json_each(leases) AS e WHERE substr(e.key, 1, length(?1)) <> ?1)
	WHERE EXISTS (SELECT 1 FROM json_each(leases) AS e WHERE substr(e.key, 1, length(?1)) = ?1)`

/**
 * Counts in tables of a SQLite database (the store's file: `new SqliteRateLimitBackend(store.client)`),
 * shared by every process that opens the same file. Creates its tables on construction.
 */
export class SqliteRateLimitBackend implements RateLimitBackend {
	private readonly statements

	constructor(readonly database: Database) {
		database
			.transaction(() => {
				database.run(
					`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL)`
				)
				const done = new Set(
					database
						.query<{ version: number }, []>(`SELECT version FROM ${MIGRATIONS_TABLE}`)
						.all()
						.map((row) => row.version)
				)
				for (const migration of migrations) {
					if (done.has(migration.version)) continue
					for (const statement of migration.sqlite) database.run(statement)
					database.run(`INSERT INTO ${MIGRATIONS_TABLE} (version, applied_at) VALUES (?, ?)`, [
						migration.version,
						Date.now()
					])
				}
			})
			.immediate()
		this.statements = {
			hit: database.query<HitRow, [string, number, number, number, number]>(SQLITE_HIT),
			acquire: database.query<{ key: string }, [string, string, number, number, number]>(
				SQLITE_ACQUIRE
			),
			renew: database.query<never, [string, string, number]>(SQLITE_RENEW),
			release: database.query<never, [string, string]>(SQLITE_RELEASE),
			releaseOwner: database.query<never, [string]>(SQLITE_RELEASE_OWNER)
		}
	}

	async hit(key: string, windowMs: number, limit: number, now: number): Promise<HitResult> {
		const windowStart = windowStartOf(now, windowMs)
		const weight = previousWeight(now, windowStart, windowMs)
		const row = this.statements.hit.get(key, windowStart, windowMs, weight, limit) as HitRow
		return toResult(row, now, windowMs, limit)
	}

	async acquireStream(
		key: string,
		max: number,
		leaseMs: number,
		now: number,
		owner?: string
	): Promise<string | null> {
		const lease = newLeaseId(owner)
		return this.statements.acquire.get(key, lease, now + leaseMs, now, max) ? lease : null
	}

	async renewStream(key: string, lease: string, leaseMs: number, now: number): Promise<void> {
		this.statements.renew.run(key, lease, now + leaseMs)
	}

	async releaseStream(key: string, lease: string): Promise<void> {
		this.statements.release.run(key, lease)
	}

	async releaseOwner(owner: string): Promise<void> {
		this.statements.releaseOwner.run(owner)
	}
}

const PG_HIT = hitStatement((n, type) => `$${n}::${type}`, 'greatest')
const PG_ACQUIRE = `INSERT INTO chatkit_stream_slots AS s (key, leases) VALUES ($1::text, jsonb_build_object($2::text, $3::bigint))
	ON CONFLICT (key) DO UPDATE SET leases = (
		SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb) FROM jsonb_each(s.leases) AS e
		WHERE (e.value)::bigint > $4::bigint
	) || jsonb_build_object($2::text, $3::bigint)
	WHERE (SELECT count(*) FROM jsonb_each(s.leases) AS e WHERE (e.value)::bigint > $4::bigint) < $5::integer
	RETURNING key`
const PG_RENEW = `UPDATE chatkit_stream_slots SET leases = jsonb_set(leases, ARRAY[$2::text], to_jsonb($3::bigint))
	WHERE key = $1::text AND leases ? $2::text`
const PG_RELEASE = `UPDATE chatkit_stream_slots SET leases = leases - $2::text WHERE key = $1::text`
const PG_RELEASE_OWNER = `UPDATE chatkit_stream_slots SET leases = (
		SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb) FROM jsonb_each(leases) AS e WHERE left(e.key, length($1::text)) <> $1::text)
	WHERE EXISTS (SELECT 1 FROM jsonb_each(leases) AS e WHERE left(e.key, length($1::text)) = $1::text)`

/**
 * Counts in (unlogged) tables of a PostgreSQL database, through a postgres.js client (the store's pool:
 * `new PostgresRateLimitBackend(store.client)`), shared by every instance that uses the database.
 * Creates its tables before the first query, under an advisory lock.
 */
export class PostgresRateLimitBackend implements RateLimitBackend {
	private migrated: Promise<void> | undefined
	private isReady = false

	constructor(readonly sql: postgres.Sql) {}

	/** Resolves once the limiter's tables exist. */
	ready(): Promise<void> {
		this.migrated ??= this.sql
			.begin(async (tx) => {
				await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`
				await tx.unsafe(
					`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`
				)
				const rows = await tx.unsafe<{ version: number }[]>(`SELECT version FROM ${MIGRATIONS_TABLE}`)
				const done = new Set(rows.map((row) => row.version))
				for (const migration of migrations) {
					if (done.has(migration.version)) continue
					for (const statement of migration.postgresql) await tx.unsafe(statement)
					await tx.unsafe(`INSERT INTO ${MIGRATIONS_TABLE} (version) VALUES ($1)`, [
						migration.version
					])
				}
			})
			.then(() => {
				this.isReady = true
			})
			.catch((error) => {
				this.migrated = undefined
				throw error
			})
		return this.migrated
	}

	private async query<T>(text: string, params: (string | number)[]): Promise<T[]> {
		if (!this.isReady) await this.ready()
		return (await this.sql.unsafe(text, params, { prepare: true })) as unknown as T[]
	}

	async hit(key: string, windowMs: number, limit: number, now: number): Promise<HitResult> {
		const windowStart = windowStartOf(now, windowMs)
		const weight = previousWeight(now, windowStart, windowMs)
		const [row] = await this.query<HitRow>(PG_HIT, [key, windowStart, windowMs, weight, limit])
		if (!row) throw new Error('rate limit upsert returned no row')
		return toResult(row, now, windowMs, limit)
	}

	async acquireStream(
		key: string,
		max: number,
		leaseMs: number,
		now: number,
		owner?: string
	): Promise<string | null> {
		const lease = newLeaseId(owner)
		const rows = await this.query(PG_ACQUIRE, [key, lease, now + leaseMs, now, max])
		return rows.length ? lease : null
	}

	async renewStream(key: string, lease: string, leaseMs: number, now: number): Promise<void> {
		await this.query(PG_RENEW, [key, lease, now + leaseMs])
	}

	async releaseStream(key: string, lease: string): Promise<void> {
		await this.query(PG_RELEASE, [key, lease])
	}

	async releaseOwner(owner: string): Promise<void> {
		await this.query(PG_RELEASE_OWNER, [owner])
	}
}

/** A store that keeps its data in SQLite or PostgreSQL and exposes its connection (the stores of plugins/store). */
type DatabaseStore = { dialect: 'sqlite'; client: Database } | { dialect: 'postgresql'; client: postgres.Sql }

/**
 * The database backend for a store of `plugins/store` (its SQLite file or PostgreSQL database, its
 * connection), or `undefined` for any other store.
 * @example limits({ backend: rateLimitBackendFor(store) })
 */
export const rateLimitBackendFor = (store: unknown): RateLimitBackend | undefined => {
	const candidate = store as Partial<DatabaseStore> | undefined
	if (candidate?.dialect === 'sqlite' && candidate.client)
		return new SqliteRateLimitBackend(candidate.client as Database)
	if (candidate?.dialect === 'postgresql' && candidate.client)
		return new PostgresRateLimitBackend(candidate.client as postgres.Sql)
	return undefined
}
