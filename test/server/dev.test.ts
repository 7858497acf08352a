import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '../../src/client'

const root = join(import.meta.dir, '../..')
const dataDir = mkdtempSync(join(tmpdir(), 'chatkit-dev-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const startDev = async (env: Record<string, string>) => {
	const child = Bun.spawn(['bun', 'run', 'dev'], {
		cwd: root,
		env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', ...env },
		stdout: 'pipe',
		stderr: 'pipe'
	})
	const reader = child.stdout.getReader()
	let output = ''
	const deadline = Date.now() + 30_000
	while (!/http:\/\/\S+\/chatkit[\s\S]*auth:.*\n/.test(output)) {
		if (Date.now() > deadline) throw new Error(`dev server did not start:\n${output}`)
		const { done, value } = await reader.read()
		if (done) throw new Error(`dev server exited:\n${output}${await new Response(child.stderr).text()}`)
		output += new TextDecoder().decode(value)
	}
	reader.releaseLock()
	const url = (/http:\/\/\S+\/chatkit/.exec(output) as RegExpExecArray)[0]
	return { child, url, output }
}

describe('bun run dev', () => {
	it(
		'starts with no configuration and completes a streamed turn over real HTTP',
		async () => {
			const { child, url, output } = await startDev({
				DATABASE_URL: `sqlite:${join(dataDir, 'dev.db')}`
			})
			try {
				expect(output).toContain('offline model')
				expect(output).toContain('development user')
				const health = await fetch(url.replace('/chatkit', '/health'))
				expect(await health.json()).toEqual({ status: 'ok' })
				const ready = await fetch(url.replace('/chatkit', '/ready'))
				expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }])

				const client = createClient({ url })
				const deltas: string[] = []
				let threadId = ''
				for await (const event of client.threads.create({ input: 'Hello there' })) {
					if (event.type === 'thread.created') threadId = event.thread.id
					if (
						event.type === 'thread.item.updated' &&
						event.update.type === 'assistant_message.content_part.text_delta'
					)
						deltas.push(event.update.delta)
				}
				expect(deltas.length).toBeGreaterThan(1)
				const thread = await client.threads.getById({ thread_id: threadId })
				const reply = thread.items.data.find((item) => item.type === 'assistant_message')
				expect(reply?.type === 'assistant_message' && reply.content[0]?.text).toBe(deltas.join(''))
			} finally {
				child.kill()
				await child.exited
			}
		},
		{ timeout: 60_000 }
	)

	it(
		'refuses a wrong configuration value and names the variable',
		async () => {
			const child = Bun.spawn(['bun', 'run', 'app/main.ts'], {
				cwd: root,
				env: { PATH: process.env.PATH ?? '', PORT: 'eighty' },
				stdout: 'pipe',
				stderr: 'pipe'
			})
			expect(await child.exited).toBe(1)
			expect(await new Response(child.stderr).text()).toContain('PORT')
		},
		{ timeout: 30_000 }
	)

	it(
		'refuses to run without auth in production unless allowed',
		async () => {
			const child = Bun.spawn(['bun', 'run', 'app/main.ts'], {
				cwd: root,
				env: {
					PATH: process.env.PATH ?? '',
					PORT: '0',
					NODE_ENV: 'production',
					DATABASE_URL: 'memory:'
				},
				stdout: 'pipe',
				stderr: 'pipe'
			})
			expect(await child.exited).toBe(1)
			expect(await new Response(child.stderr).text()).toContain('AUTH_MODE')
		},
		{ timeout: 30_000 }
	)
})
