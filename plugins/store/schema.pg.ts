import { sql } from 'drizzle-orm'
import {
	bigint,
	customType,
	foreignKey,
	index,
	pgTable,
	primaryKey,
	text,
	timestamp,
	unique
} from 'drizzle-orm/pg-core'

/**
 * A `json` column read and written as its exact text: documents keep their key order and
 * may contain `\u0000` escapes (which `jsonb` rejects); the store serializes and parses them.
 */
const jsonText = customType<{ data: string; driverData: string }>({ dataType: () => 'json' })

const createdAt = () => timestamp('created_at', { withTimezone: true, precision: 3, mode: 'date' }).notNull()

/**
 * Threads: one row per thread, keyed by owner (`tenant_id`, `user_id`) and id.
 * `data` is the thread metadata as a JSON document; `created_at` and `seq`
 * (insertion order) are the sort key of `loadThreads`.
 *
 * The listing index is keyed by the owner as one value, `array[tenant_id, user_id]`, which only the listing
 * statements name: a lookup by id (`tenant_id = $1 and user_id = $2 and id = $3`, including the foreign-key
 * check of every item insert) fits only the unique key, so no plan, generic or custom, with or without
 * statistics, can walk the owner's threads to find one.
 */
export const threads = pgTable(
	'chatkit_threads',
	{
		seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		tenantId: text('tenant_id').notNull(),
		userId: text('user_id').notNull(),
		id: text('id').notNull(),
		createdAt: createdAt(),
		data: jsonText('data').notNull()
	},
	(t) => [
		unique('chatkit_threads_owner_id_key').on(t.tenantId, t.userId, t.id),
		index('chatkit_threads_owner_created_idx').on(
			sql`(array[${t.tenantId}, ${t.userId}])`,
			t.createdAt,
			t.seq
		)
	]
)

/**
 * Thread items as whole JSON documents; deleted with their thread. As for threads, the listing index is keyed
 * by `array[tenant_id, user_id, thread_id]` so that a lookup by id fits only the unique key.
 */
export const items = pgTable(
	'chatkit_items',
	{
		seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		tenantId: text('tenant_id').notNull(),
		userId: text('user_id').notNull(),
		threadId: text('thread_id').notNull(),
		id: text('id').notNull(),
		type: text('type').notNull(),
		createdAt: createdAt(),
		data: jsonText('data').notNull()
	},
	(t) => [
		unique('chatkit_items_owner_thread_id_key').on(t.tenantId, t.userId, t.threadId, t.id),
		index('chatkit_items_owner_thread_created_idx').on(
			sql`(array[${t.tenantId}, ${t.userId}, ${t.threadId}])`,
			t.createdAt,
			t.seq
		),
		foreignKey({
			name: 'chatkit_items_thread_fk',
			columns: [t.tenantId, t.userId, t.threadId],
			foreignColumns: [threads.tenantId, threads.userId, threads.id]
		}).onDelete('cascade')
	]
)

/** Attachment records (with their server-only `metadata`), independent of threads. */
export const attachments = pgTable(
	'chatkit_attachments',
	{
		tenantId: text('tenant_id').notNull(),
		userId: text('user_id').notNull(),
		id: text('id').notNull(),
		data: jsonText('data').notNull()
	},
	(t) => [primaryKey({ name: 'chatkit_attachments_pk', columns: [t.tenantId, t.userId, t.id] })]
)

/**
 * Turn leases: the one turn that may run on a thread (see `Store.acquireTurn`). A row is taken when a
 * streaming request starts, renewed while its turn runs and deleted when it ends; an expired row is free.
 * Not tied to the thread's row, so that a new thread's turn holds it before the thread exists.
 */
export const turns = pgTable(
	'chatkit_turns',
	{
		tenantId: text('tenant_id').notNull(),
		userId: text('user_id').notNull(),
		threadId: text('thread_id').notNull(),
		turnId: text('turn_id').notNull(),
		expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3, mode: 'date' }).notNull()
	},
	(t) => [primaryKey({ name: 'chatkit_turns_pk', columns: [t.tenantId, t.userId, t.threadId] })]
)
