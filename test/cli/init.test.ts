import { afterAll, describe, expect, test } from 'bun:test'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runAdd } from '../../cli/add'
import { runInit } from '../../cli/init'
import { copyFixture, emptyFolder, removeCopies, runCli, snapshot } from './helpers'

afterAll(removeCopies)

const quiet = { install: false, log: () => {} }

describe('init', () => {
	test('--dry-run prints the report and the plan and writes nothing', async () => {
		const dir = copyFixture('bare')
		const before = snapshot(dir)
		const { stdout, code } = await runCli(['init', '--dry-run', '--level', '3'], dir)
		expect(code).toBe(0)
		expect(stdout).toContain('entry          src/index.ts')
		expect(stdout).toContain('Plan (level 3):')
		expect(stdout).toContain('create src/chatkit.ts')
		expect(stdout).toContain('edit   src/index.ts')
		expect(snapshot(dir)).toEqual(before)
	})

	test('mounts the endpoint in the app chain with one edit, then a second run changes nothing', async () => {
		const dir = copyFixture('bare')
		const { applied } = await runInit(dir, quiet)
		expect(applied?.written).toEqual(['src/chatkit.ts', 'src/chatkit.test.ts'])
		expect(applied?.edited).toEqual(['src/index.ts'])
		expect(readFileSync(join(dir, 'src/index.ts'), 'utf8')).toBe(
			[
				"import { Elysia } from 'elysia'",
				"import { createChat } from './chatkit'",
				'',
				'const app = new Elysia()',
				"\t.get('/', () => 'Hello Elysia')",
				'\t.use(createChat())',
				'\t.listen(Number(process.env.PORT) || 3000)',
				'',
				'console.log(`🦊 Elysia is running at ${app.server?.hostname}:${app.server?.port}`)',
				''
			].join('\n')
		)
		expect(readFileSync(join(dir, '.env.example'), 'utf8')).toContain(
			'CHATKIT_DATABASE_URL=sqlite:.data/chatkit.db'
		)
		// a turn with its database on a busy CI machine: more than bun's default 5 s per test
		expect(readFileSync(join(dir, 'src/chatkit.test.ts'), 'utf8')).toContain(
			'\nsetDefaultTimeout(30_000)\n'
		)
		const after = snapshot(dir)
		const again = await runInit(dir, { ...quiet, level: 3 })
		expect(again.plan.mode).toBe('already-mounted')
		expect(snapshot(dir)).toEqual(after)
	})

	test('a file the user changed is never overwritten', async () => {
		const dir = copyFixture('bare')
		writeFileSync(join(dir, 'src/chatkit.ts'), '// mine\n')
		const { applied } = await runInit(dir, quiet)
		expect(applied?.kept).toEqual(['src/chatkit.ts'])
		expect(readFileSync(join(dir, 'src/chatkit.ts'), 'utf8')).toBe('// mine\n')
	})

	test('the PostgreSQL app: its variables, its modules layout, the app module edited', async () => {
		const dir = copyFixture('jwt-drizzle-pg')
		const { plan } = await runInit(dir, { ...quiet, level: 3 })
		expect(plan.files.map((file) => file.path)).toEqual([
			'src/modules/chatkit/index.ts',
			'src/modules/chatkit/chatkit.test.ts'
		])
		const chat = readFileSync(join(dir, 'src/modules/chatkit/index.ts'), 'utf8')
		expect(chat).toContain('drizzleStore({ url: env.ORDERS_PG_CONNECTION })')
		expect(chat).toContain('secret: env.ORDERS_TOKEN_SECRET')
		expect(chat).toContain('String(payload.id)')
		expect(chat).toContain('env.ORDERS_CHATKIT_RATE_LIMIT_PER_MINUTE')
		expect(readFileSync(join(dir, 'src/app.ts'), 'utf8')).toBe(
			[
				"import { Elysia } from 'elysia'",
				"import { users } from './modules/users'",
				"import { createChat } from './modules/chatkit'",
				'',
				"export const app = new Elysia().use(users).get('/health', () => ({ status: 'ok' })).use(createChat())",
				''
			].join('\n')
		)
		const example = readFileSync(join(dir, '.env.example'), 'utf8')
		expect(example).toContain('ORDERS_CHATKIT_CORS_ORIGINS=')
		expect(example).not.toContain('CHATKIT_DATABASE_URL')
	})

	test('Better Auth: the plugin on the auth instance, the store in its SQLite file', async () => {
		const dir = copyFixture('better-auth')
		await runInit(dir, quiet)
		const chat = readFileSync(join(dir, 'src/chatkit.ts'), 'utf8')
		expect(chat).toContain("import { betterAuthUser } from 'elysia-chatkit/plugins/better-auth'")
		expect(chat).toContain("import { auth } from './auth'")
		expect(chat).toContain('.use(betterAuthUser(auth))')
		expect(chat).toContain("env.CHATKIT_DATABASE_URL || 'sqlite:auth.db'")
	})

	test("an app's SQLite file read from a variable with a default: the store falls back to the same file", async () => {
		const dir = copyFixture('bare')
		writeFileSync(
			join(dir, 'src/db.ts'),
			"import { Database } from 'bun:sqlite'\n\nexport const db = new Database(process.env.SQLITE_PATH ?? 'data/app.sqlite')\n"
		)
		const { plan } = await runInit(dir, quiet)
		const chat = readFileSync(join(dir, 'src/chatkit.ts'), 'utf8')
		expect(chat).toContain(
			"drizzleStore({ url: env.SQLITE_PATH?.replace(/^file:/, 'sqlite:') || 'sqlite:data/app.sqlite' })"
		)
		expect(plan.notes).toContain(
			"store: the app's SQLite database (SQLITE_PATH, else data/app.sqlite as the app does, from src/db.ts); ChatKit's tables are prefixed chatkit_"
		)
	})

	test('a bun init app: its placeholder entry becomes the server, package.json gets dev and start, the next commands are printed', async () => {
		const dir = copyFixture('bun-init-placeholder')
		const output: string[] = []
		const { applied } = await runInit(dir, { install: false, log: (text) => output.push(text) })
		expect(applied?.written).toEqual(['chatkit.ts', 'chatkit.test.ts'])
		expect(applied?.edited).toEqual(['index.ts', 'package.json', '.gitignore'])
		const entry = readFileSync(join(dir, 'index.ts'), 'utf8')
		expect(entry).toContain("import { createChat } from './chatkit'")
		expect(entry).toContain('\t.use(createChat())\n\t.listen(port)')
		const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
		expect(pkg.scripts).toEqual({
			typecheck: 'bun check',
			dev: 'bun run --watch index.ts',
			start: 'bun run index.ts'
		})
		expect(readFileSync(join(dir, 'package.json'), 'utf8')).toStartWith(
			'{\n  "name": "bun-init-placeholder",'
		)
		const printed = output.join('\n')
		expect(printed).toContain(
			"edit   index.ts  bun init's placeholder → a server that mounts the chat module"
		)
		expect(printed).toContain('Next:\n  bun test chatkit.test.ts')
		expect(printed).toContain('bun run dev   # the server: POST http://localhost:3000/chatkit')
		expect(printed).toContain(
			`curl -N http://localhost:3000/chatkit -H 'content-type: application/json' -d '{"type":"threads.create","params":{"input":{"content":[{"type":"input_text","text":"Hello"}],"attachments":[],"inference_options":{}}}}'`
		)
		const after = snapshot(dir)
		expect((await runInit(dir, quiet)).plan.mode).toBe('already-mounted')
		expect(snapshot(dir)).toEqual(after)
	})

	test("the SQLite file under .data/ is kept out of git: added to the app's .gitignore once, or said when there is none", async () => {
		const dir = copyFixture('bun-init')
		const before = readFileSync(join(dir, '.gitignore'), 'utf8')
		const { applied } = await runInit(dir, quiet)
		expect(applied?.edited).toContain('.gitignore')
		const ignored = readFileSync(join(dir, '.gitignore'), 'utf8')
		expect(ignored).toBe(`${before}\n# ChatKit's SQLite file\n.data/\n`)
		Bun.spawnSync(['git', 'init', '-q'], { cwd: dir })
		const git = Bun.spawnSync(['git', 'check-ignore', '-q', '.data/chatkit.db'], { cwd: dir })
		expect(git.exitCode).toBe(0)

		const ignoring = copyFixture('bun-init')
		writeFileSync(join(ignoring, '.gitignore'), 'node_modules\n/.data/\n')
		const second = await runInit(ignoring, quiet)
		expect(second.applied?.edited).not.toContain('.gitignore')
		expect(readFileSync(join(ignoring, '.gitignore'), 'utf8')).toBe('node_modules\n/.data/\n')

		const none = copyFixture('bare')
		const third = await runInit(none, quiet)
		expect(third.plan.notes).toContain(
			'.data/ holds the SQLite file: keep it out of git (add .data/ to .gitignore)'
		)
	})

	test("an index.ts of the user's own without an Elysia app is not replaced: the lines to add name the module", async () => {
		const dir = copyFixture('bun-init-placeholder')
		writeFileSync(join(dir, 'index.ts'), 'console.log("mine")\n')
		const { plan, applied } = await runInit(dir, quiet)
		expect(applied?.edited).toEqual(['.gitignore'])
		expect(readFileSync(join(dir, 'index.ts'), 'utf8')).toBe('console.log("mine")\n')
		expect(plan.manual).toBe(
			"import { createChat } from './chatkit'   // in index.ts\n… app.use(createChat())   // before .listen(…)"
		)
	})

	test('ChatKit already mounted: says so and changes nothing', async () => {
		const dir = copyFixture('mounted')
		const before = snapshot(dir)
		const { stdout } = await runCli(['init', '--yes', '--no-install'], dir)
		expect(stdout).toContain('ChatKit is already mounted in src/index.ts: nothing to do')
		expect(snapshot(dir)).toEqual(before)
	})

	test('an empty folder becomes a complete project', async () => {
		const dir = emptyFolder()
		const { applied } = await runInit(dir, { ...quiet, level: 3 })
		expect(applied?.written.sort()).toEqual(
			[
				'.gitignore',
				'package.json',
				'src/chatkit.test.ts',
				'src/chatkit.ts',
				'src/index.ts',
				'tsconfig.json'
			].sort()
		)
		expect(readFileSync(join(dir, '.env'), 'utf8')).toMatch(/CHATKIT_JWT_SECRET=[\w-]{40,}/)
		expect(readFileSync(join(dir, '.env.example'), 'utf8')).toContain('CHATKIT_JWT_SECRET=\n')
	})

	test('an app tested with vitest: the report and the plan say what runs the generated test, and why', async () => {
		const dir = copyFixture('bare')
		const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
		writeFileSync(
			join(dir, 'package.json'),
			JSON.stringify({
				...pkg,
				scripts: { ...pkg.scripts, test: 'vitest run' },
				devDependencies: { ...pkg.devDependencies, vitest: '^3.2.0' }
			})
		)
		const { stdout } = await runCli(['init', '--dry-run'], dir)
		expect(stdout).toContain(
			'test runner    vitest (the generated tests are bun:test files, run by bun test)'
		)
		expect(stdout).toContain('create src/chatkit_test.ts')
		expect(stdout).toContain(
			'tests: the generated test is a bun:test file, run by `bun test src/chatkit_test.ts`: elysia-chatkit needs the Bun runtime'
		)
	})

	test("a jest app with __tests__/: the generated test goes beside the module, out of jest's folder", async () => {
		const dir = copyFixture('bare')
		const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
		writeFileSync(
			join(dir, 'package.json'),
			JSON.stringify({ ...pkg, scripts: { ...pkg.scripts, test: 'jest' } })
		)
		mkdirSync(join(dir, '__tests__'))
		const { plan } = await runInit(dir, { ...quiet, dryRun: true })
		expect(plan.files.map((file) => file.path)).toEqual(['src/chatkit.ts', 'src/chatkit_test.ts'])
		const added = runAdd(dir, 'tool', 'order-lookup', () => {})
		expect(added.files.map((file) => file.path)).toEqual([
			'src/chatkit/tools/order-lookup.ts',
			'src/chatkit/tools/order-lookup_test.ts'
		])
	})

	test('a folder without Elysia is refused with a reason', async () => {
		const dir = emptyFolder()
		writeFileSync(join(dir, 'package.json'), '{"name":"x"}')
		const { plan, applied } = await runInit(dir, quiet)
		expect(plan.mode).toBe('no-elysia')
		expect(applied).toBeNull()
		expect(snapshot(dir)).toEqual({ 'package.json': '{"name":"x"}' })
	})
})
