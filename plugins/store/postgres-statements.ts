/**
 * The PostgreSQL store's statements, written once and run as named prepared statements by Bun's native
 * client (no query building per call). Every statement is scoped by owner: `$1` is the tenant id, `$2` the
 * user id. JSON documents are bound as `$n::text::json` so the client sends the text as it is (a bare
 * `json` parameter would be JSON-encoded a second time); `data` columns are read back as parsed documents.
 */
import type { SortOrder } from './shared'

const THREADS = 'chatkit_threads'
const ITEMS = 'chatkit_items'
const ATTACHMENTS = 'chatkit_attachments'

const OWNER = 'tenant_id = $1 and user_id = $2'
const THREAD_ITEMS = `${OWNER} and thread_id = $3`

/**
 * The range a listing walks, named as the listing indexes are keyed (`schema.pg.ts`): the owner, or the owner
 * and thread, as one array value. Only listings use these forms; every lookup by id names the columns one by
 * one, which only the unique keys fit.
 */
const OWNER_RANGE = 'array[tenant_id, user_id] = array[$1, $2]'
const THREAD_ITEMS_RANGE = 'array[tenant_id, user_id, thread_id] = array[$1, $2, $3]'

/**
 * A page in `order`, `limit` rows from parameter `limitParam`, of the rows in `range`; after a cursor (the id
 * in `cursorParam`, looked up by its unique key `scope` and id), the rows strictly after the cursor row. An
 * unknown cursor matches every row, so the page starts from the beginning. One statement: the cursor row is
 * found by index lookups in subqueries.
 */
const page = (
	table: string,
	range: string,
	scope: string,
	order: SortOrder,
	limitParam: number,
	cursorParam?: number
) => {
	const direction = order === 'desc' ? 'desc' : 'asc'
	const at = (column: string) => `(select ${column} from ${table} where ${scope} and id = $${cursorParam})`
	const after =
		cursorParam === undefined
			? ''
			: order === 'asc'
				? ` and (created_at, seq) > (coalesce(${at('created_at')}, '-infinity'::timestamptz), coalesce(${at('seq')}, 0))`
				: ` and (created_at, seq) < (coalesce(${at('created_at')}, 'infinity'::timestamptz), coalesce(${at('seq')}, 9223372036854775807))`
	return `select data from ${table} where ${range}${after} order by created_at ${direction}, seq ${direction} limit $${limitParam}`
}

const pages = (table: string, range: string, scope: string, limitParam: number) => ({
	asc: {
		first: page(table, range, scope, 'asc', limitParam),
		after: page(table, range, scope, 'asc', limitParam, limitParam + 1)
	},
	desc: {
		first: page(table, range, scope, 'desc', limitParam),
		after: page(table, range, scope, 'desc', limitParam, limitParam + 1)
	}
})

/** Parameters: tenant, user, limit[, cursor thread id]. */
export const LOAD_THREADS = pages(THREADS, OWNER_RANGE, OWNER, 3)

/** Parameters: tenant, user, thread id, limit[, cursor item id]. */
export const LOAD_THREAD_ITEMS = pages(ITEMS, THREAD_ITEMS_RANGE, THREAD_ITEMS, 4)

/** Parameters: tenant, user, thread id. */
export const LOAD_THREAD = `select data from ${THREADS} where ${OWNER} and id = $3`

/** The thread's document as text, its row locked until the transaction ends. Parameters: tenant, user, thread id. */
export const LOCK_THREAD = `select data::text as data from ${THREADS} where ${OWNER} and id = $3 for update`

/** Parameters: tenant, user, thread id, document. */
export const UPDATE_THREAD = `update ${THREADS} set data = $4::text::json where ${OWNER} and id = $3`

/** Upsert of the metadata; a known thread keeps its position. Parameters: tenant, user, id, created_at (ISO), document. */
export const SAVE_THREAD = `insert into ${THREADS} (tenant_id, user_id, id, created_at, data)
	values ($1, $2, $3, $4::timestamptz, $5::text::json)
	on conflict (tenant_id, user_id, id) do update set data = excluded.data`

/**
 * Upsert by id within the thread, only when the owner's thread exists (no row returned otherwise).
 * Parameters: tenant, user, thread id, item id, type, created_at (ISO), document.
 */
export const ADD_THREAD_ITEM = `insert into ${ITEMS} (tenant_id, user_id, thread_id, id, type, created_at, data)
	select $1, $2, $3, $4, $5, $6::timestamptz, $7::text::json
	where exists (select 1 from ${THREADS} where ${OWNER} and id = $3)
	on conflict (tenant_id, user_id, thread_id, id) do update set type = excluded.type, data = excluded.data
	returning seq`

/** Parameters: tenant, user, thread id, item id. */
export const LOAD_ITEM = `select data from ${ITEMS} where ${THREAD_ITEMS} and id = $4`

/** The item's document as text, its row locked until the transaction ends. Parameters: tenant, user, thread id, item id. */
export const LOCK_ITEM = `select data::text as data from ${ITEMS} where ${THREAD_ITEMS} and id = $4 for update`

/** Parameters: tenant, user, thread id, item id, type, document. */
export const UPDATE_ITEM = `update ${ITEMS} set type = $5, data = $6::text::json where ${THREAD_ITEMS} and id = $4`

/** Parameters: tenant, user, thread id. */
export const DELETE_THREAD_ITEMS = `delete from ${ITEMS} where ${THREAD_ITEMS}`

/** Parameters: tenant, user, thread id. */
export const DELETE_THREAD = `delete from ${THREADS} where ${OWNER} and id = $3`

/** Parameters: tenant, user, thread id, item id. */
export const DELETE_THREAD_ITEM = `delete from ${ITEMS} where ${THREAD_ITEMS} and id = $4`

/** The items after one item in thread order (none when it is missing). Parameters: tenant, user, thread id, item id. */
export const DELETE_ITEMS_AFTER = `delete from ${ITEMS} where ${THREAD_ITEMS_RANGE}
	and (created_at, seq) > (select created_at, seq from ${ITEMS} where ${THREAD_ITEMS} and id = $4)`

/** Parameters: tenant, user, id, document. */
export const SAVE_ATTACHMENT = `insert into ${ATTACHMENTS} (tenant_id, user_id, id, data)
	values ($1, $2, $3, $4::text::json)
	on conflict (tenant_id, user_id, id) do update set data = excluded.data`

/** Parameters: tenant, user, id. */
export const LOAD_ATTACHMENT = `select data from ${ATTACHMENTS} where ${OWNER} and id = $3`

/** Parameters: tenant, user, id. */
export const DELETE_ATTACHMENT = `delete from ${ATTACHMENTS} where ${OWNER} and id = $3`

const TURNS = 'chatkit_turns'

/**
 * Takes or extends a turn lease, by the database's clock: a row is returned when the lease was free,
 * expired or already this turn's. Parameters: tenant, user, thread id, turn id, lifetime in ms.
 */
export const ACQUIRE_TURN = `insert into ${TURNS} (tenant_id, user_id, thread_id, turn_id, expires_at)
	values ($1, $2, $3, $4, clock_timestamp() + $5::int * interval '1 millisecond')
	on conflict (tenant_id, user_id, thread_id) do update set turn_id = excluded.turn_id, expires_at = excluded.expires_at
	where ${TURNS}.turn_id = excluded.turn_id or ${TURNS}.expires_at <= clock_timestamp()
	returning turn_id`

/** Parameters: tenant, user, thread id, turn id. */
export const RELEASE_TURN = `delete from ${TURNS} where ${THREAD_ITEMS} and turn_id = $4`

/** Every lease whose turn id starts with the prefix, whoever owns it; the number given back. Parameters: prefix. */
export const RELEASE_INSTANCE_TURNS = `with released as (delete from ${TURNS} where starts_with(turn_id, $1) returning 1)
	select count(*)::int as released from released`

/**
 * A new thread's first writes as one statement: the turn lease taken (as `ACQUIRE_TURN`), then, only when it
 * was, the thread upserted (as `SAVE_THREAD`) and its first item upserted (as `ADD_THREAD_ITEM`). A row is
 * returned when all three were written. Parameters: tenant, user, thread id, turn id, lifetime in ms, thread
 * created_at (ISO), thread document, item id, item type, item created_at (ISO), item document.
 */
export const START_THREAD = `with lease as (
		insert into ${TURNS} (tenant_id, user_id, thread_id, turn_id, expires_at)
		values ($1, $2, $3, $4, clock_timestamp() + $5::int * interval '1 millisecond')
		on conflict (tenant_id, user_id, thread_id) do update set turn_id = excluded.turn_id, expires_at = excluded.expires_at
		where ${TURNS}.turn_id = excluded.turn_id or ${TURNS}.expires_at <= clock_timestamp()
		returning 1
	), thread as (
		insert into ${THREADS} (tenant_id, user_id, id, created_at, data)
		select $1, $2, $3, $6::timestamptz, $7::text::json where exists (select 1 from lease)
		on conflict (tenant_id, user_id, id) do update set data = excluded.data
		returning 1
	)
	insert into ${ITEMS} (tenant_id, user_id, thread_id, id, type, created_at, data)
	select $1, $2, $3, $8, $9, $10::timestamptz, $11::text::json where exists (select 1 from thread)
	on conflict (tenant_id, user_id, thread_id, id) do update set type = excluded.type, data = excluded.data
	returning seq`
