import { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BetterAuthOptions, betterAuth } from 'better-auth'
import { getMigrations } from 'better-auth/db/migration'
import { admin, bearer, jwt, organization } from 'better-auth/plugins'
import type { AnyElysia } from 'elysia'
import { Pool } from 'pg'
import { PostgresStore, SqliteStore } from '../../plugins/store'
import type { Store } from '../../src/store/types'
import { createTestDatabase } from '../store/pg'

export const authSecret = 'a-better-auth-test-secret-of-32-bytes-or-more'

/** One database for Better Auth and ChatKit: a bun:sqlite file or a fresh PostgreSQL database. */
export interface SharedDatabase {
	kind: 'SQLite' | 'PostgreSQL'
	/** What Better Auth's `database` option takes. */
	authDatabase: Database | Pool
	/** A ChatKit store on the same database (migrated on open). */
	openStore(): Promise<Store & { close(): Promise<void> }>
	/** The names of the database's tables. */
	tables(): Promise<string[]>
	close(): Promise<void>
}

export const sqliteDatabase = async (): Promise<SharedDatabase> => {
	const dir = mkdtempSync(join(tmpdir(), 'chatkit-better-auth-'))
	const path = join(dir, 'app.db')
	const authDatabase = new Database(path)
	authDatabase.run('pragma journal_mode = wal')
	authDatabase.run('pragma busy_timeout = 5000')
	const stores: SqliteStore[] = []
	return {
		kind: 'SQLite',
		authDatabase,
		async openStore() {
			const store = new SqliteStore({ path })
			stores.push(store)
			return store
		},
		async tables() {
			const rows = authDatabase
				.query<{ name: string }, []>("select name from sqlite_master where type = 'table'")
				.all()
			return rows.map((row) => row.name).sort()
		},
		async close() {
			for (const store of stores) await store.close()
			authDatabase.close()
			rmSync(dir, { recursive: true, force: true })
		}
	}
}

export const postgresDatabase = async (): Promise<SharedDatabase> => {
	const database = await createTestDatabase()
	const authDatabase = new Pool({ connectionString: database.url, max: 4 })
	// The database is dropped `with (force)` at the end: a connection still closing then is terminated (57P01),
	// and the client reports it as an error after the pool has let it go. Any other such error fails the run.
	const terminated = (error: Error & { code?: string }) => {
		if (error.code !== '57P01') throw error
	}
	authDatabase.on('error', terminated)
	authDatabase.on('connect', (client) => client.on('error', terminated))
	const stores: PostgresStore[] = []
	return {
		kind: 'PostgreSQL',
		authDatabase,
		async openStore() {
			const store = new PostgresStore({ url: database.url })
			await store.ready()
			stores.push(store)
			return store
		},
		async tables() {
			const { rows } = await authDatabase.query<{ name: string }>(
				"select table_schema || '.' || table_name as name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')"
			)
			return rows.map((row) => row.name).sort()
		},
		async close() {
			for (const store of stores) await store.close()
			await authDatabase.end()
			await database.drop()
		}
	}
}

export const databases = [sqliteDatabase, postgresDatabase]

/** A Better Auth instance with email and password, `bearer()`, `jwt()`, `organization()` and `admin()`. */
export const createAuth = (database: SharedDatabase, options: Partial<BetterAuthOptions> = {}) =>
	betterAuth({
		database: database.authDatabase,
		baseURL: 'http://localhost',
		secret: authSecret,
		// Better Auth's own option for the password hash: bcrypt at its lowest cost keeps sign-ups fast in tests.
		emailAndPassword: {
			enabled: true,
			password: {
				hash: (plain) => Bun.password.hash(plain, { algorithm: 'bcrypt', cost: 4 }),
				verify: ({ hash, password }) => Bun.password.verify(password, hash)
			}
		},
		logger: { disabled: true },
		telemetry: { enabled: false },
		...options,
		plugins: [
			bearer(),
			jwt({
				jwt: {
					definePayload: ({ user, session }) => ({
						...user,
						activeOrganizationId: session.activeOrganizationId ?? null
					})
				}
			}),
			organization(),
			admin()
		]
	})

export type TestAuth = ReturnType<typeof createAuth>

/** Creates Better Auth's tables (those still missing) the way `npx @better-auth/cli migrate` does. */
export const migrateAuth = async (auth: TestAuth) => {
	const { runMigrations } = await getMigrations(auth.options)
	await runMigrations()
}

/** A signed-in user: the cookie header value, the `bearer()` token, the session token and the user id. */
export interface SignedIn {
	id: string
	email: string
	cookie: string
	bearer: string
	sessionToken: string
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
	method: 'POST',
	headers: { 'content-type': 'application/json', ...headers },
	body: JSON.stringify(body)
})

const signedIn = async (res: Response, email: string): Promise<SignedIn> => {
	if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`)
	const body = (await res.json()) as { token: string; user: { id: string } }
	const cookie = res.headers
		.getSetCookie()
		.map((line) => line.split(';')[0] as string)
		.find((pair) => pair.includes('session_token='))
	const bearerToken = res.headers.get('set-auth-token')
	if (!cookie || !bearerToken) throw new Error('sign-in set no session cookie or bearer token')
	return { id: body.user.id, email, cookie, bearer: bearerToken, sessionToken: body.token }
}

export const password = 'correct horse battery staple'

/** Signs a new user up through Better Auth's HTTP endpoint (which also signs them in). */
export const signUp = async (app: AnyElysia, origin: string, name: string): Promise<SignedIn> => {
	const email = `${name}-${crypto.randomUUID().slice(0, 8)}@example.com`
	const res = await app.handle(
		new Request(`${origin}/api/auth/sign-up/email`, json({ email, password, name }, { origin }))
	)
	return signedIn(res, email)
}

/** Signs an existing user in again: a second session. */
export const signIn = async (app: AnyElysia, origin: string, email: string): Promise<SignedIn> => {
	const res = await app.handle(
		new Request(`${origin}/api/auth/sign-in/email`, json({ email, password }, { origin }))
	)
	return signedIn(res, email)
}

/** A call to one of Better Auth's endpoints as the signed-in user. */
export const authCall = (app: AnyElysia, origin: string, who: SignedIn, path: string, body?: unknown) =>
	app.handle(
		new Request(`${origin}/api/auth${path}`, {
			method: body === undefined ? 'GET' : 'POST',
			headers: { cookie: who.cookie, origin, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body)
		})
	)

/** Creates an organization (its creator becomes its owner) and returns its id. */
export const createOrganization = async (app: AnyElysia, origin: string, who: SignedIn, name: string) => {
	const res = await authCall(app, origin, who, '/organization/create', {
		name,
		slug: `${name.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}`
	})
	if (res.status !== 200) throw new Error(`organization/create answered ${res.status}: ${await res.text()}`)
	return ((await res.json()) as { id: string }).id
}

export const setActiveOrganization = async (
	app: AnyElysia,
	origin: string,
	who: SignedIn,
	organizationId: string | null
) => {
	const res = await authCall(app, origin, who, '/organization/set-active', { organizationId })
	if (res.status !== 200)
		throw new Error(`organization/set-active answered ${res.status}: ${await res.text()}`)
}
