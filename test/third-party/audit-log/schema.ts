// The audit log's own table, for both dialects: Drizzle tables to query, and the migrations that create them.
import {
	bigint,
	boolean,
	doublePrecision,
	integer as pgInteger,
	pgTable,
	text as pgText
} from 'drizzle-orm/pg-core'
import { integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { PluginMigration } from 'elysia-chatkit/plugins/store'

export const sqliteAuditLog = sqliteTable('acme_audit_log', {
	id: text('id').primaryKey(),
	at: integer('at').notNull(),
	type: text('type'),
	userId: text('user_id'),
	tenantId: text('tenant_id'),
	threadId: text('thread_id'),
	status: integer('status').notNull(),
	code: text('code'),
	streamed: integer('streamed', { mode: 'boolean' }).notNull(),
	cancelled: integer('cancelled', { mode: 'boolean' }).notNull(),
	durationMs: real('duration_ms').notNull(),
	refusedBy: text('refused_by'),
	events: text('events').notNull()
})

export const pgAuditLog = pgTable('acme_audit_log', {
	id: pgText('id').primaryKey(),
	at: bigint('at', { mode: 'number' }).notNull(),
	type: pgText('type'),
	userId: pgText('user_id'),
	tenantId: pgText('tenant_id'),
	threadId: pgText('thread_id'),
	status: pgInteger('status').notNull(),
	code: pgText('code'),
	streamed: boolean('streamed').notNull(),
	cancelled: boolean('cancelled').notNull(),
	durationMs: doublePrecision('duration_ms').notNull(),
	refusedBy: pgText('refused_by'),
	events: pgText('events').notNull()
})

/** Version 1 creates the table and the index `recent()` reads. Later versions are added, never edited. */
export const migrations: PluginMigration[] = [
	{
		version: 1,
		sqlite: [
			`CREATE TABLE acme_audit_log (id TEXT PRIMARY KEY NOT NULL, at INTEGER NOT NULL, type TEXT, user_id TEXT,
			 tenant_id TEXT, thread_id TEXT, status INTEGER NOT NULL, code TEXT, streamed INTEGER NOT NULL,
			 cancelled INTEGER NOT NULL, duration_ms REAL NOT NULL, refused_by TEXT, events TEXT NOT NULL)`,
			'CREATE INDEX acme_audit_log_user ON acme_audit_log (tenant_id, user_id, at)'
		],
		postgresql: [
			`CREATE TABLE acme_audit_log (id text PRIMARY KEY, at bigint NOT NULL, type text, user_id text,
			 tenant_id text, thread_id text, status integer NOT NULL, code text, streamed boolean NOT NULL,
			 cancelled boolean NOT NULL, duration_ms double precision NOT NULL, refused_by text, events text NOT NULL)`,
			'CREATE INDEX acme_audit_log_user ON acme_audit_log (tenant_id, user_id, at)'
		]
	}
]
