import { afterAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { SignJWT } from 'jose'
import { createServer } from '../../app/server'
import { type CheckResult, runCheck } from '../../cli/check'
import { brokenServer } from './broken-server'

const REPO = join(import.meta.dir, '..', '..')
const SECRET = 'check-test-secret-0123456789abcdef0123456789'

const dev = createServer({
	DATABASE_URL: 'memory:',
	OPENAI_API_KEY: '',
	AUTH_MODE: 'jwt',
	JWT_SECRET: SECRET
})
dev.app.listen({ port: 0, hostname: '127.0.0.1' })
const devUrl = `http://127.0.0.1:${dev.app.server?.port}/chatkit`
const broken = brokenServer()
const brokenUrl = `http://127.0.0.1:${broken.port}/chatkit`

afterAll(async () => {
	await dev.app.stop()
	broken.stop(true)
})

const bearer = async (sub: string) =>
	`Bearer ${await new SignJWT({ sub })
		.setProtectedHeader({ alg: 'HS256' })
		.setIssuedAt()
		.setExpirationTime('5m')
		.sign(new TextEncoder().encode(SECRET))}`

const byType = (results: CheckResult[]) => Object.fromEntries(results.map((result) => [result.type, result]))

describe('check', () => {
	test("the framework's own server: every request type conforms (or is not configured), nothing left behind", async () => {
		const authorization = await bearer('checker')
		const report = await runCheck({ url: devUrl, headers: { authorization } })
		const verdicts = Object.fromEntries(report.results.map((result) => [result.type, result.verdict]))
		expect(verdicts).toEqual({
			'threads.create': 'conforming',
			'threads.list': 'conforming',
			'threads.add_user_message': 'conforming',
			'threads.get_by_id': 'conforming',
			'threads.update': 'conforming',
			'items.list': 'conforming',
			'items.feedback': 'conforming',
			'threads.retry_after_item': 'conforming',
			'threads.custom_action': 'conforming',
			'threads.sync_custom_action': 'conforming',
			'threads.add_client_tool_output': 'conforming',
			'threads.add_structured_input': 'conforming',
			'threads.delete': 'conforming',
			'attachments.create': 'not configured',
			'attachments.delete': 'not configured',
			'input.transcribe': 'not configured',
			'errors: a body that is not JSON': 'conforming',
			'errors: an unknown type': 'conforming'
		})
		expect(report.deleted.length).toBe(1)
		expect(report.leftBehind).toEqual([])
		const left = await dev.store.loadThreads(100, null, 'desc', { user: { id: 'checker' } })
		expect(left.data).toEqual([])
	}, 60_000)

	test('a broken server: names the framing, the field names, the types, the status codes and what is missing', async () => {
		const report = await runCheck({ url: brokenUrl })
		const results = byType(report.results)
		expect(results['threads.create']?.verdict).toBe('differing')
		expect(results['threads.create']?.issues[0]).toStartWith(
			'framing: 8 of 8 frames are not exactly one "data: <json>" line'
		)
		expect(results['threads.list']?.issues).toEqual([
			'threads: a field the protocol does not have',
			"data: not sent (the protocol's default is [])",
			'the new thread is not in the list'
		])
		expect(results['threads.get_by_id']?.issues).toEqual([
			'created_at: Invalid input: expected string, received number'
		])
		expect(results['threads.delete']?.issues).toEqual(['deleted: a field the protocol does not have'])
		expect(results['items.feedback']?.verdict).toBe('missing')
		expect(results['errors: a body that is not JSON']?.issues).toEqual([
			'status 500, expected 400',
			'the error body is not JSON'
		])
		expect(results['threads.add_user_message']?.verdict).toBe('conforming')
		expect(report.leftBehind).toEqual([])
	})

	test('the command: one line per type, exit code 1 when something differs, headers sent', async () => {
		const run = async (url: string, ...args: string[]) => {
			const child = Bun.spawn(['bun', join(REPO, 'cli', 'index.ts'), 'check', url, ...args], {
				stdout: 'pipe',
				stderr: 'pipe'
			})
			const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited])
			return { stdout, code }
		}
		const good = await run(
			devUrl,
			'--header',
			`authorization: ${await bearer('cli')}`,
			'--header',
			'x-request-id: check'
		)
		expect(good.stdout).toContain('15 conforming, 3 not configured, 0 differing, 0 missing')
		expect(good.code).toBe(0)
		const bad = await run(brokenUrl)
		expect(bad.stdout).toMatch(/items\.feedback\s+missing/)
		expect(bad.code).toBe(1)
	}, 60_000)
})
