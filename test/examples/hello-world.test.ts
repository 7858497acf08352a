import { describe, expect, it } from 'bun:test'
import { app } from '../../examples/hello-world'

const post = (body: unknown) =>
	app.handle(new Request('http://localhost/chatkit', { method: 'POST', body: JSON.stringify(body) }))

const events = async (res: Response) =>
	(await res.text())
		.split('\n\n')
		.filter(Boolean)
		.map((frame) => JSON.parse(frame.slice('data: '.length)))

describe('hello world example', () => {
	it('streams a reply token by token and keeps the thread', async () => {
		const res = await post({
			type: 'threads.create',
			params: {
				input: {
					content: [{ type: 'input_text', text: 'hi' }],
					attachments: [],
					inference_options: {}
				}
			}
		})
		expect(res.headers.get('content-type')).toBe('text/event-stream')
		const stream = await events(res)
		expect(stream.map((event) => event.type)).toEqual([
			'thread.created',
			'thread.item.done',
			'stream_options',
			'thread.item.added',
			'thread.item.updated',
			...Array(5).fill('thread.item.updated'),
			'thread.item.updated',
			'thread.item.done'
		])
		const reply = stream.at(-1).item
		expect(reply.content[0].text).toBe('Hello, world! You said: hi')

		const thread = await post({ type: 'threads.get_by_id', params: { thread_id: stream[0].thread.id } })
		const body = await thread.json()
		expect(body.items.data.map((item: { type: string }) => item.type)).toEqual([
			'user_message',
			'assistant_message'
		])
	})
})
