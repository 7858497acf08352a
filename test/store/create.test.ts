import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Elysia } from 'elysia'
import {
	createStore,
	drizzleStore,
	ManagedMemoryStore,
	PostgresStore,
	parseDatabaseUrl,
	SqliteStore,
	sqliteStore
} from '../../plugins/store'
import { chatkit } from '../../src/chatkit'
import { streamText } from '../../src/respond'
import { newContext, thread } from '../../testing/fixtures'
import { at } from '../defined'

// The preload's default timeout reaches only the first file of a multi-file run (Bun 1.4.5).
setDefaultTimeout(20_000)

const folder = mkdtempSync(join(tmpdir(), 'chatkit-create-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

describe('DATABASE_URL forms', () => {
	test('each form names its store', () => {
		expect(parseDatabaseUrl(undefined)).toEqual({ dialect: 'sqlite', path: join('.data', 'chatkit.db') })
		expect(parseDatabaseUrl('')).toEqual({ dialect: 'sqlite', path: join('.data', 'chatkit.db') })
		expect(parseDatabaseUrl('sqlite:.data/dev.db')).toEqual({ dialect: 'sqlite', path: '.data/dev.db' })
		expect(parseDatabaseUrl('sqlite:///var/lib/chat.db')).toEqual({
			dialect: 'sqlite',
			path: '/var/lib/chat.db'
		})
		expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', path: ':memory:' })
		expect(parseDatabaseUrl('/srv/chat.db')).toEqual({ dialect: 'sqlite', path: '/srv/chat.db' })
		expect(parseDatabaseUrl('data/chat.db')).toEqual({ dialect: 'sqlite', path: 'data/chat.db' })
		expect(parseDatabaseUrl('postgres://u:p@db:5432/app')).toEqual({
			dialect: 'postgresql',
			url: 'postgres://u:p@db:5432/app'
		})
		expect(parseDatabaseUrl('postgresql://db/app?sslmode=require').dialect).toBe('postgresql')
		expect(parseDatabaseUrl('memory:')).toEqual({ dialect: 'memory' })
	})

	test('an unsupported scheme is refused without echoing the URL', () => {
		expect(() => parseDatabaseUrl('mysql://root:hunter2@db/app')).toThrow(
			'DATABASE_URL: unsupported scheme "mysql:"'
		)
		try {
			parseDatabaseUrl('mysql://root:hunter2@db/app')
		} catch (error) {
			expect(String(error)).not.toContain('hunter2')
		}
		expect(() => parseDatabaseUrl('sqlite:')).toThrow('needs a path')
	})

	test('createStore opens the store each form names', async () => {
		const memory = createStore('memory:')
		expect(memory).toBeInstanceOf(ManagedMemoryStore)
		const file = createStore(`sqlite:${join(folder, 'a', 'b.db')}`)
		expect(file).toBeInstanceOf(SqliteStore)
		expect(existsSync(join(folder, 'a', 'b.db'))).toBe(true)
		const bare = createStore(join(folder, 'bare.db'))
		expect(bare.dialect).toBe('sqlite')
		const pg = createStore('postgres://chatkit@127.0.0.1:1/none', { postgres: { connectTimeout: 1 } })
		expect(pg).toBeInstanceOf(PostgresStore)
		for (const store of [memory, file, bare, pg]) await store.close()
	})

	test('without a URL the store is the SQLite file .data/chatkit.db, folder created', async () => {
		const cwd = process.cwd()
		const dir = mkdtempSync(join(folder, 'cwd-'))
		process.chdir(dir)
		try {
			const store = createStore()
			const context = newContext()
			await store.saveThread(thread('thr_default'), context)
			await store.close()
			expect(existsSync(join(dir, '.data', 'chatkit.db'))).toBe(true)
		} finally {
			process.chdir(cwd)
		}
	})
})

const createThread = (base: string, text: string) =>
	fetch(`${base}/chatkit`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			type: 'threads.create',
			params: {
				input: { content: [{ type: 'input_text', text }], attachments: [], inference_options: {} }
			}
		})
	})

const listThreads = async (base: string) => {
	const response = await fetch(`${base}/chatkit`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ type: 'threads.list', params: { order: 'asc' } })
	})
	return (await response.json()) as { data: { id: string; items: unknown }[] }
}

const serve = (url: string) =>
	new Elysia()
		.use(drizzleStore({ url }))
		.use(
			chatkit({
				async *respond(args) {
					yield* streamText(args, ['Noted', '.'])
				}
			})
		)
		.listen({ hostname: '127.0.0.1', port: 0 })

describe('drizzleStore plugin', () => {
	test('decorates the app with chatkitStore', async () => {
		const store = sqliteStore({ path: ':memory:' })
		const app = new Elysia()
			.use(drizzleStore({ store }))
			.get('/dialect', ({ chatkitStore }) => chatkitStore.dialect)
		const response = await app.handle(new Request('http://localhost/dialect'))
		expect(await response.text()).toBe('sqlite')
		await store.close()
	})

	test('threads written over HTTP survive a server restart on the same SQLite file', async () => {
		const url = `sqlite:${join(folder, 'server.db')}`
		const first = serve(url)
		const firstBase = `http://127.0.0.1:${first.server?.port}`
		const created = await createThread(firstBase, 'remember me')
		expect(created.status).toBe(200)
		await created.text()
		const before = await listThreads(firstBase)
		expect(before.data).toHaveLength(1)
		await first.stop()

		const second = serve(url)
		try {
			const after = await listThreads(`http://127.0.0.1:${second.server?.port}`)
			expect(after.data.map((entry) => entry.id)).toEqual(before.data.map((entry) => entry.id))
			const response = await fetch(`http://127.0.0.1:${second.server?.port}/chatkit`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({
					type: 'items.list',
					params: { thread_id: at(after.data, 0).id, order: 'asc' }
				})
			})
			const items = (await response.json()) as { data: { type: string; content: { text: string }[] }[] }
			expect(items.data.map((item) => item.type)).toEqual(['user_message', 'assistant_message'])
			expect(items.data[0]?.content[0]?.text).toBe('remember me')
			expect(items.data[1]?.content[0]?.text).toBe('Noted.')
		} finally {
			await second.stop()
		}
	})

	test('a store the plugin opened is closed when the app stops; a store passed in is not', async () => {
		const own = new Elysia().use(drizzleStore({ url: `sqlite:${join(folder, 'stop.db')}` })).listen({
			hostname: '127.0.0.1',
			port: 0
		})
		const opened = own.decorator.chatkitStore
		await own.stop()
		await expect(opened.loadThread('thr_1', newContext())).rejects.toThrow('closed')

		const passed = sqliteStore({ path: join(folder, 'passed.db') })
		const app = new Elysia()
			.use(drizzleStore({ store: passed }))
			.listen({ hostname: '127.0.0.1', port: 0 })
		await app.stop()
		const context = newContext()
		await passed.saveThread(thread('thr_still_open'), context)
		expect((await passed.loadThread('thr_still_open', context)).id).toBe('thr_still_open')
		await passed.close()
	})
})
