// init on each fixture project, then what a user runs next: tsc with the project's own tsconfig, the
// generated test, and a turn through the started server over HTTP.

import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { type AddKind, runAdd } from '../../cli/add'
import { runInit } from '../../cli/init'
import { createClient } from '../../src/client'
import type { ThreadStreamEvent } from '../../src/protocol'
import { createTestDatabase, postgresReachable } from '../store/pg'
import { copyFixture, emptyFolder, linkPackages, removeCopies } from './helpers'

const REPO = join(import.meta.dir, '..', '..')
const TSC = join(REPO, 'node_modules', '.bin', 'tsc')
const SECRET = 'orders-secret-for-the-fixture-0123456789abcdef'

interface Prepared {
	dir: string
	/** tsc errors in the project's own files (errors inside the package's sources are not counted here). */
	appErrors: string[]
}

const run = async (command: string[], cwd: string, env: Record<string, string> = {}) => {
	const child = Bun.spawn(command, { cwd, stdout: 'pipe', stderr: 'pipe', env: { ...process.env, ...env } })
	const [stdout, stderr, code] = await Promise.all([
		new Response(child.stdout).text(),
		new Response(child.stderr).text(),
		child.exited
	])
	return { stdout, stderr, code }
}

/** What the add test project gets: one part of each kind, each wired into the chat module but the store. */
const ADDED = [
	['tool', 'order-lookup'],
	['client-tool', 'pick-color'],
	['widget', 'order'],
	['plugin', 'audit-log'],
	['store', 'order-lookup']
] as const satisfies readonly (readonly [AddKind, string])[]

/** The bare app, tested with vitest: `vitest run` as its test script, vitest among its dev dependencies. */
const useVitest = (dir: string) => {
	const path = join(dir, 'package.json')
	const pkg = JSON.parse(readFileSync(path, 'utf8'))
	pkg.scripts.test = 'vitest run'
	pkg.devDependencies.vitest = '^3.2.0'
	writeFileSync(path, JSON.stringify(pkg, null, '\t'))
}

const prepare = async (
	fixture: string | null,
	level: 1 | 2 | 3,
	options: { adds?: boolean; vitest?: boolean } = {}
): Promise<string> => {
	const dir = copyFixture(fixture)
	if (options.vitest) useVitest(dir)
	await runInit(dir, { level, install: false, log: () => {} })
	if (options.adds) for (const [kind, name] of ADDED) runAdd(dir, kind, name, () => {})
	linkPackages(dir)
	return dir
}

/**
 * tsc over every project at once: they share one tsconfig (the one `bun init` writes, checked equal below),
 * so one program checks them all with that tsconfig and the package's types are read once, not four times.
 * Returns the errors in each project's own files.
 */
const typecheck = async (dirs: string[]): Promise<string[][]> => {
	const configs = dirs.map((dir) =>
		JSON.stringify(JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8')))
	)
	expect(new Set(configs).size).toBe(1)
	const root = emptyFolder()
	linkPackages(root)
	writeFileSync(
		join(root, 'tsconfig.json'),
		JSON.stringify({
			extends: join(dirs[0] as string, 'tsconfig.json'),
			include: dirs.map((dir) => join(dir, '**', '*.ts')),
			exclude: dirs.map((dir) => join(dir, 'node_modules'))
		})
	)
	const { stdout } = await run([TSC, '--noEmit', '-p', '.'], root)
	const lines = stdout.split('\n')
	return dirs.map((dir) => {
		const name = dir.split('/').at(-1) as string
		return lines.filter((line) => line.includes(`${name}/`) && !line.includes('node_modules'))
	})
}

const freePort = () => {
	const server = Bun.serve({ port: 0, fetch: () => new Response() })
	const port = server.port as number
	server.stop(true)
	return port
}

/** Starts the project's own entry, runs `turn` against it, and stops it. */
const withServer = async (
	dir: string,
	entry: string,
	env: Record<string, string>,
	turn: (url: string) => Promise<void>
) => {
	const port = freePort()
	const child = Bun.spawn(['bun', entry], {
		cwd: dir,
		stdout: 'pipe',
		stderr: 'pipe',
		env: { ...process.env, OPENAI_API_KEY: '', NODE_ENV: 'development', PORT: String(port), ...env }
	})
	const url = `http://127.0.0.1:${env.ORDERS_PORT ?? port}/chatkit`
	try {
		for (let attempt = 0; ; attempt++) {
			const up = await fetch(url, { method: 'POST', body: '{}' }).then(
				() => true,
				() => false
			)
			if (up) break
			if (attempt > 200 || child.exitCode !== null)
				throw new Error(`the server did not start: ${await new Response(child.stderr).text()}`)
			await Bun.sleep(50)
		}
		await turn(url)
	} finally {
		child.kill()
		await child.exited
	}
}

const streamTurn = async (url: string, headers: Record<string, string> = {}) => {
	const client = createClient({ url, headers })
	const types: string[] = []
	for await (const event of client.threads.create({ input: 'Hello' })) types.push(event.type)
	expect(types[0]).toBe('thread.created')
	expect(types.at(-1)).toBe('thread.item.done')
	expect((await client.threads.list({ limit: 10 })).data.length).toBe(1)
}

const token = (claims: Record<string, string>, secret: string) =>
	new SignJWT(claims)
		.setProtectedHeader({ alg: 'HS256' })
		.setIssuedAt()
		.setExpirationTime('5m')
		.sign(new TextEncoder().encode(secret))

const prepared: Record<string, Prepared> = {}

beforeAll(async () => {
	const kinds = [
		['bare-1', 'bare', 1],
		['bare-2', 'bare', 2],
		['empty-3', null, 3],
		['pg-3', 'jwt-drizzle-pg', 3],
		['jwks-1', 'jwks-api', 1],
		['jwks-3', 'jwks-api', 3],
		['add-2', 'bare', 2],
		['add-3', 'bare', 3],
		['better-auth-2', 'better-auth', 2],
		['bun-init-2', 'bun-init-placeholder', 2],
		['vitest-2', 'bare', 2]
	] as const
	const dirs = await Promise.all(
		kinds.map(([name, fixture, level]) =>
			prepare(fixture, level, { adds: name.startsWith('add-'), vitest: name === 'vitest-2' })
		)
	)
	const errors = await typecheck(dirs)
	kinds.forEach(([name], index) => {
		prepared[name] = { dir: dirs[index] as string, appErrors: errors[index] as string[] }
	})
}, 180_000)

afterAll(removeCopies)

/** Runs the project's tests (a generous timeout: this machine runs other suites at the same time). */
const projectTests = (dir: string, paths: string[] = [], env: Record<string, string> = {}) =>
	run(['bun', 'test', '--timeout', '60000', ...paths], dir, env)

const generatedTestPasses = async (name: string, count: number, env: Record<string, string> = {}) => {
	const { dir } = prepared[name] as Prepared
	const { stdout, stderr, code } = await projectTests(dir, [], env)
	expect(`${stdout}${stderr}`).toContain(`${count} pass`)
	expect(code).toBe(0)
}

describe('a bare Elysia app', () => {
	test('level 1: compiles, its test passes, the started app answers a turn', async () => {
		expect(prepared['bare-1']?.appErrors).toEqual([])
		await generatedTestPasses('bare-1', 1)
		await withServer(prepared['bare-1']?.dir as string, 'src/index.ts', {}, async (url) => {
			const client = createClient({ url })
			const texts: string[] = []
			for await (const event of client.threads.create({ input: 'Hi' }))
				if (event.type === 'thread.item.done' && event.item.type === 'assistant_message')
					texts.push(event.item.content.map((part) => part.text).join(''))
			expect(texts).toEqual(['Hello, world! You said: Hi'])
		})
	}, 60_000)

	test("level 2: the agent over SQLite in .data/, the development user; the app's own route unchanged", async () => {
		const { dir, appErrors } = prepared['bare-2'] as Prepared
		expect(appErrors).toEqual([])
		await generatedTestPasses('bare-2', 1)
		await withServer(dir, 'src/index.ts', {}, async (url) => {
			await streamTurn(url)
			expect(await (await fetch(new URL('/', url))).text()).toBe('Hello Elysia')
		})
		expect(existsSync(join(dir, '.data', 'chatkit.db'))).toBe(true)
	}, 60_000)
})

describe('a bare Elysia app tested with vitest', () => {
	test('the generated test is a bun:test file named *_test.ts, found and passed by a plain `bun test`', async () => {
		const { dir, appErrors } = prepared['vitest-2'] as Prepared
		expect(appErrors).toEqual([])
		expect(existsSync(join(dir, 'src/chatkit_test.ts'))).toBe(true)
		expect(existsSync(join(dir, 'src/chatkit.test.ts'))).toBe(false)
		await generatedTestPasses('vitest-2', 1)
	}, 60_000)
})

describe("a bun init app (elysia installed, bun init's index.ts)", () => {
	test('level 2: its index.ts serves the endpoint, it compiles, its test passes, the started app answers a turn', async () => {
		const { dir, appErrors } = prepared['bun-init-2'] as Prepared
		expect(appErrors).toEqual([])
		await generatedTestPasses('bun-init-2', 1)
		expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts.dev).toBe(
			'bun run --watch index.ts'
		)
		await withServer(dir, 'index.ts', {}, async (url) => streamTurn(url))
	}, 60_000)
})

describe('an empty folder', () => {
	test('level 3: a new project that compiles, passes its tests and serves signed-in users only', async () => {
		const { dir, appErrors } = prepared['empty-3'] as Prepared
		expect(appErrors).toEqual([])
		await generatedTestPasses('empty-3', 3)
		const secret = /CHATKIT_JWT_SECRET=(.+)/.exec(readFileSync(join(dir, '.env'), 'utf8'))?.[1] as string
		await withServer(dir, 'src/index.ts', {}, async (url) => {
			const anonymous = await fetch(url, {
				method: 'POST',
				body: JSON.stringify({ type: 'threads.list', params: {} })
			})
			expect(anonymous.status).toBe(401)
			await streamTurn(url, { authorization: `Bearer ${await token({ sub: 'alice' }, secret)}` })
		})
	}, 60_000)
})

describe('an @elysiajs/jwt API with Drizzle on PostgreSQL', () => {
	test("level 3: the app's token secret and user claim, ChatKit tables in the app's PostgreSQL database", async () => {
		const { dir, appErrors } = prepared['pg-3'] as Prepared
		expect(appErrors).toEqual([])
		await generatedTestPasses('pg-3', 3)
		if (!(await postgresReachable())) {
			if (process.env.CI === 'true') throw new Error('PostgreSQL is not reachable')
			return
		}
		const database = await createTestDatabase()
		try {
			const env = {
				ORDERS_PG_CONNECTION: database.url,
				ORDERS_TOKEN_SECRET: SECRET,
				ORDERS_PORT: String(freePort())
			}
			await withServer(dir, 'src/index.ts', env, async (url) => {
				const login = await fetch(new URL('/users/login', url), {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ email: 'alice@example.com' })
				})
				const { token: appToken } = (await login.json()) as { token: string }
				await streamTurn(url, { authorization: `Bearer ${appToken}` })
			})
			const sql = new Bun.SQL(database.url)
			const [row] = await sql`select count(*)::int as threads from chatkit_threads`
			await sql.close()
			expect(row.threads).toBe(1)
		} finally {
			await database.drop()
		}
	}, 60_000)
})

describe("an API that verifies Auth0's tokens (keys, issuer and audience built from its variables)", () => {
	test('level 1: the fixed reply behind the same token check compiles and its test passes', async () => {
		const { dir, appErrors } = prepared['jwks-1'] as Prepared
		expect(appErrors).toEqual([])
		expect(readFileSync(join(dir, 'src/chatkit.ts'), 'utf8')).toContain(
			'export const createChat = (env: Record<string, string | undefined> = process.env) =>'
		)
		await generatedTestPasses('jwks-1', 1)
	}, 60_000)

	test("level 3: Auth0's tokens are the ChatKit user's, checked against the same keys, issuer and audience", async () => {
		const { dir, appErrors } = prepared['jwks-3'] as Prepared
		expect(appErrors).toEqual([])
		expect(readFileSync(join(dir, 'src/chatkit.ts'), 'utf8')).toContain(
			[
				'jwtAuth({',
				'\t\t\t\tjwksUrl: env.CHATKIT_JWKS_URL || `https://${env.AUTH0_DOMAIN}/.well-known/jwks.json`,',
				'\t\t\t\tissuer: `https://${env.AUTH0_DOMAIN}/`,',
				'\t\t\t\taudience: env.AUTH0_AUDIENCE',
				'\t\t\t})'
			].join('\n')
		)
		expect(readFileSync(join(dir, '.env.example'), 'utf8')).toContain('\nCHATKIT_JWKS_URL=\n')
		await generatedTestPasses('jwks-3', 3)
		// the provider, played here: its keys at a local URL, a token for one of its users
		const { publicKey, privateKey } = await generateKeyPair('RS256')
		const keys = { keys: [{ ...(await exportJWK(publicKey)), alg: 'RS256', kid: 'k1' }] }
		const provider = Bun.serve({ port: 0, fetch: () => Response.json(keys) })
		const signed = (audience: string) =>
			new SignJWT({ sub: 'auth0|42' })
				.setProtectedHeader({ alg: 'RS256', kid: 'k1' })
				.setIssuer('https://tenant.auth0.test/')
				.setAudience(audience)
				.setIssuedAt()
				.setExpirationTime('5m')
				.sign(privateKey)
		try {
			const env = {
				CHATKIT_JWKS_URL: `http://127.0.0.1:${provider.port}/.well-known/jwks.json`,
				AUTH0_DOMAIN: 'tenant.auth0.test',
				AUTH0_AUDIENCE: 'https://orders.example.com/api'
			}
			await withServer(dir, 'src/index.ts', env, async (url) => {
				const wrongAudience = await fetch(url, {
					method: 'POST',
					headers: { authorization: `Bearer ${await signed('https://another.example.com/api')}` },
					body: JSON.stringify({ type: 'threads.list', params: {} })
				})
				expect(wrongAudience.status).toBe(401)
				await streamTurn(url, {
					authorization: `Bearer ${await signed('https://orders.example.com/api')}`
				})
			})
		} finally {
			provider.stop(true)
		}
	}, 60_000)
})

describe('an Elysia app with Better Auth (email/password, jwt, organization) on SQLite', () => {
	test("level 2: the Better Auth user is the ChatKit user, ChatKit's tables in the app's SQLite file", async () => {
		const { dir, appErrors } = prepared['better-auth-2'] as Prepared
		expect(appErrors).toEqual([])
		// The generated test signs users up in the app's own auth.db (Better Auth's jwt() keeps its keys there,
		// encrypted with the secret), so it runs with the server's secret.
		await generatedTestPasses('better-auth-2', 1, { BETTER_AUTH_SECRET: SECRET })
		await withServer(dir, 'src/index.ts', { BETTER_AUTH_SECRET: SECRET }, async (url) => {
			const anonymous = await fetch(url, {
				method: 'POST',
				body: JSON.stringify({ type: 'threads.list', params: {} })
			})
			expect(anonymous.status).toBe(401)
			const signUp = await fetch(new URL('/api/auth/sign-up/email', url), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({
					name: 'Alice',
					email: `alice-${crypto.randomUUID()}@example.com`,
					password: crypto.randomUUID()
				})
			})
			expect(signUp.status).toBe(200)
			const cookie = signUp.headers
				.getSetCookie()
				.map((line) => line.split(';')[0])
				.join('; ')
			await streamTurn(url, { cookie })
		})
		const database = new Database(join(dir, 'auth.db'), { readonly: true })
		const tables = database.query("select name from sqlite_master where type = 'table'").all() as {
			name: string
		}[]
		database.close()
		expect(tables.map((table) => table.name)).toEqual(
			expect.arrayContaining(['user', 'session', 'chatkit_threads'])
		)
	}, 90_000)
})

describe('add generators', () => {
	test("tool, widget, client tool and plugin: each compiles wired into the chat module, its test and the app's chat test pass (the plugin on SQLite and PostgreSQL)", async () => {
		const { dir, appErrors } = prepared['add-2'] as Prepared
		expect(appErrors).toEqual([])
		const chat = readFileSync(join(dir, 'src/chatkit.ts'), 'utf8')
		expect(chat).toContain('.use(tools([orderLookup, pickColor, showOrder]))')
		expect(chat).toContain('.use(orderActions)')
		expect(chat).toContain('.use(auditLog())')
		expect(chat).not.toContain('OrderLookupStore')
		const database = (await postgresReachable()) ? await createTestDatabase() : null
		if (!database && process.env.CI === 'true') throw new Error('PostgreSQL is not reachable')
		try {
			const { stdout, stderr, code } = await projectTests(
				dir,
				[
					'src/chatkit.test.ts',
					'src/chatkit/tools',
					'src/chatkit/widgets',
					'src/chatkit/client-tools',
					'src/plugins'
				],
				database ? { TEST_POSTGRES_URL: database.url } : {}
			)
			const output = `${stdout}${stderr}`
			expect(output).toContain('(pass) ChatKit endpoint > a turn streams and the thread is kept')
			expect(output).toContain(
				'(pass) order_lookup runs in a turn: its progress is shown and the model reads its result'
			)
			expect(output).toContain(
				'(pass) the order card is shown, and its action replaces it with the new state'
			)
			expect(output).toContain(
				"(pass) pick_color: the turn ends with a pending call and the client's answer resumes it"
			)
			expect(output).toContain(
				'(pass) audit-log on SQLite > its context key is typed, its notice comes before the reply, and the turn is counted once it ended'
			)
			if (database)
				expect(output).toContain(
					'(pass) audit-log on PostgreSQL > its context key is typed, its notice comes before the reply, and the turn is counted once it ended'
				)
			expect(code).toBe(0)
		} finally {
			await database?.drop()
		}
	}, 90_000)

	test("the wired chat module: the model calls the added tool in a turn, after the added plugin's notice; the client tool pauses the turn; the widget is shown and its action replaces it", async () => {
		const { dir } = prepared['add-2'] as Prepared
		const { createChat } = await import(join(dir, 'src/chatkit.ts'))
		const app = createChat({
			...process.env,
			CHATKIT_DATABASE_URL: `sqlite:${join(dir, 'wired.db')}`,
			OPENAI_API_KEY: ''
		})
		const client = createClient({ app })
		const events: ThreadStreamEvent[] = []
		for await (const event of client.threads.create({ input: 'Use order_lookup for 42' }))
			events.push(event)
		expect(events).toContainEqual(
			expect.objectContaining({ type: 'progress_update', text: 'Working on it…' })
		)
		const replies = events.flatMap((event) =>
			event.type === 'thread.item.done' && event.item.type === 'assistant_message'
				? [event.item.content.map((part) => part.text).join('')]
				: []
		)
		expect(replies.join('\n')).toContain('order_lookup for dev-user: 42')
		expect(events).toContainEqual({ type: 'notice', level: 'info', message: 'Welcome!' })
		const calls: unknown[] = []
		for await (const event of client.threads.create({ input: 'Use pick_color please' }))
			if (event.type === 'thread.item.done' && event.item.type === 'client_tool_call')
				calls.push(event.item)
		expect(calls).toMatchObject([{ name: 'pick_color', status: 'pending' }])
		let threadId = ''
		let card: { id: string; widget: unknown } | undefined
		for await (const event of client.threads.create({ input: 'Use show_order for A-7' })) {
			if (event.type === 'thread.created') threadId = event.thread.id
			if (event.type === 'thread.item.done' && event.item.type === 'widget') card = event.item
		}
		expect(JSON.stringify(card?.widget)).toContain('A-7: open')
		const click = { type: 'order.done', payload: { id: 'A-7' } }
		const replaced: string[] = []
		for await (const event of client.threads.customAction({
			thread_id: threadId,
			item_id: card?.id ?? '',
			action: click
		}))
			if (event.type === 'thread.item.replaced') replaced.push(event.item.id)
		expect(replaced).toEqual([card?.id ?? 'no card'])
		const items = await client.items.list({ thread_id: threadId, limit: 10, order: 'asc' })
		expect(JSON.stringify(items.data.find((item) => item.id === card?.id))).toContain('A-7: done')
	}, 30_000)

	test("level 3: the parts join the module's own tools list, it compiles, and its three tests and the parts' pass", async () => {
		const { dir, appErrors } = prepared['add-3'] as Prepared
		expect(appErrors).toEqual([])
		expect(readFileSync(join(dir, 'src/chatkit.ts'), 'utf8')).toContain(
			'.use(tools([lookupAccount, currentTime, orderLookup, pickColor, showOrder]))'
		)
		const { stdout, stderr, code } = await projectTests(dir, [
			'src/chatkit.test.ts',
			'src/chatkit/tools',
			'src/chatkit/widgets',
			'src/chatkit/client-tools',
			'src/plugins'
		])
		expect(`${stdout}${stderr}`).toContain(' 7 pass')
		expect(code).toBe(0)
	}, 90_000)

	test('store: the skeleton compiles and fails the store contract with one named line per missing behaviour', async () => {
		const { dir } = prepared['add-2'] as Prepared
		const { stdout, stderr, code } = await projectTests(dir, ['src/chatkit/stores'])
		const output = `${stdout}${stderr}`
		const failed = output
			.split('\n')
			.filter((line) => line.startsWith('(fail) OrderLookup store contract > '))
		expect(failed.length).toBeGreaterThan(30)
		expect(failed).toContainEqual(expect.stringContaining('threads > thread metadata round-trips'))
		expect(output).toContain('OrderLookupStore.saveThread is not written yet')
		expect(output).toContain('OrderLookupStore.ping is not written yet')
		expect(code).toBe(1)
		// Filled in (each method given to the memory store), the same skeleton passes the whole contract: what
		// failed was only what is not written.
		const folder = join(dir, 'src/chatkit/stores')
		const skeleton = readFileSync(join(folder, 'order-lookup.ts'), 'utf8')
		writeFileSync(
			join(folder, 'filled.ts'),
			skeleton
				.replace('generateId, type Store', 'generateId, MemoryStore, type Store')
				.replace(/notWritten\('(\w+)'\)/g, 'this.memory.$1.bind(this.memory)')
				.replace(
					'implements Store<ChatKitContext> {\n',
					'implements Store<ChatKitContext> {\n\tprivate memory = new MemoryStore()\n'
				)
		)
		writeFileSync(
			join(folder, 'filled.test.ts'),
			readFileSync(join(folder, 'order-lookup.test.ts'), 'utf8').replace(
				"from './order-lookup'",
				"from './filled'"
			)
		)
		const filled = await projectTests(dir, ['src/chatkit/stores/filled.test.ts'])
		const counts = (text: string) =>
			[/ (\d+) pass/, / (\d+) fail/].map((pattern) => Number(pattern.exec(text)?.[1]))
		const [passedBefore = 0, failedBefore = 0] = counts(output)
		expect(counts(`${filled.stdout}${filled.stderr}`)).toEqual([passedBefore + failedBefore, 0])
		expect(filled.code).toBe(0)
	}, 60_000)
})
