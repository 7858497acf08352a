import { afterAll, describe, expect, it, setDefaultTimeout } from 'bun:test'
import { Elysia } from 'elysia'
import { jwtAuth } from '../../plugins/auth'
import { health } from '../../plugins/health'
import { drizzleStore, PostgresStore, sqliteStore } from '../../plugins/store'
import { chatkit, MemoryStore, streamText } from '../../src'
import { createTestDatabase, postgresReachable } from '../store/pg'

setDefaultTimeout(20_000)

const get = (app: { handle(request: Request): Promise<Response> }, path: string) =>
	app.handle(new Request(`http://localhost${path}`))

const answerOf = async (response: Response) => [response.status, await response.json()]

describe('health plugin', () => {
	it('answers /health and /ready without credentials when used before auth', async () => {
		const store = sqliteStore({ path: ':memory:' })
		const app = new Elysia()
			.use(drizzleStore({ store }))
			.use(health())
			.use(jwtAuth({ secret: 'a-secret-of-at-least-32-characters!!' }))
			.use(
				chatkit({
					async *respond(args) {
						yield* streamText(args, ['hi'])
					}
				})
			)
		expect(await answerOf(await get(app, '/health'))).toEqual([200, { status: 'ok' }])
		expect(await answerOf(await get(app, '/ready'))).toEqual([200, { status: 'ready' }])
		const chat = await app.handle(
			new Request('http://localhost/chatkit', {
				method: 'POST',
				body: '{"type":"threads.list","params":{}}'
			})
		)
		expect(chat.status).toBe(401)
		await store.close()
		expect((await get(app, '/ready')).status).toBe(503)
	})

	it('is alive but not ready once the SQLite store is closed, and says nothing about why', async () => {
		const store = sqliteStore({ path: ':memory:' })
		const app = new Elysia().use(health({ store }))
		await store.close()
		expect(await answerOf(await get(app, '/health'))).toEqual([200, { status: 'ok' }])
		const ready = await get(app, '/ready')
		expect(ready.status).toBe(503)
		expect(await ready.text()).toBe('{"status":"unavailable"}')
	})

	it('is not ready when another check fails or throws, ready when they pass', async () => {
		let queue = true
		const app = new Elysia().use(
			health({
				store: new MemoryStore(),
				checks: [
					() => queue,
					async () => {
						if (!queue) throw new Error('secret detail')
						return true
					}
				]
			})
		)
		expect((await get(app, '/ready')).status).toBe(200)
		queue = false
		const ready = await get(app, '/ready')
		expect(ready.status).toBe(503)
		expect(await ready.text()).not.toContain('secret')
	})

	it('answers 503 when the database does not answer within the timeout', async () => {
		const app = new Elysia().use(
			health({ timeoutMs: 50, checks: [() => new Promise<boolean>(() => {})] })
		)
		expect((await get(app, '/ready')).status).toBe(503)
	})
})

const pgReachable = await postgresReachable()

describe.skipIf(!pgReachable && process.env.CI !== 'true')('health plugin on PostgreSQL', () => {
	const databases: { drop(): Promise<void> }[] = []
	afterAll(async () => {
		for (const database of databases) await database.drop()
	})

	it('is ready on a reachable database, not ready on one that refuses connections', async () => {
		const database = await createTestDatabase()
		databases.push(database)
		const store = new PostgresStore({ url: database.url })
		const down = new PostgresStore({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeout: 1 })
		try {
			const app = new Elysia().use(drizzleStore({ store })).use(health())
			expect(await answerOf(await get(app, '/ready'))).toEqual([200, { status: 'ready' }])
			const refused = new Elysia().use(health({ store: down }))
			expect(await answerOf(await get(refused, '/ready'))).toEqual([503, { status: 'unavailable' }])
			expect(await answerOf(await get(refused, '/health'))).toEqual([200, { status: 'ok' }])
		} finally {
			await store.close()
			await down.close()
		}
	})
})
