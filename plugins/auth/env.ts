import { ConfigError, type Env, envInteger, isProduction } from '../../src/config'
import type { ChatKitUser } from '../../src/store/types'
import { corsOriginsFromEnv } from '../cors'
import { AuthConfigError, type AuthLogger, type AuthPlugin, type AuthUser, envFlag } from './core'
import { devUser } from './dev'
import { type JwtAlgorithm, type JwtAuthOptions, jwtAuth } from './jwt'
import { type SessionAuthOptions, sessionAuth } from './session'

/** The environment variables `authFromEnv` reads. */
export type AuthEnv = Env

export interface AuthFromEnvOptions<U extends ChatKitUser = AuthUser> {
	/**
	 * The session verifier, required when `AUTH_MODE=session` (the environment cannot supply a function).
	 * `SESSION_COOKIE` and `CORS_ORIGINS` fill `cookie` and `trustedOrigins` when they are not given here.
	 *
	 * @default undefined
	 * @example { verify: async (sid) => (await sessions.find(sid))?.user ?? null }
	 */
	session?: SessionAuthOptions<U>
	/**
	 * Claims-to-user mapping for `AUTH_MODE=jwt` (see `jwtAuth`).
	 *
	 * @default the built-in mapping (`sub`, `JWT_TENANT_CLAIM`, `roles`)
	 */
	mapUser?: JwtAuthOptions<U>['mapUser']
	/**
	 * Receives the reason of every refused request.
	 *
	 * @default console.warn
	 */
	log?: AuthLogger
}

const jwtVariables: Record<string, string> = {
	secret: 'JWT_SECRET',
	publicKey: 'JWT_PUBLIC_KEY',
	jwksUrl: 'JWKS_URL',
	algorithms: 'JWT_ALGORITHMS',
	clockTolerance: 'JWT_CLOCK_TOLERANCE'
}

const list = (value: string | undefined) => {
	const items = (value ?? '')
		.split(',')
		.map((item) => item.trim())
		.filter(Boolean)
	return items.length ? items : undefined
}

const single = (items: string[] | undefined) => (items && items.length === 1 ? items[0] : items)

/** The ways `authFromEnv` can authenticate. */
export type AuthMode = 'none' | 'jwt' | 'session'

/**
 * `AUTH_MODE` (`none`, `jwt` or `session`, any case; `none` when unset).
 * @throws AuthConfigError naming `AUTH_MODE` for any other value
 */
export const authModeFromEnv = (env: AuthEnv = process.env): AuthMode => {
	const mode = (env.AUTH_MODE ?? '').trim().toLowerCase() || 'none'
	if (mode !== 'none' && mode !== 'jwt' && mode !== 'session')
		throw new AuthConfigError('AUTH_MODE', 'expected none, jwt or session')
	return mode
}

/**
 * Builds the auth plugin the environment asks for (`AUTH_MODE` = `none` | `jwt` | `session`), reading the
 * variables of the configuration table. A wrong or missing value throws an `AuthConfigError` whose message
 * starts with the variable's name.
 *
 * @example new Elysia().use(authFromEnv()).use(chatkit(...))
 * @example authFromEnv(process.env, { session: { verify: (sid) => sessions.user(sid) } })
 */
export function authFromEnv<U extends ChatKitUser = AuthUser>(
	env: AuthEnv = process.env,
	options: AuthFromEnvOptions<U> = {}
): AuthPlugin<U | AuthUser> {
	const mode = authModeFromEnv(env)
	const allowAnonymous = envFlag(env.ALLOW_ANONYMOUS)
	if (allowAnonymous === null)
		throw new AuthConfigError('ALLOW_ANONYMOUS', 'expected true or false (or 1 or 0)')
	const origins = corsOriginsFromEnv(env)
	const trustedOrigins = origins.length ? origins : undefined
	const production = isProduction(env)

	if (mode === 'none') {
		const keys = ['JWT_SECRET', 'JWT_PUBLIC_KEY', 'JWKS_URL'].filter((name) => env[name])
		if (keys.length && !production)
			(options.log ?? console.warn)(
				`[elysia-chatkit/auth] AUTH_MODE is none (every request runs as the development user) although ${keys.join(', ')} is set; set AUTH_MODE=jwt to use it`
			)
		if (production && allowAnonymous !== true)
			throw new AuthConfigError(
				'AUTH_MODE',
				`is ${env.AUTH_MODE ? 'none' : 'unset (none)'}, and the anonymous development user is refused when NODE_ENV=production. ` +
					'Set AUTH_MODE=jwt (with JWT_SECRET, JWT_PUBLIC_KEY or JWKS_URL) or AUTH_MODE=session, ' +
					'or ALLOW_ANONYMOUS=true if every visitor may share one identity.'
			)
		return devUser({ env, allowInProduction: allowAnonymous === true }) as AuthPlugin<U | AuthUser>
	}

	if (mode === 'session') {
		if (!options.session?.verify)
			throw new AuthConfigError(
				'AUTH_MODE',
				'is session, which needs a verifier from the application: ' +
					'authFromEnv(process.env, { session: { verify: (cookieValue, request) => user | null } }), ' +
					'or use sessionAuth({ verify }) directly'
			)
		return sessionAuth<U>({
			...options.session,
			cookie: options.session.cookie ?? (env.SESSION_COOKIE?.trim() || undefined),
			trustedOrigins: options.session.trustedOrigins ?? trustedOrigins,
			log: options.session.log ?? options.log
		}) as AuthPlugin<U | AuthUser>
	}

	const keys = (['JWT_SECRET', 'JWT_PUBLIC_KEY', 'JWKS_URL'] as const).filter((name) => env[name]?.trim())
	if (keys.length !== 1)
		throw new AuthConfigError(
			'JWT_SECRET',
			keys.length
				? `set only one of JWT_SECRET, JWT_PUBLIC_KEY and JWKS_URL (${keys.join(' and ')} are set)`
				: 'AUTH_MODE=jwt needs one of JWT_SECRET, JWT_PUBLIC_KEY or JWKS_URL (none is set)'
		)
	let clockTolerance: number | undefined
	try {
		clockTolerance = env.JWT_CLOCK_TOLERANCE?.trim()
			? envInteger(env, 'JWT_CLOCK_TOLERANCE', 0)
			: undefined
	} catch (error) {
		if (error instanceof ConfigError)
			throw new AuthConfigError('JWT_CLOCK_TOLERANCE', 'expected a whole number of seconds, 0 or more')
		throw error
	}
	try {
		return jwtAuth<U | AuthUser>({
			secret: env.JWT_SECRET?.trim() || undefined,
			publicKey: env.JWT_PUBLIC_KEY?.trim().replaceAll('\\n', '\n') || undefined,
			jwksUrl: env.JWKS_URL?.trim() || undefined,
			algorithms: list(env.JWT_ALGORITHMS) as JwtAlgorithm[] | undefined,
			issuer: single(list(env.JWT_ISSUER)),
			audience: single(list(env.JWT_AUDIENCE)),
			tenantClaim: env.JWT_TENANT_CLAIM?.trim() || undefined,
			cookie: env.JWT_COOKIE?.trim() || undefined,
			clockTolerance,
			trustedOrigins,
			mapUser: options.mapUser,
			log: options.log
		})
	} catch (error) {
		if (error instanceof AuthConfigError) {
			const variable = jwtVariables[error.setting]
			if (variable) throw new AuthConfigError(variable, error.detail)
		}
		throw error
	}
}
