// A Better Auth app whose SQLite file is named by a variable: the generated test runs on a file of its own and
// leaves the app's database as it was (no test user signed up in it).
import { afterAll, expect, test } from 'bun:test'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runInit } from '../../cli/init'
import { copyFixture, linkPackages, removeCopies } from './helpers'

afterAll(removeCopies)

test("the generated test of a Better Auth app on SQLITE_PATH gives the app a file of its own, not the app's", async () => {
	const dir = copyFixture('better-auth')
	writeFileSync(
		join(dir, 'src/auth.ts'),
		readFileSync(join(dir, 'src/auth.ts'), 'utf8').replace(
			"new Database('auth.db')",
			"new Database(process.env.SQLITE_PATH ?? 'auth.db')"
		)
	)
	await runInit(dir, { install: false, log: () => {} })
	const chat = readFileSync(join(dir, 'src/chatkit.ts'), 'utf8')
	expect(chat).toContain("env.SQLITE_PATH?.replace(/^file:/, 'sqlite:') || 'sqlite:auth.db'")
	const generated = readFileSync(join(dir, 'src/chatkit.test.ts'), 'utf8')
	expect(generated).toContain("process.env.SQLITE_PATH = join(folder, 'app.db')")
	linkPackages(dir)
	const child = Bun.spawn(['bun', 'test', '--timeout', '60000'], {
		cwd: dir,
		stdout: 'pipe',
		stderr: 'pipe',
		env: {
			...process.env,
			BETTER_AUTH_SECRET: 'better-auth-secret-for-the-test-0123456789'
		}
	})
	const [stdout, stderr, code] = await Promise.all([
		new Response(child.stdout).text(),
		new Response(child.stderr).text(),
		child.exited
	])
	expect(`${stdout}${stderr}`).toContain('1 pass')
	expect(code).toBe(0)
	expect(existsSync(join(dir, 'auth.db'))).toBe(false)
}, 120_000)
