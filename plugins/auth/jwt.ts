import { createPublicKey } from 'node:crypto'
import {
	type CryptoKey,
	createRemoteJWKSet,
	importSPKI,
	type JWTPayload,
	type JWTVerifyGetKey,
	jwtVerify
} from 'jose'
import type { ChatKitUser } from '../../src/store/types'
import {
	AuthConfigError,
	type AuthLogger,
	type AuthOutcome,
	type AuthPlugin,
	type AuthUser,
	callbackId,
	createAuthPlugin,
	crossSiteRefusal,
	describeError,
	fingerprint,
	readBearer,
	readCookie
} from './core'

export type { JWTPayload } from 'jose'

export const hmacAlgorithms = ['HS256', 'HS384', 'HS512'] as const
export const rsaAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const
export const ecAlgorithms = ['ES256', 'ES384', 'ES512'] as const
export const jwtAlgorithms = [...hmacAlgorithms, ...rsaAlgorithms, ...ecAlgorithms, 'EdDSA'] as const

/** A signature algorithm the verifier may accept. `none` is not one. */
export type JwtAlgorithm = (typeof jwtAlgorithms)[number]

/** What `mapUser` receives besides the claims. */
export interface MapUserContext {
	/** The default mapping (`sub`, tenant claim, `roles`), or `null` when the token has no usable `sub`. */
	user: AuthUser | null
	request: Request
}

export interface JwtAuthOptions<U extends ChatKitUser = AuthUser> {
	/**
	 * Shared secret for HMAC tokens (HS256 by default). At least as many bytes as the hash
	 * (32 for HS256). Exactly one of `secret`, `publicKey` and `jwksUrl` is required.
	 *
	 * @example process.env.JWT_SECRET
	 */
	secret?: string | Uint8Array
	/**
	 * PEM public key (`-----BEGIN PUBLIC KEY-----`, SPKI) for RSA, EC or Ed25519 tokens.
	 * The default algorithm follows the key: RS256, ES256/ES384/ES512 by curve, EdDSA.
	 */
	publicKey?: string
	/**
	 * URL of the identity provider's JSON Web Key Set. Keys are cached and fetched again when a token
	 * names an unknown `kid`. Must be `https:` (plain `http:` only on loopback hosts).
	 *
	 * @example 'https://example.eu.auth0.com/.well-known/jwks.json'
	 */
	jwksUrl?: string | URL
	/**
	 * Accepted signature algorithms. Fixed here, never taken from the token; must match the key kind.
	 *
	 * @default ['HS256'] with `secret`, the key's algorithm with `publicKey`, ['RS256', 'ES256'] with `jwksUrl`
	 */
	algorithms?: JwtAlgorithm[]
	/**
	 * Required `iss`; a list accepts any of them.
	 *
	 * @default undefined (not checked)
	 */
	issuer?: string | string[]
	/**
	 * Required `aud`; a list accepts any of them.
	 *
	 * @default undefined (not checked)
	 */
	audience?: string | string[]
	/**
	 * Leeway in seconds for `exp` and `nbf`.
	 *
	 * @default 30
	 */
	clockTolerance?: number
	/**
	 * Refuse tokens without an `exp` claim.
	 *
	 * @default true
	 */
	requireExpiration?: boolean
	/**
	 * The claim that holds the tenant id (`user.tenantId`). A string or a number; absent means no tenant.
	 *
	 * @default 'tenant_id'
	 */
	tenantClaim?: string
	/**
	 * Also read the token from this cookie when the request has no Bearer token.
	 *
	 * @default undefined (Authorization header only)
	 * @example 'chatkit_token'
	 */
	cookie?: string
	/**
	 * Origins whose cross-site requests may authenticate with the cookie (see `cookie`). Requests that a
	 * browser marks `Sec-Fetch-Site: cross-site` from any other origin are refused for unsafe methods.
	 *
	 * @default []
	 * @example ['https://cdn.platform.openai.com']
	 */
	trustedOrigins?: string[]
	/**
	 * Builds the context user from the verified claims. Return `null` to refuse the token.
	 * Whatever it returns is `ctx.user`, typed.
	 *
	 * @default the mapping in `user`: `sub` → `id`, the tenant claim → `tenantId`, `roles` (array) → `roles`
	 * @example (payload, { user }) => user && { ...user, plan: String(payload.plan ?? 'free') }
	 */
	mapUser?: (
		payload: JWTPayload,
		context: MapUserContext
	) => U | null | undefined | Promise<U | null | undefined>
	/**
	 * JWKS fetch timeout in milliseconds.
	 *
	 * @default 5000
	 */
	jwksTimeout?: number
	/**
	 * Minimum milliseconds between two JWKS fetches triggered by unknown `kid`s.
	 *
	 * @default 30000
	 */
	jwksCooldown?: number
	/**
	 * Milliseconds after which cached JWKS keys are fetched again.
	 *
	 * @default 600000
	 */
	jwksCacheMaxAge?: number
	/**
	 * Receives the reason of every refused request (never the token).
	 *
	 * @default console.warn
	 */
	log?: AuthLogger
}

const hashBytes: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 }
const curveAlgorithm: Record<string, JwtAlgorithm> = {
	prime256v1: 'ES256',
	secp384r1: 'ES384',
	secp521r1: 'ES512'
}
/** The longest token the verifiers read (a longer one is refused before any signature check). */
export const maxTokenLength = 16_384

const fail = (setting: string, detail: string): never => {
	throw new AuthConfigError(setting, detail, 'jwtAuth option')
}

const onlyFrom = (algorithms: JwtAlgorithm[], allowed: readonly string[], keyKind: string) => {
	const wrong = algorithms.filter((alg) => !allowed.includes(alg))
	if (wrong.length) fail('algorithms', `${wrong.join(', ')} cannot be used with ${keyKind}`)
}

function checkAlgorithms(algorithms: JwtAlgorithm[] | undefined) {
	if (algorithms === undefined) return
	if (!Array.isArray(algorithms) || algorithms.length === 0)
		fail('algorithms', 'must list at least one algorithm')
	const unknown = algorithms.filter((alg) => !(jwtAlgorithms as readonly string[]).includes(alg))
	if (unknown.length)
		fail('algorithms', `unsupported ${unknown.join(', ')} (supported: ${jwtAlgorithms.join(', ')})`)
}

/** Imports the key once per allowed algorithm (at construction) and picks it by the token's `alg`. */
function keyPerAlgorithm(algorithms: JwtAlgorithm[], importKey: (alg: JwtAlgorithm) => Promise<CryptoKey>) {
	const imported = Promise.all(algorithms.map(async (alg) => [alg, await importKey(alg)] as const)).then(
		(pairs) => new Map<string, CryptoKey>(pairs)
	)
	imported.catch(() => {})
	const getKey: JWTVerifyGetKey = async (header) => {
		const key = (await imported).get(header.alg ?? '')
		if (!key) throw new Error('no key for this algorithm')
		return key
	}
	return getKey
}

function secretKey(secret: string | Uint8Array, algorithms: JwtAlgorithm[] = ['HS256']) {
	onlyFrom(algorithms, hmacAlgorithms, 'a shared secret (use publicKey or jwksUrl)')
	const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret
	for (const alg of algorithms) {
		const needed = hashBytes[alg] ?? fail('algorithms', `${alg} is not an HMAC algorithm`)
		if (bytes.length < needed)
			fail('secret', `must be at least ${needed} bytes for ${alg} (it has ${bytes.length})`)
	}
	const importHmac = (alg: string) =>
		crypto.subtle.importKey(
			'raw',
			new Uint8Array(bytes),
			{ name: 'HMAC', hash: `SHA-${alg.slice(2)}` },
			false,
			['verify']
		)
	return { algorithms, getKey: keyPerAlgorithm(algorithms, importHmac) }
}

function publicKeyOf(pem: string, requested: JwtAlgorithm[] | undefined) {
	if (!/^-----BEGIN PUBLIC KEY-----/.test(pem.trim()))
		fail('publicKey', 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)')
	let keyType: string | undefined
	let curve: string | undefined
	try {
		const key = createPublicKey(pem)
		keyType = key.asymmetricKeyType
		curve = key.asymmetricKeyDetails?.namedCurve
	} catch {
		fail('publicKey', 'is not a readable PEM public key')
	}
	const ecAlgorithm = keyType === 'ec' && curve ? curveAlgorithm[curve] : undefined
	let algorithms: JwtAlgorithm[]
	if (keyType === 'rsa') {
		algorithms = requested ?? ['RS256']
		onlyFrom(algorithms, rsaAlgorithms, 'an RSA public key')
	} else if (keyType === 'rsa-pss') {
		algorithms = requested ?? ['PS256']
		onlyFrom(algorithms, ['PS256', 'PS384', 'PS512'], 'an RSA-PSS public key')
	} else if (ecAlgorithm) {
		algorithms = requested ?? [ecAlgorithm]
		onlyFrom(algorithms, [ecAlgorithm], `an EC ${curve} public key`)
	} else if (keyType === 'ed25519') {
		algorithms = requested ?? ['EdDSA']
		onlyFrom(algorithms, ['EdDSA'], 'an Ed25519 public key')
	} else return fail('publicKey', `unsupported key type ${keyType}${curve ? ` (${curve})` : ''}`)
	return { algorithms, getKey: keyPerAlgorithm(algorithms, (alg) => importSPKI(pem, alg)) }
}

function remoteKeySet(
	url: string | URL,
	requested: JwtAlgorithm[] | undefined,
	options: JwtAuthOptions<ChatKitUser>
) {
	let parsed: URL
	try {
		parsed = new URL(url)
	} catch {
		return fail('jwksUrl', 'is not a URL')
	}
	const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)
	if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback))
		fail('jwksUrl', 'must use https: (http: is accepted only for localhost)')
	const algorithms = requested ?? ['RS256', 'ES256']
	onlyFrom(algorithms, [...rsaAlgorithms, ...ecAlgorithms, 'EdDSA'], 'a JWKS (asymmetric keys only)')
	const getKey = createRemoteJWKSet(parsed, {
		timeoutDuration: options.jwksTimeout ?? 5000,
		cooldownDuration: options.jwksCooldown ?? 30_000,
		cacheMaxAge: options.jwksCacheMaxAge ?? 600_000
	})
	return { algorithms, getKey: getKey as JWTVerifyGetKey }
}

/** The default mapping of verified claims to a user, or why the claims do not make one. */
export function userFromClaims(payload: JWTPayload, tenantClaim = 'tenant_id'): AuthOutcome<AuthUser> {
	if (typeof payload.sub !== 'string' || payload.sub === '')
		return { reason: 'token has no usable sub claim' }
	const tenant = payload[tenantClaim]
	let tenantId: string | null = null
	if (typeof tenant === 'string' && tenant !== '') tenantId = tenant
	else if (typeof tenant === 'number' && Number.isFinite(tenant)) tenantId = String(tenant)
	else if (tenant !== undefined && tenant !== null && tenant !== '')
		return { reason: `tenant claim ${tenantClaim} is neither a string nor a number` }
	const roles = Array.isArray(payload.roles) ? payload.roles.filter((role) => typeof role === 'string') : []
	return { user: { id: payload.sub, tenantId, roles } }
}

/**
 * Authenticates every request with a JSON Web Token (`Authorization: Bearer …`, or a cookie) and puts
 * the user on the context as `user`. Invalid or missing tokens get a 401 before any handler runs.
 *
 * @example
 * new Elysia()
 * 	.use(jwtAuth({ secret: process.env.JWT_SECRET!, issuer: 'https://auth.example.com', audience: 'chatkit' }))
 * 	.post('/whoami', ({ user }) => user.id)
 */
export function jwtAuth<U extends ChatKitUser = AuthUser>(options: JwtAuthOptions<U>): AuthPlugin<U> {
	const { secret, publicKey, jwksUrl, issuer, audience, cookie, mapUser } = options
	const { clockTolerance = 30, requireExpiration = true, tenantClaim = 'tenant_id' } = options
	const sources = [secret, publicKey, jwksUrl].filter((value) => value !== undefined && value !== '').length
	if (sources !== 1) fail('secret', 'set exactly one of `secret`, `publicKey` and `jwksUrl`')
	checkAlgorithms(options.algorithms)
	if (!Number.isFinite(clockTolerance) || clockTolerance < 0)
		fail('clockTolerance', 'must be a number of seconds ≥ 0')
	const { algorithms, getKey } = secret
		? secretKey(secret, options.algorithms)
		: publicKey
			? publicKeyOf(publicKey, options.algorithms)
			: remoteKeySet(
					jwksUrl as string | URL,
					options.algorithms,
					options as JwtAuthOptions<ChatKitUser>
				)
	const trusted = new Set(options.trustedOrigins ?? [])
	const verifyOptions = {
		algorithms,
		issuer,
		audience,
		clockTolerance,
		requiredClaims: requireExpiration ? ['exp'] : []
	}

	async function authenticate(request: Request): Promise<AuthOutcome<U>> {
		let token: string | undefined
		const bearer = readBearer(request)
		if ('token' in bearer) token = bearer.token
		else if (cookie) {
			token = readCookie(request, cookie)
			if (token === undefined) return { reason: `${bearer.reason} and no ${cookie} cookie` }
			const refusal = crossSiteRefusal(request, trusted)
			if (refusal) return { reason: refusal }
		} else return bearer
		if (token.length > maxTokenLength) return { reason: 'token too long' }
		let payload: JWTPayload
		try {
			payload = (await jwtVerify(token, getKey, verifyOptions)).payload
		} catch (error) {
			return { reason: `token refused (${describeError(error)})` }
		}
		const mapped = userFromClaims(payload, tenantClaim)
		if (!mapUser) return mapped as AuthOutcome<U>
		const user = await mapUser(payload, { user: 'user' in mapped ? mapped.user : null, request })
		return user ? { user } : { reason: 'mapUser returned no user' }
	}

	return createAuthPlugin<U>({
		name: 'elysia-chatkit/auth',
		seed: {
			mode: 'jwt',
			key: secret ? fingerprint(secret) : publicKey ? fingerprint(publicKey) : String(jwksUrl),
			algorithms,
			issuer,
			audience,
			clockTolerance,
			requireExpiration,
			tenantClaim,
			cookie,
			trustedOrigins: options.trustedOrigins,
			mapUser: callbackId(mapUser),
			log: callbackId(options.log)
		},
		authenticate,
		challenge: 'Bearer',
		log: options.log
	})
}
