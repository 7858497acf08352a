import { describe, expect, it } from 'bun:test'
import { Elysia, t } from 'elysia'
import { type JwtAuthOptions, jwtAuth } from '../../plugins/auth'
import type { ChatKitUser } from '../../src/store/types'
import { bearer, keyPair, logSink, req, secret, secretKey, sign, unsecuredToken, withPayload } from './utils'

const appWith = <U extends ChatKitUser>(options: JwtAuthOptions<U>, log = logSink()) =>
	new Elysia().use(jwtAuth({ log, ...options })).get('/me', ({ user }) => user)

const call = async (app: { handle(request: Request): Promise<Response> }, request: Request) => {
	const res = await app.handle(request)
	return { status: res.status, type: res.headers.get('content-type'), text: await res.text() }
}

const unauthorized = { code: 'unauthorized', message: 'Authentication required' }

describe('jwtAuth with a shared secret (HS256)', () => {
	it('puts the verified user on the context', async () => {
		const app = appWith({ secret })
		const token = await sign({ tenant_id: 'acme', roles: ['admin', 7, 'editor'] }, secretKey)
		const res = await app.handle(bearer(token))
		expect(res.status).toBe(200)
		expect(await res.json()).toEqual({ id: 'user_1', tenantId: 'acme', roles: ['admin', 'editor'] })
	})

	it('gives a null tenant and no roles when the claims are absent', async () => {
		const res = await appWith({ secret }).handle(bearer(await sign({}, secretKey)))
		expect(await res.json()).toEqual({ id: 'user_1', tenantId: null, roles: [] })
	})

	it('reads the tenant from a configured claim, numbers included', async () => {
		const app = appWith({ secret, tenantClaim: 'org' })
		const res = await app.handle(bearer(await sign({ org: 42, tenant_id: 'ignored' }, secretKey)))
		expect((await res.json()).tenantId).toBe('42')
	})

	it('refuses a tenant claim that is neither a string nor a number', async () => {
		const res = await appWith({ secret }).handle(bearer(await sign({ tenant_id: ['a', 'b'] }, secretKey)))
		expect(res.status).toBe(401)
	})

	it('refuses a token without sub', async () => {
		const res = await appWith({ secret }).handle(bearer(await sign({}, secretKey, { sub: null })))
		expect(res.status).toBe(401)
	})

	it('gives mapped claims to the handler', async () => {
		const app = new Elysia()
			.use(
				jwtAuth({
					secret,
					log: logSink(),
					mapUser: (payload, { user }) => user && { ...user, plan: String(payload.plan ?? 'free') }
				})
			)
			.get('/me', ({ user }) => ({ id: user.id, plan: user.plan }))
		const res = await app.handle(bearer(await sign({ plan: 'pro' }, secretKey)))
		expect(await res.json()).toEqual({ id: 'user_1', plan: 'pro' })
	})

	it('refuses the token when mapUser returns null', async () => {
		const app = appWith({
			secret,
			mapUser: (payload) => (payload.banned ? null : { id: String(payload.sub) })
		})
		expect((await app.handle(bearer(await sign({ banned: true }, secretKey)))).status).toBe(401)
		expect((await app.handle(bearer(await sign({}, secretKey)))).status).toBe(200)
	})
})

describe('jwtAuth with a PEM public key', () => {
	it('accepts RS256 tokens signed by the matching private key', async () => {
		const keys = await keyPair('RS256')
		const token = await sign({ tenant_id: 't1' }, keys.privateKey, { alg: 'RS256' })
		const res = await appWith({ publicKey: keys.pem }).handle(bearer(token))
		expect(await res.json()).toEqual({ id: 'user_1', tenantId: 't1', roles: [] })
	})

	it('accepts ES256 tokens signed by the matching private key', async () => {
		const keys = await keyPair('ES256')
		const token = await sign({ roles: ['viewer'] }, keys.privateKey, { alg: 'ES256' })
		const res = await appWith({ publicKey: keys.pem }).handle(bearer(token))
		expect(await res.json()).toEqual({ id: 'user_1', tenantId: null, roles: ['viewer'] })
	})

	for (const alg of ['ES384', 'EdDSA'] as const)
		it(`accepts ${alg} tokens, the algorithm following the key`, async () => {
			const keys = await keyPair(alg)
			const token = await sign({}, keys.privateKey, { alg })
			expect((await appWith({ publicKey: keys.pem }).handle(bearer(token))).status).toBe(200)
		})

	it('accepts PS256 with an RSA key only when the allow-list names it', async () => {
		const keys = await keyPair('PS256')
		const token = await sign({}, keys.privateKey, { alg: 'PS256' })
		expect((await appWith({ publicKey: keys.pem }).handle(bearer(token))).status).toBe(401)
		expect(
			(await appWith({ publicKey: keys.pem, algorithms: ['PS256'] }).handle(bearer(token))).status
		).toBe(200)
	})

	it('refuses a token signed by another key of the same kind', async () => {
		const [keys, other] = await Promise.all([keyPair('RS256'), keyPair('RS256')])
		const token = await sign({}, other.privateKey, { alg: 'RS256' })
		expect((await appWith({ publicKey: keys.pem }).handle(bearer(token))).status).toBe(401)
	})

	it('refuses an HS256 token signed with the public key PEM as the secret', async () => {
		const keys = await keyPair('RS256')
		const forged = await sign({}, new TextEncoder().encode(keys.pem), { alg: 'HS256', sub: 'admin' })
		const log = logSink()
		const res = await appWith({ publicKey: keys.pem }, log).handle(bearer(forged))
		expect(res.status).toBe(401)
		expect(log.lines.join('\n')).toContain('ERR_JOSE_ALG_NOT_ALLOWED')
	})

	it('refuses an RS256 token when only a secret is configured', async () => {
		const keys = await keyPair('RS256')
		const token = await sign({}, keys.privateKey, { alg: 'RS256' })
		expect((await appWith({ secret }).handle(bearer(token))).status).toBe(401)
	})

	it('refuses at construction an algorithm that does not fit the key', async () => {
		const keys = await keyPair('RS256')
		expect(() => jwtAuth({ publicKey: keys.pem, algorithms: ['HS256'] })).toThrow(
			'HS256 cannot be used with an RSA'
		)
		expect(() => jwtAuth({ secret, algorithms: ['RS256'] })).toThrow(
			'RS256 cannot be used with a shared secret'
		)
		expect(() => jwtAuth({ publicKey: 'not a key' })).toThrow('publicKey')
		expect(() => jwtAuth({ secret: 'short' })).toThrow('at least 32 bytes')
		expect(() => jwtAuth({})).toThrow('exactly one of')
		expect(() => jwtAuth({ secret, publicKey: keys.pem })).toThrow('exactly one of')
		// @ts-expect-error none is not an algorithm
		expect(() => jwtAuth({ secret, algorithms: ['none'] })).toThrow('unsupported none')
	})
})

describe('jwtAuth claim checks', () => {
	const app = appWith({ secret, issuer: 'https://auth.example.com', audience: 'chatkit' })
	const good = { iss: 'https://auth.example.com', aud: 'chatkit' }

	it('accepts a token with the expected issuer and audience', async () => {
		expect((await app.handle(bearer(await sign({}, secretKey, good)))).status).toBe(200)
	})

	it('refuses a wrong issuer', async () => {
		const token = await sign({}, secretKey, { ...good, iss: 'https://evil.example.com' })
		expect((await app.handle(bearer(token))).status).toBe(401)
	})

	it('refuses a wrong or missing audience', async () => {
		expect((await app.handle(bearer(await sign({}, secretKey, { ...good, aud: 'other' })))).status).toBe(
			401
		)
		expect((await app.handle(bearer(await sign({}, secretKey, { iss: good.iss })))).status).toBe(401)
	})

	it('refuses an expired token', async () => {
		expect((await app.handle(bearer(await sign({}, secretKey, { ...good, exp: -120 })))).status).toBe(401)
	})

	it('accepts a token expired within the clock skew', async () => {
		expect((await app.handle(bearer(await sign({}, secretKey, { ...good, exp: -10 })))).status).toBe(200)
	})

	it('refuses a token that is not valid yet, and accepts one within the skew', async () => {
		expect((await app.handle(bearer(await sign({}, secretKey, { ...good, nbf: 120 })))).status).toBe(401)
		expect((await app.handle(bearer(await sign({}, secretKey, { ...good, nbf: 10 })))).status).toBe(200)
	})

	it('honours a configured clock skew', async () => {
		const strict = appWith({ secret, clockTolerance: 0 })
		expect((await strict.handle(bearer(await sign({}, secretKey, { exp: -10 })))).status).toBe(401)
	})

	it('refuses a token without exp unless told otherwise', async () => {
		const token = await sign({}, secretKey, { exp: null })
		expect((await appWith({ secret }).handle(bearer(token))).status).toBe(401)
		expect((await appWith({ secret, requireExpiration: false }).handle(bearer(token))).status).toBe(200)
	})

	it('refuses a tampered payload', async () => {
		const token = await sign({ tenant_id: 'acme' }, secretKey, good)
		const tampered = withPayload(token, { ...good, sub: 'user_1', tenant_id: 'other', exp: 9999999999 })
		expect((await app.handle(bearer(tampered))).status).toBe(401)
	})

	it('refuses a token signed with another secret', async () => {
		const token = await sign({}, new TextEncoder().encode('another-secret-that-is-long-enough-too'), good)
		expect((await app.handle(bearer(token))).status).toBe(401)
	})

	it('refuses alg none', async () => {
		const log = logSink()
		const res = await appWith({ secret }, log).handle(bearer(unsecuredToken({ sub: 'admin' })))
		expect(res.status).toBe(401)
		expect(log.lines).toHaveLength(1)
	})
})

describe('jwtAuth credentials in the request', () => {
	const app = appWith({ secret })
	const malformed = [
		'Bearer',
		'Bearer ',
		'Basic dXNlcjpwYXNzd29yZA==',
		'garbage',
		'Bearer a b',
		'Bearer not.a.jwt'
	]

	it('answers 401 JSON without an Authorization header', async () => {
		const res = await call(app, req('/me'))
		expect(res.status).toBe(401)
		expect(res.type).toStartWith('application/json')
		expect(JSON.parse(res.text)).toEqual(unauthorized)
	})

	for (const header of malformed)
		it(`answers 401 to Authorization: ${header}`, async () => {
			const res = await call(app, req('/me', { headers: { authorization: header } }))
			expect(res.status).toBe(401)
			expect(JSON.parse(res.text)).toEqual(unauthorized)
		})

	it('refuses an oversized token without verifying it', async () => {
		const log = logSink()
		const res = await appWith({ secret }, log).handle(bearer(`${'a'.repeat(20_000)}.b.c`))
		expect(res.status).toBe(401)
		expect(log.lines[0]).toContain('token too long')
	})

	it('accepts the scheme in any case', async () => {
		const token = await sign({}, secretKey)
		expect((await app.handle(req('/me', { headers: { authorization: `bearer ${token}` } }))).status).toBe(
			200
		)
	})

	it('sends a Bearer challenge with the 401', async () => {
		expect((await app.handle(req('/me'))).headers.get('www-authenticate')).toBe('Bearer')
	})

	it('never puts the token or the reason in the response, and logs the reason without the token', async () => {
		const log = logSink()
		const token = await sign({}, secretKey, { exp: -3600 })
		const res = await call(appWith({ secret }, log), bearer(token))
		expect(res.status).toBe(401)
		expect(JSON.parse(res.text)).toEqual(unauthorized)
		expect(res.text).not.toContain(token.split('.')[1])
		expect(res.text).not.toContain('exp')
		expect(log.lines).toHaveLength(1)
		expect(log.lines[0]).toContain('ERR_JWT_EXPIRED')
		expect(log.lines[0]).toContain('GET /me')
		for (const part of token.split('.')) expect(log.lines[0]).not.toContain(part)
	})

	it('reads the token from a configured cookie', async () => {
		const cookieApp = appWith({ secret, cookie: 'chatkit_token' })
		const token = await sign({}, secretKey)
		const res = await cookieApp.handle(
			req('/me', { headers: { cookie: `theme=dark; chatkit_token=${token}` } })
		)
		expect(res.status).toBe(200)
		expect((await res.json()).id).toBe('user_1')
		expect(
			(await appWith({ secret }).handle(req('/me', { headers: { cookie: `chatkit_token=${token}` } })))
				.status
		).toBe(401)
	})

	it('refuses a cross-site POST that authenticates with the cookie from an untrusted origin', async () => {
		const cookieApp = new Elysia()
			.use(
				jwtAuth({
					secret,
					cookie: 'chatkit_token',
					trustedOrigins: ['https://app.example.com'],
					log: logSink()
				})
			)
			.post('/chatkit', ({ user }) => user.id)
		const token = await sign({}, secretKey)
		const crossSite = (origin: string) =>
			req('/chatkit', {
				method: 'POST',
				headers: { cookie: `chatkit_token=${token}`, 'sec-fetch-site': 'cross-site', origin }
			})
		expect((await cookieApp.handle(crossSite('https://evil.example.net'))).status).toBe(401)
		expect((await cookieApp.handle(crossSite('https://app.example.com'))).status).toBe(200)
		const viaHeader = req('/chatkit', {
			method: 'POST',
			headers: {
				authorization: `Bearer ${token}`,
				'sec-fetch-site': 'cross-site',
				origin: 'https://evil.example.net'
			}
		})
		expect((await cookieApp.handle(viaHeader)).status).toBe(200)
	})
})

describe('jwtAuth in an app', () => {
	it('answers 401 before body validation and before the handler', async () => {
		let handled = 0
		const app = new Elysia()
			.use(jwtAuth({ secret, log: logSink() }))
			.post('/items', () => ++handled, { body: t.Object({ name: t.String() }) })
		const res = await app.handle(
			req('/items', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{"wrong":1}'
			})
		)
		expect(res.status).toBe(401)
		expect(await res.json()).toEqual(unauthorized)
		expect(handled).toBe(0)
	})

	it('leaves routes registered before it public', async () => {
		const app = new Elysia()
			.get('/health', () => 'ok')
			.use(jwtAuth({ secret, log: logSink() }))
			.get('/me', ({ user }) => user.id)
		expect((await app.handle(req('/health'))).status).toBe(200)
		expect((await app.handle(req('/me'))).status).toBe(401)
	})

	it('authenticates the routes of a plugin used after it', async () => {
		const routes = new Elysia({ name: 'routes' }).post(
			'/chatkit',
			(ctx) => (ctx as unknown as { user: { id: string } }).user.id
		)
		const app = new Elysia().use(jwtAuth({ secret, log: logSink() })).use(routes)
		const post = (headers: Record<string, string>) =>
			app.handle(req('/chatkit', { method: 'POST', headers }))
		expect(await (await post({ authorization: `Bearer ${await sign({}, secretKey)}` })).text()).toBe(
			'user_1'
		)
		expect((await post({})).status).toBe(401)
	})

	it('verifies once per request when used by several modules', async () => {
		const log = logSink()
		const auth = jwtAuth({ secret, log })
		const app = new Elysia()
			.use(new Elysia().use(auth).get('/a', ({ user }) => user.id))
			.use(new Elysia().use(auth).get('/b', ({ user }) => user.id))
		expect((await app.handle(req('/a'))).status).toBe(401)
		expect((await app.handle(req('/b'))).status).toBe(401)
		expect(log.lines).toHaveLength(2)
		expect(
			await (
				await app.handle(
					req('/b', { headers: { authorization: `Bearer ${await sign({}, secretKey)}` } })
				)
			).text()
		).toBe('user_1')
	})
})
