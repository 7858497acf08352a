import { createHash } from 'node:crypto'
import { Elysia, status } from 'elysia'
import { ConfigError } from '../../src/config'
import { reportRefusal } from '../../src/lifecycle'
import { isUsableId, MAX_ID_LENGTH } from '../../src/store/ids'
import type { ChatKitUser } from '../../src/store/types'

/** The user the built-in mappings produce: `ChatKitUser` with every field present. */
export interface AuthUser extends ChatKitUser {
	tenantId: string | null
	roles: string[]
}

/** The body of every 401 answer. `code` is stable; `message` never says which check failed. */
export interface UnauthorizedBody {
	code: 'unauthorized'
	message: string
}

/** Receives one line per refused request: method, path and the reason (never the credential). */
export type AuthLogger = (message: string) => void

/** What an authenticator decides for one request: a user, or the reason (for the log only) why not. */
export type AuthOutcome<U> = { user: U } | { reason: string }

/**
 * Raised at construction when an option (or, from `authFromEnv`, an environment variable) is wrong.
 * A `ConfigError`, so one `catch` handles every configuration problem.
 */
export class AuthConfigError extends ConfigError {
	/** The option or environment variable at fault. */
	readonly setting: string
	/** What is wrong, without the setting's name. */
	readonly detail: string
	constructor(setting: string, detail: string, where?: string) {
		super(
			[{ variable: setting, message: detail }],
			where ? `${where} \`${setting}\`: ${detail}` : `${setting}: ${detail}`
		)
		this.name = 'AuthConfigError'
		this.setting = setting
		this.detail = detail
	}
}

/** An on/off environment variable: `true`/`1`, `false`/`0`, or unset (`undefined`); anything else is `null`. */
export const envFlag = (value: string | undefined): boolean | undefined | null => {
	const normalised = (value ?? '').trim().toLowerCase()
	if (normalised === '') return undefined
	if (normalised === 'true' || normalised === '1') return true
	if (normalised === 'false' || normalised === '0') return false
	return null
}

const unauthorizedBody: UnauthorizedBody = { code: 'unauthorized', message: 'Authentication required' }
const unavailableBody = {
	code: 'auth_unavailable',
	message: 'Authentication is unavailable; try again shortly'
}

interface AuthPluginConfig<U extends ChatKitUser> {
	name: string
	seed: unknown
	authenticate: (request: Request) => Promise<AuthOutcome<U>>
	/** `WWW-Authenticate` value sent with a 401. */
	challenge?: string
	log?: AuthLogger
}

/**
 * Why a user cannot scope the store's rows, or `undefined` when it can: its id (and tenant id, when set)
 * must be non-empty, at most `MAX_ID_LENGTH` (255) characters and free of NUL, as the built-in stores require.
 */
export const unusableUserReason = (user: ChatKitUser): string | undefined => {
	if (!isUsableId(user.id))
		return `the user id is not usable (empty, longer than ${MAX_ID_LENGTH} characters or with NUL)`
	const tenant = user.tenantId
	if (tenant !== null && tenant !== undefined && tenant !== '' && !isUsableId(tenant))
		return `the tenant id is not usable (longer than ${MAX_ID_LENGTH} characters or with NUL)`
}

/**
 * The shared shape of every auth plugin: a scoped `derive` that puts `user` on the context, or answers
 * 401 before validation and before any handler runs. A user whose id the store would refuse (see
 * `unusableUserReason`) is refused here with a 401, whatever the authenticator.
 */
export const createAuthPlugin = <U extends ChatKitUser>({
	name,
	seed,
	authenticate,
	challenge,
	log = console.warn
}: AuthPluginConfig<U>) =>
	new Elysia({ name, seed }).derive({ as: 'scoped' }, async function authenticateRequest(context) {
		const { request, set } = context
		let outcome: AuthOutcome<U>
		try {
			outcome = await authenticate(request)
		} catch (error) {
			log(
				`[${name}] 503 ${request.method} ${new URL(request.url).pathname}: the verifier failed: ${describeError(error)}`
			)
			await reportRefusal(context, { status: 503, code: unavailableBody.code, by: name })
			return status(503, unavailableBody)
		}
		if ('user' in outcome) {
			const unusable = unusableUserReason(outcome.user)
			if (!unusable) return { user: outcome.user }
			outcome = { reason: unusable }
		}
		log(`[${name}] 401 ${request.method} ${new URL(request.url).pathname}: ${outcome.reason}`)
		if (challenge) set.headers['www-authenticate'] = challenge
		set.headers.connection = 'close'
		await reportRefusal(context, { status: 401, code: unauthorizedBody.code, by: name })
		return status(401, unauthorizedBody)
	})

/** An Elysia plugin that adds `user: U` to the context of the routes registered after it. */
export type AuthPlugin<U extends ChatKitUser> = ReturnType<typeof createAuthPlugin<U>>

const ids = new WeakMap<object, number>()
let lastId = 0

/** A stable number per function, so that plugin deduplication tells different callbacks apart. */
export const callbackId = (fn: object | undefined) => {
	if (!fn) return undefined
	let id = ids.get(fn)
	if (id === undefined) {
		id = ++lastId
		ids.set(fn, id)
	}
	return id
}

/** A short digest that stands in for a secret in a plugin seed. */
export const fingerprint = (value: string | Uint8Array) =>
	createHash('sha256').update(value).digest('hex').slice(0, 16)

/** The value of one cookie from the `Cookie` header, percent-decoded. */
export const readCookie = (request: Request, name: string): string | undefined => {
	const header = request.headers.get('cookie')
	if (!header) return undefined
	for (const part of header.split(';')) {
		const eq = part.indexOf('=')
		if (eq === -1 || part.slice(0, eq).trim() !== name) continue
		let value = part.slice(eq + 1).trim()
		if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
		try {
			return decodeURIComponent(value)
		} catch {
			return value
		}
	}
	return undefined
}

const bearerPattern = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/** The token of `Authorization: Bearer <token>`, or why there is none. */
export const readBearer = (request: Request): { token: string } | { reason: string } => {
	const header = request.headers.get('authorization')
	if (header === null) return { reason: 'no Authorization header' }
	const token = bearerPattern.exec(header)?.[1]
	if (token) return { token }
	return {
		reason: /^Bearer\b/i.test(header)
			? 'malformed Bearer Authorization header'
			: 'Authorization header is not a Bearer token'
	}
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Cross-site request forgery guard for cookie credentials: a state-changing request is accepted when
 * the browser marks it `Sec-Fetch-Site: same-origin` (or `none`), when its `Origin` is trusted, or, from
 * clients that send neither header (servers, old browsers), when it carries no foreign `Origin`.
 * Same-site requests from sibling subdomains are refused unless their origin is trusted. `trustedOrigins`
 * is a set of exact origins or a predicate (for an auth library's own origin patterns).
 */
export const crossSiteRefusal = (
	request: Request,
	trustedOrigins: ReadonlySet<string> | ((origin: string) => boolean)
) => {
	if (safeMethods.has(request.method)) return undefined
	const site = request.headers.get('sec-fetch-site')
	if (site === 'same-origin' || site === 'none') return undefined
	const origin = request.headers.get('origin')
	const trusted =
		typeof trustedOrigins === 'function' ? trustedOrigins : (o: string) => trustedOrigins.has(o)
	if (origin && trusted(origin)) return undefined
	if (site === null && (origin === null || origin === new URL(request.url).origin)) return undefined
	return `${site ?? 'foreign-origin'} ${request.method} with a cookie credential from an untrusted origin`
}

/** Name and message of an error, for a log line (never a credential: callers only pass verifier errors). */
export const describeError = (error: unknown) => {
	if (error instanceof Error) {
		const code = (error as { code?: unknown }).code
		return typeof code === 'string' ? `${code}: ${error.message}` : `${error.name}: ${error.message}`
	}
	return String(error)
}
