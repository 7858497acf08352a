import { describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import { sqliteStore } from '../../plugins/store'
import { chatkit, streamText } from '../../src'

const post = (app: { handle(request: Request): Promise<Response> }, body: unknown) =>
	app.handle(new Request('http://localhost/chatkit', { method: 'POST', body: JSON.stringify(body) }))

const appOn = (store: ReturnType<typeof sqliteStore>) =>
	new Elysia().use(
		chatkit({
			store,
			async *respond(args) {
				yield* streamText(args, ['ok'])
			}
		})
	)

describe('store errors over HTTP', () => {
	it('answers 503 when the database cannot be used, without internals', async () => {
		const store = sqliteStore({ path: ':memory:' })
		await store.close()
		const res = await post(appOn(store), { type: 'threads.list', params: {} })
		expect(res.status).toBe(503)
		expect(await res.json()).toEqual({
			code: 'store_unavailable',
			message: 'The store could not be reached; try again shortly'
		})
	})
})
