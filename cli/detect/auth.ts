import { envReads } from './env'
import type { SourceFile } from './files'

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
			 * The variable with the URL of the identity provider's keys (`createRemoteJWKSet(new URL(env.X))`), when
			 * the app verifies tokens it did not sign (Auth0, Clerk, Cognito, Supabase, …); its secret is then `null`.
			 */
			jwksVariable: string | null
			/** The variables the app checks the tokens' `iss` and `aud` against, when it reads them. */
			issuerVariable: string | null
			audienceVariable: string | null
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

/** `name: process.env.X` (or `Bun.env.X`) in the text: the variable `X`. */
const optionVariable = (text: string, name: string): string | null =>
	new RegExp(`\\b${name}\\s*:\\s*(?:process|Bun)\\.env\\.([A-Za-z_]\\w*)`).exec(text)?.[1] ?? null

/** The variable of `createRemoteJWKSet(new URL(process.env.X))`. */
const jwksIn = (text: string): string | null =>
	/createRemoteJWKSet\s*\(\s*new\s+URL\s*\(\s*(?:process|Bun)\.env\.([A-Za-z_]\w*)/.exec(text)?.[1] ?? null

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
				jwksVariable: jwksIn(remote.text),
				issuerVariable: optionVariable(remote.text, 'issuer'),
				audienceVariable: optionVariable(remote.text, 'audience'),
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
				jwksVariable: null,
				issuerVariable: null,
				audienceVariable: null,
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
