import { foreignKey, index, integer, primaryKey, sqliteTable, text, unique } from 'drizzle-orm/sqlite-core'

/**
 * Threads: one row per thread, keyed by owner (`tenant_id`, `user_id`) and id.
 * `data` is the thread metadata as a JSON document; `created_at` (epoch ms) and `seq`
 * (insertion order) are the sort key of `loadThreads`.
 */
export const threads = sqliteTable(
	'chatkit_threads',
	{
		seq: integer('seq').primaryKey(),
		tenantId: text('tenant_id').notNull(),
		userId: text('user_id').notNull(),
		id: text('id').notNull(),
		createdAt: integer('created_at').notNull(),
		data: text('data').notNull()
	},
	(t) => [
		unique('chatkit_threads_owner_id_key').on(t.tenantId, t.userId, t.id),
		index('chatkit_threads_owner_created_idx').on(t.tenantId, t.userId, t.createdAt, t.seq)
	]
)

/** Thread items as whole JSON documents; deleted with their thread. */
export const items = sqliteTable(
	'chatkit_items',
	{
		seq: integer('seq').primaryKey(),
		tenantId: text('tenant_id').notNull(),
		userId: text('user_id').notNull(),
		threadId: text('thread_id').notNull(),
		id: text('id').notNull(),
		type: text('type').notNull(),
		createdAt: integer('created_at').notNull(),
		data: text('data').notNull()
	},
	(t) => [
		unique('chatkit_items_owner_thread_id_key').on(t.tenantId, t.userId, t.threadId, t.id),
		index('chatkit_items_owner_thread_created_idx').on(
			t.tenantId,
			t.userId,
			t.threadId,
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
export const attachments = sqliteTable(
	'chatkit_attachments',
	{
		tenantId: text('tenant_id').notNull(),
		userId: text('user_id').notNull(),
		id: text('id').notNull(),
		data: text('data').notNull()
	},
	(t) => [primaryKey({ name: 'chatkit_attachments_pk', columns: [t.tenantId, t.userId, t.id] })]
)

/**
 * Turn leases: the one turn that may run on a thread (see `Store.acquireTurn`). A row is taken when a
 * streaming request starts, renewed while its turn runs and deleted when it ends; an expired row is free.
 * `expires_at` is epoch milliseconds.
 */
export const turns = sqliteTable(
	'chatkit_turns',
	{
		tenantId: text('tenant_id').notNull(),
		userId: text('user_id').notNull(),
		threadId: text('thread_id').notNull(),
		turnId: text('turn_id').notNull(),
		expiresAt: integer('expires_at').notNull()
	},
	(t) => [primaryKey({ name: 'chatkit_turns_pk', columns: [t.tenantId, t.userId, t.threadId] })]
)
