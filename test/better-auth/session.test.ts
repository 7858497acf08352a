import type { Database } from 'bun:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createHmac } from 'node:crypto'
import { type AnyElysia, Elysia } from 'elysia'
import { betterAuthUser } from '../../plugins/better-auth'
import { logSink } from '../auth/utils'
import {
	authCall,
	createAuth,
	createOrganization,
	databases,
	migrateAuth,
	type SharedDatabase,
	type SignedIn,
	setActiveOrganization,
	signIn,
	signUp,
	sqliteDatabase,
	type TestAuth
} from './fixture'

/** Better Auth mounted, and behind it a route that answers with the ChatKit user. */
const appFor = (auth: TestAuth, log = logSink()) =>
	new Elysia()
		.mount(auth.handler)
		.use(betterAuthUser(auth, { log }))
		.post('/me', ({ user }) => user)

const me = (app: AnyElysia, origin: string, headers: Record<string, string>) =>
	app.handle(new Request(`${origin}/me`, { method: 'POST', headers }))

const expectRefused = async (res: Response) => {
	expect(res.status).toBe(401)
	expect(res.headers.get('content-type')).toStartWith('application/json')
	expect(await res.json()).toEqual({ code: 'unauthorized', message: 'Authentication required' })
}

/** A cookie value signed the way Better Auth signs it (HMAC-SHA256, base64), with any secret. */
const signedCookie = (name: string, token: string, secret: string) =>
	`${name}=${encodeURIComponent(`${token}.${createHmac('sha256', secret).update(token).digest('base64')}`)}`

for (const open of databases)
	describe(`betterAuthUser session mode over ${open.name.replace('Database', '')}`, () => {
		let database: SharedDatabase
		beforeAll(async () => {
			database = await open()
			await migrateAuth(createAuth(database))
		}, 60_000)
		afterAll(() => database.close(), 60_000)

		it('is the signed-in user, by the session cookie on http', async () => {
			const auth = createAuth(database)
			const log = logSink()
			const app = appFor(auth, log)
			const alice = await signUp(app, 'http://localhost', 'alice')
			expect(alice.cookie.startsWith('better-auth.session_token=')).toBe(true)
			const res = await me(app, 'http://localhost', { cookie: alice.cookie })
			expect(res.status).toBe(200)
			expect(await res.json()).toEqual({ id: alice.id, tenantId: null, roles: ['user'] })

			await expectRefused(await me(app, 'http://localhost', {}))
			expect(log.lines).toEqual([
				'[elysia-chatkit/auth] 401 POST /me: no better-auth.session_token cookie'
			])
		})

		it('reads the __Secure- cookie Better Auth sets behind HTTPS', async () => {
			const origin = 'https://chat.example.com'
			const auth = createAuth(database, { baseURL: origin })
			const app = appFor(auth)
			const alice = await signUp(app, origin, 'alice')
			expect(alice.cookie.startsWith('__Secure-better-auth.session_token=')).toBe(true)
			const res = await me(app, origin, { cookie: alice.cookie })
			expect(res.status).toBe(200)
			expect((await res.json()).id).toBe(alice.id)
			// The same value under the plain name is not Better Auth's cookie here.
			const plain = alice.cookie.replace('__Secure-', '')
			await expectRefused(await me(app, origin, { cookie: plain }))
		})

		it('reads a cookie with the app’s own prefix', async () => {
			const auth = createAuth(database, { advanced: { cookiePrefix: 'acme' } })
			const app = appFor(auth)
			const alice = await signUp(app, 'http://localhost', 'alice')
			expect(alice.cookie.startsWith('acme.session_token=')).toBe(true)
			const res = await me(app, 'http://localhost', { cookie: alice.cookie })
			expect((await res.json()).id).toBe(alice.id)
		})

		it('accepts the bearer() plugin’s token, from any origin, without a cookie', async () => {
			const auth = createAuth(database)
			const app = appFor(auth)
			const alice = await signUp(app, 'http://localhost', 'alice')
			const res = await me(app, 'http://localhost', {
				authorization: `Bearer ${alice.bearer}`,
				origin: 'https://elsewhere.example.net',
				'sec-fetch-site': 'cross-site'
			})
			expect(res.status).toBe(200)
			expect((await res.json()).id).toBe(alice.id)
			await expectRefused(await me(app, 'http://localhost', { authorization: 'Bearer nonsense.token' }))
		})

		it('refuses a signed-out, a revoked and an expired session', async () => {
			const auth = createAuth(database)
			const app = appFor(auth)
			const alice = await signUp(app, 'http://localhost', 'alice')
			const accepted = async (who: SignedIn) =>
				(await me(app, 'http://localhost', { cookie: who.cookie })).status === 200

			const signedOut = await signIn(app, 'http://localhost', alice.email)
			expect(await accepted(signedOut)).toBe(true)
			expect((await authCall(app, 'http://localhost', signedOut, '/sign-out', {})).status).toBe(200)
			await expectRefused(await me(app, 'http://localhost', { cookie: signedOut.cookie }))
			await expectRefused(
				await me(app, 'http://localhost', { authorization: `Bearer ${signedOut.bearer}` })
			)

			const revoked = await signIn(app, 'http://localhost', alice.email)
			expect(await accepted(revoked)).toBe(true)
			const revoke = await authCall(app, 'http://localhost', alice, '/revoke-session', {
				token: revoked.sessionToken
			})
			expect(revoke.status).toBe(200)
			await expectRefused(await me(app, 'http://localhost', { cookie: revoked.cookie }))

			const expired = await signIn(app, 'http://localhost', alice.email)
			expect(await accepted(expired)).toBe(true)
			const context = await auth.$context
			await context.internalAdapter.updateSession(expired.sessionToken, {
				expiresAt: new Date(Date.now() - 1000)
			})
			await expectRefused(await me(app, 'http://localhost', { cookie: expired.cookie }))

			expect(await accepted(alice)).toBe(true)
		})

		it('takes the tenant from the active organization, checked against the member table, and the roles from it', async () => {
			const auth = createAuth(database)
			const app = appFor(auth)
			const alice = await signUp(app, 'http://localhost', 'alice')
			const bob = await signUp(app, 'http://localhost', 'bob')
			const user = async (who: SignedIn) => {
				const res = await me(app, 'http://localhost', { cookie: who.cookie })
				return res.status === 200 ? await res.json() : res.status
			}
			const acme = await createOrganization(app, 'http://localhost', alice, 'Acme')
			const globex = await createOrganization(app, 'http://localhost', alice, 'Globex')
			await setActiveOrganization(app, 'http://localhost', alice, acme)
			expect(await user(alice)).toEqual({ id: alice.id, tenantId: acme, roles: ['owner'] })
			await setActiveOrganization(app, 'http://localhost', alice, globex)
			expect(await user(alice)).toEqual({ id: alice.id, tenantId: globex, roles: ['owner'] })
			await setActiveOrganization(app, 'http://localhost', alice, null)
			expect(await user(alice)).toEqual({ id: alice.id, tenantId: null, roles: ['user'] })

			await auth.api.addMember({
				body: { userId: bob.id, organizationId: acme, role: ['member', 'admin'] }
			})
			await setActiveOrganization(app, 'http://localhost', bob, acme)
			expect(await user(bob)).toEqual({ id: bob.id, tenantId: acme, roles: ['member', 'admin'] })
			// Removed by the owner, bob's session still names Acme: refused, not Acme's tenant.
			await setActiveOrganization(app, 'http://localhost', alice, acme)
			const removed = await authCall(app, 'http://localhost', alice, '/organization/remove-member', {
				memberIdOrEmail: bob.email
			})
			expect(removed.status).toBe(200)
			const session = await auth.api.getSession({ headers: new Headers({ cookie: bob.cookie }) })
			expect(session?.session.activeOrganizationId).toBe(acme)
			expect(await user(bob)).toBe(401)
			// An organization bob never joined cannot be made active either.
			const refused = await authCall(app, 'http://localhost', bob, '/organization/set-active', {
				organizationId: globex
			})
			expect(refused.status).toBe(403)
		})

		it('makes the user whatever mapUser returns, from the typed Better Auth session', async () => {
			const auth = createAuth(database)
			const app = new Elysia()
				.mount(auth.handler)
				.use(
					betterAuthUser(auth, {
						mapUser: (session, { user, member }) =>
							session.user.banned
								? null
								: { ...user, email: session.user.email, member: member?.id ?? null }
					})
				)
				.post('/me', ({ user }) => ({ email: user.email.toUpperCase(), member: user.member }))
			const alice = await signUp(app, 'http://localhost', 'alice')
			const res = await me(app, 'http://localhost', { cookie: alice.cookie })
			expect(await res.json()).toEqual({ email: alice.email.toUpperCase(), member: null })
		})

		it('refuses a forged cookie: a changed token, or a real token signed with another secret', async () => {
			const auth = createAuth(database)
			const app = appFor(auth)
			const alice = await signUp(app, 'http://localhost', 'alice')
			const [name, value] = alice.cookie.split('=') as [string, string]
			const [, signature] = decodeURIComponent(value).split('.')
			const changed = `${name}=${encodeURIComponent(`${'x'.repeat(32)}.${signature}`)}`
			await expectRefused(await me(app, 'http://localhost', { cookie: changed }))
			const otherSecret = signedCookie(
				name,
				alice.sessionToken,
				'another-secret-of-at-least-32-bytes!!'
			)
			await expectRefused(await me(app, 'http://localhost', { cookie: otherSecret }))
			await expectRefused(
				await me(app, 'http://localhost', { cookie: `${name}=${alice.sessionToken}` })
			)
			// The same construction with the instance's own secret is accepted: the refusals are the signature's.
			const genuine = signedCookie(name, alice.sessionToken, auth.options.secret as string)
			expect((await me(app, 'http://localhost', { cookie: genuine })).status).toBe(200)
		})

		it('refuses a cross-site cookie request unless its origin is one of Better Auth’s trustedOrigins', async () => {
			const auth = createAuth(database, {
				trustedOrigins: ['https://app.example.com', 'https://*.partner.example.org']
			})
			const log = logSink()
			const app = appFor(auth, log)
			const alice = await signUp(app, 'http://localhost', 'alice')
			const from = (origin: string, site = 'cross-site') =>
				me(app, 'http://localhost', { cookie: alice.cookie, origin, 'sec-fetch-site': site })

			await expectRefused(await from('https://evil.example.net'))
			await expectRefused(await from('https://evil.example.net', 'same-site'))
			await expectRefused(
				await me(app, 'http://localhost', {
					cookie: alice.cookie,
					origin: 'https://evil.example.net'
				})
			)
			expect(log.lines[0]).toBe(
				'[elysia-chatkit/auth] 401 POST /me: cross-site POST with a cookie credential from an untrusted origin'
			)
			expect(log.lines.join('\n')).not.toContain(alice.sessionToken)

			expect((await from('https://app.example.com')).status).toBe(200)
			expect((await from('https://eu.partner.example.org')).status).toBe(200)
			expect((await from('http://localhost', 'same-origin')).status).toBe(200)
			// A bearer token is not sent by the browser on its own: no origin check.
			const bearer = await me(app, 'http://localhost', {
				authorization: `Bearer ${alice.bearer}`,
				origin: 'https://evil.example.net',
				'sec-fetch-site': 'cross-site'
			})
			expect(bearer.status).toBe(200)
			// An invalid bearer token does not let the cookie past the check.
			await expectRefused(
				await me(app, 'http://localhost', {
					cookie: alice.cookie,
					authorization: 'Bearer forged.token',
					origin: 'https://evil.example.net',
					'sec-fetch-site': 'cross-site'
				})
			)
		})

		it('asks trustedOrigins(request) when Better Auth has it as a function', async () => {
			const auth = createAuth(database, {
				trustedOrigins: async (request) =>
					request?.headers.get('x-tenant') === 'partner' ? ['https://partner.example.org'] : []
			})
			const app = appFor(auth)
			const alice = await signUp(app, 'http://localhost', 'alice')
			const headers = {
				cookie: alice.cookie,
				origin: 'https://partner.example.org',
				'sec-fetch-site': 'cross-site'
			}
			expect((await me(app, 'http://localhost', { ...headers, 'x-tenant': 'partner' })).status).toBe(
				200
			)
			await expectRefused(await me(app, 'http://localhost', headers))
		})
	})

describe('betterAuthUser session mode when Better Auth fails', () => {
	it('answers 503 auth_unavailable, with the error in the log and not the cookie', async () => {
		const database = await sqliteDatabase()
		const auth = createAuth(database)
		await migrateAuth(auth)
		const log = logSink()
		const app = appFor(auth, log)
		const alice = await signUp(app, 'http://localhost', 'alice')
		expect((await me(app, 'http://localhost', { cookie: alice.cookie })).status).toBe(200)
		;(database.authDatabase as Database).close()
		try {
			const res = await me(app, 'http://localhost', { cookie: alice.cookie })
			expect(res.status).toBe(503)
			expect((await res.json()).code).toBe('auth_unavailable')
			expect(log.lines.at(-1)).toStartWith('[elysia-chatkit/auth] 503 POST /me: the verifier failed')
			expect(log.lines.join('\n')).not.toContain(alice.sessionToken)
		} finally {
			await database.close().catch(() => {})
		}
	})
})
