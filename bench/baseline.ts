import type { BareSql } from './bare-sql'
import { TOKENS, USER_TEXT } from './fixtures'

const SSE_HEADERS = {
	'content-type': 'text/event-stream',
	'cache-control': 'no-cache',
	'x-accel-buffering': 'no'
}
export const JSON_HEADERS = { 'content-type': 'application/json' }

let counter = 0
const nextId = (prefix: string) => `${prefix}_${(++counter).toString(16).padStart(16, '0')}`

interface DirectController {
	write(chunk: string | ArrayBufferView): number
	flush(): number | Promise<number>
	close(): void
}

/**
 * The bytes of one turn, event by event, as the least a server can do: fresh ids and timestamps,
 * one `JSON.stringify` per event, written as `data: <json>\n\n` into a direct stream.
 */
const writeTurn = async (controller: DirectController, paceMs: number, sql?: BareSql) => {
	const send = (event: unknown) => controller.write(`data: ${JSON.stringify(event)}\n\n`)
	const threadId = nextId('thr')
	const createdAt = new Date().toISOString()
	const thread = { id: threadId, created_at: createdAt, status: { type: 'active' }, metadata: {} }
	await sql?.insertThread(threadId, createdAt, JSON.stringify(thread))
	send({ type: 'thread.created', thread: { ...thread, items: { data: [], has_more: false } } })
	const userItem = {
		id: nextId('msg'),
		thread_id: threadId,
		created_at: createdAt,
		type: 'user_message',
		content: [{ type: 'input_text', text: USER_TEXT }],
		attachments: [],
		inference_options: {}
	}
	await sql?.insertItem(threadId, userItem.id, userItem.type, createdAt, JSON.stringify(userItem))
	send({ type: 'thread.item.done', item: userItem })
	send({ type: 'stream_options', stream_options: { allow_cancel: true } })
	const message = {
		id: nextId('msg'),
		thread_id: threadId,
		created_at: new Date().toISOString(),
		type: 'assistant_message',
		content: [] as unknown[]
	}
	send({ type: 'thread.item.added', item: message })
	send({
		type: 'thread.item.updated',
		item_id: message.id,
		update: {
			type: 'assistant_message.content_part.added',
			content_index: 0,
			content: { annotations: [], text: '', type: 'output_text' }
		}
	})
	if (paceMs > 0) await controller.flush()
	let text = ''
	for (const delta of TOKENS) {
		if (paceMs > 0) await Bun.sleep(paceMs)
		text += delta
		send({
			type: 'thread.item.updated',
			item_id: message.id,
			update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta }
		})
		if (paceMs > 0) await controller.flush()
	}
	const part = { annotations: [], text, type: 'output_text' }
	send({
		type: 'thread.item.updated',
		item_id: message.id,
		update: { type: 'assistant_message.content_part.done', content_index: 0, content: part }
	})
	const done = { ...message, content: [part] }
	await sql?.insertItem(threadId, done.id, done.type, done.created_at, JSON.stringify(done))
	send({ type: 'thread.item.done', item: done })
	await controller.flush()
	controller.close()
}

/** The streaming answer of the baseline servers; with `sql`, each of its writes awaited where ChatKit awaits one. */
export const turnResponse = (paceMs: number, sql?: BareSql): Response =>
	new Response(
		new ReadableStream({
			type: 'direct',
			pull: (controller: DirectController) => writeTurn(controller, paceMs, sql)
		} as unknown as UnderlyingDefaultSource),
		{ headers: SSE_HEADERS }
	)
