import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { Elysia } from 'elysia'
import postgres from 'postgres'
import { postgresStore } from '../../plugins/store'
import * as statements from '../../plugins/store/postgres-statements'
import { chatkit } from '../../src/chatkit'
import { streamText } from '../../src/respond'
import { createTestDatabase, postgresReachable } from './pg'

setDefaultTimeout(60_000)

/**
 * A user with thousands of threads, the case where a scan of the owner's range instead of a lookup by id
 * costs milliseconds per statement. Every connection to the test database plans prepared statements
 * generically (`plan_cache_mode = force_generic_plan`), as a long-lived pooled connection does after a
 * few executions, and autovacuum is off on the tables so that their statistics stay as the test left them.
 */
const THREADS = 3_000
const OTHER_USERS = 1_000
const TENANT = 'acme'
const USER = 'power_user'
const THREAD = 'thr_target'
const ITEMS = 300
/** A thread of the same user with a few items, for the statements that delete a whole thread's items. */
const SMALL_THREAD = 'thr_small'
/** Rows a statement may read: a page of 21 rows, a few lookups. */
const MAX_ROWS_PER_STATEMENT = 50
/** Rows a streaming turn may read, over all its statements and foreign-key checks. */
const MAX_ROWS_PER_TURN = 40

const reachable = await postgresReachable()

type Sql = postgres.Sql

const threadData = `json_build_object('id', id, 'title', 'A thread', 'created_at', created_at,
	'status', json_build_object('type', 'active'), 'allowed_image_domains', null, 'metadata', '{}'::json)`
const itemData = `json_build_object('id', id, 'thread_id', thread_id, 'created_at', created_at, 'type', 'user_message',
	'content', json_build_array(json_build_object('type', 'input_text', 'text', 'hi')), 'attachments', '[]'::json,
	'quoted_text', null, 'inference_options', '{}'::json)`

const seed = async (sql: Sql, analyze: 'never' | 'before' | 'after') => {
	for (const table of ['chatkit_threads', 'chatkit_items', 'chatkit_attachments', 'chatkit_turns'])
		await sql.unsafe(`alter table ${table} set (autovacuum_enabled = false)`)
	const threads = (select: string) =>
		sql.unsafe(`insert into chatkit_threads (tenant_id, user_id, id, created_at, data)
			select tenant_id, user_id, id, created_at, ${threadData} from (${select}) t (tenant_id, user_id, id, created_at)`)
	const items = (select: string) =>
		sql.unsafe(`insert into chatkit_items (tenant_id, user_id, thread_id, id, type, created_at, data)
			select tenant_id, user_id, thread_id, id, 'user_message', created_at, ${itemData} from (${select}) i (tenant_id, user_id, thread_id, id, created_at)`)
	await threads(`select '${TENANT}' as tenant_id, 'user_' || i as user_id, 'thr_' || substr(md5('other' || i), 1, 16) as id,
		now() as created_at from generate_series(1, ${OTHER_USERS}) i`)
	await sql.unsafe(`insert into chatkit_turns (tenant_id, user_id, thread_id, turn_id, expires_at)
		select '${TENANT}', 'user_' || i, 'thr_' || substr(md5('other' || i), 1, 16), 'turn_' || i, now()
		from generate_series(1, ${OTHER_USERS}) i`)
	if (analyze === 'before') await sql.unsafe('analyze')
	await threads(`select '${TENANT}', '${USER}', 'thr_' || substr(md5('own' || i), 1, 16),
		now() - interval '1 day' + i * interval '1 ms' from generate_series(1, ${THREADS}) i`)
	await threads(`select '${TENANT}', '${USER}', '${THREAD}', now() - interval '2 days'
		union all select '${TENANT}', '${USER}', '${SMALL_THREAD}', now() - interval '3 days'`)
	await items(`select '${TENANT}' as tenant_id, '${USER}' as user_id, '${THREAD}' as thread_id, 'msg_' || i as id,
		now() - interval '2 days' + i * interval '1 ms' as created_at from generate_series(1, ${ITEMS}) i`)
	await items(
		`select '${TENANT}', '${USER}', '${SMALL_THREAD}', 'msg_small_' || i, now() from generate_series(1, 3) i`
	)
	await items(`select '${TENANT}', '${USER}', 'thr_' || substr(md5('own' || i), 1, 16), 'msg_own_' || i, now()
		from generate_series(1, ${THREADS}) i`)
	await sql.unsafe(`insert into chatkit_attachments (tenant_id, user_id, id, data)
		select '${TENANT}', '${USER}', 'atc_' || i, '{}' from generate_series(1, ${THREADS}) i`)
	if (analyze === 'after') await sql.unsafe('analyze')
}

const literal = (value: string | number) =>
	typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`

const now = new Date().toISOString()
const threadDocument = JSON.stringify({ id: THREAD, title: 'x' })
const itemDocument = JSON.stringify({ id: 'msg_new', type: 'assistant_message' })

/** Parameters of each statement, on the power user's data: a known thread, item, cursor, attachment. */
const parameters: Record<string, (string | number)[]> = {
	'LOAD_THREADS.asc.first': [TENANT, USER, 21],
	'LOAD_THREADS.asc.after': [TENANT, USER, 21, THREAD],
	'LOAD_THREADS.desc.first': [TENANT, USER, 21],
	'LOAD_THREADS.desc.after': [TENANT, USER, 21, THREAD],
	'LOAD_THREAD_ITEMS.asc.first': [TENANT, USER, THREAD, 21],
	'LOAD_THREAD_ITEMS.asc.after': [TENANT, USER, THREAD, 21, 'msg_290'],
	'LOAD_THREAD_ITEMS.desc.first': [TENANT, USER, THREAD, 21],
	'LOAD_THREAD_ITEMS.desc.after': [TENANT, USER, THREAD, 21, 'msg_10'],
	LOAD_THREAD: [TENANT, USER, THREAD],
	LOCK_THREAD: [TENANT, USER, THREAD],
	UPDATE_THREAD: [TENANT, USER, THREAD, threadDocument],
	SAVE_THREAD: [TENANT, USER, 'thr_new', now, threadDocument],
	ADD_THREAD_ITEM: [TENANT, USER, THREAD, 'msg_new', 'assistant_message', now, itemDocument],
	LOAD_ITEM: [TENANT, USER, THREAD, 'msg_20'],
	LOCK_ITEM: [TENANT, USER, THREAD, 'msg_20'],
	UPDATE_ITEM: [TENANT, USER, THREAD, 'msg_20', 'assistant_message', itemDocument],
	DELETE_THREAD_ITEMS: [TENANT, USER, SMALL_THREAD],
	DELETE_THREAD: [TENANT, USER, SMALL_THREAD],
	DELETE_THREAD_ITEM: [TENANT, USER, THREAD, 'msg_20'],
	DELETE_ITEMS_AFTER: [TENANT, USER, THREAD, 'msg_295'],
	SAVE_ATTACHMENT: [TENANT, USER, 'atc_new', '{}'],
	LOAD_ATTACHMENT: [TENANT, USER, 'atc_20'],
	DELETE_ATTACHMENT: [TENANT, USER, 'atc_20'],
	ACQUIRE_TURN: [TENANT, USER, THREAD, 'turn_1', 30_000],
	RELEASE_TURN: [TENANT, USER, THREAD, 'turn_1'],
	RELEASE_INSTANCE_TURNS: ['web-1:'],
	START_THREAD: [
		TENANT,
		USER,
		'thr_started',
		'turn_2',
		30_000,
		now,
		threadDocument,
		'msg_first',
		'user_message',
		now,
		itemDocument
	]
}

/**
 * Statements that may scan one table whole (its rows are not counted), and why that does not grow with the
 * data: `chatkit_turns` holds one row per running turn (not per thread or item; 1,000 here), and an instance's
 * leases are given back once, as it starts. Any other table such a statement read would still count.
 */
const SCANS_ALLOWED: Record<string, string> = { RELEASE_INSTANCE_TURNS: 'chatkit_turns' }

/** Every statement the store runs, by its dotted name in `postgres-statements.ts`. */
const allStatements = (value: unknown, name = ''): [string, string][] =>
	typeof value === 'string'
		? [[name, value]]
		: Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
				allStatements(inner, name ? `${name}.${key}` : key)
			)

interface PlanNode {
	'Node Type': string
	'Relation Name'?: string
	'Index Name'?: string
	'Actual Rows': number
	'Actual Loops': number
	'Rows Removed by Filter'?: number
	'Rows Removed by Index Recheck'?: number
	Plans?: PlanNode[]
}

const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)]

/** Rows the scans of a plan read: those they returned and those their filters removed. */
const rowsRead = (plan: PlanNode, scanned?: string) =>
	nodes(plan)
		.filter((node) => node['Node Type'].endsWith('Scan') && node['Relation Name'] !== scanned)
		.reduce(
			(sum, node) =>
				sum +
				(node['Actual Rows'] +
					(node['Rows Removed by Filter'] ?? 0) +
					(node['Rows Removed by Index Recheck'] ?? 0)) *
					node['Actual Loops'],
			0
		)

const describePlan = (plan: PlanNode) =>
	nodes(plan)
		.map(
			(node) =>
				`${node['Node Type']}${node['Index Name'] ? ` using ${node['Index Name']}` : node['Relation Name'] ? ` on ${node['Relation Name']}` : ''} (rows ${node['Actual Rows']}, removed ${node['Rows Removed by Filter'] ?? 0}, loops ${node['Actual Loops']})`
		)
		.join('; ')

/** The generic plan of a statement, executed (and rolled back) with `params`. */
const explain = async (sql: Sql, statement: string, params: (string | number)[]) => {
	let plan: PlanNode | undefined
	await sql
		.begin(async (tx) => {
			await tx.unsafe('set local plan_cache_mode = force_generic_plan')
			await tx.unsafe(`prepare chatkit_plan_check as ${statement}`)
			const [row] = await tx.unsafe<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(
				`explain (analyze, format json) execute chatkit_plan_check(${params.map(literal).join(', ')})`
			)
			plan = row?.['QUERY PLAN'][0]?.Plan
			await tx.unsafe('deallocate chatkit_plan_check')
			throw new Error('rollback')
		})
		.catch((error: Error) => {
			if (error.message !== 'rollback') throw error
		})
	if (!plan) throw new Error('no plan')
	return plan
}

/**
 * Statistics as a new deployment has them (never collected), as a power user's growth leaves them (collected
 * when every user had one thread), and fresh.
 */
const analyzeStates = [
	{ name: 'statistics never collected', analyze: 'never' },
	{ name: 'statistics from before the user grew', analyze: 'before' },
	{ name: 'fresh statistics', analyze: 'after' }
] as const

describe.skipIf(!reachable)('PostgreSQL plans for a user with thousands of threads', () => {
	for (const state of analyzeStates)
		describe(state.name, () => {
			let database: Awaited<ReturnType<typeof createTestDatabase>>
			let sql: Sql

			beforeAll(async () => {
				database = await createTestDatabase()
				sql = postgres(database.url, { max: 1, onnotice: () => {} })
				await sql.unsafe(`alter database ${database.name} set plan_cache_mode = force_generic_plan`)
				const store = postgresStore({ url: database.url, max: 1 })
				await store.ready()
				await store.close()
				await seed(sql, state.analyze)
			})

			afterAll(async () => {
				await sql?.end({ timeout: 1 })
				await database?.drop()
			})

			test('every statement has sample parameters here', () => {
				const missing = allStatements(statements)
					.map(([name]) => name)
					.filter((name) => !(name in parameters))
				expect(missing).toEqual([])
			})

			for (const [name, statement] of allStatements(statements))
				test(`${name}: generic plan reads at most ${MAX_ROWS_PER_STATEMENT} rows, no sequential scan`, async () => {
					const params = parameters[name]
					if (!params) return
					const plan = await explain(sql, statement, params)
					const rows = rowsRead(plan, SCANS_ALLOWED[name])
					const seqScans = nodes(plan).filter(
						(node) =>
							node['Node Type'] === 'Seq Scan' && node['Relation Name'] !== SCANS_ALLOWED[name]
					).length
					expect({ plan: describePlan(plan), rows, seqScans }).toEqual({
						plan: describePlan(plan),
						rows: Math.min(rows, MAX_ROWS_PER_STATEMENT),
						seqScans: 0
					})
				})

			test(`a streaming turn reads at most ${MAX_ROWS_PER_TURN} rows (pg_stat deltas over real turns)`, async () => {
				const store = postgresStore({ url: database.url, max: 2 })
				const app = new Elysia().use(
					chatkit({
						store,
						defaultUser: { id: USER, tenantId: TENANT },
						async *respond(args) {
							yield* streamText(args, ['Hello', ', ', 'world'])
						}
					})
				)
				const send = async (type: string, params: unknown) => {
					const response = await app.handle(
						new Request('http://localhost/chatkit', {
							method: 'POST',
							headers: { 'content-type': 'application/json' },
							body: JSON.stringify({ type, params })
						})
					)
					expect(response.status).toBe(200)
					return response.text()
				}
				const input = {
					content: [{ type: 'input_text', text: 'hi' }],
					attachments: [],
					inference_options: {}
				}
				const turn = () => send('threads.create', { input })
				const followUp = () => send('threads.add_user_message', { thread_id: THREAD, input })
				await sql.end({ timeout: 1 })
				sql = postgres(database.url, { max: 1, onnotice: () => {} })
				try {
					await waitForBackends(sql, database.name)
					const before = await readRows(sql)
					const turns = 20
					for (let i = 0; i < turns / 2; i++) await Promise.all([turn(), followUp()])
					await store.close()
					await waitForBackends(sql, database.name)
					const rowsPerTurn = ((await readRows(sql)) - before) / turns
					expect({ rowsPerTurn }).toEqual({ rowsPerTurn: Math.min(rowsPerTurn, MAX_ROWS_PER_TURN) })
				} finally {
					await store.close()
				}
			})
		})
})

/** Rows read so far by scans of the store's tables: sequential scans' rows and index entries returned. */
const readRows = async (sql: Sql) => {
	await sql`select pg_stat_clear_snapshot()`
	const [row] = await sql<{ rows: string }[]>`
		select (select coalesce(sum(seq_tup_read), 0) from pg_stat_user_tables where relname like 'chatkit%')
			+ (select coalesce(sum(idx_tup_read), 0) from pg_stat_user_indexes where relname like 'chatkit%') as rows`
	return Number(row?.rows)
}

/** Waits until the store's connections have ended (a backend flushes its statistics when it exits). */
const waitForBackends = async (sql: Sql, database: string) => {
	for (let i = 0; i < 200; i++) {
		const [row] = await sql<{ n: number }[]>`
			select count(*)::int as n from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()`
		if (row?.n === 0) return
		await Bun.sleep(10)
	}
	throw new Error('the store did not close its connections')
}
