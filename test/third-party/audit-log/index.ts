/**
 * acme/audit-log: a third-party plugin, written as an outside package would be (it imports only
 * `elysia-chatkit`, `elysia-chatkit/plugins/*`, `elysia` and `drizzle-orm`). It records every request to
 * the ChatKit endpoint (type, user, thread, status or error code, duration, whether the client went away,
 * and the engine events `thread.created` and `error` its event hook saw) in its own table of the store's
 * database, and adds a typed `audit` context key that routes and server tools read. docs/plugins.md walks
 * through it.
 */
import { and, desc, eq, isNull } from 'drizzle-orm'
import { Elysia } from 'elysia'
import {
	type ChatKitUser,
	type EventHook,
	eventHook,
	needs,
	type RequestEndHook,
	type RequestOutcome,
	requestEndHook,
	storeOf
} from 'elysia-chatkit'
import { pluginTables } from 'elysia-chatkit/plugins/store'
import { migrations, pgAuditLog, sqliteAuditLog } from './schema'

export interface AuditLogOptions {
	/**
	 * Requests not to record (e.g. `(outcome) => outcome.type === 'threads.list'`).
	 * @default () => false
	 */
	skip?: (outcome: RequestOutcome) => boolean
	/**
	 * Receives a write that failed (the request itself is answered as usual).
	 * @default console.warn
	 */
	onError?: (error: unknown) => void
}

/** One recorded request. */
export interface AuditEntry {
	at: number
	type: string | null
	userId: string | null
	tenantId: string | null
	threadId: string | null
	status: number
	code: string | null
	streamed: boolean
	cancelled: boolean
	durationMs: number
	refusedBy: string | null
	/** The engine events the plugin's event hook saw (`thread.created`, `error`), comma-separated. */
	events: string
}

/** The `audit` context key: the current user's recorded requests. */
export interface AuditTrail {
	/** The user's latest requests, newest first (at most `limit`). */
	recent(limit?: number): Promise<AuditEntry[]>
}

export const auditTables = pluginTables({
	name: 'acme/audit-log',
	migrations,
	sqlite: { auditLog: sqliteAuditLog },
	postgresql: { auditLog: pgAuditLog }
})

const WATCHED = new Set(['thread.created', 'error'])

const dependencies = needs<{ user: ChatKitUser }>()('acme/audit-log', {
	user: 'an auth plugin: devUser(), jwtAuth() or sessionAuth()'
})

/**
 * Records every ChatKit request in the table `acme_audit_log` of the store's database (SQLite or
 * PostgreSQL; with a store that keeps no database, nothing is recorded) and adds `audit` to the context.
 *
 * @example
 * new Elysia()
 *   .use(drizzleStore({ url: process.env.DATABASE_URL }))
 *   .use(jwtAuth({ secret: process.env.JWT_SECRET! }))
 *   .use(auditLog())
 *   .use(chatkit({ respond }))
 */
export const auditLog = (options: AuditLogOptions = {}) => {
	const { skip = () => false, onError = (error: unknown) => console.warn('[acme/audit-log]', error) } =
		options
	/** The watched events seen during each request, by its context (the same object in every hook). */
	const seen = new WeakMap<object, string[]>()

	const watchEngineEvents: EventHook = function watchEngineEvents(event, { context }) {
		if (!WATCHED.has(event.type)) return
		seen.set(context, [...(seen.get(context) ?? []), event.type])
	}

	const recordRequest: RequestEndHook = async function recordRequest(outcome, { context, store }) {
		if (skip(outcome)) return
		const row = {
			id: crypto.randomUUID(),
			at: Date.now(),
			type: outcome.type,
			userId: outcome.user?.id ?? null,
			tenantId: outcome.user?.tenantId ?? null,
			threadId: outcome.threadId,
			status: outcome.status,
			code: outcome.code,
			streamed: outcome.streamed,
			cancelled: outcome.cancelled,
			durationMs: outcome.durationMs,
			refusedBy: outcome.refusedBy,
			events: (seen.get(context) ?? []).join(',')
		}
		try {
			const database = await auditTables.open(store)
			if (database?.dialect === 'sqlite') {
				const { db, tables } = database
				await database.write(() => db.insert(tables.auditLog).values(row).run())
			} else if (database) await database.db.insert(database.tables.auditLog).values(row)
		} catch (error) {
			onError(error)
		}
	}

	const recentFor = (context: object, user: ChatKitUser) =>
		async function recent(limit = 10): Promise<AuditEntry[]> {
			const database = await auditTables.open(storeOf(context))
			if (!database) return []
			const tenant = user.tenantId ?? null
			if (database.dialect === 'sqlite') {
				const { auditLog } = database.tables
				const owner = and(
					eq(auditLog.userId, user.id),
					tenant === null ? isNull(auditLog.tenantId) : eq(auditLog.tenantId, tenant)
				)
				const rows = database.db
					.select()
					.from(auditLog)
					.where(owner)
					.orderBy(desc(auditLog.at))
					.limit(limit)
					.all()
				return rows.map(({ id: _id, ...entry }) => entry)
			}
			const { auditLog } = database.tables
			const owner = and(
				eq(auditLog.userId, user.id),
				tenant === null ? isNull(auditLog.tenantId) : eq(auditLog.tenantId, tenant)
			)
			const rows = await database.db
				.select()
				.from(auditLog)
				.where(owner)
				.orderBy(desc(auditLog.at))
				.limit(limit)
			return rows.map(({ id: _id, ...entry }) => entry)
		}

	return dependencies.plugin(
		new Elysia({ name: 'acme/audit-log', seed: options })
			.use(dependencies.context)
			.decorate(eventHook('acme/audit-log', watchEngineEvents))
			.decorate(requestEndHook('acme/audit-log', recordRequest))
			.derive({ as: 'scoped' }, function deriveAudit(context): { audit: AuditTrail } {
				return { audit: { recent: recentFor(context, context.user) } }
			})
	)
}
