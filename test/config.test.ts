import { describe, expect, it } from 'bun:test'
import { readConfig } from '../app/config'
import { createServer } from '../app/server'
import { modelSettingsFromEnv } from '../plugins/agent'
import { authFromEnv } from '../plugins/auth'
import { chatkitCors, corsOriginsFromEnv } from '../plugins/cors'
import { limits } from '../plugins/limits'
import { databaseFromEnv } from '../plugins/store'
import { chatkit } from '../src/chatkit'
import { ConfigError, instanceIdFromEnv, serverConfigFromEnv } from '../src/config'
import { MemoryStore } from '../src/store/memory'
import { secret, secretKey, sign } from './auth/utils'

const configError = (read: () => unknown): ConfigError => {
	try {
		read()
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError)
		return error as ConfigError
	}
	throw new Error('expected a ConfigError')
}

describe('the configuration table, one parser per variable', () => {
	it('has working defaults with an empty environment', () => {
		expect(serverConfigFromEnv({})).toEqual({
			host: '127.0.0.1',
			port: 8000,
			path: '/chatkit',
			maxBodyBytes: 4 * 1024 * 1024,
			bodyTimeoutMs: 10_000,
			idleTimeout: 30,
			production: false
		})
		const config = readConfig({})
		expect(config.database).toEqual({ dialect: 'sqlite', path: '.data/chatkit.db' })
		expect(config.authMode).toBe('none')
		expect(config.corsOrigins).toEqual([])
		expect(config.limits).toEqual({ requestsPerMinute: 120, maxConcurrentStreams: 4 })
		expect(config.model.kind).toBe('offline')
	})

	it('names every wrong variable of every concern at once and never echoes a value', () => {
		const error = configError(() =>
			readConfig({
				PORT: 'eighty',
				AUTH_MODE: 'magic-secret-value',
				OPENAI_BASE_URL: 'not a url',
				DATABASE_URL: 'mysql://user:hunter2@db/app',
				CORS_ORIGINS: 'https://a.example/path',
				RATE_LIMIT_PER_MINUTE: '-1'
			})
		)
		expect(error.variables.sort()).toEqual([
			'AUTH_MODE',
			'CORS_ORIGINS',
			'DATABASE_URL',
			'OPENAI_BASE_URL',
			'PORT',
			'RATE_LIMIT_PER_MINUTE'
		])
		for (const value of ['magic-secret-value', 'hunter2', 'a.example', 'eighty', 'not a url'])
			expect(error.message).not.toContain(value)
	})

	it('treats empty and blank variables as unset, and trims values', () => {
		expect(serverConfigFromEnv({ PORT: '', CHATKIT_PATH: ' ', HOST: ' 0.0.0.0 ' })).toMatchObject({
			port: 8000,
			path: '/chatkit',
			host: '0.0.0.0'
		})
		expect(databaseFromEnv({ DATABASE_URL: '  ' })).toEqual({
			dialect: 'sqlite',
			path: '.data/chatkit.db'
		})
		expect(modelSettingsFromEnv({ OPENAI_API_KEY: ' ', OPENAI_MODEL: 'x' }).kind).toBe('offline')
		expect(modelSettingsFromEnv({ OPENAI_API_KEY: 'k', OPENAI_MODEL: ' gpt-x ' }).name).toBe('gpt-x')
	})

	it('chatkit() reads CHATKIT_PATH and MAX_BODY_BYTES by the same rules as the server configuration', () => {
		const saved = { path: process.env.CHATKIT_PATH, max: process.env.MAX_BODY_BYTES }
		try {
			process.env.MAX_BODY_BYTES = '4mb'
			expect(configError(() => chatkit({ store: new MemoryStore() })).variables).toEqual([
				'MAX_BODY_BYTES'
			])
			expect(configError(() => serverConfigFromEnv(process.env)).variables).toEqual(['MAX_BODY_BYTES'])
			process.env.MAX_BODY_BYTES = ''
			process.env.CHATKIT_PATH = 'chat'
			expect(configError(() => chatkit({ store: new MemoryStore() })).variables).toEqual([
				'CHATKIT_PATH'
			])
		} finally {
			for (const [name, value] of [
				['CHATKIT_PATH', saved.path],
				['MAX_BODY_BYTES', saved.max]
			] as const)
				if (value === undefined) delete process.env[name]
				else process.env[name] = value
		}
	})

	it('refuses a wrong OPENAI_API instead of quietly picking another API', () => {
		expect(
			configError(() => modelSettingsFromEnv({ OPENAI_API_KEY: 'k', OPENAI_API: 'completions' }))
				.variables
		).toEqual(['OPENAI_API'])
		expect(
			modelSettingsFromEnv({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }).api
		).toBe('chat_completions')
	})

	it('INSTANCE_ID and the instanceId options: at most 64 characters, refused when chatkit() or limits() is built', () => {
		const long = 'x'.repeat(65)
		expect(instanceIdFromEnv({ INSTANCE_ID: ' web-1 ' })).toBe('web-1')
		expect(instanceIdFromEnv({ INSTANCE_ID: ' ' })).toBeUndefined()
		expect(configError(() => instanceIdFromEnv({ INSTANCE_ID: long })).variables).toEqual(['INSTANCE_ID'])
		expect(configError(() => chatkit({ store: new MemoryStore(), instanceId: long })).variables).toEqual([
			'chatkit({ instanceId })'
		])
		expect(configError(() => chatkit({ store: new MemoryStore(), instanceId: '' })).message).toBe(
			'chatkit({ instanceId }): must be 1 to 64 characters'
		)
	})

	it('AUTH_MODE and ALLOW_ANONYMOUS accept any case, as authFromEnv always did', () => {
		expect(readConfig({ AUTH_MODE: ' JWT ' }).authMode).toBe('jwt')
		expect(() => authFromEnv({ NODE_ENV: 'production', ALLOW_ANONYMOUS: 'TRUE' })).not.toThrow()
		expect(configError(() => authFromEnv({ ALLOW_ANONYMOUS: 'yes' })).variables).toEqual([
			'ALLOW_ANONYMOUS'
		])
	})

	it('rate limits: a fraction is refused by limits() as by the server configuration', () => {
		expect(configError(() => limits({ env: { RATE_LIMIT_PER_MINUTE: '1.5' } })).variables).toEqual([
			'RATE_LIMIT_PER_MINUTE'
		])
		expect(configError(() => readConfig({ RATE_LIMIT_PER_MINUTE: '1.5' })).variables).toEqual([
			'RATE_LIMIT_PER_MINUTE'
		])
	})

	it('CORS_ORIGINS is one list for CORS and for the cookie check of auth (a trailing slash is dropped)', async () => {
		expect(
			corsOriginsFromEnv({ CORS_ORIGINS: ' https://app.example.com/ , http://localhost:5173' })
		).toEqual(['https://app.example.com', 'http://localhost:5173'])
		expect(configError(() => corsOriginsFromEnv({ CORS_ORIGINS: '*' })).variables).toEqual([
			'CORS_ORIGINS'
		])
		expect(
			configError(() => chatkitCors({ env: { CORS_ORIGINS: 'https://a.example/x' } })).variables
		).toEqual(['CORS_ORIGINS'])

		const env = {
			AUTH_MODE: 'jwt',
			JWT_SECRET: secret,
			JWT_COOKIE: 'token',
			CORS_ORIGINS: 'https://app.example.com/',
			DATABASE_URL: 'memory:'
		}
		const { app } = createServer(env)
		const token = await sign({}, secretKey, { sub: 'ann' })
		const list = (origin: string) =>
			app.handle(
				new Request('http://localhost/chatkit', {
					method: 'POST',
					headers: {
						origin,
						'sec-fetch-site': 'cross-site',
						cookie: `token=${token}`,
						'content-type': 'application/json'
					},
					body: JSON.stringify({ type: 'threads.list', params: {} })
				})
			)
		const allowed = await list('https://app.example.com')
		expect(allowed.status).toBe(200)
		expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
		expect((await list('https://evil.example.net')).status).toBe(401)
	})

	it('the dev server refuses a wrong variable before it opens the store', () => {
		const error = configError(() => createServer({ DATABASE_URL: 'memory:', AUTH_MODE: 'jwt' }))
		expect(error.variables).toEqual(['JWT_SECRET'])
	})
})
