import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../examples/better-auth'
import { createClient } from '../../src/client'
import {
	authCall,
	createOrganization,
	type SignedIn,
	setActiveOrganization,
	signUp
} from '../better-auth/fixture'
import { createTestDatabase } from '../store/pg'

const origin = 'http://localhost'
const secret = 'an-example-secret-that-is-32-bytes-or-longer'

const sqliteUrl = async () => {
	const dir = mkdtempSync(join(tmpdir(), 'chatkit-example-better-auth-'))
	return { url: join(dir, 'app.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) }
}
const postgresUrl = async () => {
	const database = await createTestDatabase()
	return { url: database.url, drop: database.drop }
}

const titles = async (client: ReturnType<typeof createClient>) =>
	(await client.threads.list({})).data.map((thread) => thread.title ?? '')

const startThread = async (client: ReturnType<typeof createClient>, text: string) => {
	const types: string[] = []
	let id = ''
	for await (const event of client.threads.create({ input: text })) {
		types.push(event.type)
		if (event.type === 'thread.created') id = event.thread.id
	}
	expect(types.at(-1)).toBe('thread.item.done')
	await client.threads.update({ thread_id: id, title: text })
	return id
}

for (const [name, database] of [
	['SQLite', sqliteUrl],
	['PostgreSQL', postgresUrl]
] as const)
	describe(`Better Auth example on ${name}`, () => {
		let target: { url: string; drop: () => Promise<void> }
		let example: ReturnType<typeof createApp>
		beforeAll(async () => {
			target = await database()
			example = createApp({
				DATABASE_URL: target.url,
				BETTER_AUTH_URL: origin,
				BETTER_AUTH_SECRET: secret
			})
			await example.migrate()
		}, 60_000)
		afterAll(async () => {
			await example.close()
			await target.drop()
		}, 60_000)

		const clientOf = (who: SignedIn) =>
			createClient({ fetch: (request) => example.app.handle(request), headers: { cookie: who.cookie } })

		it('runs ChatKit as the Better Auth user, each user and each active organization apart', async () => {
			const { app, store } = example
			const alice = await signUp(app, origin, 'alice')
			const bob = await signUp(app, origin, 'bob')
			const whoami = await app.handle(
				new Request(`${origin}/whoami`, { headers: { cookie: alice.cookie } })
			)
			expect(await whoami.json()).toEqual({ id: alice.id, tenantId: null, roles: [], name: 'alice' })

			const aliceChat = clientOf(alice)
			await startThread(aliceChat, 'personal')
			expect(await titles(aliceChat)).toEqual(['personal'])
			expect(await titles(clientOf(bob))).toEqual([])

			const acme = await createOrganization(app, origin, alice, 'Acme')
			await setActiveOrganization(app, origin, alice, acme)
			expect(await titles(aliceChat)).toEqual([])
			await startThread(aliceChat, 'acme plans')
			expect(await titles(aliceChat)).toEqual(['acme plans'])
			await setActiveOrganization(app, origin, alice, null)
			expect(await titles(aliceChat)).toEqual(['personal'])

			// The ChatKit rows carry Better Auth's user and organization ids, in the same database.
			const owners =
				store.dialect === 'postgresql'
					? await store.client`select user_id, tenant_id from chatkit_threads order by seq`
					: store.dialect === 'sqlite'
						? store.client
								.query('select user_id, tenant_id from chatkit_threads order by seq')
								.all()
						: []
			expect(owners).toEqual([
				{ user_id: alice.id, tenant_id: '' },
				{ user_id: alice.id, tenant_id: acme }
			])

			const anonymous = await app.handle(
				new Request(`${origin}/chatkit`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ type: 'threads.list', params: {} })
				})
			)
			expect(anonymous.status).toBe(401)

			// JWT mode on the same instance's data: the jwt() plugin's token carries the active organization.
			const jwtApp = createApp(
				{ DATABASE_URL: target.url, BETTER_AUTH_URL: origin, BETTER_AUTH_SECRET: secret },
				{ mode: 'jwt' }
			)
			try {
				await setActiveOrganization(app, origin, alice, acme)
				const token = (
					(await (await authCall(app, origin, alice, '/token')).json()) as { token: string }
				).token
				const viaJwt = createClient({
					fetch: (request) => jwtApp.app.handle(request),
					headers: { authorization: `Bearer ${token}` }
				})
				expect(await titles(viaJwt)).toEqual(['acme plans'])
			} finally {
				await jwtApp.close()
			}
		}, 60_000)
	})
