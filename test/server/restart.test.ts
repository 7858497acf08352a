import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from '../../app/server'
import { createClient } from '../../src/client'

const dir = mkdtempSync(join(tmpdir(), 'chatkit-restart-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const boot = () => {
	const { app } = createServer({
		DATABASE_URL: `sqlite:${join(dir, 'chatkit.db')}`,
		NODE_ENV: 'development'
	})
	app.listen({ hostname: '127.0.0.1', port: 0 })
	return { app, client: createClient({ url: `http://127.0.0.1:${app.server?.port}/chatkit` }) }
}

describe('restart on a SQLite file', () => {
	it('keeps threads and items across a server restart', async () => {
		const first = boot()
		let threadId = ''
		for await (const event of first.client.threads.create({ input: 'remember me' }))
			if (event.type === 'thread.created') threadId = event.thread.id
		const before = await first.client.threads.getById({ thread_id: threadId })
		await first.app.stop(true)

		const second = boot()
		try {
			const after = await second.client.threads.getById({ thread_id: threadId })
			expect(after).toEqual(before)
			expect(after.items.data.map((item) => item.type)).toEqual(['user_message', 'assistant_message'])
			const events = []
			for await (const event of second.client.threads.addUserMessage({
				thread_id: threadId,
				input: 'still there?'
			}))
				events.push(event.type)
			expect(events.at(-1)).toBe('thread.item.done')
			const items = await second.client.items.list({ thread_id: threadId, order: 'asc' })
			expect(items.data).toHaveLength(4)
		} finally {
			await second.app.stop(true)
		}
	})
})
