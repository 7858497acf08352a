import { afterAll, expect, it } from 'bun:test'
import type { ThreadStreamEvent } from 'elysia-chatkit'
import { createClient } from 'elysia-chatkit/client'
import { createApp } from './production'

const databaseUrl = process.env.LEVEL3_DATABASE_URL
if (!databaseUrl) throw new Error('LEVEL3_DATABASE_URL (an empty PostgreSQL database) is required')
const secret = crypto.randomUUID() + crypto.randomUUID()

/** An HS256 token for `sub` in tenant `acme`, signed with Web Crypto (what an identity provider issues). */
const token = async (sub: string) => {
	const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
	const now = Math.floor(Date.now() / 1000)
	const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, tenant_id: 'acme', iat: now, exp: now + 600 })}`
	const key = await crypto.subtle.importKey(
		'raw',
		new TextEncoder().encode(secret),
		{ name: 'HMAC', hash: 'SHA-256' },
		false,
		['sign']
	)
	const signature = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(body))
	return `${body}.${Buffer.from(signature).toString('base64url')}`
}

const { app, store } = createApp({
	NODE_ENV: 'production',
	DATABASE_URL: databaseUrl,
	JWT_SECRET: secret,
	CORS_ORIGINS: 'https://app.example.com'
})
afterAll(() => store.close())

it('level 3 (production) refuses anonymous requests, and runs a signed-in turn with a tool and a widget on PostgreSQL', async () => {
	const anonymous = await app.handle(
		new Request('http://localhost/chatkit', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ type: 'threads.list', params: {} })
		})
	)
	expect(anonymous.status).toBe(401)

	const dana = createClient({ app, headers: { authorization: `Bearer ${await token('dana')}` } })
	const events: ThreadStreamEvent[] = []
	for await (const event of dana.threads.create({ input: 'What is the order status of my order?' }))
		events.push(event)
	expect(events.map((event) => event.type)).toContain('progress_update')
	const widget = events.find((event) => event.type === 'thread.item.done' && event.item.type === 'widget')
	expect(JSON.stringify(widget)).toContain('Cancel order')
	expect((await dana.threads.list({})).data).toHaveLength(1)

	const eve = createClient({ app, headers: { authorization: `Bearer ${await token('eve')}` } })
	expect((await eve.threads.list({})).data).toEqual([])
	const rows = await store.client`select count(*)::int as n from chatkit_threads`
	expect(rows[0]?.n).toBe(1)
})
