import type { ChatKitUser } from '../../src/store/types'
import {
	type AuthLogger,
	type AuthOutcome,
	type AuthUser,
	crossSiteRefusal,
	readBearer,
	readCookie
} from '../auth/core'
import {
	type BetterAuthContext,
	type BetterAuthInstance,
	type BetterAuthMember,
	type BetterAuthSession,
	contextOf,
	hasPlugin,
	type SessionShape,
	splitRoles
} from './instance'

/** What the session mode's `mapUser` receives besides the session. */
export interface BetterAuthMapUserContext {
	/** The default mapping: the user's id, the active organization as tenant, and the roles. */
	user: AuthUser
	/** The user's membership in the session's active organization (organization plugin), or `null`. */
	member: BetterAuthMember | null
	request: Request
}

/** Options of `betterAuthUser` in session mode (the default). */
export interface BetterAuthSessionOptions<A extends BetterAuthInstance, U extends ChatKitUser = AuthUser> {
	/**
	 * `session` (the default): the request's Better Auth session, from its cookie or, with the `bearer()`
	 * plugin, its `Authorization: Bearer` token, as `auth.api.getSession` finds it.
	 *
	 * @default 'session'
	 */
	mode?: 'session'
	/**
	 * Accept Better Auth's session cookie cache (`session.cookieCache`) instead of reading the session
	 * from the database on every request. Faster, but a revoked session then keeps working until the
	 * cache's `maxAge` runs out.
	 *
	 * @default false
	 */
	cookieCache?: boolean
	/**
	 * Builds the context user from the Better Auth session. Return `null` to refuse the request.
	 * Whatever it returns is `ctx.user`, typed.
	 *
	 * @default the mapping in `user`: `user.id` → `id`, the active organization → `tenantId`, the member's
	 * role in it (or, without one, the admin plugin's `user.role`) → `roles`
	 * @example (session, { user }) => ({ ...user, email: session.user.email })
	 */
	mapUser?: (
		session: BetterAuthSession<A>,
		context: BetterAuthMapUserContext
	) => U | null | undefined | Promise<U | null | undefined>
	/**
	 * Receives the reason of every refused request (never the cookie or token).
	 *
	 * @default console.warn
	 */
	log?: AuthLogger
}

const tryDecode = (value: string) => {
	try {
		return decodeURIComponent(value)
	} catch {
		return value
	}
}

/** The session token a `bearer()` plugin token stands for (`<token>.<signature>`, or the bare token). */
const sessionTokenOf = (bearerToken: string) => tryDecode(bearerToken).split('.')[0]

/** Better Auth's trusted origins for this request (its static list and its `trustedOrigins(request)`), as a predicate. */
async function trustedOriginsFor(auth: BetterAuthInstance, context: BetterAuthContext, request: Request) {
	const dynamic = auth.options.trustedOrigins
	const extra =
		typeof dynamic === 'function' ? ((await dynamic(request)) as string[] | undefined) : undefined
	const scope = { trustedOrigins: [...context.trustedOrigins, ...(extra ?? [])] }
	return (origin: string) => context.isTrustedOrigin.call(scope, origin, { allowRelativePaths: false })
}

async function activeMember(context: BetterAuthContext, organizationId: string, userId: string) {
	const member = await context.adapter.findOne({
		model: 'member',
		where: [
			{ field: 'organizationId', value: organizationId },
			{ field: 'userId', value: userId }
		]
	})
	return (member ?? null) as BetterAuthMember | null
}

/** The request's user from its Better Auth session, or why there is none. */
export function sessionAuthenticator<A extends BetterAuthInstance, U extends ChatKitUser>(
	auth: A,
	options: BetterAuthSessionOptions<A, U>
) {
	const { cookieCache = false, mapUser } = options
	const bearerPlugin = hasPlugin(auth, 'bearer')
	const organizations = hasPlugin(auth, 'organization')
	const query = { disableCookieCache: !cookieCache, disableRefresh: true }

	return async function authenticate(request: Request): Promise<AuthOutcome<U>> {
		const context = await contextOf(auth)
		const bearer = bearerPlugin ? readBearer(request) : undefined
		const bearerToken = bearer && 'token' in bearer ? bearer.token : undefined
		const cookieName = context.authCookies.sessionToken.name
		if (bearerToken === undefined) {
			if (!readCookie(request, cookieName)) return { reason: `no ${cookieName} cookie` }
			const refusal = crossSiteRefusal(request, await trustedOriginsFor(auth, context, request))
			if (refusal) return { reason: refusal }
		}
		const session = await auth.api.getSession({ headers: request.headers, query })
		const found = session as SessionShape | null
		if (!found)
			return {
				reason: 'no live Better Auth session for the credential (signed out, expired, revoked or forged)'
			}
		if (bearerToken !== undefined && sessionTokenOf(bearerToken) !== found.session.token) {
			const refusal = crossSiteRefusal(request, await trustedOriginsFor(auth, context, request))
			if (refusal) return { reason: refusal }
		}
		const organizationId = found.session.activeOrganizationId
		let member: BetterAuthMember | null = null
		if (organizations && typeof organizationId === 'string' && organizationId !== '') {
			member = await activeMember(context, organizationId, found.user.id)
			if (!member) return { reason: 'the user is not a member of the session’s active organization' }
		}
		const user: AuthUser = {
			id: found.user.id,
			tenantId: member ? member.organizationId : null,
			roles: splitRoles(member ? member.role : found.user.role)
		}
		if (!mapUser) return { user: user as unknown as U }
		const mapped = await mapUser(session as BetterAuthSession<A>, { user, member, request })
		return mapped ? { user: mapped } : { reason: 'mapUser returned no user' }
	}
}
