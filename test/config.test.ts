import { describe, expect, it } from 'bun:test'
import { ConfigError, loadConfig } from '../src/config'

describe('configuration', () => {
	it('has working defaults with an empty environment', () => {
		const config = loadConfig({})
		expect(config.PORT).toBe(8000)
		expect(config.HOST).toBe('127.0.0.1')
		expect(config.CHATKIT_PATH).toBe('/chatkit')
		expect(config.DATABASE_URL).toBe('sqlite:.data/chatkit.db')
		expect(config.AUTH_MODE).toBe('none')
	})

	it('names every wrong variable and never echoes its value', () => {
		try {
			loadConfig({ PORT: 'eighty', AUTH_MODE: 'magic-secret-value', OPENAI_BASE_URL: 'not a url' })
			throw new Error('expected a ConfigError')
		} catch (error) {
			expect(error).toBeInstanceOf(ConfigError)
			const { variables, message } = error as ConfigError
			expect(variables.sort()).toEqual(['AUTH_MODE', 'OPENAI_BASE_URL', 'PORT'])
			expect(message).not.toContain('magic-secret-value')
		}
	})

	it('treats empty variables as unset', () => {
		expect(loadConfig({ PORT: '', CHATKIT_PATH: ' ' }).PORT).toBe(8000)
	})

	it('refuses an unsupported database scheme and origins with a path, without echoing them', () => {
		try {
			loadConfig({
				DATABASE_URL: 'mysql://user:hunter2@db/app',
				CORS_ORIGINS: 'https://a.example/path'
			})
			throw new Error('expected a ConfigError')
		} catch (error) {
			expect(error).toBeInstanceOf(ConfigError)
			expect((error as ConfigError).variables.sort()).toEqual(['CORS_ORIGINS', 'DATABASE_URL'])
			expect((error as ConfigError).message).not.toContain('hunter2')
			expect((error as ConfigError).message).not.toContain('a.example')
		}
		expect(
			loadConfig({
				DATABASE_URL: 'data/chat.db',
				CORS_ORIGINS: 'https://a.example, http://localhost:5173'
			}).DATABASE_URL
		).toBe('data/chat.db')
	})
})
