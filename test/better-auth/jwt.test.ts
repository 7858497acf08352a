import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { type AnyElysia, Elysia } from 'elysia'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { AuthConfigError } from '../../plugins/auth'
import { betterAuthUser } from '../../plugins/better-auth'
import { logSink, withPayload } from '../auth/utils'
import {
	authCall,
	createAuth,
	createOrganization,
	databases,
	migrateAuth,
	type SharedDatabase,
	type SignedIn,
	signUp,
	sqliteDatabase,
	type TestAuth
} from './fixture'

const origin = 'http://localhost'

const appFor = (auth: TestAuth, log = logSink()) =>
	new Elysia()
		.mount(auth.handler)
		.use(betterAuthUser(auth, { mode: 'jwt', log }))
		.post('/me', ({ user }) => user)

const me = (app: AnyElysia, token: string) =>
	app.handle(new Request(`${origin}/me`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }))

/** A token from the jwt() plugin's `/token` endpoint, as a client gets it with its session. */
const tokenOf = async (app: AnyElysia, who: SignedIn) => {
	const res = await authCall(app, origin, who, '/token')
	expect(res.status).toBe(200)
	return ((await res.json()) as { token: string }).token
}

const expectRefused = async (res: Response) => {
	expect(res.status).toBe(401)
	expect(res.headers.get('www-authenticate')).toBe('Bearer')
	expect(await res.json()).toEqual({ code: 'unauthorized', message: 'Authentication required' })
}

for (const open of databases)
	describe(`betterAuthUser JWT mode over ${open.name.replace('Database', '')}`, () => {
		let database: SharedDatabase
		beforeAll(async () => {
			database = await open()
			await migrateAuth(createAuth(database))
		}, 60_000)
		afterAll(() => database.close(), 60_000)

		it('verifies the jwt() plugin’s EdDSA tokens with the instance’s keys, through app.handle with no port open', async () => {
			const auth = createAuth(database)
			const app = appFor(auth)
			const alice = await signUp(app, origin, 'alice')
			const token = await tokenOf(app, alice)
			expect(decodeProtectedHeader(token).alg).toBe('EdDSA')
			expect(decodeJwt(token)).toMatchObject({ iss: origin, aud: origin, sub: alice.id })
			const res = await me(app, token)
			expect(res.status).toBe(200)
			expect(await res.json()).toEqual({ id: alice.id, tenantId: null, roles: ['user'] })

			const orgId = await createOrganization(app, origin, alice, 'Acme')
			const inOrg = decodeJwt(await tokenOf(app, alice))
			expect(inOrg.activeOrganizationId).toBe(orgId)
			expect(await (await me(app, await tokenOf(app, alice))).json()).toEqual({
				id: alice.id,
				tenantId: orgId,
				roles: ['user']
			})
		})

		it('refuses a token of another Better Auth instance, a changed one, an expired one and a session token', async () => {
			const auth = createAuth(database)
			const log = logSink()
			const app = appFor(auth, log)
			const alice = await signUp(app, origin, 'alice')
			const token = await tokenOf(app, alice)
			expect((await me(app, token)).status).toBe(200)

			const other = await sqliteDatabase()
			try {
				const otherAuth = createAuth(other)
				await migrateAuth(otherAuth)
				const otherApp = appFor(otherAuth)
				const mallory = await signUp(otherApp, origin, 'mallory')
				const foreign = await tokenOf(otherApp, mallory)
				expect(decodeJwt(foreign)).toMatchObject({ iss: origin, aud: origin })
				await expectRefused(await me(app, foreign))
				// Same issuer and audience, another key: refused for the key alone.
				expect(log.lines.at(-1)).toContain('ERR_JWKS_NO_MATCHING_KEY')
			} finally {
				await other.close()
			}

			await expectRefused(
				await me(app, withPayload(token, { ...decodeJwt(token), sub: 'someone-else' }))
			)
			const now = Math.floor(Date.now() / 1000)
			const signed = (payload: Record<string, unknown>) =>
				auth.api.signJWT({ body: { payload: { sub: alice.id, ...payload } } }).then((r) => r.token)
			expect((await me(app, await signed({ iat: now, exp: now + 60 }))).status).toBe(200)
			await expectRefused(await me(app, await signed({ iat: now - 600, exp: now - 120 })))
			await expectRefused(await me(app, alice.bearer))
			expect(log.lines.join('\n')).not.toContain(token)
		})

		it('reads the keys again for a token with an unknown kid, so a new key is picked up and a removed one refused', async () => {
			const auth = createAuth(database)
			const app = new Elysia()
				.mount(auth.handler)
				.use(betterAuthUser(auth, { mode: 'jwt', keysCooldown: 0, log: () => {} }))
				.post('/me', ({ user }) => user)
			const alice = await signUp(app, origin, 'alice')
			const before = await tokenOf(app, alice)
			expect((await me(app, before)).status).toBe(200)

			const context = await auth.$context
			await context.adapter.deleteMany({ model: 'jwks', where: [] })
			const after = await tokenOf(app, alice)
			expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid)
			expect((await me(app, after)).status).toBe(200)
			await expectRefused(await me(app, before))
		})

		it('refuses tokens for another issuer or audience', async () => {
			const auth = createAuth(database)
			const app = new Elysia()
				.mount(auth.handler)
				.use(
					betterAuthUser(auth, { mode: 'jwt', audience: 'https://chat.example.com', log: () => {} })
				)
				.post('/me', ({ user }) => user)
			const alice = await signUp(app, origin, 'alice')
			const res = await authCall(app, origin, alice, '/token')
			const token = ((await res.json()) as { token: string }).token
			await expectRefused(
				await app.handle(
					new Request(`${origin}/me`, {
						method: 'POST',
						headers: { authorization: `Bearer ${token}` }
					})
				)
			)
		})
	})

describe('betterAuthUser JWT mode configuration', () => {
	it('needs the jwt() plugin', async () => {
		const database = await sqliteDatabase()
		try {
			const auth = createAuth(database)
			const withoutJwt = { ...auth, options: { ...auth.options, plugins: [] } }
			expect(() => betterAuthUser(withoutJwt, { mode: 'jwt' })).toThrow(AuthConfigError)
			expect(() => betterAuthUser(withoutJwt, { mode: 'jwt' })).toThrow('jwt() plugin')
		} finally {
			await database.close()
		}
	})
})
