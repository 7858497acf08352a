import type { EnvExpression } from '../detect/auth'

/** Inputs of the generated ChatKit module, decided by the plan from what detection found. */
export interface ChatModuleInput {
	level: 1 | 2 | 3
	auth:
		| { kind: 'better-auth'; importPath: string; exportName: string }
		| { kind: 'jwt'; secretVariable: string; userClaim: string | null; expires: boolean }
		| {
				/** Tokens of an identity provider, verified with its keys (a JWKS URL), as the app does. */
				kind: 'jwks'
				jwks: EnvExpression
				issuer: EnvExpression | null
				audience: EnvExpression | null
				/** When the app builds the keys' URL from its variables: a variable of ours that replaces it (tests). */
				jwksOverride: string | null
		  }
		| { kind: 'dev' }
	/** The variable with the store's URL (`postgres://…`, `sqlite:<file>`), and its default. */
	database: { variable: string; fallback: string | null; stripFilePrefix: boolean }
	/** Level 3: the variable names the limits and CORS read (in the app's naming style). */
	names: { corsOrigins: string; ratePerMinute: string; maxStreams: string }
	/** Add `chatkitCors` (not when the app has its own CORS plugin). */
	cors: boolean
}

const authImport = (input: ChatModuleInput) => {
	switch (input.auth.kind) {
		case 'better-auth':
			return [
				"import { betterAuthUser } from 'elysia-chatkit/plugins/better-auth'",
				`import { ${input.auth.exportName} } from '${input.auth.importPath}'`
			]
		case 'jwt':
		case 'jwks':
			return ["import { jwtAuth } from 'elysia-chatkit/plugins/auth'"]
		case 'dev':
			return ["import { devUser } from 'elysia-chatkit/plugins/auth'"]
	}
}

const authUse = (input: ChatModuleInput) => {
	switch (input.auth.kind) {
		case 'better-auth':
			return `betterAuthUser(${input.auth.exportName})`
		case 'jwt': {
			const secret = `secret: env.${input.auth.secretVariable}`
			const claim = input.auth.userClaim
			const expiry = input.auth.expires
				? ''
				: "\n\t\t\t\t// The app's tokens carry no exp: give them one (jwt({ exp: '7d' })) and remove this line.\n\t\t\t\trequireExpiration: false,"
			if ((!claim || claim === 'sub') && !expiry) return `jwtAuth({ ${secret} })`
			if (!claim || claim === 'sub') return `jwtAuth({\n\t\t\t\t${secret},${expiry}\n\t\t\t})`
			return `jwtAuth({\n\t\t\t\t${secret},${expiry}\n\t\t\t\tmapUser: (payload) =>\n\t\t\t\t\ttypeof payload.${claim} === 'string' || typeof payload.${claim} === 'number'\n\t\t\t\t\t\t? { id: String(payload.${claim}), tenantId: null, roles: [] }\n\t\t\t\t\t\t: null\n\t\t\t})`
		}
		case 'jwks': {
			const { jwks, issuer, audience, jwksOverride } = input.auth
			const options = [
				`jwksUrl: ${jwksOverride ? `env.${jwksOverride} || ${jwks.code}` : jwks.code}`,
				...(issuer ? [`issuer: ${issuer.code}`] : []),
				...(audience ? [`audience: ${audience.code}`] : [])
			]
			return `jwtAuth({\n\t\t\t\t${options.join(',\n\t\t\t\t')}\n\t\t\t})`
		}
		case 'dev':
			return 'devUser()'
	}
}

const storeUrl = (input: ChatModuleInput) => {
	const { variable, fallback, stripFilePrefix } = input.database
	const read = stripFilePrefix ? `env.${variable}?.replace(/^file:/, 'sqlite:')` : `env.${variable}`
	return fallback ? `${read} || '${fallback}'` : read
}

/** Puts the project's own (relative) imports after the packages', as formatters order them. */
export const relativeImportsLast = (text: string) => {
	const lines = text.split('\n')
	const end = lines.findIndex((line) => !line.startsWith('import '))
	const imports = lines.slice(0, end)
	const own = imports.filter((line) => / from '\.\.?\//.test(line))
	return [...imports.filter((line) => !own.includes(line)), ...own, ...lines.slice(end)].join('\n')
}

/** The ChatKit module mounted into the app: `createChat(env)` returns an Elysia plugin with the endpoint. */
export const chatModule = (input: ChatModuleInput): string => {
	const { level } = input
	const lines: string[] = ["import { Elysia } from 'elysia'"]
	if (level === 1) {
		// level 1 reads its environment only for a token check: the parameter is unused otherwise
		const env = input.auth.kind === 'jwt' || input.auth.kind === 'jwks' ? 'env' : '_env'
		lines.push("import { chatkit, MemoryStore, type Responder, streamText } from 'elysia-chatkit'")
		lines.push(...authImport(input))
		lines.push(
			'',
			'const greet: Responder = async function* (args) {',
			"\tconst said = args.input?.content.find((part) => part.type === 'input_text')?.text ?? ''",
			"\tyield* streamText(args, ['Hello', ', ', 'world', '! ', `You said: ${said}`])",
			'}',
			'',
			'/** The ChatKit endpoint (POST /chatkit): a fixed reply, threads kept in memory. */',
			`export const createChat = (${env}: Record<string, string | undefined> = process.env) =>`,
			"\tnew Elysia({ name: 'chatkit' })",
			...(input.auth.kind === 'dev'
				? ['\t\t// Every request is one development user: replace devUser() with your auth.']
				: []),
			`\t\t.use(${authUse(input)})`,
			'\t\t.use(chatkit({ store: new MemoryStore(), respond: greet }))',
			''
		)
		return relativeImportsLast(lines.join('\n'))
	}
	lines.push("import { chatkit } from 'elysia-chatkit'")
	if (level === 3) lines.push("import { action, actions } from 'elysia-chatkit/plugins/actions'")
	lines.push("import { agent, currentTime, modelFromEnv } from 'elysia-chatkit/plugins/agent'")
	lines.push(...authImport(input))
	if (level === 3 && input.cors) lines.push("import { chatkitCors } from 'elysia-chatkit/plugins/cors'")
	if (level === 3) lines.push("import { limits } from 'elysia-chatkit/plugins/limits'")
	lines.push("import { drizzleStore } from 'elysia-chatkit/plugins/store'")
	if (level === 3) {
		lines.push("import { serverTool, tools } from 'elysia-chatkit/plugins/tools'")
		lines.push("import { type Card, Text, widgets } from 'elysia-chatkit/plugins/widgets'")
		lines.push("import { z } from 'zod'")
		lines.push(
			'',
			'interface Account {',
			'\tuserId: string',
			'\tnotifications: boolean',
			'}',
			'',
			"/** The account card's actions, each with a typed payload; the new card replaces the one clicked (saved). */",
			'const accountActions = actions({',
			"\t'account.notifications': action({",
			'\t\tpayload: z.object({ on: z.boolean() }),',
			'\t\tasync *handler({ payload, user, updateSender }) {',
			'\t\t\t// Save the choice for user.id in your own data here, then show the new state.',
			'\t\t\tyield* updateSender(accountCard({ userId: user.id, notifications: payload.on }))',
			'\t\t}',
			'\t})',
			'})',
			'',
			'const ui = widgets<typeof accountActions>()',
			'',
			'/** A typed widget: its button can only send an action registered above, with its payload. */',
			'const accountCard = (account: Account): Card =>',
			'\tui.Card({',
			'\t\tchildren: [',
			"\t\t\tText({ value: `Account ${account.userId}: notifications ${account.notifications ? 'on' : 'off'}` }),",
			'\t\t\tui.Button({',
			"\t\t\t\tlabel: account.notifications ? 'Turn notifications off' : 'Turn notifications on',",
			"\t\t\t\tonClickAction: { type: 'account.notifications', payload: { on: !account.notifications } }",
			'\t\t\t})',
			'\t\t]',
			'\t})',
			'',
			'/** A server tool: runs for the signed-in user, with a status line and a card the user sees. */',
			'const lookupAccount = serverTool({',
			"\tname: 'lookup_account',",
			'\tdescription: "Show the signed-in user\'s account, with a button to turn notifications on or off.",',
			'\tparameters: z.object({}),',
			'\tasync execute(_input, { user, progress, widget }) {',
			"\t\tprogress('Looking up your account…', 'search')",
			'\t\t// Read your own data here, scoped by user.id.',
			'\t\tawait widget(accountCard({ userId: user.id, notifications: true }))',
			'\t\treturn `Account ${user.id}: active, notifications on. Its card is shown to the user.`',
			'\t}',
			'})',
			'',
			'const count = (value: string | undefined, fallback: number) => (value ? Number(value) : fallback)'
		)
	}
	lines.push(
		'',
		level === 3
			? "/** The ChatKit endpoint (POST /chatkit): an agent with a tool and a widget, the app's users and database, limits. */"
			: "/** The ChatKit endpoint (POST /chatkit): an agent whose threads live in the app's database. */",
		'export const createChat = (env: Record<string, string | undefined> = process.env) =>',
		"\tnew Elysia({ name: 'chatkit' })"
	)
	if (level === 3 && input.cors)
		lines.push(
			`\t\t.use(chatkitCors({ origins: env.${input.names.corsOrigins}?.split(',').map((origin) => origin.trim()).filter(Boolean), env }))`
		)
	lines.push(`\t\t.use(drizzleStore({ url: ${storeUrl(input)} }))`)
	if (input.auth.kind === 'dev')
		lines.push('\t\t// Every request is one development user: replace devUser() with your auth.')
	const auth = authUse(input)
	if (auth.includes('\n')) lines.push('\t\t.use(', `\t\t\t${auth}`, '\t\t)')
	else lines.push(`\t\t.use(${auth})`)
	if (level === 3)
		lines.push(
			'\t\t.use(',
			'\t\t\tlimits({',
			`\t\t\t\trequestsPerMinute: count(env.${input.names.ratePerMinute}, 120),`,
			`\t\t\t\tmaxConcurrentStreams: count(env.${input.names.maxStreams}, 4),`,
			'\t\t\t\tenv',
			'\t\t\t})',
			'\t\t)',
			'\t\t.use(accountActions)',
			'\t\t.use(tools([lookupAccount, currentTime]))'
		)
	lines.push('\t\t.use(', '\t\t\tagent({', "\t\t\t\tinstructions: 'You are a helpful assistant.',")
	lines.push(level === 3 ? '\t\t\t\tmodel: modelFromEnv(env)' : '\t\t\t\tmodel: modelFromEnv(env),')
	if (level !== 3) lines.push('\t\t\t\ttools: [currentTime]')
	lines.push('\t\t\t})', '\t\t)', '\t\t.use(chatkit())', '')
	return relativeImportsLast(lines.join('\n'))
}
