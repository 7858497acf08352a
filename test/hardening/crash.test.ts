import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStore } from '../../plugins/store'
import { createClient } from '../../src/client'
import { INTERRUPTED_NOTE } from '../../src/engine/checkpoints'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type { ThreadItem } from '../../src/protocol/items'
import type { ChatKitContext } from '../../src/store/types'
import { createTestDatabase, postgresReachable } from '../store/pg'

setDefaultTimeout(60_000)

const CONTEXT: ChatKitContext = { user: { id: 'crash_user' } }
const folder = mkdtempSync(join(tmpdir(), 'chatkit-crash-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const children = new Set<ReturnType<typeof Bun.spawn>>()
afterAll(() => {
	for (const child of children) child.kill('SIGKILL')
})

/** Starts the crash server on `databaseUrl` and resolves with its endpoint once it listens. */
const startServer = async (databaseUrl: string) => {
	const child = Bun.spawn(['bun', join(import.meta.dir, 'crash-server.ts')], {
		env: { ...process.env, DATABASE_URL: databaseUrl, INSTANCE_ID: 'crash-test', CHECKPOINT_MS: '200' },
		stdout: 'pipe',
		stderr: 'inherit'
	})
	children.add(child)
	const reader = child.stdout.getReader()
	let output = ''
	while (!/listening \d+/.test(output)) {
		const { done, value } = await reader.read()
		if (done) throw new Error(`the crash server exited:\n${output}`)
		output += new TextDecoder().decode(value)
	}
	reader.releaseLock()
	const port = (/listening (\d+)/.exec(output) as RegExpExecArray)[1]
	return { child, url: `http://127.0.0.1:${port}/chatkit` }
}

const textOf = (item: ThreadItem | undefined) =>
	item?.type === 'assistant_message' ? item.content.map((part) => part.text).join('') : ''

const kinds: [string, () => Promise<string>][] = [
	['SQLite', async () => `sqlite:${join(folder, 'crash.db')}`]
]
if (await postgresReachable())
	kinds.push([
		'PostgreSQL',
		async () => {
			const database = await createTestDatabase()
			afterAll(() => database.drop())
			return database.url
		}
	])

for (const [name, databaseUrl] of kinds)
	describe(`a server killed mid-turn on ${name}`, () => {
		test("keeps the checkpointed partial reply, marked as interrupted, and lets the user stream again at once, on the dead turn's thread too (the restart gives its lease back)", async () => {
			const url = await databaseUrl()
			const store = createStore(url)
			try {
				const first = await startServer(url)
				let threadId = ''
				let seen = ''
				const reading = (async () => {
					try {
						for await (const event of createClient({ url: first.url }).threads.create({
							input: 'Go on'
						})) {
							if (event.type === 'thread.created') threadId = event.thread.id
							if (
								event.type === 'thread.item.updated' &&
								event.update.type === 'assistant_message.content_part.text_delta'
							)
								seen += event.update.delta
						}
					} catch {
						// the server is killed under the stream
					}
				})()
				let checkpointed = ''
				while (checkpointed === '') {
					await Bun.sleep(50)
					if (!threadId) continue
					const page = await store.loadThreadItems(threadId, null, 10, 'asc', CONTEXT)
					checkpointed = textOf(page.data.find((item) => item.type === 'assistant_message'))
				}
				first.child.kill('SIGKILL')
				await first.child.exited
				await reading

				const items = (await store.loadThreadItems(threadId, null, 10, 'asc', CONTEXT)).data
				expect(items.map((item) => item.type)).toEqual([
					'user_message',
					'assistant_message',
					'sdk_hidden_context'
				])
				const partial = textOf(items[1])
				expect(partial.length).toBeGreaterThan(0)
				expect(seen.startsWith(partial)).toBe(true)
				expect(items[2]?.type === 'sdk_hidden_context' && items[2].content).toBe(INTERRUPTED_NOTE)

				const second = await startServer(url)
				const controller = new AbortController()
				const events: ThreadStreamEvent[] = []
				for await (const event of createClient({ url: second.url }).threads.create(
					{ input: 'Are you back?' },
					{ signal: controller.signal }
				)) {
					events.push(event)
					if (event.type === 'error' || event.type === 'thread.item.updated') break
				}
				controller.abort()
				expect(events.find((event) => event.type === 'error')).toBeUndefined()
				expect(
					events.some(
						(event) => event.type === 'thread.item.done' && event.item.type === 'user_message'
					)
				).toBe(true)

				const sameThread = await fetch(second.url, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({
						type: 'threads.add_user_message',
						params: {
							thread_id: threadId,
							input: {
								content: [{ type: 'input_text', text: 'And here?' }],
								attachments: [],
								inference_options: {}
							}
						}
					})
				})
				// the restarted instance (same INSTANCE_ID) gave back the dead turn's lease: no wait for its expiry
				expect(sameThread.status).toBe(200)
				expect(sameThread.headers.get('content-type')).toContain('text/event-stream')
				await sameThread.body?.cancel()
				second.child.kill('SIGKILL')
				await second.child.exited
			} finally {
				await store.close()
			}
		})
	})
