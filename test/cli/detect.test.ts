import { afterAll, describe, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { detectProject } from '../../cli/detect'
import { formatDetection } from '../../cli/generate/report'
import { emptyFolder, FIXTURES, removeCopies } from './helpers'

afterAll(removeCopies)

const fixture = (name: string) => detectProject(join(FIXTURES, name))

describe('init detection', () => {
	test('an empty folder is a new project', () => {
		const found = detectProject(emptyFolder())
		expect(found.empty).toBe(true)
		expect(formatDetection(found)).toContain('empty folder')
	})

	test('a bare Elysia app: the entry, no auth, no database, bun test', () => {
		const found = fixture('bare')
		expect(found.elysia).toBe('^1.4.30')
		expect(found.entry).toMatchObject({ file: 'src/index.ts', appFile: 'src/index.ts', listens: true })
		expect(found.entry?.edit?.indent).toBe('\t')
		expect(found.existingChatKit).toBeNull()
		expect(found.auth).toEqual({ kind: 'none' })
		expect(found.database).toEqual({ kind: 'none' })
		expect(found.layout).toEqual({ sourceDir: 'src', style: 'flat', testDir: null, testRunner: 'bun' })
	})

	test('Better Auth: the instance, its plugins and its SQLite file', () => {
		const found = fixture('better-auth')
		expect(found.auth).toEqual({
			kind: 'better-auth',
			file: 'src/auth.ts',
			exportName: 'auth',
			plugins: { jwt: true, bearer: false, organization: true, admin: false }
		})
		expect(found.database).toMatchObject({ kind: 'sqlite', file: 'auth.db', source: 'src/auth.ts' })
		expect(found.env.prefix).toBeNull()
		expect(formatDetection(found)).toContain(
			'Better Auth (auth in src/auth.ts; plugins: jwt, organization)'
		)
	})

	test("an API that verifies Auth0's tokens with jose: the keys' URL, issuer and audience, as code over env", () => {
		const found = fixture('jwks-api')
		expect(found.auth).toEqual({
			kind: 'jwt',
			library: 'jose',
			file: 'src/auth.ts',
			secretVariable: null,
			jwks: {
				code: '`https://${env.AUTH0_DOMAIN}/.well-known/jwks.json`',
				variables: ['AUTH0_DOMAIN']
			},
			issuer: { code: '`https://${env.AUTH0_DOMAIN}/`', variables: ['AUTH0_DOMAIN'] },
			audience: { code: 'env.AUTH0_AUDIENCE', variables: ['AUTH0_AUDIENCE'] },
			userClaim: null,
			expires: true
		})
		expect(found.env.prefix).toBeNull()
		expect(formatDetection(found)).toContain(
			'jose in src/auth.ts, keys from `https://${env.AUTH0_DOMAIN}/.well-known/jwks.json` (JWKS), issuer `https://${env.AUTH0_DOMAIN}/`, audience env.AUTH0_AUDIENCE'
		)
	})

	test('the keys of an identity provider read from one variable, and a URL built from anything else is not taken', () => {
		const app = (auth: string) => {
			const dir = emptyFolder()
			mkdirSync(join(dir, 'src'))
			writeFileSync(
				join(dir, 'package.json'),
				JSON.stringify({ dependencies: { elysia: '^1.4.30', jose: '^6.1.0' } })
			)
			writeFileSync(join(dir, 'src/auth.ts'), auth)
			return detectProject(dir).auth
		}
		expect(
			app(
				"import { createRemoteJWKSet } from 'jose'\nconst keys = createRemoteJWKSet(new URL(Bun.env.CLERK_JWKS_URL!))\n"
			)
		).toMatchObject({ jwks: { code: 'env.CLERK_JWKS_URL', variables: ['CLERK_JWKS_URL'] }, issuer: null })
		expect(
			app(
				"import { createRemoteJWKSet } from 'jose'\nconst keys = createRemoteJWKSet(new URL(`${config.authUrl}/jwks`))\n"
			)
		).toMatchObject({ jwks: null })
	})

	test("@elysiajs/jwt and Drizzle on PostgreSQL with the app's own variable names", () => {
		const found = fixture('jwt-drizzle-pg')
		expect(found.entry).toMatchObject({ file: 'src/index.ts', appFile: 'src/app.ts' })
		expect(found.auth).toEqual({
			kind: 'jwt',
			library: '@elysiajs/jwt',
			file: 'src/modules/users/index.ts',
			secretVariable: 'ORDERS_TOKEN_SECRET',
			jwks: null,
			issuer: null,
			audience: null,
			userClaim: 'id',
			expires: false
		})
		expect(found.database).toEqual({
			kind: 'postgresql',
			source: 'drizzle.config.ts',
			variable: 'ORDERS_PG_CONNECTION',
			file: null
		})
		expect(found.env.prefix).toBe('ORDERS_')
		expect(found.layout.style).toBe('modules')
	})

	test("a bun:sqlite file named by a variable with a default: the variable and the app's default file", () => {
		const dir = emptyFolder()
		writeFileSync(join(dir, 'package.json'), JSON.stringify({ dependencies: { elysia: '^1.4.30' } }))
		mkdirSync(join(dir, 'src', 'lib'), { recursive: true })
		writeFileSync(
			join(dir, 'src', 'lib', 'db.ts'),
			"import { Database } from 'bun:sqlite'\n\nexport const db = new Database(process.env.SQLITE_PATH ?? 'data/app.sqlite', { create: true })\n"
		)
		expect(detectProject(dir).database).toEqual({
			kind: 'sqlite',
			source: 'src/lib/db.ts',
			variable: 'SQLITE_PATH',
			file: 'data/app.sqlite'
		})
	})

	test("bun init's placeholder entry, when no Elysia app is found", () => {
		const found = fixture('bun-init-placeholder')
		expect(found.entry).toBeNull()
		expect(found.placeholderEntry).toEqual({ path: 'index.ts', text: 'console.log("Hello via Bun!");\n' })
		expect(formatDetection(found)).toContain(
			"entry          index.ts (bun init's placeholder, no Elysia app yet)"
		)
		expect(fixture('bare').placeholderEntry).toBeNull()
	})

	test('an app with ChatKit already mounted', () => {
		expect(fixture('mounted').existingChatKit).toBe('src/index.ts')
	})
})
