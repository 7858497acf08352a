import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sqliteStore } from '../../plugins/store'
import { createClient } from '../../src/client'
import type { ThreadStreamEvent } from '../../src/protocol/events'

const root = join(import.meta.dir, '../..')
const dataDir = mkdtempSync(join(tmpdir(), 'chatkit-shutdown-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
	`data: ${JSON.stringify({ id: 'chatcmpl-slow', object: 'chat.completion.chunk', created: 0, model: 'slow', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`

/**
 * An OpenAI-compatible model that sends "Hello " at once and the rest of its answer only when the test
 * calls `finish()`: a turn that is running for as long as the test wants.
 */
const slowModel = () => {
	let finish!: () => void
	const finished = new Promise<void>((resolve) => {
		finish = resolve
	})
	const server = Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		idleTimeout: 0,
		async fetch(request) {
			await request.text()
			const encoder = new TextEncoder()
			const body = new ReadableStream({
				async start(controller) {
					controller.enqueue(
						encoder.encode(
							chunk({ role: 'assistant', content: '' }) + chunk({ content: 'Hello ' })
						)
					)
					await finished
					controller.enqueue(
						encoder.encode(`${chunk({ content: 'world' })}${chunk({}, 'stop')}data: [DONE]\n\n`)
					)
					controller.close()
				}
			})
			return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
		}
	})
	return { server, finish }
}

const startServer = async (env: Record<string, string>) => {
	const child = Bun.spawn(['bun', 'app/main.ts'], {
		cwd: root,
		env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', ...env },
		stdout: 'pipe',
		stderr: 'pipe'
	})
	const reader = child.stdout.getReader()
	let output = ''
	while (!/http:\/\/\S+\/chatkit[\s\S]*auth:.*\n/.test(output)) {
		const { done, value } = await reader.read()
		if (done) throw new Error(`server exited:\n${output}${await new Response(child.stderr).text()}`)
		output += new TextDecoder().decode(value)
	}
	const url = (/http:\/\/\S+\/chatkit/.exec(output) as RegExpExecArray)[0]
	const rest = (async () => {
		while (true) {
			const { done, value } = await reader.read()
			if (done) return output
			output += new TextDecoder().decode(value)
		}
	})()
	return { child, url, port: Number(new URL(url).port), output: () => rest }
}

/** Whether a new TCP connection to the port is accepted. */
const accepts = (port: number) =>
	Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } }).then(
		(socket) => {
			socket.end()
			return true
		},
		() => false
	)

/** Starts a turn and resolves once its first text delta arrived; `events` settles when its stream ends. */
const startTurn = async (url: string) => {
	const client = createClient({ url })
	const seen: ThreadStreamEvent[] = []
	let firstDelta!: () => void
	const started = new Promise<void>((resolve) => {
		firstDelta = resolve
	})
	const events = (async () => {
		for await (const event of client.threads.create({ input: 'Say hello' })) {
			seen.push(event)
			if (event.type === 'thread.item.updated') firstDelta()
		}
		return seen
	})()
	events.catch(() => firstDelta())
	await started
	const created = seen.find((event) => event.type === 'thread.created')
	return { events, threadId: created?.type === 'thread.created' ? created.thread.id : '' }
}

const replyOf = async (path: string, threadId: string) => {
	const store = sqliteStore({ path })
	try {
		const page = await store.loadThreadItems(threadId, null, 100, 'asc', { user: { id: 'dev-user' } })
		return page.data
	} finally {
		await store.close()
	}
}

describe('SIGTERM on the server', () => {
	it(
		'refuses new connections at once, lets a running turn finish, then exits 0',
		async () => {
			const model = slowModel()
			const database = join(dataDir, 'drain.db')
			const server = await startServer({
				DATABASE_URL: `sqlite:${database}`,
				OPENAI_API_KEY: 'sk-test',
				OPENAI_BASE_URL: `http://127.0.0.1:${model.server.port}/v1`,
				SHUTDOWN_TIMEOUT_MS: '60000'
			})
			try {
				const turn = await startTurn(server.url)
				expect(await accepts(server.port)).toBe(true)
				server.child.kill('SIGTERM')
				let refused = false
				for (let attempt = 0; attempt < 200 && !refused; attempt++) {
					refused = !(await accepts(server.port))
					if (!refused) await Bun.sleep(25)
				}
				expect(refused).toBe(true)
				expect(server.child.exitCode).toBeNull()
				model.finish()
				const events = await turn.events
				const done = events.findLast(
					(event) => event.type === 'thread.item.done' && event.item.type === 'assistant_message'
				)
				expect(
					done?.type === 'thread.item.done' &&
						done.item.type === 'assistant_message' &&
						done.item.content[0]?.text
				).toBe('Hello world')
				expect(await server.child.exited).toBe(0)
				const items = await replyOf(database, turn.threadId)
				const reply = items.find((item) => item.type === 'assistant_message')
				expect(reply?.type === 'assistant_message' && reply.content[0]?.text).toBe('Hello world')
			} finally {
				server.child.kill('SIGKILL')
				model.finish()
				model.server.stop(true)
			}
		},
		{ timeout: 60_000 }
	)

	it(
		'cancels a turn still running at SHUTDOWN_TIMEOUT_MS: what was streamed is saved, and it exits 0',
		async () => {
			const model = slowModel()
			const database = join(dataDir, 'cancel.db')
			const server = await startServer({
				DATABASE_URL: `sqlite:${database}`,
				OPENAI_API_KEY: 'sk-test',
				OPENAI_BASE_URL: `http://127.0.0.1:${model.server.port}/v1`,
				SHUTDOWN_TIMEOUT_MS: '200'
			})
			try {
				const turn = await startTurn(server.url)
				server.child.kill('SIGTERM')
				expect(await server.child.exited).toBe(0)
				await turn.events.catch(() => [])
				expect(await server.output()).toContain('1 turn(s) cancelled')
				const items = await replyOf(database, turn.threadId)
				const reply = items.find((item) => item.type === 'assistant_message')
				expect(reply?.type === 'assistant_message' && reply.content[0]?.text).toBe('Hello ')
				expect(items.at(-1)?.type).toBe('sdk_hidden_context')
			} finally {
				server.child.kill('SIGKILL')
				model.finish()
				model.server.stop(true)
			}
		},
		{ timeout: 60_000 }
	)
})
