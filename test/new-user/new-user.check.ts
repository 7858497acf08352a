/**
 * A new user, end to end, with the packed package (`bun pm pack`, not the repository's sources):
 * - a fresh `bun init` app with the tarball installed: the examples and the README's code blocks typecheck with
 *   the app's own tsconfig and a strict one (`skipLibCheck: false`), and a test of each build level runs against
 *   the installed package (level 3 on PostgreSQL, a fresh database);
 * - `init` through the installed `elysia-chatkit` command on each fixture project of test/cli/fixtures and on an
 *   empty folder: the detection report, a second run changing nothing, `tsc` with the project's own tsconfig,
 *   the generated tests, and a turn streamed over HTTP through the project's started entry;
 * - `bun create elysia-chatkit <dir>` with the `create-elysia-chatkit` tarball: the same for the new project.
 * Not part of `bun run test`; run by `bun run test:new-user` and `.ci/run`. The projects are made concurrently
 * (each test awaits its own), and every command prints what it took.
 */

import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import {
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { createTestDatabase } from '../store/pg'
import { makeProject, type ProjectRun, type ProjectSpec } from './projects'
import { limiter, ok, run } from './run'

const root = join(import.meta.dir, '../..')
const work = mkdtempSync(join(tmpdir(), 'chatkit-new-user-'))
const appDir = join(work, 'app')
const runner = join(work, 'runner')
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const started = performance.now()

let tarball = ''
let createTarball = ''
let files: string[] = []
const typecheck: Record<string, Promise<{ code: number; output: string }>> = {}
const projects: Record<string, Promise<ProjectRun>> = {}
const SECRET = 'a-secret-of-the-new-user-job-0123456789abcdef'
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined

/** The README's TypeScript code blocks, each of which must compile on its own in a new app. */
const readmeBlocks = () =>
	[...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map(
		(match) => match[1] ?? ''
	)

const token = (claims: Record<string, string>, secret: string) =>
	new SignJWT(claims)
		.setProtectedHeader({ alg: 'HS256' })
		.setIssuedAt()
		.setExpirationTime('5m')
		.sign(new TextEncoder().encode(secret))

/** The headers of a user whose token is signed with the CHATKIT_JWT_SECRET of the project's .env. */
const signedWithLocalSecret = async (dir: string) => {
	const secret = /^CHATKIT_JWT_SECRET=(.+)$/m.exec(readFileSync(join(dir, '.env'), 'utf8'))?.[1]
	if (!secret) throw new Error('no CHATKIT_JWT_SECRET in .env')
	return { authorization: `Bearer ${await token({ sub: 'alice' }, secret)}` }
}

/** An identity provider, played here: its keys at a local URL, RS256 tokens for its users (Auth0's claims). */
const AUTH0_DOMAIN = 'tenant.auth0.test'
const AUTH0_AUDIENCE = 'https://orders.example.com/api'
const { publicKey, privateKey } = await generateKeyPair('RS256')
const providerKeys = { keys: [{ ...(await exportJWK(publicKey)), alg: 'RS256', kid: 'k1' }] }
const provider = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json(providerKeys) })
const providerToken = (subject: string) =>
	new SignJWT({ sub: subject })
		.setProtectedHeader({ alg: 'RS256', kid: 'k1' })
		.setIssuer(`https://${AUTH0_DOMAIN}/`)
		.setAudience(AUTH0_AUDIENCE)
		.setIssuedAt()
		.setExpirationTime('5m')
		.sign(privateKey)

const sqliteTables = (file: string) => {
	const db = new Database(file, { readonly: true })
	try {
		return (
			db.query("select name from sqlite_master where type = 'table'").all() as { name: string }[]
		).map((table) => table.name)
	} finally {
		db.close()
	}
}

/** The projects `init` (or `bun create`) makes, each with how its users sign in. */
const projectSpecs = (databaseUrl: string): ProjectSpec[] => [
	{ name: 'empty', fixture: null, flags: ['--yes', '--level', '2', '--no-install'], entry: 'src/index.ts' },
	{
		name: 'bare',
		fixture: 'bare',
		flags: ['--yes', '--level', '2'],
		entry: 'src/index.ts',
		adds: [
			['tool', 'lookup-order'],
			['widget', 'order-status'],
			['client-tool', 'pick-color'],
			['plugin', 'audit-log']
		],
		after: (dir) => existsSync(join(dir, '.data', 'chatkit.db'))
	},
	{
		name: 'better-auth',
		fixture: 'better-auth',
		flags: ['--yes', '--level', '3'],
		entry: 'src/index.ts',
		env: () => ({ BETTER_AUTH_SECRET: SECRET }),
		// a user signs up through Better Auth's own endpoint of the started app; its session cookie signs in
		async signIn(url) {
			const response = await fetch(new URL('/api/auth/sign-up/email', url), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({
					name: 'Alice',
					email: `alice-${crypto.randomUUID()}@example.com`,
					password: crypto.randomUUID()
				})
			})
			if (response.status !== 200) throw new Error(`sign-up answered ${response.status}`)
			return {
				cookie: response.headers
					.getSetCookie()
					.map((line) => line.split(';')[0])
					.join('; ')
			}
		},
		after: (dir) => sqliteTables(join(dir, 'auth.db'))
	},
	{
		name: 'jwt-drizzle-pg',
		fixture: 'jwt-drizzle-pg',
		flags: ['--yes', '--level', '3'],
		entry: 'src/index.ts',
		portVariable: 'ORDERS_PORT',
		env: () => ({ ORDERS_PG_CONNECTION: databaseUrl, ORDERS_TOKEN_SECRET: SECRET }),
		// the app's own login signs a token with ORDERS_TOKEN_SECRET, its user id in `id`
		async signIn(url) {
			const response = await fetch(new URL('/users/login', url), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ email: 'alice@example.com' })
			})
			const { token: appToken } = (await response.json()) as { token: string }
			return { authorization: `Bearer ${appToken}` }
		},
		async after() {
			const sql = new Bun.SQL(databaseUrl)
			try {
				const [row] = await sql`select count(*)::int as threads from chatkit_threads`
				return row.threads
			} finally {
				await sql.close()
			}
		}
	},
	{
		name: 'bun-init',
		fixture: 'bun-init',
		flags: ['--yes', '--level', '3'],
		entry: 'index.ts',
		// a token signed with the secret init wrote to the app's git-ignored .env
		signIn: (_url, dir) => signedWithLocalSecret(dir)
	},
	{
		name: 'auth0-api',
		fixture: 'jwks-api',
		flags: ['--yes', '--level', '3'],
		entry: 'src/index.ts',
		// the app's keys URL is built from AUTH0_DOMAIN over https: CHATKIT_JWKS_URL points ChatKit at the local keys
		env: () => ({
			CHATKIT_JWKS_URL: `http://127.0.0.1:${provider.port}/.well-known/jwks.json`,
			AUTH0_DOMAIN,
			AUTH0_AUDIENCE
		}),
		signIn: async () => ({ authorization: `Bearer ${await providerToken('auth0|alice')}` })
	},
	// ChatKit already mounted: its author writes a store of their own
	{ name: 'mounted', fixture: 'mounted', flags: ['--yes'], adds: [['store', 'redis']] },
	{
		name: 'created',
		fixture: null,
		create: true,
		flags: ['--yes', '--level', '3', '--no-install'],
		entry: 'src/index.ts',
		check: true,
		// a token signed with the secret `bun create` wrote to the project's .env
		signIn: (_url, dir) => signedWithLocalSecret(dir)
	}
]

beforeAll(async () => {
	ok(await run(['bun', 'pm', 'pack', '--destination', work, '--quiet'], root))
	ok(await run(['bun', 'pm', 'pack', '--destination', work, '--quiet'], join(root, 'create')))
	const tarballs = readdirSync(work).filter((name) => name.endsWith('.tgz'))
	tarball = join(work, tarballs.find((name) => name.startsWith('elysia-chatkit-')) ?? '')
	createTarball = join(work, tarballs.find((name) => name.startsWith('create-elysia-chatkit-')) ?? '')
	files = (await run(['tar', 'tzf', tarball], work)).output.split('\n').filter(Boolean)
	console.log(`  ${tarball}: ${files.length} files, ${(Bun.file(tarball).size / 1024).toFixed(1)} KB`)

	// where commands run for a folder that is not a project yet: both packages installed from their tarballs
	mkdirSync(runner)
	writeFileSync(
		join(runner, 'package.json'),
		JSON.stringify({ name: 'runner', private: true, overrides: { 'elysia-chatkit': tarball } })
	)
	ok(await run(['bun', 'add', '--prefer-offline', tarball, createTarball], runner))
	database = await createTestDatabase()
	const cpu = limiter(2)
	const packages = { tarball, runner, work, cpu }
	for (const spec of projectSpecs(database.url)) projects[spec.name] = makeProject(spec, packages)

	cpSync(join(import.meta.dir, 'app'), appDir, { recursive: true })
	ok(await run(['bun', 'init', '-y'], appDir))
	// what the README says to install, plus what examples/better-auth.ts says it needs beside the package
	ok(
		await run(
			['bun', 'add', '--prefer-offline', tarball, 'elysia', 'zod', 'better-auth', 'pg', '@types/pg'],
			appDir
		)
	)
	for (const name of readdirSync(join(root, 'examples')))
		cpSync(join(root, 'examples', name), join(appDir, name))
	for (const [index, block] of readmeBlocks().entries())
		writeFileSync(join(appDir, `readme-${index + 1}.ts`), block)
	writeFileSync(
		join(appDir, 'tsconfig.strict.json'),
		JSON.stringify({ extends: './tsconfig.json', compilerOptions: { strict: true, skipLibCheck: false } })
	)
	const tsc = join(appDir, 'node_modules/.bin/tsc')
	typecheck.strict = cpu(() => run([tsc, '--noEmit', '-p', 'tsconfig.strict.json'], appDir))
	typecheck.app = cpu(() => run([tsc, '--noEmit', '-p', 'tsconfig.json'], appDir))
	await Promise.all(Object.values(typecheck))
}, 600_000)

afterAll(async () => {
	await Promise.allSettled(Object.values(projects))
	provider.stop(true)
	await database?.drop()
	rmSync(work, { recursive: true, force: true })
	console.log(`  the new-user job: ${((performance.now() - started) / 1000).toFixed(1)} s`)
})

describe('a new user installs the packed package', () => {
	it('the tarball holds the built package only: no sources, tests, benchmarks, CI or repository files', () => {
		const outside = files.filter((file) => !/^package\/(dist\/.+|package\.json|README\.md)$/.test(file))
		expect(outside).toEqual([])
		expect(
			files.some((file) => /\.test\.|\/test\/|\/bench\/|\/\.ci\/|\/app\/|\/examples\//.test(file))
		).toBe(false)
		expect(files.filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([])
	})

	it('every entry point (and the bin) is in the tarball with its JavaScript and its types', () => {
		const plugins = readdirSync(join(root, 'plugins'))
		const targets = [
			...Object.values(manifest.exports as Record<string, string | Record<string, string>>).flatMap(
				(target) => (typeof target === 'string' ? [target] : Object.values(target))
			),
			...Object.values(manifest.bin as Record<string, string>)
		].flatMap((target) =>
			target.includes('*') ? plugins.map((name) => target.replace('*', name)) : [target]
		)
		expect(targets.length).toBeGreaterThan(2 * plugins.length)
		expect(targets.filter((target) => !files.includes(`package/${target.replace(/^\.\//, '')}`))).toEqual(
			[]
		)
	})

	it('the examples and README blocks typecheck with the tsconfig `bun init` wrote', async () => {
		expect(readmeBlocks().length).toBeGreaterThanOrEqual(4)
		const { code, output } = await (typecheck.app as Promise<{ code: number; output: string }>)
		expect(output).toBe('')
		expect(code).toBe(0)
	})

	it('and with strict and skipLibCheck: false, no error in the app or in elysia-chatkit', async () => {
		const { output } = await (typecheck.strict as Promise<{ code: number; output: string }>)
		const errors = output.split('\n').filter((line) => /error TS\d+/.test(line))
		const ours = errors.filter(
			(line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/elysia-chatkit/')
		)
		expect(ours).toEqual([])
		const others = Object.entries(
			Object.groupBy(errors, (line) => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(line)?.[1] ?? '?')
		).map(([name, lines]) => `${name} ${lines?.length}`)
		console.log(
			`  strict, skipLibCheck: false: ${errors.length} errors, all in other packages' .d.ts (${others.join(', ')})`
		)
	})

	it('the elysia-chatkit command runs from the installed package', async () => {
		const { code, output } = await run(['bun', 'x', 'elysia-chatkit', '--help'], appDir)
		expect(output).toContain('init')
		expect(code).toBe(0)
	})

	it('level 1 runs', async () => {
		const { code, output } = await run(['bun', 'test', './level-1.check.ts'], appDir)
		expect(output).toContain(' 1 pass')
		expect(code).toBe(0)
	})

	it('level 2 runs', async () => {
		const { code, output } = await run(['bun', 'test', './level-2.check.ts'], appDir)
		expect(output).toContain(' 1 pass')
		expect(code).toBe(0)
	})

	it('level 3 runs on PostgreSQL', async () => {
		const database = await createTestDatabase()
		try {
			const { code, output } = await run(['bun', 'test', './level-3.check.ts'], appDir, {
				LEVEL3_DATABASE_URL: database.url
			})
			if (code !== 0) console.log(output)
			expect(output).toContain(' 1 pass')
			expect(code).toBe(0)
		} finally {
			await database.drop()
		}
	})
})

/** The project's run, with the first failing step's output shown when there is one. */
const project = async (name: string) => {
	const result = (await projects[name]) as ProjectRun
	expect(result.error ?? null).toBeNull()
	return result
}

/** A second `init` in the project says ChatKit is mounted and changes nothing. */
/** The first `init` printed each of these lines (the detection report and the plan). */
const expectInitSaid = (result: ProjectRun, lines: string[]) => {
	for (const line of lines) expect(result.init?.output).toContain(line)
}

const expectSecondRunChangesNothing = (result: ProjectRun, mountedIn: string) => {
	expect(result.second?.output).toContain(`ChatKit is already mounted in ${mountedIn}: nothing to do`)
	expect(result.changed).toEqual([])
}

/** tsc with the project's tsconfig is clean and its generated tests pass. */
const expectBuildsAndPasses = (result: ProjectRun, tests: number) => {
	expect(result.tsc?.output).toBe('')
	expect(result.tsc?.code).toBe(0)
	expect(result.tests?.output).toContain(` ${tests} pass`)
	expect(result.tests?.output).toContain(' 0 fail')
	expect(result.tests?.code).toBe(0)
}

/** The streamed turn: SSE frames only, a thread created, the assistant's reply done, and both kept. */
const expectTurn = (result: ProjectRun) => {
	const turn = result.turn
	expect(turn?.status).toBe(200)
	expect(turn?.contentType).toContain('text/event-stream')
	expect(turn?.framed).toBe(true)
	expect(turn?.events[0]).toBe('thread.created')
	expect(turn?.events).toContain('thread.item.done')
	expect(turn?.assistantText.length).toBeGreaterThan(0)
	expect(turn?.items).toEqual(expect.arrayContaining(['user_message', 'assistant_message']))
	expect(turn?.listed).toBe(true)
}

describe('init through the installed elysia-chatkit command, on the fixture projects', () => {
	it('an empty folder, level 2: a new project; the printed install line; tsc, its test and a streamed turn as the development user', async () => {
		const result = await project('empty')
		expect(result.init?.output).toContain('Found: an empty folder (a new project will be created)')
		expect(result.init?.output).toContain('Plan (level 2):')
		expect(result.init?.output).toContain(`Install: bun add elysia elysia-chatkit@^${manifest.version}`)
		expectSecondRunChangesNothing(result, 'src/chatkit.ts')
		expectBuildsAndPasses(result, 1)
		expect(result.anonymous).toBe(200)
		expectTurn(result)
	})

	it('a bare Elysia app, level 2: one edit of its entry; the agent over SQLite in .data/; a tool, a widget, a client tool and a plugin added', async () => {
		const result = await project('bare')
		expectInitSaid(result, [
			'elysia         ^1.4.30',
			'entry          src/index.ts',
			'chatkit        not mounted',
			'auth           none found',
			'database       none found',
			'Plan (level 2):',
			'edit   src/index.ts'
		])
		expect(result.initChanged).toEqual([
			'.env.example',
			'src/chatkit.test.ts',
			'src/chatkit.ts',
			'src/index.ts'
		])
		expectSecondRunChangesNothing(result, 'src/chatkit.ts')
		// the add generators, from the installed package: each part and its test, wired into the chat module
		expect(result.adds?.map((add) => add.changed)).toEqual([
			['src/chatkit.ts', 'src/chatkit/tools/lookup-order.test.ts', 'src/chatkit/tools/lookup-order.ts'],
			[
				'src/chatkit.ts',
				'src/chatkit/widgets/order-status.test.ts',
				'src/chatkit/widgets/order-status.ts'
			],
			[
				'src/chatkit.ts',
				'src/chatkit/client-tools/pick-color.test.ts',
				'src/chatkit/client-tools/pick-color.ts'
			],
			['src/chatkit.ts', 'src/plugins/audit-log/audit-log.test.ts', 'src/plugins/audit-log/index.ts']
		])
		const chat = readFileSync(join(result.dir, 'src/chatkit.ts'), 'utf8')
		for (const used of [
			'lookupOrder',
			'orderStatusActions',
			'showOrderStatus',
			'pickColor',
			'auditLog()'
		])
			expect(chat).toContain(used)
		expectBuildsAndPasses(result, 5)
		expect(result.anonymous).toBe(200)
		expectTurn(result)
		expect(result.stored).toBe(true)
	})

	it('Better Auth (email/password, jwt, organization) on SQLite, level 3: a user signed up through Better Auth streams a turn; ChatKit tables in auth.db', async () => {
		const result = await project('better-auth')
		expectInitSaid(result, [
			'auth           Better Auth (auth in src/auth.ts; plugins: jwt, organization)',
			'database       SQLite (file auth.db; from src/auth.ts)',
			'Plan (level 3):',
			'bun add zod'
		])
		expectSecondRunChangesNothing(result, 'src/chatkit.ts')
		expectBuildsAndPasses(result, 3)
		expect(result.anonymous).toBe(401)
		expectTurn(result)
		expect(result.stored).toEqual(
			expect.arrayContaining(['user', 'session', 'member', 'chatkit_threads'])
		)
	})

	it("an @elysiajs/jwt API with Drizzle on PostgreSQL (ORDERS_* variables), level 3: the app's token streams a turn; the thread in its database", async () => {
		const result = await project('jwt-drizzle-pg')
		expectInitSaid(result, [
			'entry          src/index.ts (app built in src/app.ts)',
			'auth           @elysiajs/jwt in src/modules/users/index.ts, secret ORDERS_TOKEN_SECRET, user id in `id`',
			'database       PostgreSQL (variable ORDERS_PG_CONNECTION; from drizzle.config.ts)',
			'(names prefixed ORDERS_)',
			'layout         src/ modules',
			'edit   src/app.ts'
		])
		expectSecondRunChangesNothing(result, 'src/modules/chatkit/index.ts')
		expectBuildsAndPasses(result, 3)
		expect(result.anonymous).toBe(401)
		expectTurn(result)
		expect(result.stored).toBe(1)
	})

	it("an API that accepts Auth0's tokens (jose, keys from AUTH0_DOMAIN), level 3: an Auth0 user's token streams a turn", async () => {
		const result = await project('auth0-api')
		expectInitSaid(result, [
			'auth           jose in src/auth.ts, keys from `https://${env.AUTH0_DOMAIN}/.well-known/jwks.json` (JWKS)',
			"user: the identity provider's tokens",
			'Plan (level 3):'
		])
		expectSecondRunChangesNothing(result, 'src/chatkit.ts')
		expectBuildsAndPasses(result, 3)
		expect(result.anonymous).toBe(401)
		expectTurn(result)
	})

	it('the app `bun init` makes, level 3 without auth of its own: the edit in its style, the new secret in its git-ignored .env, so it starts and serves a signed-in turn', async () => {
		const result = await project('bun-init')
		expectInitSaid(result, [
			'entry          index.ts',
			'layout         ./ flat',
			'Plan (level 3):',
			'env    .env: CHATKIT_JWT_SECRET (secrets get a random value)'
		])
		expect(result.initChanged).toEqual([
			'.env',
			'.env.example',
			'.gitignore',
			'bun.lock',
			'chatkit.test.ts',
			'chatkit.ts',
			'index.ts',
			'package.json'
		])
		expect(readFileSync(join(result.dir, 'index.ts'), 'utf8')).toContain(
			'import { createChat } from "./chatkit";\n'
		)
		expectSecondRunChangesNothing(result, 'chatkit.ts')
		expectBuildsAndPasses(result, 3)
		expect(result.anonymous).toBe(401)
		expectTurn(result)
	})

	it('an app with ChatKit already mounted: init says so and changes nothing', async () => {
		const result = await project('mounted')
		expect(result.init?.output).toContain('chatkit        already mounted in src/index.ts')
		expect(result.init?.output).toContain('ChatKit is already mounted in src/index.ts: nothing to do')
		expect(result.initChanged).toEqual([])
		expectSecondRunChangesNothing(result, 'src/index.ts')
	})

	it('add store: the skeleton compiles against the installed package, and its contract test names what is left', async () => {
		const result = await project('mounted')
		expect(result.adds?.map((add) => add.changed)).toEqual([
			['src/chatkit/stores/redis.test.ts', 'src/chatkit/stores/redis.ts']
		])
		expect(result.adds?.[0]?.ran.output).toContain('bun test src/chatkit/stores/redis.test.ts')
		const tsc = await run(
			[join(root, 'node_modules/.bin/tsc'), '--noEmit', '-p', 'tsconfig.json'],
			result.dir
		)
		expect(tsc.output).toBe('')
		expect(tsc.code).toBe(0)
		const contract = await run(['bun', 'test', 'src/chatkit/stores/redis.test.ts'], result.dir)
		expect(contract.code).not.toBe(0)
		expect(contract.output).toMatch(/\(fail\) Redis store contract > threads > /)
		expect(contract.output).toContain('RedisStore.saveThread is not written yet')
		expect(contract.output).not.toContain('Cannot find module')
	})
})

describe('bun create elysia-chatkit <dir>, with the create-elysia-chatkit tarball', () => {
	it('the create-elysia-chatkit tarball holds its command, package.json and README only', async () => {
		const listed = (await run(['tar', 'tzf', createTarball], work)).output.split('\n').filter(Boolean)
		expect(listed.sort()).toEqual(['package/README.md', 'package/index.ts', 'package/package.json'])
	})

	it('level 3: a new project whose tests pass; a token signed with the secret it wrote to .env streams a turn', async () => {
		const result = await project('created')
		expect(result.init?.output).toContain('Found: an empty folder (a new project will be created)')
		expect(result.init?.output).toContain('Plan (level 3):')
		expect(result.init?.output).toContain('Next:')
		expectSecondRunChangesNothing(result, 'src/chatkit.ts')
		expectBuildsAndPasses(result, 3)
		expect(result.anonymous).toBe(401)
		expectTurn(result)
		// the installed `elysia-chatkit check` finds the started server conforming
		expect(result.check?.output).toContain('0 differing, 0 missing')
		expect(result.check?.code).toBe(0)
	})

	it('refuses a folder that is not empty, and writes nothing there', async () => {
		const dir = join(work, 'not-empty')
		mkdirSync(dir)
		writeFileSync(join(dir, 'notes.txt'), 'mine')
		const refused = await run(['bun', 'create', 'elysia-chatkit', dir, '--yes'], runner)
		expect(refused.code).not.toBe(0)
		expect(refused.output).toContain('is not empty')
		expect(readdirSync(dir)).toEqual(['notes.txt'])
	})
})
