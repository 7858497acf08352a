import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import { exportJWK, type JWK } from 'jose'
import { jwtAuth } from '../../plugins/auth'
import { bearer, type KeyPair, keyPair, logSink, sign } from './utils'

const publicJwk = async (keys: KeyPair, kid: string, alg: string): Promise<JWK> => ({
	...(await exportJWK(keys.publicKey)),
	kid,
	alg,
	use: 'sig'
})

describe('jwtAuth with a JWKS URL', () => {
	let served: JWK[] = []
	let fetches = 0
	let failing = false
	let server: ReturnType<typeof Bun.serve>
	let first: KeyPair
	let second: KeyPair
	let ec: KeyPair

	beforeAll(async () => {
		;[first, second, ec] = await Promise.all([keyPair('RS256'), keyPair('RS256'), keyPair('ES256')])
		server = Bun.serve({
			port: 0,
			hostname: '127.0.0.1',
			fetch() {
				fetches++
				if (failing) return new Response('unavailable', { status: 503 })
				return Response.json({ keys: served })
			}
		})
	})
	afterAll(() => server.stop(true))

	const url = () => `http://127.0.0.1:${server.port}/.well-known/jwks.json`
	const appFor = (log = logSink()) =>
		new Elysia()
			.use(jwtAuth({ jwksUrl: url(), jwksCooldown: 0, issuer: 'https://idp.test', log }))
			.get('/me', ({ user }) => user)

	it('verifies RS256 and ES256 tokens with keys from the JWKS', async () => {
		served = [await publicJwk(first, 'k1', 'RS256'), await publicJwk(ec, 'e1', 'ES256')]
		const app = appFor()
		const rsa = await sign({ tenant_id: 'acme' }, first.privateKey, {
			alg: 'RS256',
			kid: 'k1',
			iss: 'https://idp.test'
		})
		const res = await app.handle(bearer(rsa))
		expect(res.status).toBe(200)
		expect(await res.json()).toEqual({ id: 'user_1', tenantId: 'acme', roles: [] })
		const es = await sign({}, ec.privateKey, { alg: 'ES256', kid: 'e1', iss: 'https://idp.test' })
		expect((await app.handle(bearer(es))).status).toBe(200)
	})

	it('caches the key set between requests', async () => {
		served = [await publicJwk(first, 'k1', 'RS256')]
		const app = appFor()
		const token = await sign({}, first.privateKey, { alg: 'RS256', kid: 'k1', iss: 'https://idp.test' })
		fetches = 0
		for (let i = 0; i < 5; i++) expect((await app.handle(bearer(token))).status).toBe(200)
		expect(fetches).toBe(1)
	})

	it('fetches the key set again when a token names a new kid (key rotation)', async () => {
		served = [await publicJwk(first, 'k1', 'RS256')]
		const app = appFor()
		const old = await sign({}, first.privateKey, { alg: 'RS256', kid: 'k1', iss: 'https://idp.test' })
		expect((await app.handle(bearer(old))).status).toBe(200)
		served = [await publicJwk(second, 'k2', 'RS256')]
		fetches = 0
		const rotated = await sign({}, second.privateKey, {
			alg: 'RS256',
			kid: 'k2',
			iss: 'https://idp.test',
			sub: 'user_2'
		})
		const res = await app.handle(bearer(rotated))
		expect(res.status).toBe(200)
		expect((await res.json()).id).toBe('user_2')
		expect(fetches).toBe(1)
	})

	it('refuses a token whose kid is not in the key set', async () => {
		served = [await publicJwk(first, 'k1', 'RS256')]
		const token = await sign({}, second.privateKey, {
			alg: 'RS256',
			kid: 'unknown',
			iss: 'https://idp.test'
		})
		expect((await appFor().handle(bearer(token))).status).toBe(401)
	})

	it('refuses a token signed by another key under a known kid', async () => {
		served = [await publicJwk(first, 'k1', 'RS256')]
		const token = await sign({}, second.privateKey, { alg: 'RS256', kid: 'k1', iss: 'https://idp.test' })
		expect((await appFor().handle(bearer(token))).status).toBe(401)
	})

	it('answers 401, not 500, while the JWKS endpoint fails, and recovers', async () => {
		served = [await publicJwk(first, 'k1', 'RS256')]
		const log = logSink()
		const app = appFor(log)
		const token = await sign({}, first.privateKey, { alg: 'RS256', kid: 'k1', iss: 'https://idp.test' })
		failing = true
		const res = await app.handle(bearer(token))
		failing = false
		expect(res.status).toBe(401)
		expect(await res.json()).toEqual({ code: 'unauthorized', message: 'Authentication required' })
		expect(log.lines).toHaveLength(1)
		expect((await app.handle(bearer(token))).status).toBe(200)
	})

	it('answers 401 when nothing listens at the JWKS URL', async () => {
		const gone = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') })
		const jwksUrl = `http://127.0.0.1:${gone.port}/jwks`
		gone.stop(true)
		const log = logSink()
		const app = new Elysia().use(jwtAuth({ jwksUrl, log })).get('/me', ({ user }) => user.id)
		const token = await sign({}, first.privateKey, { alg: 'RS256', kid: 'k1' })
		const res = await app.handle(bearer(token))
		expect(res.status).toBe(401)
		expect(log.lines[0]).toContain('token refused')
	})

	it('answers 401 when the JWKS endpoint does not answer in time', async () => {
		const silent = Bun.serve({
			port: 0,
			hostname: '127.0.0.1',
			fetch: () =>
				new Promise<Response>((resolve) =>
					setTimeout(() => resolve(Response.json({ keys: [] })), 1000)
				)
		})
		try {
			const app = new Elysia()
				.use(
					jwtAuth({
						jwksUrl: `http://127.0.0.1:${silent.port}/jwks`,
						jwksTimeout: 100,
						log: logSink()
					})
				)
				.get('/me', ({ user }) => user.id)
			const token = await sign({}, first.privateKey, { alg: 'RS256', kid: 'k1' })
			expect((await app.handle(bearer(token))).status).toBe(401)
		} finally {
			silent.stop(true)
		}
	})

	it('refuses at construction a plain-http JWKS URL off localhost, and HMAC algorithms', () => {
		expect(() => jwtAuth({ jwksUrl: 'http://idp.example.com/jwks' })).toThrow('must use https:')
		expect(() => jwtAuth({ jwksUrl: 'https://idp.example.com/jwks', algorithms: ['HS256'] })).toThrow(
			'HS256 cannot be used with a JWKS'
		)
	})
})
