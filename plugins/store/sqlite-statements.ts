import type { Database, SQLQueryBindings, Statement } from 'bun:sqlite'
import { type AnyColumn, and, asc, desc, eq, is, Param, Placeholder, type SQLWrapper, sql } from 'drizzle-orm'
import type { BunSQLiteDatabase } from 'drizzle-orm/bun-sqlite'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import type * as schema from './schema.sqlite'
import { attachments, items, threads, turns } from './schema.sqlite'

type Tenant = string
type User = string
type Limit = number

export interface DataRow {
	data: string
}

export interface PositionRow {
	created_at: number
	seq: number
}

/** The two statements of a page in one order: from the start, and after a cursor's (created_at, seq). */
export interface PageStatements<Scope extends string[]> {
	first: Statement<DataRow, [...Scope, limit: Limit]>
	after: Statement<DataRow, [...Scope, createdAt: number, seq: number, limit: Limit]>
}

type ThreadScope = [tenant: Tenant, user: User]
type ItemScope = [tenant: Tenant, user: User, threadId: string]

/** Every statement of `SqliteStore`, compiled once per connection. Parameters are positional, in the order typed. */
export interface SqliteStatements {
	loadThread: Statement<DataRow, [...ThreadScope, id: string]>
	saveThread: Statement<unknown, [...ThreadScope, id: string, createdAt: number, data: string]>
	updateThreadData: Statement<unknown, [data: string, ...ThreadScope, id: string]>
	deleteThread: Statement<unknown, [...ThreadScope, id: string]>
	threadPosition: Statement<PositionRow, [...ThreadScope, id: string]>
	threadsAsc: PageStatements<ThreadScope>
	threadsDesc: PageStatements<ThreadScope>
	/** Inserts the item when the owner's thread exists (no row changed otherwise); a known id keeps its row. */
	addItem: Statement<unknown, [id: string, type: string, createdAt: number, data: string, ...ItemScope]>
	loadItem: Statement<DataRow, [...ItemScope, id: string]>
	deleteItem: Statement<unknown, [...ItemScope, id: string]>
	deleteThreadItems: Statement<unknown, ItemScope>
	/** Deletes the items after one item in thread order (none when it is missing). */
	deleteItemsAfter: Statement<unknown, [...ItemScope, ...ItemScope, id: string]>
	itemPosition: Statement<PositionRow, [...ItemScope, id: string]>
	itemsAsc: PageStatements<ItemScope>
	itemsDesc: PageStatements<ItemScope>
	/** Takes or extends a turn lease: a row changed when it was free, expired or this turn's. */
	acquireTurn: Statement<unknown, [...ItemScope, turnId: string, expiresAt: number, now: number]>
	releaseTurn: Statement<unknown, [...ItemScope, turnId: string]>
	saveAttachment: Statement<unknown, [...ThreadScope, id: string, data: string]>
	loadAttachment: Statement<DataRow, [...ThreadScope, id: string]>
	deleteAttachment: Statement<unknown, [...ThreadScope, id: string]>
	/** Finalizes every statement (before the connection closes). */
	finalize(): void
}

const dialect = new SQLiteSyncDialect()
const $ = sql.placeholder

const placeholderName = (param: unknown): string | undefined => {
	if (is(param, Placeholder)) return param.name
	if (is(param, Param) && is(param.value, Placeholder)) return param.value.name
	return undefined
}

const ownedThread = (id: Placeholder = $('id')) =>
	and(eq(threads.tenantId, $('tenant')), eq(threads.userId, $('user')), eq(threads.id, id))
const ownedItems = () =>
	and(eq(items.tenantId, $('tenant')), eq(items.userId, $('user')), eq(items.threadId, $('threadId')))
const ownedItem = () => and(ownedItems(), eq(items.id, $('id')))
const ownedAttachment = () =>
	and(eq(attachments.tenantId, $('tenant')), eq(attachments.userId, $('user')), eq(attachments.id, $('id')))

const after = (createdAt: AnyColumn, seq: AnyColumn, order: 'asc' | 'desc') =>
	order === 'asc'
		? sql`(${createdAt}, ${seq}) > (${$('createdAt')}, ${$('seq')})`
		: sql`(${createdAt}, ${seq}) < (${$('createdAt')}, ${$('seq')})`

const column = (c: AnyColumn) => sql.identifier(c.name)

/**
 * Compiles the statements of `SqliteStore` from Drizzle queries built with `sql.placeholder`s: the SQL text is
 * rendered by Drizzle once, then prepared by bun:sqlite once, so a call only binds and steps.
 * Each statement takes its placeholders positionally; the order is checked against Drizzle's rendering.
 */
export const sqliteStatements = (
	db: BunSQLiteDatabase<typeof schema>,
	client: Database
): SqliteStatements => {
	const prepared: Statement[] = []
	const compile = <Row, Params extends SQLQueryBindings[]>(
		query: SQLWrapper,
		names: string[]
	): Statement<Row, Params> => {
		const { sql: text, params } = dialect.sqlToQuery(query.getSQL())
		const rendered = params.map(placeholderName)
		if (rendered.join() !== names.join())
			throw new Error(
				`statement parameters are (${rendered.join()}), expected (${names.join()}): ${text}`
			)
		const statement = client.prepare(text) as Statement<Row, Params>
		prepared.push(statement as Statement)
		return statement
	}

	const threadPage = (order: 'asc' | 'desc'): PageStatements<ThreadScope> => {
		const direction = order === 'asc' ? asc : desc
		const scope = and(eq(threads.tenantId, $('tenant')), eq(threads.userId, $('user')))
		const page = (where: ReturnType<typeof and>) =>
			db
				.select({ data: threads.data })
				.from(threads)
				.where(where)
				.orderBy(direction(threads.createdAt), direction(threads.seq))
				.limit($('limit'))
		return {
			first: compile(page(scope), ['tenant', 'user', 'limit']),
			after: compile(page(and(scope, after(threads.createdAt, threads.seq, order))), [
				'tenant',
				'user',
				'createdAt',
				'seq',
				'limit'
			])
		}
	}

	const itemPage = (order: 'asc' | 'desc'): PageStatements<ItemScope> => {
		const direction = order === 'asc' ? asc : desc
		const page = (where: ReturnType<typeof and>) =>
			db
				.select({ data: items.data })
				.from(items)
				.where(where)
				.orderBy(direction(items.createdAt), direction(items.seq))
				.limit($('limit'))
		return {
			first: compile(page(ownedItems()), ['tenant', 'user', 'threadId', 'limit']),
			after: compile(page(and(ownedItems(), after(items.createdAt, items.seq, order))), [
				'tenant',
				'user',
				'threadId',
				'createdAt',
				'seq',
				'limit'
			])
		}
	}

	const threadKey = ['tenant', 'user', 'id']
	const itemKey = ['tenant', 'user', 'threadId', 'id']
	try {
		return {
			loadThread: compile(
				db.select({ data: threads.data }).from(threads).where(ownedThread()),
				threadKey
			),
			saveThread: compile(
				db
					.insert(threads)
					.values({
						tenantId: $('tenant'),
						userId: $('user'),
						id: $('id'),
						createdAt: $('createdAt'),
						data: $('data')
					})
					.onConflictDoUpdate({
						target: [threads.tenantId, threads.userId, threads.id],
						set: { data: sql`excluded.${column(threads.data)}` }
					}),
				[...threadKey, 'createdAt', 'data']
			),
			updateThreadData: compile(
				db
					.update(threads)
					.set({ data: sql`${$('data')}` })
					.where(ownedThread()),
				['data', ...threadKey]
			),
			deleteThread: compile(db.delete(threads).where(ownedThread()), threadKey),
			threadPosition: compile(
				db
					.select({ createdAt: threads.createdAt, seq: threads.seq })
					.from(threads)
					.where(ownedThread()),
				threadKey
			),
			threadsAsc: threadPage('asc'),
			threadsDesc: threadPage('desc'),
			addItem: compile(
				sql`insert into ${items} (${column(items.tenantId)}, ${column(items.userId)}, ${column(items.threadId)}, ${column(items.id)}, ${column(items.type)}, ${column(items.createdAt)}, ${column(items.data)})
					select ${threads.tenantId}, ${threads.userId}, ${threads.id}, ${$('id')}, ${$('type')}, ${$('createdAt')}, ${$('data')}
					from ${threads} where ${ownedThread($('threadId'))}
					on conflict (${column(items.tenantId)}, ${column(items.userId)}, ${column(items.threadId)}, ${column(items.id)})
					do update set ${column(items.type)} = excluded.${column(items.type)}, ${column(items.data)} = excluded.${column(items.data)}`,
				['id', 'type', 'createdAt', 'data', 'tenant', 'user', 'threadId']
			),
			loadItem: compile(db.select({ data: items.data }).from(items).where(ownedItem()), itemKey),
			deleteItem: compile(db.delete(items).where(ownedItem()), itemKey),
			deleteThreadItems: compile(db.delete(items).where(ownedItems()), ['tenant', 'user', 'threadId']),
			deleteItemsAfter: compile(
				db
					.delete(items)
					.where(
						and(
							ownedItems(),
							sql`(${column(items.createdAt)}, ${column(items.seq)}) > (${db
								.select({ createdAt: items.createdAt, seq: items.seq })
								.from(items)
								.where(ownedItem())})`
						)
					),
				['tenant', 'user', 'threadId', 'tenant', 'user', 'threadId', 'id']
			),
			itemPosition: compile(
				db.select({ createdAt: items.createdAt, seq: items.seq }).from(items).where(ownedItem()),
				itemKey
			),
			itemsAsc: itemPage('asc'),
			itemsDesc: itemPage('desc'),
			acquireTurn: compile(
				sql`insert into ${turns} (${column(turns.tenantId)}, ${column(turns.userId)}, ${column(turns.threadId)}, ${column(turns.turnId)}, ${column(turns.expiresAt)})
					values (${$('tenant')}, ${$('user')}, ${$('threadId')}, ${$('turnId')}, ${$('expiresAt')})
					on conflict (${column(turns.tenantId)}, ${column(turns.userId)}, ${column(turns.threadId)})
					do update set ${column(turns.turnId)} = excluded.${column(turns.turnId)}, ${column(turns.expiresAt)} = excluded.${column(turns.expiresAt)}
					where ${turns.turnId} = excluded.${column(turns.turnId)} or ${turns.expiresAt} <= ${$('now')}`,
				['tenant', 'user', 'threadId', 'turnId', 'expiresAt', 'now']
			),
			releaseTurn: compile(
				db
					.delete(turns)
					.where(
						and(
							eq(turns.tenantId, $('tenant')),
							eq(turns.userId, $('user')),
							eq(turns.threadId, $('threadId')),
							eq(turns.turnId, $('turnId'))
						)
					),
				['tenant', 'user', 'threadId', 'turnId']
			),
			saveAttachment: compile(
				db
					.insert(attachments)
					.values({ tenantId: $('tenant'), userId: $('user'), id: $('id'), data: $('data') })
					.onConflictDoUpdate({
						target: [attachments.tenantId, attachments.userId, attachments.id],
						set: { data: sql`excluded.${column(attachments.data)}` }
					}),
				[...threadKey, 'data']
			),
			loadAttachment: compile(
				db.select({ data: attachments.data }).from(attachments).where(ownedAttachment()),
				threadKey
			),
			deleteAttachment: compile(db.delete(attachments).where(ownedAttachment()), threadKey),
			finalize() {
				for (const statement of prepared) statement.finalize()
			}
		}
	} catch (error) {
		for (const statement of prepared) statement.finalize()
		throw error
	}
}
