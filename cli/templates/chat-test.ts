import type { EnvExpression } from '../detect/auth'
import { type ChatModuleInput, relativeImportsLast } from './chat'

/** Inputs of the generated test: the module's inputs plus where the module is. */
export interface ChatTestInput extends ChatModuleInput {
	/** Import path of the chat module from the test file. */
	modulePath: string
}

const TEST_SECRET = 'chatkit-test-secret-not-for-production-0123456789'
const TEST_ISSUER = 'https://issuer.example.test/'
const TEST_ISSUER_HOST = 'issuer.example.test'
const TEST_AUDIENCE = 'chatkit-test'

/** An env expression where a string is needed: a read may be unset (a template literal is a string already). */
const asString = (value: EnvExpression) =>
	value.code.startsWith('env.') ? `String(${value.code})` : value.code

const signIn = (input: ChatTestInput): string[] => {
	switch (input.auth.kind) {
		case 'jwt': {
			const claim = input.auth.userClaim ?? 'sub'
			return [
				'const signIn = async (userId: string) => {',
				`\tconst token = await new SignJWT({ ${claim === 'sub' ? 'sub: userId' : `${claim}: userId`} })`,
				"\t\t.setProtectedHeader({ alg: 'HS256' })",
				'\t\t.setIssuedAt()',
				"\t\t.setExpirationTime('5m')",
				`\t\t.sign(new TextEncoder().encode(env.${input.auth.secretVariable}))`,
				'\treturn { authorization: `Bearer ${token}` }',
				'}'
			]
		}
		case 'jwks':
			return [
				'const signIn = async (userId: string) => {',
				'\tconst token = await new SignJWT({ sub: userId })',
				"\t\t.setProtectedHeader({ alg: 'RS256', kid: 'test' })",
				'\t\t.setIssuedAt()',
				...(input.auth.issuer ? [`\t\t.setIssuer(${asString(input.auth.issuer)})`] : []),
				...(input.auth.audience ? [`\t\t.setAudience(${asString(input.auth.audience)})`] : []),
				"\t\t.setExpirationTime('5m')",
				'\t\t.sign(privateKey)',
				'\treturn { authorization: `Bearer ${token}` }',
				'}'
			]
		case 'better-auth':
			return [
				'const signIn = async (name: string) => {',
				`\tconst response = await ${input.auth.exportName}.api.signUpEmail({`,
				'\t\tbody: { name, email: `${name}-${crypto.randomUUID()}@example.com`, password: crypto.randomUUID() },',
				'\t\tasResponse: true',
				'\t})',
				"\tconst cookie = response.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ')",
				'\treturn { cookie }',
				'}'
			]
		case 'dev':
			return ['const signIn = async (_userId: string) => ({})']
	}
}

/** Why the generated tests wait longer than bun's default 5 s (the line above `setDefaultTimeout`). */
export const SLOW_MACHINE_TIMEOUT =
	"// A turn through the app and its database can take more than bun's default 5 s on a busy CI machine."

/** A bun:test file that starts the generated endpoint through `app.handle` and streams a turn. */
export const chatTest = (input: ChatTestInput): string => {
	const lines = ["import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test'"]
	const usesDatabase = input.level > 1
	if (usesDatabase) {
		lines.push("import { mkdtempSync, rmSync } from 'node:fs'")
		lines.push("import { tmpdir } from 'node:os'")
		lines.push("import { join } from 'node:path'")
	}
	// A Better Auth app whose SQLite file is named by a variable: the test gives the app (its auth and the
	// chat store) a file of its own, set before the app's modules open it, so no test user lands in the app's.
	const ownAppDatabase = usesDatabase && input.auth.kind === 'better-auth' && input.database.stripFilePrefix
	if (input.auth.kind === 'better-auth') {
		lines.push("import { getMigrations } from 'better-auth/db/migration'")
		if (!ownAppDatabase) lines.push(`import { ${input.auth.exportName} } from '${input.auth.importPath}'`)
	}
	lines.push("import { createClient } from 'elysia-chatkit/client'")
	if (input.auth.kind === 'jwt') lines.push("import { SignJWT } from 'jose'")
	if (input.auth.kind === 'jwks') lines.push("import { exportJWK, generateKeyPair, SignJWT } from 'jose'")
	if (!ownAppDatabase) lines.push(`import { createChat } from '${input.modulePath}'`)
	lines.push('', SLOW_MACHINE_TIMEOUT, 'setDefaultTimeout(30_000)', '')
	if (usesDatabase) {
		lines.push("const folder = mkdtempSync(join(tmpdir(), 'chatkit-test-'))")
		lines.push('afterAll(() => rmSync(folder, { recursive: true, force: true }))')
	}
	if (ownAppDatabase && input.auth.kind === 'better-auth')
		lines.push(
			"// The app's database is a file of this test: set before the app's modules open it.",
			`process.env.${input.database.variable} = join(folder, 'app.db')`,
			`const { ${input.auth.exportName} } = await import('${input.auth.importPath}')`,
			`const { createChat } = await import('${input.modulePath}')`
		)
	const overrides: string[] = []
	if (usesDatabase && !ownAppDatabase)
		overrides.push(`${input.database.variable}: \`sqlite:\${join(folder, 'chat.db')}\``)
	if (input.auth.kind === 'jwt') overrides.push(`${input.auth.secretVariable}: '${TEST_SECRET}'`)
	if (input.auth.kind === 'jwks') {
		lines.push(
			'',
			"// The identity provider as the test plays it: its keys served here, its users' tokens signed with them.",
			"const { publicKey, privateKey } = await generateKeyPair('RS256')",
			"const keys = { keys: [{ ...(await exportJWK(publicKey)), alg: 'RS256', kid: 'test' }] }",
			'const identityProvider = Bun.serve({ port: 0, fetch: () => Response.json(keys) })',
			'afterAll(() => identityProvider.stop(true))'
		)
		const { jwks, issuer, audience, jwksOverride } = input.auth
		const values = new Map<string, string>()
		values.set(
			jwksOverride ?? (jwks.variables[0] as string),
			'`http://127.0.0.1:${identityProvider.port}/.well-known/jwks.json`'
		)
		// an issuer or audience read whole gets a test value; one built from variables, a host for each
		for (const [claim, whole, part] of [
			[issuer, `'${TEST_ISSUER}'`, `'${TEST_ISSUER_HOST}'`],
			[audience, `'${TEST_AUDIENCE}'`, `'${TEST_AUDIENCE}'`]
		] as const)
			for (const variable of claim?.variables ?? [])
				if (!values.has(variable)) values.set(variable, claim?.code.startsWith('env.') ? whole : part)
		for (const [variable, value] of values) overrides.push(`${variable}: ${value}`)
	}
	overrides.push("OPENAI_API_KEY: ''")
	lines.push(`const env = { ...process.env, ${overrides.join(', ')} }`)
	if (input.auth.kind === 'better-auth')
		lines.push(
			'// Better Auth needs its tables in the database it is configured with.',
			`await (await getMigrations(${input.auth.exportName}.options)).runMigrations()`
		)
	lines.push('const app = createChat(env)', '', ...signIn(input), '')
	lines.push(
		'const clientOf = async (user: string) => createClient({ app, headers: await signIn(user) })',
		'',
		"describe('ChatKit endpoint', () => {",
		"\ttest('a turn streams and the thread is kept', async () => {",
		"\t\tconst client = await clientOf('alice')",
		'\t\tconst types: string[] = []',
		"\t\tlet threadId = ''",
		"\t\tfor await (const event of client.threads.create({ input: 'Hello' })) {",
		'\t\t\ttypes.push(event.type)',
		"\t\t\tif (event.type === 'thread.created') threadId = event.thread.id",
		'\t\t}',
		"\t\texpect(types[0]).toBe('thread.created')",
		"\t\texpect(types).toContain('thread.item.done')",
		"\t\tconst items = await client.items.list({ thread_id: threadId, limit: 10, order: 'asc' })",
		"\t\texpect(items.data.map((item) => item.type)).toContain('assistant_message')",
		'\t})'
	)
	if (input.level === 3)
		lines.push(
			'',
			'\ttest("another user cannot read the first user\'s thread", async () => {',
			"\t\tconst alice = await clientOf('alice')",
			"\t\tlet threadId = ''",
			"\t\tfor await (const event of alice.threads.create({ input: 'Private' }))",
			"\t\t\tif (event.type === 'thread.created') threadId = event.thread.id",
			"\t\tconst bob = await clientOf('bob')",
			'\t\tconst refused = await bob.threads.getById({ thread_id: threadId }).then(',
			'\t\t\t() => null,',
			'\t\t\t(error: { status?: number }) => error.status',
			'\t\t)',
			'\t\texpect(refused).toBe(404)',
			'\t\tconst page = await bob.threads.list({ limit: 10 })',
			'\t\texpect(page.data.map((thread) => thread.id)).not.toContain(threadId)',
			'\t})',
			'',
			'\ttest("the account tool shows its progress and its card, and the card\'s button changes it", async () => {',
			"\t\tconst client = await clientOf('carol')",
			"\t\tlet threadId = ''",
			'\t\tconst progress: string[] = []',
			'\t\tlet card: { id: string; widget: unknown } | undefined',
			"\t\tfor await (const event of client.threads.create({ input: 'Use lookup_account please' })) {",
			"\t\t\tif (event.type === 'thread.created') threadId = event.thread.id",
			"\t\t\tif (event.type === 'progress_update') progress.push(event.text)",
			"\t\t\tif (event.type === 'thread.item.done' && event.item.type === 'widget') card = event.item",
			'\t\t}',
			"\t\texpect(progress).toContain('Looking up your account…')",
			"\t\texpect(JSON.stringify(card?.widget)).toContain('notifications on')",
			"\t\tconst click = { type: 'account.notifications', payload: { on: false } }",
			'\t\tconst replaced: string[] = []',
			"\t\tfor await (const event of client.threads.customAction({ thread_id: threadId, item_id: card?.id ?? '', action: click }))",
			"\t\t\tif (event.type === 'thread.item.replaced') replaced.push(JSON.stringify(event.item))",
			"\t\texpect(replaced.join('')).toContain('notifications off')",
			"\t\tconst items = await client.items.list({ thread_id: threadId, limit: 20, order: 'asc' })",
			'\t\tconst saved = items.data.find((item) => item.id === card?.id)',
			"\t\texpect(JSON.stringify(saved)).toContain('notifications off')",
			'\t})'
		)
	lines.push('})', '')
	return relativeImportsLast(lines.join('\n'))
}
