import { expect } from 'bun:test'
import type { AnyElysia } from 'elysia'
import type { Responder } from '../../src/engine/types'
import { secretKey, sign } from '../auth/utils'

/** A signed HS256 token for `sub` in `tenant` (the test secret of test/auth/utils.ts). */
export const tokenFor = (sub: string, tenant?: string) =>
	sign(tenant === undefined ? {} : { tenant_id: tenant }, secretKey, { sub })

/** POST one ChatKit request as the holder of `token`. */
export const send = (app: AnyElysia, token: string, type: string, params: unknown = {}) =>
	app.handle(
		new Request('http://localhost/chatkit', {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ type, params })
		})
	)

export const input = (text: string, extra: Record<string, unknown> = {}) => ({
	content: [{ type: 'input_text', text }],
	attachments: [],
	inference_options: {},
	...extra
})

/** The JSON objects of a whole event stream. */
export const events = async (res: Response): Promise<any[]> => {
	expect(res.status).toBe(200)
	expect(res.headers.get('content-type')).toBe('text/event-stream')
	const text = await res.text()
	return text
		.split('\n\n')
		.filter(Boolean)
		.map((frame) => JSON.parse(frame.slice('data: '.length)))
}

/** A responder whose replies stay open until `finish()` or until the client goes away. */
export const heldResponder = () => {
	const waiting = new Set<() => void>()
	const respond: Responder = async function* ({ thread, signal }) {
		const id = `msg_${crypto.randomUUID().slice(0, 8)}`
		const created_at = new Date().toISOString()
		let release = () => {}
		const gate = new Promise<void>((resolve) => {
			release = resolve
		})
		const done = () => {
			waiting.delete(done)
			release()
		}
		waiting.add(done)
		signal.addEventListener('abort', done, { once: true })
		yield {
			type: 'thread.item.added',
			item: { id, thread_id: thread.id, created_at, type: 'assistant_message', content: [] }
		}
		await gate
		if (signal.aborted) return
		yield {
			type: 'thread.item.done',
			item: {
				id,
				thread_id: thread.id,
				created_at,
				type: 'assistant_message',
				content: [{ type: 'output_text', text: 'done', annotations: [] }]
			}
		}
	}
	return {
		respond,
		/** Let every open reply finish. */
		finish: () => {
			for (const done of [...waiting]) done()
		}
	}
}

/** Read a stream until its assistant message has started; returns the reader to finish or cancel it. */
export const openStream = async (res: Response) => {
	expect(res.status).toBe(200)
	const reader = (res.body as ReadableStream<Uint8Array>).getReader()
	const decoder = new TextDecoder()
	let text = ''
	while (!text.includes('"thread.item.added"')) {
		const { value, done } = await reader.read()
		if (done) throw new Error(`the stream ended early: ${text}`)
		text += decoder.decode(value)
	}
	return {
		reader,
		/** Read the rest of the stream. */
		async drain() {
			while (!(await reader.read()).done) {}
		}
	}
}

/** Poll (at most 100 times, 20 ms apart) until `check` holds, for effects that land after a response ends. */
export const eventually = async (check: () => boolean | Promise<boolean>) => {
	for (let i = 0; i < 100; i++) {
		if (await check()) return true
		await Bun.sleep(20)
	}
	return false
}
