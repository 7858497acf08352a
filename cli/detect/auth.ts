import { envReads } from './env'
import type { SourceFile } from './files'

/**
 * A value the app computes from its environment, as code over `env`: `env.X`, or a template literal whose
 * placeholders each read one variable (`` `https://${env.AUTH0_DOMAIN}/` ``).
 */
export interface EnvExpression {
	code: string
	/** The variables it reads. */
	variables: string[]
}

/** The authentication the app already has; the ChatKit user is taken from it. */
export type AuthDetection =
	| {
			kind: 'better-auth'
			/** The file that creates the instance (`betterAuth({…})`). */
			file: string
			/** The exported name of the instance, `null` when it is not exported. */
			exportName: string | null
			plugins: { jwt: boolean; bearer: boolean; organization: boolean; admin: boolean }
	  }
	| {
			kind: 'jwt'
			library: '@elysiajs/jwt' | 'jose'
			file: string
			/** The environment variable holding the signing secret, `null` when none was found. */
			secretVariable: string | null
			/**
			 * The URL of the identity provider's keys (`createRemoteJWKSet(new URL(…))`), when the app verifies tokens
			 * it did not sign (Auth0, Clerk, Cognito, Supabase, …); its secret is then `null`.
			 */
			jwks: EnvExpression | null
			/** What the app checks the tokens' `iss` and `aud` against, when it reads them from its environment. */
			issuer: EnvExpression | null
			audience: EnvExpression | null
			/** The claim the app puts the user id in, when it signs its own tokens. */
			userClaim: string | null
			/** The app's tokens carry `exp` (an `exp` option or claim, `setExpirationTime`). */
			expires: boolean
	  }
	| { kind: 'session-cookie'; file: string; cookie: string }
	| { kind: 'none' }

const imports = (text: string, module: string) =>
	new RegExp(`from\\s+['"]${module.replace('/', '\\/')}['"]`).test(text)

const secretIn = (text: string): string | null => {
	const names = envReads(text)
	return (
		names.find((name) => /SECRET/i.test(name)) ??
		names.find((name) => /JWT|TOKEN|KEY/i.test(name)) ??
		null
	)
}

/** `process.env.X` or `Bun.env.X`, or a template literal of those (what `envExpression` reads). */
const ENV_VALUE = '((?:process|Bun)\\.env\\.[A-Za-z_]\\w*|`[^`]*`)'

/** The variable of a whole `process.env.X` or `Bun.env.X`. */
const envRead = (source: string): string | undefined =>
	/^(?:process|Bun)\.env\.([A-Za-z_]\w*)$/.exec(source)?.[1]

/** The source of an env read or a template of them, as code over `env`; `null` for any other expression. */
const envExpression = (source: string | undefined): EnvExpression | null => {
	if (!source) return null
	const read = envRead(source)
	if (read) return { code: `env.${read}`, variables: [read] }
	const placeholders = [...source.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1]?.trim() ?? '')
	const variables = placeholders.map(envRead)
	if (variables.length === 0 || variables.some((name) => name === undefined)) return null
	return {
		code: source.replace(/\$\{\s*(?:process|Bun)\.env\./g, '${env.'),
		variables: [...new Set(variables as string[])]
	}
}

/** `name: <env value>` in the text (an option of `jwtVerify`). */
const optionIn = (text: string, name: string): EnvExpression | null =>
	envExpression(new RegExp(`\\b${name}\\s*:\\s*${ENV_VALUE}`).exec(text)?.[1])

/** The URL of `createRemoteJWKSet(new URL(<env value>))`. */
const jwksIn = (text: string): EnvExpression | null =>
	envExpression(
		new RegExp(`createRemoteJWKSet\\s*\\(\\s*new\\s+URL\\s*\\(\\s*${ENV_VALUE}`).exec(text)?.[1]
	)

const userClaimIn = (text: string): string | null => {
	const signed = /\.sign\(\s*\{([^}]*)\}/.exec(text)?.[1]
	if (!signed) return null
	const keys = [...signed.matchAll(/(?:^|,)\s*([A-Za-z_$][\w$]*)\s*(?::|,|$)/g)].map((match) => match[1])
	if (keys.includes('sub')) return 'sub'
	return keys.find((key) => key && /^(id|userId|user_id|uid)$/.test(key)) ?? null
}

/** Better Auth first, then a JWT secret (`@elysiajs/jwt`, then `jose`), then a session cookie. */
export const detectAuth = (dependencies: Record<string, string>, sources: SourceFile[]): AuthDetection => {
	if (dependencies['better-auth']) {
		const source = sources.find(
			(file) => /\bbetterAuth\s*\(/.test(file.text) && imports(file.text, 'better-auth')
		)
		if (source) {
			const exported = /export\s+(?:const|let)\s+([A-Za-z_$][\w$]*)\s*=\s*betterAuth\s*\(/.exec(
				source.text
			)?.[1]
			const plugins = (name: string) => new RegExp(`\\b${name}\\s*\\(`).test(source.text)
			return {
				kind: 'better-auth',
				file: source.path,
				exportName: exported ?? null,
				plugins: {
					jwt: plugins('jwt'),
					bearer: plugins('bearer'),
					organization: plugins('organization'),
					admin: plugins('admin')
				}
			}
		}
	}
	for (const library of ['@elysiajs/jwt', 'jose'] as const) {
		if (!dependencies[library]) continue
		const users = sources.filter((file) => imports(file.text, library))
		const remote = library === 'jose' ? users.find((file) => jwksIn(file.text)) : undefined
		if (remote)
			return {
				kind: 'jwt',
				library,
				file: remote.path,
				secretVariable: null,
				jwks: jwksIn(remote.text),
				issuer: optionIn(remote.text, 'issuer'),
				audience: optionIn(remote.text, 'audience'),
				userClaim: null,
				expires: true
			}
		const source = users.find((file) => secretIn(file.text)) ?? users[0]
		if (source)
			return {
				kind: 'jwt',
				library,
				file: source.path,
				secretVariable: secretIn(source.text),
				jwks: null,
				issuer: null,
				audience: null,
				userClaim: users.map((file) => userClaimIn(file.text)).find(Boolean) ?? null,
				expires: users.some((file) => /\bexp\s*:|setExpirationTime\s*\(/.test(file.text))
			}
	}
	for (const source of sources) {
		const cookie =
			/cookie\s*(?:\.|\[\s*['"])([A-Za-z_][\w-]*(?:session|sid)[\w-]*)/i.exec(source.text)?.[1] ??
			/['"]([\w.-]*session[\w.-]*)['"]/i.exec(source.text.match(/cookie[\s\S]{0,200}/i)?.[0] ?? '')?.[1]
		if (cookie) return { kind: 'session-cookie', file: source.path, cookie }
	}
	return { kind: 'none' }
}
