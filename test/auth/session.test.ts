import { describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import { sessionAuth, signCookieValue, verifyCookieValue } from '../../plugins/auth'
import { logSink, req } from './utils'

const cookieSecret = 'session-signing-secret-of-32-bytes-or-more'

const users: Record<string, { id: string; tenantId: string; email: string }> = {
	alice: { id: 'alice', tenantId: 'acme', email: 'alice@example.com' }
}

const appWith = (log = logSink()) =>
	new Elysia()
		.use(
			sessionAuth({
				log,
				trustedOrigins: ['https://app.example.com'],
				verify: (value) => {
					const id = verifyCookieValue(value, cookieSecret)
					return id ? (users[id] ?? null) : null
				}
			})
		)
		.get('/me', ({ user }) => ({ id: user.id, tenantId: user.tenantId, email: user.email }))
		.post('/chatkit', ({ user }) => user.id)

const withCookie = (value: string, init: RequestInit & { path?: string } = {}) =>
	req(init.path ?? '/me', {
		...init,
		headers: {
			...(init.headers as Record<string, string>),
			cookie: `other=1; chatkit_session=${encodeURIComponent(value)}`
		}
	})

describe('sessionAuth', () => {
	it('gives the user verify returns, with its own fields typed', async () => {
		const res = await appWith().handle(withCookie(signCookieValue('alice', cookieSecret)))
		expect(res.status).toBe(200)
		expect(await res.json()).toEqual({ id: 'alice', tenantId: 'acme', email: 'alice@example.com' })
	})

	it('answers 401 without the cookie', async () => {
		const res = await appWith().handle(req('/me'))
		expect(res.status).toBe(401)
		expect(res.headers.get('content-type')).toStartWith('application/json')
		expect(await res.json()).toEqual({ code: 'unauthorized', message: 'Authentication required' })
	})

	it('answers 401 when verify refuses the value', async () => {
		expect((await appWith().handle(withCookie(signCookieValue('mallory', cookieSecret)))).status).toBe(
			401
		)
		expect((await appWith().handle(withCookie('alice'))).status).toBe(401)
	})

	it('answers 401 to a tampered cookie and logs no cookie value', async () => {
		const signed = signCookieValue('alice', cookieSecret)
		const [version, , expiry, mac] = signed.split('.')
		const forged = [version, Buffer.from('admin').toString('base64url'), expiry, mac].join('.')
		const log = logSink()
		const res = await appWith(log).handle(withCookie(forged))
		expect(res.status).toBe(401)
		expect(await res.text()).not.toContain(forged)
		expect(log.lines[0]).toContain('chatkit_session cookie refused')
		expect(log.lines[0]).not.toContain(mac)
	})

	it('reads a cookie name of the application', async () => {
		const app = new Elysia()
			.use(
				sessionAuth({ cookie: 'sid', verify: (value) => (value === 's3cr3t' ? { id: 'bob' } : null) })
			)
			.get('/me', ({ user }) => user.id)
		expect(await (await app.handle(req('/me', { headers: { cookie: 'sid=s3cr3t' } }))).text()).toBe('bob')
	})

	it('refuses cross-site state-changing requests from untrusted origins', async () => {
		const app = appWith()
		const value = signCookieValue('alice', cookieSecret)
		const post = (headers: Record<string, string>) =>
			app.handle(withCookie(value, { path: '/chatkit', method: 'POST', headers }))
		expect(
			(await post({ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example.net' })).status
		).toBe(401)
		expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(401)
		expect(
			(await post({ 'sec-fetch-site': 'cross-site', origin: 'https://app.example.com' })).status
		).toBe(200)
		expect((await post({ 'sec-fetch-site': 'same-origin', origin: 'http://localhost' })).status).toBe(200)
		expect((await post({})).status).toBe(200)
		const crossSiteGet = withCookie(value, {
			headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example.net' }
		})
		expect((await app.handle(crossSiteGet)).status).toBe(200)
	})

	it('answers 503 when verify throws, logging the reason and sending none of it', async () => {
		const logged: string[] = []
		const app = new Elysia()
			.use(
				sessionAuth({
					verify: (): { id: string } | null => {
						throw new Error('connect ECONNREFUSED postgres://admin:hunter2@db/sessions')
					},
					log: (line) => logged.push(line)
				})
			)
			.get('/me', ({ user }) => user.id)
		const res = await app.handle(req('/me', { headers: { cookie: 'chatkit_session=x' } }))
		expect(res.status).toBe(503)
		const text = await res.text()
		expect(JSON.parse(text).code).toBe('auth_unavailable')
		expect(text).not.toContain('hunter2')
		expect(logged).toHaveLength(1)
	})

	it('refuses a cookie-authenticated write from a sibling site or a foreign origin', async () => {
		const app = new Elysia()
			.use(sessionAuth({ verify: (value) => (value === 'good' ? { id: 'u1' } : null) }))
			.post('/write', ({ user }) => user.id)
		const write = (headers: Record<string, string>) =>
			app.handle(
				req('/write', { method: 'POST', headers: { cookie: 'chatkit_session=good', ...headers } })
			)
		expect(
			(await write({ 'sec-fetch-site': 'same-site', origin: 'https://evil.example.com' })).status
		).toBe(401)
		expect((await write({ origin: 'https://evil.example.com' })).status).toBe(401)
		expect((await write({ 'sec-fetch-site': 'same-origin' })).status).toBe(200)
		expect((await write({})).status).toBe(200)
	})

	it('needs a verify function', () => {
		// @ts-expect-error verify is required
		expect(() => sessionAuth({})).toThrow('verify')
	})
})

describe('signed cookie values', () => {
	it('round-trips a value', () => {
		expect(verifyCookieValue(signCookieValue('user 1 ✓', cookieSecret), cookieSecret)).toBe('user 1 ✓')
	})

	it('refuses another secret, a changed signature, an expired value and junk', () => {
		const signed = signCookieValue('alice', cookieSecret)
		expect(verifyCookieValue(signed, 'another-secret-that-is-long-enough-too')).toBeNull()
		expect(verifyCookieValue(`${signed.slice(0, -2)}AA`, cookieSecret)).toBeNull()
		expect(verifyCookieValue(signCookieValue('alice', cookieSecret, -1), cookieSecret)).toBeNull()
		const [version, value, , mac] = signed.split('.')
		expect(verifyCookieValue([version, value, '99999999999', mac].join('.'), cookieSecret)).toBeNull()
		for (const junk of ['', 'alice', 'v1.a.b', 'v2.a.1.b', 'v1..1.'])
			expect(verifyCookieValue(junk, cookieSecret)).toBeNull()
	})

	it('refuses a short secret', () => {
		expect(() => signCookieValue('alice', 'short')).toThrow('at least 32 bytes')
	})
})
