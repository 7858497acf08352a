import { afterEach, describe, expect, test } from 'bun:test'
import { type AnyElysia, Elysia } from 'elysia'
import { jwtAuth } from '../../plugins/auth'
import { chatkit } from '../../src/chatkit'
import { MemoryStore } from '../../src/store/memory'
import { secret } from '../auth/utils'

const HEAD =
	'POST /chatkit HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n'
const HALF_BODY = '{"type":"threads.list",'

const apps: AnyElysia[] = []
afterEach(async () => {
	for (const app of apps.splice(0)) await app.stop(true)
})

/** Listens with Bun's idle timeout off, so that only the server's own deadline can end a stalled request. */
const listen = (app: AnyElysia) => {
	apps.push(app)
	app.listen({ port: 0, hostname: '127.0.0.1', idleTimeout: 0 })
	return app.server?.port as number
}

/** Sends the headers and 23 of 1,000 declared body bytes, then waits: everything received until the server closes. */
const stall = (port: number) =>
	new Promise<string>((resolve, reject) => {
		let received = ''
		Bun.connect({
			hostname: '127.0.0.1',
			port,
			socket: {
				open(socket) {
					socket.write(HEAD + HALF_BODY)
				},
				data(_socket, data) {
					received += data.toString()
				},
				close() {
					resolve(received)
				},
				error(_socket, error) {
					reject(error)
				}
			}
		}).catch(reject)
	})

describe('stalled clients', () => {
	test('a client that sends half a body gets a 408 after the body deadline and its connection is closed', async () => {
		const port = listen(
			new Elysia().use(
				chatkit({
					store: new MemoryStore(),
					async *respond() {},
					bodyTimeoutMs: 1000,
					defaultUser: { id: 'u' }
				})
			)
		)
		const received = await stall(port)
		expect(received).toStartWith('HTTP/1.1 408')
		expect(received.toLowerCase()).toContain('connection: close')
		expect(received).toContain('"code":"request_timeout"')
		expect(received).toContain('within 1000 ms')
	}, 10_000)

	test('a refused credential closes the connection instead of waiting for the body', async () => {
		const port = listen(
			new Elysia()
				.use(jwtAuth({ secret, log: () => {} }))
				.use(chatkit({ store: new MemoryStore(), async *respond() {} }))
		)
		const received = await stall(port)
		expect(received).toStartWith('HTTP/1.1 401')
	}, 10_000)
})
