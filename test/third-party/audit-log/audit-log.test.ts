// The audit-log plugin's own tests, on SQLite and PostgreSQL, through real HTTP (app.handle).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { assistantMessage, functionCall, ScriptedModel } from '@openai/agents/testing'
import { Elysia } from 'elysia'
import { chatkit, type Responder, streamText } from 'elysia-chatkit'
import { agent } from 'elysia-chatkit/plugins/agent'
import { jwtAuth } from 'elysia-chatkit/plugins/auth'
import { limits } from 'elysia-chatkit/plugins/limits'
import { createStore, type PostgresStore, type SqliteStore, sqliteStore } from 'elysia-chatkit/plugins/store'
import { serverTool, tools } from 'elysia-chatkit/plugins/tools'
import { SignJWT } from 'jose'
import { z } from 'zod'
import { createTestDatabase } from '../../store/pg'
import { type AuditEntry, type AuditTrail, auditLog, auditTables } from '.'

const SECRET = 'audit-log-test-secret-32-bytes-long!!'

const tokenFor = (sub: string) =>
	new SignJWT({ tenant_id: 'acme' })
		.setProtectedHeader({ alg: 'HS256' })
		.setSubject(sub)
		.setExpirationTime('5m')
		.sign(new TextEncoder().encode(SECRET))

const inputText = (input: Parameters<Responder>[0]['input']) =>
	input?.content.map((part) => (part.type === 'input_text' ? part.text : '')).join('') ?? ''

/** Replies `Hello`; `fail` makes it throw, `wait` makes it wait for the client to go away. */
const respond: Responder = async function* (args) {
	const text = inputText(args.input)
	if (text === 'fail') throw new Error('model down')
	if (text === 'wait') {
		yield {
			type: 'thread.item.added',
			item: {
				id: 'msg_waiting',
				thread_id: args.thread.id,
				created_at: new Date().toISOString(),
				type: 'assistant_message',
				content: []
			}
		}
		await new Promise((resolve) => args.signal.addEventListener('abort', resolve, { once: true }))
		return
	}
	yield* streamText(args, ['Hel', 'lo'])
}

type DatabaseStore = SqliteStore | PostgresStore

const buildApp = (store: DatabaseStore) =>
	new Elysia()
		.use(jwtAuth({ secret: SECRET }))
		.use(limits({ requestsPerMinute: 1, key: (user) => (user.id === 'spammer' ? user.id : null) }))
		.use(auditLog())
		.get('/my-requests', ({ audit }) => audit.recent(50))
		.use(chatkit({ store, respond }))

const send = async (
	app: { handle(request: Request): Promise<Response> },
	body: unknown,
	user: string | null
) => {
	const headers: Record<string, string> = { 'content-type': 'application/json' }
	if (user) headers.authorization = `Bearer ${await tokenFor(user)}`
	return app.handle(
		new Request('http://localhost/chatkit', { method: 'POST', headers, body: JSON.stringify(body) })
	)
}

const input = (text: string) => ({
	content: [{ type: 'input_text', text }],
	attachments: [],
	inference_options: {}
})

/** Every row of the log, oldest first, without the row ids. */
const allRows = async (store: DatabaseStore): Promise<AuditEntry[]> => {
	const database = await auditTables.open(store)
	if (!database) throw new Error('the store keeps no database')
	const rows =
		database.dialect === 'sqlite'
			? database.db.select().from(database.tables.auditLog).all()
			: await database.db.select().from(database.tables.auditLog)
	return rows.sort((a, b) => a.at - b.at).map(({ id: _id, ...row }) => row)
}

const dialects: { name: string; open: () => Promise<{ store: DatabaseStore; close(): Promise<void> }> }[] = [
	{
		name: 'SQLite',
		async open() {
			const store = sqliteStore({ path: ':memory:' })
			return { store, close: () => store.close() }
		}
	},
	{
		name: 'PostgreSQL',
		async open() {
			const database = await createTestDatabase()
			const store = createStore(database.url) as PostgresStore
			return {
				store,
				async close() {
					await store.close()
					await database.drop()
				}
			}
		}
	}
]

for (const dialect of dialects) {
	describe(`the audit-log plugin on ${dialect.name}`, () => {
		let opened: Awaited<ReturnType<(typeof dialect)['open']>>
		beforeAll(async () => {
			opened = await dialect.open()
		})
		afterAll(() => opened.close())

		test('records each request exactly once, refused ones included, with its type and user where known', async () => {
			const { store } = opened
			const app = buildApp(store)
			const expected = (row: Partial<AuditEntry>) => ({
				type: null,
				userId: null,
				tenantId: null,
				threadId: null,
				status: 200,
				code: null,
				streamed: false,
				cancelled: false,
				refusedBy: null,
				events: '',
				at: expect.any(Number),
				durationMs: expect.any(Number),
				...row
			})
			const alice = { userId: 'alice', tenantId: 'acme' }

			const created = await (
				await send(app, { type: 'threads.create', params: { input: input('Hi') } }, 'alice')
			).text()
			const threadId = JSON.parse(created.split('\n\n')[0]!.slice(6)).thread.id as string
			await send(app, { type: 'threads.list', params: {} }, 'alice')
			await send(app, { type: 'items.list', params: { thread_id: 'thr_missing' } }, 'alice')
			await send(app, { type: 'threads.list', params: {} }, null)
			await send(app, { type: 'threads.get_by_id', params: { thread_id: 42 } }, 'alice')
			await send(app, { type: 'threads.list', params: {} }, 'spammer')
			expect((await send(app, { type: 'threads.list', params: {} }, 'spammer')).status).toBe(429)
			const reader = (
				await send(app, { type: 'threads.create', params: { input: input('wait') } }, 'alice')
			).body!.getReader()
			let seen = ''
			while (!seen.includes('msg_waiting'))
				seen += new TextDecoder().decode((await reader.read()).value)
			await reader.cancel()
			await (
				await send(app, { type: 'threads.create', params: { input: input('fail') } }, 'alice')
			).text()

			const rows = await allRows(store)
			expect(rows).toEqual([
				expected({
					...alice,
					type: 'threads.create',
					threadId,
					streamed: true,
					events: 'thread.created'
				}),
				expected({ ...alice, type: 'threads.list' }),
				expected({
					...alice,
					type: 'items.list',
					threadId: 'thr_missing',
					status: 404,
					code: 'not_found'
				}),
				expected({ status: 401, code: 'unauthorized', refusedBy: 'elysia-chatkit/auth' }),
				expected({ ...alice, type: 'threads.get_by_id', status: 422, code: 'invalid_request' }),
				expected({ userId: 'spammer', tenantId: 'acme', type: 'threads.list' }),
				expected({
					userId: 'spammer',
					tenantId: 'acme',
					type: 'threads.list',
					status: 429,
					code: 'rate_limited',
					refusedBy: 'limits'
				}),
				expected({
					...alice,
					type: 'threads.create',
					threadId: expect.any(String),
					streamed: true,
					cancelled: true,
					events: 'thread.created'
				}),
				expected({
					...alice,
					type: 'threads.create',
					threadId: expect.any(String),
					streamed: true,
					code: 'stream.error',
					events: 'thread.created,error'
				})
			])

			const mine = await (
				await app.handle(
					new Request('http://localhost/my-requests', {
						headers: { authorization: `Bearer ${await tokenFor('spammer')}` }
					})
				)
			).json()
			expect(mine.map((entry: AuditEntry) => entry.status)).toEqual([429, 200])
		})

		test('a server tool reads the typed `audit` key', async () => {
			const recentRequests = serverTool<{ audit: AuditTrail }>()({
				name: 'recent_requests',
				description: "The user's latest requests",
				parameters: z.object({}),
				execute: async (_args, { context }) =>
					(await context.audit.recent(5)).map((entry) => `${entry.type} ${entry.status}`)
			})
			const model = new ScriptedModel([
				[functionCall('recent_requests', {}, { callId: 'call_recent' })],
				[assistantMessage('Here they are.')]
			])
			const app = new Elysia()
				.use(jwtAuth({ secret: SECRET }))
				.use(auditLog())
				.use(tools([recentRequests]))
				.use(agent({ instructions: 'Answer.', model }))
				.use(chatkit({ store: opened.store }))
			await send(app, { type: 'threads.list', params: {} }, 'bob')
			await (
				await send(app, { type: 'threads.create', params: { input: input('What did I do?') } }, 'bob')
			).text()
			const secondRequest = model.calls[1]?.request as { input: { type: string; output?: unknown }[] }
			const result = secondRequest.input.find((item) => item.type === 'function_call_result')
			expect(JSON.stringify(result?.output)).toContain('threads.list 200')
		})

		test(
			'two instances starting together apply the migration once',
			async () => {
				for (let round = 0; round < 3; round++) {
					const database = dialect.name === 'PostgreSQL' ? await createTestDatabase() : undefined
					const file = `/tmp/audit-log-${crypto.randomUUID()}.db`
					const open = () =>
						database ? (createStore(database.url) as PostgresStore) : sqliteStore({ path: file })
					const stores = [open(), open()]
					const opened = await Promise.all(stores.map((store) => auditTables.open(store)))
					expect(opened.map((handle) => handle?.dialect)).toEqual(
						database ? ['postgresql', 'postgresql'] : ['sqlite', 'sqlite']
					)
					const [first] = stores
					const applied =
						first?.dialect === 'postgresql'
							? await first.client`SELECT count(*)::int AS n FROM chatkit_plugin_migrations WHERE plugin = 'acme/audit-log'`
							: first?.client
									.query(
										`SELECT count(*) AS n FROM chatkit_plugin_migrations WHERE plugin = 'acme/audit-log'`
									)
									.all()
					expect(applied).toEqual([{ n: 1 }])
					for (const store of stores) await store.close()
					await database?.drop()
				}
			},
			{ timeout: 60_000 }
		)
	})
}
