import { describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import { jwtAuth } from '../../plugins/auth'
import { chatkit, MemoryStore, type Responder, streamText } from '../../src'
import { logSink, req, secret, secretKey, sign } from './utils'

const greet: Responder = async function* (args) {
	yield* streamText(args, [`Hello ${args.context.user.id} of ${args.context.user.tenantId}`])
}

const post = (app: { handle(request: Request): Promise<Response> }, token: string | null, body: unknown) =>
	app.handle(
		req('/chatkit', {
			method: 'POST',
			headers: token ? { authorization: `Bearer ${token}`, 'content-type': 'application/json' } : {},
			body: JSON.stringify(body)
		})
	)

const create = {
	type: 'threads.create',
	params: {
		input: { content: [{ type: 'input_text', text: 'hi' }], attachments: [], inference_options: {} }
	}
}
const list = { type: 'threads.list', params: { limit: 10 } }

describe('jwtAuth in front of the chatkit plugin', () => {
	it('gives the verified user to the engine, scoping threads by user and tenant', async () => {
		const app = new Elysia()
			.use(jwtAuth({ secret, log: logSink() }))
			.use(chatkit({ store: new MemoryStore(), respond: greet }))
		const alice = await sign({ tenant_id: 'acme' }, secretKey, { sub: 'alice' })
		const stream = await (await post(app, alice, create)).text()
		expect(stream).toContain('Hello alice of acme')

		const page = async (token: string) => (await (await post(app, token, list)).json()).data.length
		expect(await page(alice)).toBe(1)
		expect(await page(await sign({ tenant_id: 'acme' }, secretKey, { sub: 'bob' }))).toBe(0)
		expect(await page(await sign({ tenant_id: 'globex' }, secretKey, { sub: 'alice' }))).toBe(0)
	})

	it('answers 401 before the engine reads the body or the store', async () => {
		const store = new MemoryStore()
		const app = new Elysia()
			.use(jwtAuth({ secret, log: logSink() }))
			.use(chatkit({ store, respond: greet }))
		const res = await post(app, null, create)
		expect(res.status).toBe(401)
		expect(await res.json()).toEqual({ code: 'unauthorized', message: 'Authentication required' })
		const forged = await sign({}, new TextEncoder().encode('x'.repeat(40)), { sub: 'alice' })
		expect((await post(app, forged, create)).status).toBe(401)
		const alice = await sign({}, secretKey, { sub: 'alice' })
		expect((await (await post(app, alice, list)).json()).data).toEqual([])
	})
})
