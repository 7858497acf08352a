// init at level 3 in an app without auth adds a JWT secret the endpoint cannot start without: the app must still
// start after init (a random development value in its git-ignored .env), or init must say what to set.
import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SignJWT } from 'jose'
import { runInit } from '../../cli/init'
import { createClient } from '../../src/client'
import { copyFixture, linkPackages, removeCopies } from './helpers'

afterAll(removeCopies)

const quiet = { install: false, log: () => {} }

const freePort = () => {
	const server = Bun.serve({ port: 0, fetch: () => new Response() })
	const port = server.port as number
	server.stop(true)
	return port
}

describe('init --level 3 in an app without auth', () => {
	test('the new secret gets a random value in the git-ignored .env, so the app starts and serves its signed-in users', async () => {
		const dir = copyFixture('bare')
		writeFileSync(join(dir, '.gitignore'), 'node_modules\n.env\n')
		const { plan, applied } = await runInit(dir, { ...quiet, level: 3 })
		expect(applied?.env).toEqual(['.env.example', '.env'])
		const local = readFileSync(join(dir, '.env'), 'utf8')
		expect(local).toMatch(/^# .+\nCHATKIT_JWT_SECRET=[\w-]{43}\n$/)
		expect(readFileSync(join(dir, '.env.example'), 'utf8')).toContain('CHATKIT_JWT_SECRET=\n')
		expect(plan.notes).toContain(
			'CHATKIT_JWT_SECRET: a random development value in .env (git-ignored); set your own where the app runs'
		)

		linkPackages(dir)
		const port = freePort()
		const child = Bun.spawn(['bun', 'src/index.ts'], {
			cwd: dir,
			env: { ...process.env, NODE_ENV: 'development', OPENAI_API_KEY: '', PORT: String(port) },
			stdout: 'ignore',
			stderr: 'pipe'
		})
		const url = `http://127.0.0.1:${port}/chatkit`
		try {
			let anonymous = 0
			while (anonymous === 0) {
				if (child.exitCode !== null)
					throw new Error(`the app did not start: ${await new Response(child.stderr).text()}`)
				anonymous = await fetch(url, {
					method: 'POST',
					body: JSON.stringify({ type: 'threads.list', params: {} })
				}).then(
					(response) => response.status,
					() => 0
				)
				if (anonymous === 0) await Bun.sleep(50)
			}
			expect(anonymous).toBe(401)
			const secret = /CHATKIT_JWT_SECRET=(.+)/.exec(local)?.[1] as string
			const token = await new SignJWT({ sub: 'alice' })
				.setProtectedHeader({ alg: 'HS256' })
				.setIssuedAt()
				.setExpirationTime('5m')
				.sign(new TextEncoder().encode(secret))
			const client = createClient({ url, headers: { authorization: `Bearer ${token}` } })
			const types: string[] = []
			for await (const event of client.threads.create({ input: 'Hello' })) types.push(event.type)
			expect(types[0]).toBe('thread.created')
			expect(types).toContain('thread.item.done')
		} finally {
			child.kill()
			await child.exited
		}
	}, 60_000)

	test('without a .gitignore that keeps .env out of git, no secret is written and the plan says what to set', async () => {
		const dir = copyFixture('bare')
		const { plan, applied } = await runInit(dir, { ...quiet, level: 3 })
		expect(applied?.env).toEqual(['.env.example'])
		expect(existsSync(join(dir, '.env'))).toBe(false)
		expect(plan.localEnv).toEqual([])
		expect(plan.notes).toContain(
			'set CHATKIT_JWT_SECRET (in .env or the environment) before starting the app: the ChatKit endpoint does not start without it'
		)
	})
})
