/**
 * Better Auth and ChatKit in one app and one database: Better Auth's handler under /api/auth, its signed-in
 * user as the ChatKit user (session cookie, or the bearer() plugin's token), its active organization as the
 * tenant. `mode: 'jwt'` takes the jwt() plugin's tokens instead.
 *
 * Run: BETTER_AUTH_SECRET=<32+ random bytes> BETTER_AUTH_URL=http://localhost:8000 bun run examples/better-auth.ts
 * Database: DATABASE_URL=postgres://… (PostgreSQL, Better Auth through `pg`), or a file path (SQLite,
 * default .data/app.db). Both sets of tables are created at start-up, each by its own migrations.
 */
import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { betterAuth } from 'better-auth'
import { getMigrations } from 'better-auth/db/migration'
import { bearer, jwt, organization } from 'better-auth/plugins'
import { Elysia } from 'elysia'
import { chatkit, type Responder, streamText } from 'elysia-chatkit'
import { betterAuthUser } from 'elysia-chatkit/plugins/better-auth'
import { createStore, drizzleStore, parseDatabaseUrl } from 'elysia-chatkit/plugins/store'
import { Pool } from 'pg'

type Env = Record<string, string | undefined>

/** Better Auth's `database` option for a `DATABASE_URL`: a `pg` pool, or a bun:sqlite file. */
const authDatabase = (databaseUrl: string) => {
	const target = parseDatabaseUrl(databaseUrl)
	if (target.dialect === 'postgresql') {
		const pool = new Pool({ connectionString: target.url })
		// A pooled connection that PostgreSQL closes (a restart, a failover) is reported here: without a
		// listener, node-postgres throws it and the process exits. The pool opens a new one when needed.
		pool.on('error', (error) =>
			console.error(`[better-auth] idle database connection lost: ${error.message}`)
		)
		return pool
	}
	if (target.dialect !== 'sqlite') throw new Error('DATABASE_URL must name PostgreSQL or a SQLite file')
	mkdirSync(dirname(target.path), { recursive: true })
	const database = new Database(target.path)
	database.run('pragma journal_mode = wal')
	database.run('pragma busy_timeout = 5000')
	return database
}

export const createAuth = (database: Database | Pool, env: Env = process.env) =>
	betterAuth({
		database,
		baseURL: env.BETTER_AUTH_URL,
		secret: env.BETTER_AUTH_SECRET,
		emailAndPassword: { enabled: true },
		plugins: [
			bearer(),
			organization(),
			jwt({
				jwt: {
					// The tenant travels in the token too (JWT mode reads `activeOrganizationId`).
					definePayload: ({ user, session }) => ({
						...user,
						activeOrganizationId: session.activeOrganizationId ?? null
					})
				}
			})
		]
	})

const echo: Responder = async function* (args) {
	const said = args.input?.content.find((part) => part.type === 'input_text')?.text ?? ''
	yield* streamText(args, ['You said: ', said])
}

/** The app: Better Auth mounted, the ChatKit endpoint behind its user, one database for both. */
export const createApp = (
	env: Env = process.env,
	{ mode = 'session' }: { mode?: 'session' | 'jwt' } = {}
) => {
	const databaseUrl = env.DATABASE_URL || '.data/app.db'
	const database = authDatabase(databaseUrl)
	const auth = createAuth(database, env)
	const store = createStore(databaseUrl)
	const user =
		mode === 'jwt'
			? betterAuthUser(auth, { mode: 'jwt' })
			: betterAuthUser(auth, {
					mapUser: (session, { user }) => ({ ...user, name: session.user.name })
				})
	const app = new Elysia()
		.mount(auth.handler)
		.use(drizzleStore({ store }))
		.use(user)
		.get('/whoami', ({ user }) => user)
		.use(chatkit({ respond: echo }))
	return {
		app,
		auth,
		store,
		/** Creates Better Auth's missing tables (the ChatKit store migrates itself when it opens). */
		async migrate() {
			await (await getMigrations(auth.options)).runMigrations()
		},
		async close() {
			await store.close()
			if (database instanceof Pool) await database.end()
			else database.close()
		}
	}
}

if (import.meta.main) {
	const { app, migrate } = createApp()
	await migrate()
	const port = Number(process.env.PORT) || 8000
	app.listen({ hostname: process.env.HOST || '127.0.0.1', port })
	console.log(`Better Auth on /api/auth, ChatKit on /chatkit, port ${port}`)
}
