import { createHmac, timingSafeEqual } from 'node:crypto'
import type { ChatKitUser } from '../../src/store/types'
import {
	AuthConfigError,
	type AuthLogger,
	type AuthOutcome,
	type AuthPlugin,
	callbackId,
	createAuthPlugin,
	crossSiteRefusal,
	readCookie
} from './core'

export interface SessionAuthOptions<U extends ChatKitUser = ChatKitUser> {
	/**
	 * Turns the session cookie's value into the user, or `null` when the session is unknown,
	 * expired or forged. This is where an existing session system plugs in. An exception it
	 * throws is not an authentication failure: it reaches the app's error handling (500).
	 *
	 * @example async (value) => (await sessions.find(value))?.user ?? null
	 * @example (value) => { const id = verifyCookieValue(value, secret); return id ? { id } : null }
	 */
	verify: (value: string, request: Request) => U | null | undefined | Promise<U | null | undefined>
	/**
	 * Name of the session cookie (set it `HttpOnly`, `Secure`, `SameSite=Lax` or `Strict`).
	 *
	 * @default 'chatkit_session'
	 */
	cookie?: string
	/**
	 * Origins whose cross-site requests may use the session cookie. Requests that a browser marks
	 * `Sec-Fetch-Site: cross-site` from any other origin are refused for unsafe methods.
	 *
	 * @default []
	 * @example ['https://cdn.platform.openai.com']
	 */
	trustedOrigins?: string[]
	/**
	 * Receives the reason of every refused request (never the cookie value).
	 *
	 * @default console.warn
	 */
	log?: AuthLogger
}

/**
 * Authenticates every request with a session cookie checked by the application's `verify`, and puts
 * the user it returns on the context as `user`. A missing or refused cookie gets a 401.
 *
 * @example
 * new Elysia()
 * 	.use(sessionAuth({ verify: async (sid) => (await db.sessions.get(sid))?.user ?? null }))
 * 	.post('/whoami', ({ user }) => user.id)
 */
export function sessionAuth<U extends ChatKitUser>(options: SessionAuthOptions<U>): AuthPlugin<U> {
	const { verify, cookie = 'chatkit_session' } = options
	if (typeof verify !== 'function')
		throw new AuthConfigError(
			'verify',
			'a function (cookie value, request) => user | null is required',
			'sessionAuth option'
		)
	const trusted = new Set(options.trustedOrigins ?? [])

	async function authenticate(request: Request): Promise<AuthOutcome<U>> {
		const value = readCookie(request, cookie)
		if (!value) return { reason: `no ${cookie} cookie` }
		const refusal = crossSiteRefusal(request, trusted)
		if (refusal) return { reason: refusal }
		const user = await verify(value, request)
		return user ? { user } : { reason: `${cookie} cookie refused by verify` }
	}

	return createAuthPlugin<U>({
		name: 'elysia-chatkit/auth',
		seed: {
			mode: 'session',
			cookie,
			trustedOrigins: options.trustedOrigins,
			verify: callbackId(verify),
			log: callbackId(options.log)
		},
		authenticate,
		log: options.log
	})
}

const encoder = new TextEncoder()

const secretBytes = (secret: string | Uint8Array) => {
	const bytes = typeof secret === 'string' ? encoder.encode(secret) : secret
	if (bytes.length < 32) throw new AuthConfigError('secret', 'must be at least 32 bytes', 'cookie signing')
	return bytes
}

const mac = (data: string, secret: Uint8Array) =>
	createHmac('sha256', secret).update(data).digest('base64url')

/**
 * Signs a value (a session id, a user id) for a cookie: `v1.<value>.<expiry>.<HMAC-SHA256>`, all
 * base64url. For apps with no session system; pair it with `verifyCookieValue` in `sessionAuth`.
 *
 * @param maxAge seconds until the signature expires (default 7 days)
 * @example cookie.chatkit_session.set({ value: signCookieValue(user.id, secret), httpOnly: true, secure: true, sameSite: 'lax', path: '/' })
 */
export function signCookieValue(value: string, secret: string | Uint8Array, maxAge = 7 * 24 * 3600) {
	const payload = `v1.${Buffer.from(value).toString('base64url')}.${Math.floor(Date.now() / 1000) + maxAge}`
	return `${payload}.${mac(payload, secretBytes(secret))}`
}

/** The value `signCookieValue` signed, or `null` when the signature is wrong or expired. */
export function verifyCookieValue(signed: string, secret: string | Uint8Array): string | null {
	const [version, value, expires, signature, ...rest] = signed.split('.')
	if (version !== 'v1' || value === undefined || expires === undefined || signature === undefined)
		return null
	if (rest.length > 0) return null
	const expected = Buffer.from(mac(`${version}.${value}.${expires}`, secretBytes(secret)))
	const given = Buffer.from(signature)
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
	const expiry = Number(expires)
	if (!Number.isSafeInteger(expiry) || expiry * 1000 <= Date.now()) return null
	return Buffer.from(value, 'base64url').toString()
}
