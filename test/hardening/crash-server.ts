/**
 * A server for the crash test, run as a child process: the store of DATABASE_URL, one stream per user
 * (instance INSTANCE_ID), checkpoints every CHECKPOINT_MS, and a responder that streams one word every
 * 20 ms until its client leaves. Prints `listening <port>` once it accepts connections.
 */
import { Elysia } from 'elysia'
import { limits } from '../../plugins/limits'
import { drizzleStore } from '../../plugins/store'
import { chatkit } from '../../src/chatkit'
import type { Responder } from '../../src/engine/types'

const endless: Responder = async function* ({ thread, signal }) {
	const id = `msg_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`
	yield {
		type: 'thread.item.added',
		item: {
			id,
			thread_id: thread.id,
			created_at: new Date().toISOString(),
			type: 'assistant_message',
			content: []
		}
	}
	for (let word = 0; !signal.aborted; word++) {
		yield {
			type: 'thread.item.updated',
			item_id: id,
			update: {
				type: 'assistant_message.content_part.text_delta',
				content_index: 0,
				delta: `w${word} `
			}
		}
		await Bun.sleep(20)
	}
}

const app = new Elysia()
	.use(drizzleStore({ url: process.env.DATABASE_URL }))
	.use(limits({ requestsPerMinute: 0, maxConcurrentStreams: 1, instanceId: process.env.INSTANCE_ID }))
	.use(
		chatkit({
			respond: endless,
			defaultUser: { id: 'crash_user' },
			checkpointIntervalMs: Number(process.env.CHECKPOINT_MS)
		})
	)
	.listen({ port: 0, hostname: '127.0.0.1' })
console.log(`listening ${app.server?.port}`)
