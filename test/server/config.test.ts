import { describe, expect, it } from 'bun:test'
import { createServer } from '../../app/server'

const list = (app: { handle(request: Request): Promise<Response> }) =>
	app.handle(
		new Request('http://localhost/chatkit', {
			method: 'POST',
			body: JSON.stringify({ type: 'threads.list', params: {} })
		})
	)

describe('the dev server applies its configuration', () => {
	it('limits requests per user per minute from RATE_LIMIT_PER_MINUTE', async () => {
		const { app } = createServer({
			DATABASE_URL: 'memory:',
			RATE_LIMIT_PER_MINUTE: '2',
			NODE_ENV: 'development'
		})
		expect((await list(app)).status).toBe(200)
		expect((await list(app)).status).toBe(200)
		const refused = await list(app)
		expect(refused.status).toBe(429)
		expect((await refused.json()).code).toBe('rate_limited')
	})

	it('serves the protocol on CHATKIT_PATH and the playground outside production only', async () => {
		const dev = createServer({ DATABASE_URL: 'memory:', CHATKIT_PATH: '/api/chat' }).app
		const ok = await dev.handle(
			new Request('http://localhost/api/chat', {
				method: 'POST',
				body: JSON.stringify({ type: 'threads.list', params: {} })
			})
		)
		expect(await ok.json()).toEqual({ data: [], has_more: false })
		expect((await dev.handle(new Request('http://localhost/'))).headers.get('content-type')).toContain(
			'text/html'
		)

		const prod = createServer({
			NODE_ENV: 'production',
			ALLOW_ANONYMOUS: 'true',
			DATABASE_URL: 'memory:'
		}).app
		expect((await prod.handle(new Request('http://localhost/'))).status).toBe(404)
	})
})
