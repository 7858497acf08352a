import { describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { createClient } from '../../src/client'

const root = join(import.meta.dir, '../..')

describe('the dev server in production', () => {
	it(
		'writes one JSON line per request with its type, status, user and thread, and no message text',
		async () => {
			const child = Bun.spawn(['bun', 'app/main.ts'], {
				cwd: root,
				env: {
					PATH: process.env.PATH ?? '',
					HOME: process.env.HOME ?? '',
					PORT: '0',
					NODE_ENV: 'production',
					ALLOW_ANONYMOUS: 'true',
					DATABASE_URL: 'memory:'
				},
				stdout: 'pipe',
				stderr: 'pipe'
			})
			const reader = child.stdout.getReader()
			let output = ''
			const readUntil = async (pattern: RegExp) => {
				while (!pattern.test(output)) {
					const { done, value } = await reader.read()
					if (done) throw new Error(`server exited:\n${output}`)
					output += new TextDecoder().decode(value)
				}
			}
			try {
				await readUntil(/http:\/\/\S+\/chatkit/)
				const url = (/http:\/\/\S+\/chatkit/.exec(output) as RegExpExecArray)[0]
				const client = createClient({ url })
				let threadId = ''
				for await (const event of client.threads.create({ input: 'my secret is swordfish' }))
					if (event.type === 'thread.created') threadId = event.thread.id
				const missing = await fetch(url, {
					method: 'POST',
					body: JSON.stringify({ type: 'threads.get_by_id', params: { thread_id: 'thr_none' } })
				})
				expect(missing.status).toBe(404)
				await readUntil(/"type":"threads\.get_by_id"[^\n]*\n/)
				const lines = output
					.split('\n')
					.filter((line) => line.startsWith('{'))
					.map((line) => JSON.parse(line))
					.filter((line) => line.msg === 'request')
				expect(lines).toHaveLength(2)
				expect(lines[0]).toMatchObject({
					level: 'info',
					type: 'threads.create',
					status: 200,
					user: 'dev-user',
					thread: threadId,
					streamed: true
				})
				expect(lines[0].durationMs).toBeGreaterThan(0)
				expect(lines[1]).toMatchObject({
					type: 'threads.get_by_id',
					status: 404,
					thread: 'thr_none',
					code: 'not_found',
					streamed: false
				})
				expect(output).not.toContain('swordfish')
			} finally {
				child.kill()
				await child.exited
			}
		},
		{ timeout: 60_000 }
	)
})
