import { describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import { jwtAuth } from '../../plugins/auth'
import { chatkitCors, chatkitUiOrigin } from '../../plugins/cors'
import { logSink, req, secret } from './utils'

const appWith = (...args: Parameters<typeof chatkitCors>) =>
	new Elysia().use(chatkitCors(...args)).post('/chatkit', () => ({ ok: true }))

const post = (origin?: string) =>
	req('/chatkit', {
		method: 'POST',
		headers: origin ? { origin, 'content-type': 'application/json' } : {},
		body: '{}'
	})

const preflight = (
	origin: string,
	headers = 'content-type,authorization,chatkit-device-id,chatkit-frame-instance-id'
) =>
	req('/chatkit', {
		method: 'OPTIONS',
		headers: {
			origin,
			'access-control-request-method': 'POST',
			'access-control-request-headers': headers
		}
	})

const allowedHeaders = (res: Response) =>
	(res.headers.get('access-control-allow-headers') ?? '')
		.split(',')
		.map((header) => header.trim().toLowerCase())

describe('chatkitCors with an allow-list', () => {
	const app = appWith({ origins: ['https://app.example.com', chatkitUiOrigin], env: {} })

	it('gives an allowed origin allow-origin and credentials', async () => {
		const res = await app.handle(post(chatkitUiOrigin))
		expect(res.status).toBe(200)
		expect(res.headers.get('access-control-allow-origin')).toBe(chatkitUiOrigin)
		expect(res.headers.get('access-control-allow-credentials')).toBe('true')
		expect(res.headers.get('vary')).toContain('Origin')
	})

	it('lets an allowed origin read Retry-After (sent with rate-limit refusals)', async () => {
		const res = await app.handle(post(chatkitUiOrigin))
		expect(res.headers.get('access-control-expose-headers')?.toLowerCase()).toBe('retry-after')
		expect(
			(
				await appWith({ origins: [chatkitUiOrigin], exposeHeaders: [], env: {} }).handle(
					post(chatkitUiOrigin)
				)
			).headers.get('access-control-expose-headers')
		).toBeNull()
	})

	it('gives another origin neither allow-origin nor credentials', async () => {
		for (const origin of [
			'https://evil.example.net',
			'http://app.example.com',
			'https://app.example.com.evil.net',
			'null'
		]) {
			const res = await app.handle(post(origin))
			expect(res.headers.get('access-control-allow-origin')).toBeNull()
			expect(res.headers.get('access-control-allow-credentials')).toBeNull()
		}
	})

	it('answers a preflight with 204 and accepts the ChatKit headers', async () => {
		const res = await app.handle(preflight(chatkitUiOrigin))
		expect(res.status).toBe(204)
		expect(res.headers.get('access-control-allow-origin')).toBe(chatkitUiOrigin)
		expect(res.headers.get('access-control-allow-credentials')).toBe('true')
		expect(res.headers.get('access-control-allow-methods')).toContain('POST')
		for (const header of [
			'content-type',
			'authorization',
			'chatkit-device-id',
			'chatkit-frame-instance-id',
			'accept-language'
		])
			expect(allowedHeaders(res)).toContain(header)
		expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0)
	})

	it('does not allow a preflight from another origin', async () => {
		const res = await app.handle(preflight('https://evil.example.net'))
		expect(res.headers.get('access-control-allow-origin')).toBeNull()
		expect(res.headers.get('access-control-allow-credentials')).toBeNull()
	})

	it('reads the allow-list from CORS_ORIGINS', async () => {
		const fromEnv = appWith({
			env: { CORS_ORIGINS: ' https://a.example.com , https://b.example.com/', NODE_ENV: 'production' },
			log: logSink()
		})
		expect(
			(await fromEnv.handle(post('https://b.example.com'))).headers.get('access-control-allow-origin')
		).toBe('https://b.example.com')
		expect(
			(await fromEnv.handle(post('http://localhost:3000'))).headers.get('access-control-allow-origin')
		).toBeNull()
	})

	it('lets the browser read a 401 from an allowed origin', async () => {
		const guarded = new Elysia()
			.use(chatkitCors({ origins: [chatkitUiOrigin], env: {} }))
			.use(jwtAuth({ secret, log: logSink() }))
			.post('/chatkit', ({ user }) => user.id)
		const res = await guarded.handle(post(chatkitUiOrigin))
		expect(res.status).toBe(401)
		expect(res.headers.get('access-control-allow-origin')).toBe(chatkitUiOrigin)
		const pre = await guarded.handle(preflight(chatkitUiOrigin))
		expect(pre.status).toBe(204)
	})

	it('refuses entries that are not origins', () => {
		expect(() => chatkitCors({ origins: ['*'], env: {} })).toThrow("'*' is not accepted")
		expect(() => chatkitCors({ origins: ['https://app.example.com/chat'], env: {} })).toThrow(
			'is not an origin'
		)
		expect(() => chatkitCors({ env: { CORS_ORIGINS: 'app.example.com' } })).toThrow('CORS_ORIGINS')
	})
})

describe('chatkitCors without an allow-list', () => {
	it('allows localhost origins on any port in development', async () => {
		const app = appWith({ env: { NODE_ENV: 'development' } })
		for (const origin of [
			'http://localhost:5173',
			'http://127.0.0.1:3000',
			'http://localhost',
			'http://[::1]:8080'
		]) {
			const res = await app.handle(post(origin))
			expect(res.headers.get('access-control-allow-origin')).toBe(origin)
			expect(res.headers.get('access-control-allow-credentials')).toBe('true')
		}
		expect(
			(await app.handle(preflight('http://localhost:5173'))).headers.get('access-control-allow-origin')
		).toBe('http://localhost:5173')
	})

	it('does not mistake look-alike hosts for localhost', async () => {
		const app = appWith({ env: {} })
		for (const origin of [
			'http://localhost.evil.net',
			'http://evil.net',
			'http://127.0.0.1.evil.net:80',
			chatkitUiOrigin
		])
			expect((await app.handle(post(origin))).headers.get('access-control-allow-origin')).toBeNull()
	})

	it('allows no cross-origin request in production', async () => {
		const log = logSink()
		const app = appWith({ env: { NODE_ENV: 'production' }, log })
		expect(log.lines[0]).toContain('no CORS_ORIGINS configured')
		for (const origin of ['http://localhost:5173', 'https://evil.example.net']) {
			const res = await app.handle(post(origin))
			expect(res.status).toBe(200)
			expect(res.headers.get('access-control-allow-origin')).toBeNull()
			expect(res.headers.get('access-control-allow-credentials')).toBeNull()
		}
	})

	it('serves requests without an Origin header unchanged', async () => {
		const res = await appWith({ env: {} }).handle(post())
		expect(res.status).toBe(200)
		expect(res.headers.get('access-control-allow-origin')).toBeNull()
		expect(await res.json()).toEqual({ ok: true })
	})
})
