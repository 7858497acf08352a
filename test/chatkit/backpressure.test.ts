// A client that reads slower than the responder writes holds the responder back, over a real socket.
import { afterEach, describe, expect, test } from 'bun:test'
import { connect, type Socket } from 'node:net'
import type { AnyElysia } from 'elysia'
import { streamText } from '../../src/respond'
import { at } from '../defined'
import { allItems, CONTEXT, eventually, makeApp, userInput } from './helpers'

const CHUNK = 'x'.repeat(64 * 1024)
const CHUNKS = 120
const BODY = JSON.stringify({ type: 'threads.create', params: { input: userInput('Hello') } })

/** A responder of 120 deltas of 64 KB (7.5 MB), counting how many it has produced. */
const bigResponder = () => {
	const progress = { produced: 0 }
	async function* chunks() {
		for (let index = 0; index < CHUNKS; index++) {
			progress.produced++
			yield CHUNK
			await Bun.sleep(0)
		}
	}
	const made = makeApp({
		async *respond(args) {
			yield* streamText(args, chunks())
		}
	})
	return { ...made, progress }
}

/** A raw connection that sends the request and reads nothing until `resume()`. */
const stalledClient = async (app: AnyElysia) => {
	const socket: Socket = connect(app.server?.port ?? 0, '127.0.0.1')
	await new Promise((resolve) => socket.once('connect', resolve))
	socket.pause()
	socket.write(
		`POST /chatkit HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`
	)
	const received: Buffer[] = []
	const ended = new Promise<string>((resolve) => {
		socket.on('data', (data: Buffer) => {
			received.push(data)
			if (data.subarray(-5).toString('latin1') === '0\r\n\r\n')
				resolve(Buffer.concat(received).toString('latin1'))
		})
	})
	return { socket, ended }
}

let server: AnyElysia | undefined
afterEach(() => {
	server?.stop(true)
	server = undefined
})

describe('a slow client', () => {
	test('holds the turn back while it does not read, and gets every frame once it does', async () => {
		const { app, progress } = bigResponder()
		server = app.listen({ port: 0, hostname: '127.0.0.1' })
		const { socket, ended } = await stalledClient(app)
		await eventually(async () => (progress.produced > 0 ? true : undefined))
		// Socket buffers fill at the machine's pace: wait until production stops, then check that it stays stopped.
		let whileStalled = -1
		for (let round = 0; round < 40 && progress.produced !== whileStalled; round++) {
			whileStalled = progress.produced
			await Bun.sleep(300)
		}
		await Bun.sleep(300)
		expect(progress.produced).toBe(whileStalled)
		expect(whileStalled).toBeLessThan(CHUNKS)

		socket.resume()
		const text = await ended
		socket.destroy()
		expect(progress.produced).toBe(CHUNKS)
		expect(text.split('"type":"assistant_message.content_part.text_delta"').length - 1).toBe(CHUNKS)
		expect(text).toContain('"type":"thread.item.done","item":{"id":"msg_')
	})

	test('that goes away while held cancels the turn: the text it was sent is kept with the cancellation note', async () => {
		const { app, store, progress } = bigResponder()
		server = app.listen({ port: 0, hostname: '127.0.0.1' })
		const { socket } = await stalledClient(app)
		await eventually(async () => (progress.produced > 0 ? true : undefined))
		await Bun.sleep(300)
		socket.destroy()
		const { data: threads } = await store.loadThreads(1, null, 'desc', CONTEXT)
		const items = await eventually(async () => {
			const items = await allItems(store, at(threads, 0).id)
			return items.some((item) => item.type === 'sdk_hidden_context') ? items : undefined
		})
		expect(items.map((item) => item.type)).toEqual([
			'user_message',
			'assistant_message',
			'sdk_hidden_context'
		])
		expect(progress.produced).toBeLessThan(CHUNKS)
	})
})
