import { describe, expect, it } from 'bun:test'
import { join } from 'node:path'

const root = join(import.meta.dir, '../..')

/** Runs a script with the package's logger in a child process and returns what it wrote. */
const run = async (env: Record<string, string>) => {
	const script = `
		import { logError, logRequest } from './src/engine/log'
		logRequest({ type: 'threads.create', user: { id: 'u1', tenantId: 't1' }, threadId: 'thr_1', status: 200,
			code: null, streamed: true, cancelled: false, durationMs: 12.345 })
		logRequest({ type: 'threads.list', user: null, threadId: null, status: 503, code: 'store_unavailable',
			streamed: false, cancelled: false, durationMs: 3 })
		logError('request failed', new TypeError('boom'))
	`
	const child = Bun.spawn(['bun', '-e', script], {
		cwd: root,
		env: { PATH: process.env.PATH ?? '', ...env },
		stdout: 'pipe',
		stderr: 'pipe'
	})
	const [stdout, stderr] = await Promise.all([
		new Response(child.stdout).text(),
		new Response(child.stderr).text()
	])
	expect(await child.exited).toBe(0)
	return { stdout, stderr }
}

describe('the logger', () => {
	it('writes one JSON line per request in production, with ids, status, duration and code', async () => {
		const { stdout, stderr } = await run({ NODE_ENV: 'production' })
		expect(stderr).toBe('')
		const lines = stdout
			.trim()
			.split('\n')
			.map((line) => JSON.parse(line))
		expect(lines).toHaveLength(3)
		expect(lines[0]).toMatchObject({
			level: 'info',
			msg: 'request',
			type: 'threads.create',
			status: 200,
			durationMs: 12.3,
			user: 'u1',
			tenant: 't1',
			thread: 'thr_1',
			code: null,
			streamed: true
		})
		expect(Date.parse(lines[0].time)).not.toBeNaN()
		expect(lines[1]).toMatchObject({
			level: 'error',
			msg: 'request',
			status: 503,
			code: 'store_unavailable'
		})
		expect(lines[2]).toMatchObject({
			level: 'error',
			msg: 'request failed',
			error: 'TypeError',
			message: 'boom'
		})
	})

	it('follows LOG_LEVEL: warn keeps errors only, silent writes nothing', async () => {
		const warn = await run({ NODE_ENV: 'production', LOG_LEVEL: 'warn' })
		expect(
			warn.stdout
				.trim()
				.split('\n')
				.map((line) => JSON.parse(line).msg)
		).toEqual(['request', 'request failed'])
		const silent = await run({ NODE_ENV: 'production', LOG_LEVEL: 'silent' })
		expect(silent.stdout + silent.stderr).toBe('')
	})

	it('is quiet in development (errors only, as text on stderr) and writes text request lines at LOG_LEVEL=info', async () => {
		const quiet = await run({})
		expect(quiet.stdout).toBe('')
		expect(quiet.stderr).toContain('[elysia-chatkit] request type=threads.list status=503')
		expect(quiet.stderr).toContain('[elysia-chatkit] request failed error=TypeError message=boom')
		const info = await run({ LOG_LEVEL: 'info' })
		expect(info.stdout).toContain(
			'[elysia-chatkit] request type=threads.create status=200 durationMs=12.3 user=u1'
		)
	})
})
