// A ChatKit server with deliberate protocol faults, for `elysia-chatkit check` to name.
import { Elysia } from 'elysia'
import { chatkit, MemoryStore, streamText } from '../../src'

const inner = new Elysia().use(
	chatkit({
		store: new MemoryStore(),
		async *respond(args) {
			yield* streamText(args, ['Hello'])
		}
	})
)

const json = (body: unknown, status = 200) =>
	new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

/**
 * Faults: threads.create frames events as `event:` + `data:` lines; threads.list names its array `threads`;
 * threads.get_by_id sends `created_at` as a number; items.feedback is not implemented (404 text);
 * threads.delete answers `{ "deleted": true }`; a body that is not JSON gets a 500.
 */
export const brokenServer = () =>
	Bun.serve({
		port: 0,
		hostname: '127.0.0.1',
		async fetch(request) {
			const text = await request.text()
			let type: string
			try {
				type = JSON.parse(text).type
			} catch {
				return new Response('Internal Server Error', { status: 500 })
			}
			if (type === 'items.feedback') return new Response('Not Found', { status: 404 })
			const answer = await inner.handle(
				new Request('http://localhost/chatkit', {
					method: 'POST',
					headers: request.headers,
					body: text
				})
			)
			if (answer.status !== 200) return answer
			if (type === 'threads.create') {
				const body = (await answer.text()).replaceAll('data: ', 'event: message\ndata: ')
				return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
			}
			if (type === 'threads.list') {
				const { data, ...page } = (await answer.json()) as { data: unknown[] }
				return json({ ...page, threads: data })
			}
			if (type === 'threads.get_by_id') {
				const thread = (await answer.json()) as { created_at: string }
				return json({ ...thread, created_at: Date.parse(thread.created_at) })
			}
			if (type === 'threads.delete') return json({ deleted: true })
			return answer
		}
	})
