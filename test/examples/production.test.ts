import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { SignJWT } from 'jose'
import { createApp } from '../../examples/production'
import { createClient } from '../../src/client'
import { at } from '../defined'
import { createTestDatabase } from '../store/pg'

const root = join(import.meta.dir, '../..')
const secret = randomBytes(32).toString('base64url')
const token = (sub: string, tenant: string) =>
	new SignJWT({ tenant_id: tenant })
		.setProtectedHeader({ alg: 'HS256' })
		.setSubject(sub)
		.setIssuedAt()
		.setExpirationTime('10m')
		.sign(new TextEncoder().encode(secret))

let database: Awaited<ReturnType<typeof createTestDatabase>>
let env: Record<string, string>
beforeAll(async () => {
	database = await createTestDatabase()
	env = {
		NODE_ENV: 'production',
		DATABASE_URL: database.url,
		JWT_SECRET: secret,
		CORS_ORIGINS: 'https://app.example.com',
		RATE_LIMIT_PER_MINUTE: '30',
		MAX_CONCURRENT_STREAMS: '2'
	}
})
afterAll(async () => {
	await database?.drop()
})

describe('production example', () => {
	it('answers an authenticated turn with the agent, keeps it in PostgreSQL, and refuses requests without a token', async () => {
		const { app, store } = createApp(env)
		try {
			const alice = await token('alice', 'acme')
			const client = createClient({
				fetch: (request) => app.handle(request),
				headers: { authorization: `Bearer ${alice}` }
			})
			const types: string[] = []
			let threadId = ''
			for await (const event of client.threads.create({ input: 'Hello, what is the current time?' })) {
				types.push(event.type)
				if (event.type === 'thread.created') threadId = event.thread.id
			}
			expect(types[0]).toBe('thread.created')
			expect(types).toContain('progress_update')
			expect(types.at(-1)).toBe('thread.item.done')
			const thread = await client.threads.getById({ thread_id: threadId })
			expect(thread.items.data.map((item) => item.type)).toContain('assistant_message')
			const rows = await store.client`select count(*)::int as n from chatkit_threads`
			expect(at(rows, 0).n).toBe(1)

			const anonymous = await app.handle(
				new Request('http://localhost/chatkit', {
					method: 'POST',
					headers: { 'content-type': 'application/json', origin: 'https://app.example.com' },
					body: JSON.stringify({ type: 'threads.list', params: {} })
				})
			)
			expect(anonymous.status).toBe(401)
			expect(anonymous.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
			expect(await anonymous.json()).toEqual({
				code: 'unauthorized',
				message: 'Authentication required'
			})

			const bob = createClient({
				fetch: (request) => app.handle(request),
				headers: { authorization: `Bearer ${await token('bob', 'acme')}` }
			})
			expect((await bob.threads.list({})).data).toEqual([])
		} finally {
			await store.close()
		}
	})

	it('runs a server tool that shows a widget, and the widget action updates it for its owner only', async () => {
		const { app, store } = createApp(env)
		try {
			const headersOf = async (sub: string) => ({ authorization: `Bearer ${await token(sub, 'acme')}` })
			const dana = createClient({
				fetch: (request) => app.handle(request),
				headers: await headersOf('dana')
			})
			const events = []
			for await (const event of dana.threads.create({ input: 'What is the order status of my order?' }))
				events.push(event)
			const threadId = events[0]?.type === 'thread.created' ? events[0].thread.id : ''
			expect(events.map((event) => event.type)).toContain('progress_update')
			const shown = events.find(
				(event) => event.type === 'thread.item.done' && event.item.type === 'widget'
			)
			const widget = shown?.type === 'thread.item.done' ? shown.item : undefined
			expect(JSON.stringify(widget)).toContain('Cancel order')

			// The action the card's button sends (the offline model fills the tool's arguments with samples).
			const action = JSON.parse(JSON.stringify(widget)).widget.children[1].onClickAction
			expect(action.type).toBe('order.cancel')
			const post = (headers: Record<string, string>) =>
				app.handle(
					new Request('http://localhost/chatkit', {
						method: 'POST',
						headers: { ...headers, 'content-type': 'application/json' },
						body: JSON.stringify({
							type: 'threads.custom_action',
							params: { thread_id: threadId, item_id: widget?.id, action }
						})
					})
				)
			expect((await post(await headersOf('eve'))).status).toBe(404)
			const answer = await (await post(await headersOf('dana'))).text()
			expect(answer).toContain('"type":"thread.item.replaced"')
			const items = await dana.items.list({ thread_id: threadId, limit: 50, order: 'asc' })
			const saved = items.data.find((item) => item.id === widget?.id)
			expect(JSON.stringify(saved)).toContain(': cancelled')
			expect(JSON.stringify(saved)).not.toContain('Cancel order')
		} finally {
			await store.close()
		}
	})

	it('names what is missing: a PostgreSQL DATABASE_URL and a JWT key', () => {
		expect(() => createApp({ ...env, DATABASE_URL: 'sqlite::memory:' })).toThrow(/DATABASE_URL/)
		expect(() => createApp({ ...env, JWT_SECRET: undefined })).toThrow(/^JWT_SECRET/)
	})

	it(
		'listens when run directly, over real HTTP',
		async () => {
			const child = Bun.spawn(['bun', 'run', 'examples/production.ts'], {
				cwd: root,
				env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', ...env },
				stdout: 'pipe',
				stderr: 'pipe'
			})
			try {
				const reader = child.stdout.getReader()
				let output = ''
				while (!/http:\/\/\S+\/chatkit/.test(output)) {
					const { done, value } = await reader.read()
					if (done)
						throw new Error(
							`the example exited:\n${output}${await new Response(child.stderr).text()}`
						)
					output += new TextDecoder().decode(value)
				}
				reader.releaseLock()
				const url = (/http:\/\/\S+\/chatkit/.exec(output) as RegExpExecArray)[0]
				expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(401)
				const client = createClient({
					url,
					headers: { authorization: `Bearer ${await token('carol', 'acme')}` }
				})
				const events = []
				for await (const event of client.threads.create({ input: 'Hi' })) events.push(event.type)
				expect(events[0]).toBe('thread.created')
				expect(events).toContain('thread.item.done')
				expect((await client.threads.list({})).data).toHaveLength(1)
			} finally {
				child.kill('SIGTERM')
				await child.exited
			}
		},
		{ timeout: 60_000 }
	)
})
