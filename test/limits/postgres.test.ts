import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { type AnyElysia, Elysia } from 'elysia'
import { jwtAuth } from '../../plugins/auth'
import { limits } from '../../plugins/limits'
import { drizzleStore, PostgresStore } from '../../plugins/store'
import { chatkit } from '../../src/chatkit'
import { secret } from '../auth/utils'
import { at } from '../defined'
import { createTestDatabase } from '../store/pg'
import { events, eventually, heldResponder, input, openStream, send, tokenFor } from './app'

const alice = await tokenFor('alice', 'acme')

let database: Awaited<ReturnType<typeof createTestDatabase>>
const stores: PostgresStore[] = []
beforeAll(async () => {
	database = await createTestDatabase()
})
afterAll(async () => {
	for (const store of stores) await store.close()
	await database?.drop()
})

/** An app instance over the shared test database, with its own connection pool. */
const instance = (respond = heldResponder().respond) => {
	const store = new PostgresStore({ url: database.url, max: 3 })
	stores.push(store)
	const app: AnyElysia = new Elysia()
		.use(drizzleStore({ store }))
		.use(jwtAuth({ secret, log: () => {} }))
		.use(limits({ env: {}, requestsPerMinute: 5, maxConcurrentStreams: 1 }))
		.use(chatkit({ respond }))
	return { app, store }
}

describe('limits over PostgreSQL', () => {
	it('share the request budget and the stream slots between instances over one database', async () => {
		const held = heldResponder()
		const [one, two] = [instance(held.respond), instance(held.respond)]
		const stream = await openStream(await send(one.app, alice, 'threads.create', { input: input('one') }))
		const refused = await events(await send(two.app, alice, 'threads.create', { input: input('two') }))
		expect(refused.map((event) => event.type)).toEqual(['error'])
		expect(refused[0].message).toContain('1 reply in progress')

		held.finish()
		await stream.drain()
		const admitted = async () => {
			const res = await send(two.app, alice, 'threads.list')
			return res.status === 200
		}
		// Hits so far: create (1); the refused create is not counted. Four more fit in the minute, over
		// either instance.
		expect(await admitted()).toBe(true)
		expect(await admitted()).toBe(true)
		expect((await send(one.app, alice, 'threads.list')).status).toBe(200)
		expect((await send(two.app, alice, 'threads.list')).status).toBe(200)
		const over = await send(one.app, alice, 'threads.list')
		expect(over.status).toBe(429)
		expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0)
	})

	it('free the slot of a stream whose client went away', async () => {
		const held = heldResponder()
		const one = instance(held.respond)
		const bob = await tokenFor('bob', 'acme')
		const first = await openStream(await send(one.app, bob, 'threads.create', { input: input('one') }))
		await first.reader.cancel()
		const freed = await eventually(async () => {
			const rows = await one.store.client`
				select count(*)::int as n from chatkit_stream_slots s, jsonb_each(s.leases) where s.key = ${JSON.stringify(['acme', 'bob'])}`
			return at(rows, 0).n === 0
		})
		expect(freed).toBe(true)
		const second = await openStream(await send(one.app, bob, 'threads.create', { input: input('two') }))
		held.finish()
		await second.drain()
	})
})
