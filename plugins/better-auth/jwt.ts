import { createLocalJWKSet, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose'
import type { ChatKitUser } from '../../src/store/types'
import {
	AuthConfigError,
	type AuthLogger,
	type AuthOutcome,
	type AuthUser,
	describeError,
	readBearer
} from '../auth/core'
import {
	type JwtAlgorithm,
	type JwtAuthOptions,
	jwtAlgorithms,
	maxTokenLength,
	userFromClaims
} from '../auth/jwt'
import { type BetterAuthInstance, contextOf, pluginOptions, splitRoles } from './instance'

/** Options of `betterAuthUser` in JWT mode (`mode: 'jwt'`). */
export interface BetterAuthJwtOptions<U extends ChatKitUser = AuthUser> {
	/**
	 * `jwt`: a token from Better Auth's `jwt()` plugin (`/api/auth/token`, or the `set-auth-jwt` header of
	 * `/api/auth/get-session`) in `Authorization: Bearer`, verified with the keys of the instance's `jwks`
	 * table, read in process (no HTTP fetch).
	 */
	mode: 'jwt'
	/**
	 * Accepted signature algorithms.
	 *
	 * @default the `jwt()` plugin's `jwks.keyPairConfig.alg` (and `keyPairConfigs`), `EdDSA` when unset
	 */
	algorithms?: JwtAlgorithm[]
	/**
	 * Required `iss`; a list accepts any of them.
	 *
	 * @default the `jwt()` plugin's `jwt.issuer`, else Better Auth's `baseURL` origin, else the request's origin
	 */
	issuer?: string | string[]
	/**
	 * Required `aud`; a list accepts any of them.
	 *
	 * @default the `jwt()` plugin's `jwt.audience`, else Better Auth's `baseURL` origin, else the request's origin
	 */
	audience?: string | string[]
	/**
	 * The claim that holds the tenant id (put it in the token with the `jwt()` plugin's `definePayload`).
	 *
	 * @default 'activeOrganizationId'
	 */
	tenantClaim?: string
	/**
	 * Leeway in seconds for `exp` and `nbf`.
	 *
	 * @default 30
	 */
	clockTolerance?: number
	/**
	 * Builds the context user from the verified claims. Return `null` to refuse the token.
	 * Whatever it returns is `ctx.user`, typed.
	 *
	 * @default `sub` → `id`, the tenant claim → `tenantId`, `roles` (array) or the admin plugin's `role` → `roles`
	 * @example (payload, { user }) => user && { ...user, email: String(payload.email) }
	 */
	mapUser?: JwtAuthOptions<U>['mapUser']
	/**
	 * Milliseconds after which the key set is read again from Better Auth.
	 *
	 * @default 600000
	 */
	keysMaxAge?: number
	/**
	 * Minimum milliseconds between two key set reads triggered by tokens with an unknown `kid`.
	 *
	 * @default 30000
	 */
	keysCooldown?: number
	/**
	 * Receives the reason of every refused request (never the token).
	 *
	 * @default console.warn
	 */
	log?: AuthLogger
}

interface JwtPluginOptions {
	jwks?: {
		remoteUrl?: string
		keyPairConfig?: { alg?: string }
		keyPairConfigs?: { alg?: string }[]
	}
	jwt?: { issuer?: string; audience?: string; sign?: unknown }
}

const fail = (setting: string, detail: string): never => {
	throw new AuthConfigError(setting, detail, 'betterAuthUser option')
}

/** The `jwt()` plugin's algorithms: its key pair's, and those of any extra key pairs. */
function pluginAlgorithms(plugin: JwtPluginOptions): JwtAlgorithm[] {
	const configured = [plugin.jwks?.keyPairConfig?.alg ?? 'EdDSA']
	for (const extra of plugin.jwks?.keyPairConfigs ?? []) if (extra.alg) configured.push(extra.alg)
	const unknown = configured.filter((alg) => !(jwtAlgorithms as readonly string[]).includes(alg))
	if (unknown.length)
		fail('algorithms', `the jwt() plugin signs with ${unknown.join(', ')}, which is not supported`)
	return [...new Set(configured)] as JwtAlgorithm[]
}

/**
 * The instance's public keys, read through `auth.api.getJwks()` and cached; read again after `maxAge`,
 * or when a token names an unknown `kid` (at most once per `cooldown`), which picks up key rotation.
 */
function inProcessKeySet(load: () => Promise<JSONWebKeySet>, maxAge: number, cooldown: number) {
	let keys: { getKey: JWTVerifyGetKey; readAt: number } | undefined
	let reading: Promise<void> | undefined
	const read = () => {
		reading ??= load()
			.then((set) => {
				keys = { getKey: createLocalJWKSet(set), readAt: Date.now() }
			})
			.finally(() => {
				reading = undefined
			})
		return reading
	}
	const getKey: JWTVerifyGetKey = async (header, token) => {
		if (!keys || Date.now() - keys.readAt > maxAge) await read()
		try {
			return await (keys as NonNullable<typeof keys>).getKey(header, token)
		} catch (error) {
			const stale = Date.now() - (keys as NonNullable<typeof keys>).readAt > cooldown
			if ((error as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || !stale) throw error
			await read()
			return (keys as NonNullable<typeof keys>).getKey(header, token)
		}
	}
	return getKey
}

/** The request's user from a Better Auth JWT, or why there is none. */
export function jwtAuthenticator<U extends ChatKitUser>(
	auth: BetterAuthInstance,
	options: BetterAuthJwtOptions<U>
) {
	const plugin = pluginOptions<JwtPluginOptions>(auth, 'jwt')
	if (!plugin) return fail('mode', "'jwt' needs Better Auth's jwt() plugin in the auth instance")
	if (plugin.jwks?.remoteUrl || plugin.jwt?.sign)
		fail(
			'mode',
			"'jwt' reads the keys of Better Auth's jwks table; with jwks.remoteUrl or jwt.sign they are elsewhere: use jwtAuth({ jwksUrl })"
		)
	const getJwks = (auth.api as { getJwks?: () => Promise<JSONWebKeySet> }).getJwks
	if (typeof getJwks !== 'function') return fail('mode', "'jwt' needs auth.api.getJwks (the jwt() plugin)")
	const { tenantClaim = 'activeOrganizationId', clockTolerance = 30, mapUser } = options
	if (!Number.isFinite(clockTolerance) || clockTolerance < 0)
		fail('clockTolerance', 'must be a number of seconds ≥ 0')
	const algorithms = options.algorithms ?? pluginAlgorithms(plugin)
	const getKey = inProcessKeySet(
		() => getJwks(),
		options.keysMaxAge ?? 600_000,
		options.keysCooldown ?? 30_000
	)
	const baseOrigin = contextOf(auth).then(({ options: resolved }) =>
		typeof resolved.baseURL === 'string' && resolved.baseURL !== '' ? resolved.baseURL : undefined
	)
	baseOrigin.catch(() => {})

	return async function authenticate(request: Request): Promise<AuthOutcome<U>> {
		const bearer = readBearer(request)
		if (!('token' in bearer)) return bearer
		if (bearer.token.length > maxTokenLength) return { reason: 'token too long' }
		const origin = (await baseOrigin) ?? new URL(request.url).origin
		let payload: JWTPayload
		try {
			;({ payload } = await jwtVerify(bearer.token, getKey, {
				algorithms,
				issuer: options.issuer ?? plugin.jwt?.issuer ?? origin,
				audience: options.audience ?? plugin.jwt?.audience ?? origin,
				clockTolerance,
				requiredClaims: ['exp']
			}))
		} catch (error) {
			return { reason: `token refused (${describeError(error)})` }
		}
		const mapped = userFromClaims(payload, tenantClaim)
		const user =
			'user' in mapped
				? {
						...mapped.user,
						roles: Array.isArray(payload.roles) ? mapped.user.roles : splitRoles(payload.role)
					}
				: null
		if (!mapUser) return user ? { user: user as unknown as U } : (mapped as AuthOutcome<U>)
		const custom = await mapUser(payload, { user, request })
		return custom ? { user: custom } : { reason: 'mapUser returned no user' }
	}
}
