import { describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import { AuthConfigError, type AuthEnv, authFromEnv, devUser } from '../../plugins/auth'
import { bearer, keyPair, logSink, req, secret, secretKey, sign } from './utils'

const me = (app: { handle(request: Request): Promise<Response> }, request = req('/me')) => app.handle(request)

const configError = (build: () => unknown) => {
	try {
		build()
	} catch (error) {
		expect(error).toBeInstanceOf(AuthConfigError)
		return error as AuthConfigError
	}
	throw new Error('expected an AuthConfigError')
}

describe('devUser', () => {
	it('runs every request as the development user', async () => {
		const app = new Elysia().use(devUser({ env: {} })).get('/me', ({ user }) => user)
		expect(await (await me(app)).json()).toEqual({ id: 'dev-user', tenantId: null, roles: [] })
	})

	it('takes a configured user, with its fields typed', async () => {
		const app = new Elysia()
			.use(devUser({ env: {}, user: { id: 'alice', tenantId: 'acme', plan: 'pro' } }))
			.get('/me', ({ user }) => `${user.id}/${user.tenantId}/${user.plan}`)
		expect(await (await me(app)).text()).toBe('alice/acme/pro')
	})

	it('gives each request its own copy of the user', async () => {
		const app = new Elysia().use(devUser({ env: {} })).get('/me', ({ user }) => {
			user.roles.push('mutated')
			return user.roles
		})
		await me(app)
		expect(await (await me(app)).json()).toEqual(['mutated'])
	})

	it('is refused at construction under NODE_ENV=production', () => {
		const error = configError(() => devUser({ env: { NODE_ENV: 'production' } }))
		expect(error.setting).toBe('ALLOW_ANONYMOUS')
		expect(error.message).toContain('NODE_ENV=production')
	})

	it('is allowed in production when told so', async () => {
		const allowed = new Elysia()
			.use(devUser({ env: { NODE_ENV: 'production' }, allowInProduction: true }))
			.get('/me', ({ user }) => user.id)
		expect(await (await me(allowed)).text()).toBe('dev-user')
		const byEnv = new Elysia()
			.use(devUser({ env: { NODE_ENV: 'production', ALLOW_ANONYMOUS: 'true' } }))
			.get('/me', ({ user }) => user.id)
		expect(await (await me(byEnv)).text()).toBe('dev-user')
	})
})

describe('authFromEnv', () => {
	const build = (env: AuthEnv) =>
		new Elysia().use(authFromEnv(env, { log: logSink() })).get('/me', ({ user }) => user)

	it('uses the development user when AUTH_MODE is unset outside production', async () => {
		expect((await (await me(build({}))).json()).id).toBe('dev-user')
		expect((await (await me(build({ AUTH_MODE: 'none', NODE_ENV: 'test' }))).json()).id).toBe('dev-user')
	})

	it('refuses anonymous mode in production, naming AUTH_MODE', () => {
		expect(configError(() => authFromEnv({ NODE_ENV: 'production' })).message).toStartWith('AUTH_MODE:')
		expect(configError(() => authFromEnv({ NODE_ENV: 'production', AUTH_MODE: 'none' })).setting).toBe(
			'AUTH_MODE'
		)
	})

	it('allows anonymous mode in production with ALLOW_ANONYMOUS=true (or 1)', async () => {
		for (const flag of ['true', '1', 'TRUE']) {
			const app = build({ NODE_ENV: 'production', ALLOW_ANONYMOUS: flag })
			expect((await (await me(app)).json()).id).toBe('dev-user')
		}
		expect(
			configError(() => authFromEnv({ NODE_ENV: 'production', ALLOW_ANONYMOUS: 'false' })).setting
		).toBe('AUTH_MODE')
	})

	it('names the variable of a wrong value', () => {
		const cases: [AuthEnv, string][] = [
			[{ AUTH_MODE: 'oauth' }, 'AUTH_MODE'],
			[{ ALLOW_ANONYMOUS: 'yes' }, 'ALLOW_ANONYMOUS'],
			[{ AUTH_MODE: 'jwt' }, 'JWT_SECRET'],
			[{ AUTH_MODE: 'jwt', JWT_SECRET: 'short-secret' }, 'JWT_SECRET'],
			[{ AUTH_MODE: 'jwt', JWT_PUBLIC_KEY: 'not a pem' }, 'JWT_PUBLIC_KEY'],
			[{ AUTH_MODE: 'jwt', JWKS_URL: 'http://idp.example.com/jwks' }, 'JWKS_URL'],
			[{ AUTH_MODE: 'jwt', JWKS_URL: 'not a url' }, 'JWKS_URL'],
			[{ AUTH_MODE: 'jwt', JWT_SECRET: secret, JWT_ALGORITHMS: 'RS256' }, 'JWT_ALGORITHMS'],
			[{ AUTH_MODE: 'jwt', JWT_SECRET: secret, JWT_ALGORITHMS: 'none' }, 'JWT_ALGORITHMS'],
			[{ AUTH_MODE: 'jwt', JWT_SECRET: secret, JWT_CLOCK_TOLERANCE: 'soon' }, 'JWT_CLOCK_TOLERANCE'],
			[
				{ AUTH_MODE: 'jwt', JWT_SECRET: secret, JWKS_URL: 'https://idp.example.com/jwks' },
				'JWT_SECRET'
			],
			[{ AUTH_MODE: 'session' }, 'AUTH_MODE']
		]
		for (const [env, variable] of cases) {
			const error = configError(() => authFromEnv(env))
			expect(error.setting).toBe(variable)
			expect(error.message).toStartWith(`${variable}:`)
			if (env.JWT_SECRET) expect(error.message).not.toContain(env.JWT_SECRET)
		}
	})

	it('says what session mode needs from the application', () => {
		expect(configError(() => authFromEnv({ AUTH_MODE: 'session' })).message).toContain('verify')
	})

	it('builds JWT auth from the JWT variables', async () => {
		const app = build({
			AUTH_MODE: 'jwt',
			JWT_SECRET: secret,
			JWT_ISSUER: 'https://auth.example.com',
			JWT_AUDIENCE: 'chatkit, chatkit-admin',
			JWT_TENANT_CLAIM: 'org_id'
		})
		const good = await sign({ org_id: 'acme' }, secretKey, {
			iss: 'https://auth.example.com',
			aud: 'chatkit-admin'
		})
		expect(await (await me(app, bearer(good))).json()).toEqual({
			id: 'user_1',
			tenantId: 'acme',
			roles: []
		})
		const wrongAudience = await sign({}, secretKey, { iss: 'https://auth.example.com', aud: 'other' })
		expect((await me(app, bearer(wrongAudience))).status).toBe(401)
		expect((await me(app)).status).toBe(401)
	})

	it('reads a PEM public key written on one line with \\n escapes', async () => {
		const keys = await keyPair('ES256')
		const app = build({ AUTH_MODE: 'jwt', JWT_PUBLIC_KEY: keys.pem.trim().replaceAll('\n', '\\n') })
		const token = await sign({}, keys.privateKey, { alg: 'ES256' })
		expect((await me(app, bearer(token))).status).toBe(200)
	})

	it('reads the token cookie named by JWT_COOKIE', async () => {
		const app = build({ AUTH_MODE: 'jwt', JWT_SECRET: secret, JWT_COOKIE: 'chatkit_token' })
		const token = await sign({}, secretKey)
		expect((await me(app, req('/me', { headers: { cookie: `chatkit_token=${token}` } }))).status).toBe(
			200
		)
	})

	it('builds session auth with the application verifier and SESSION_COOKIE', async () => {
		const app = new Elysia()
			.use(
				authFromEnv(
					{ AUTH_MODE: 'session', SESSION_COOKIE: 'sid' },
					{ log: logSink(), session: { verify: (v) => (v === 'ok' ? { id: 'carol' } : null) } }
				)
			)
			.get('/me', ({ user }) => user.id)
		expect(await (await me(app, req('/me', { headers: { cookie: 'sid=ok' } }))).text()).toBe('carol')
		expect((await me(app, req('/me', { headers: { cookie: 'sid=no' } }))).status).toBe(401)
	})

	it('warns when a JWT key is set but AUTH_MODE is none', () => {
		const log = logSink()
		authFromEnv({ JWT_SECRET: secret }, { log })
		expect(log.lines[0]).toContain('AUTH_MODE is none')
		expect(log.lines[0]).not.toContain(secret)
	})
})
