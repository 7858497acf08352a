import type { ChatKitUser } from '../../src/store/types'
import { type AuthPlugin, type AuthUser, callbackId, createAuthPlugin } from '../auth/core'
import type { BetterAuthInstance } from './instance'
import { type BetterAuthJwtOptions, jwtAuthenticator } from './jwt'
import { type BetterAuthSessionOptions, sessionAuthenticator } from './session'

export type { BetterAuthInstance, BetterAuthMember, BetterAuthSession } from './instance'
export type { BetterAuthJwtOptions } from './jwt'
export type { BetterAuthMapUserContext, BetterAuthSessionOptions } from './session'

/**
 * Makes the app's Better Auth user the ChatKit user: puts `user` (`{ id, tenantId, roles }`, or what
 * `mapUser` returns) on the context of the routes registered after it, or answers 401 before any of
 * them runs.
 *
 * Session mode (the default) asks `auth.api.getSession` for the request's session, so Better Auth's
 * cookie names and prefixes and its `bearer()` plugin work as configured; cookie requests from other
 * sites must come from one of its `trustedOrigins`. JWT mode (`{ mode: 'jwt' }`) verifies tokens of its
 * `jwt()` plugin with the instance's keys, read in process.
 *
 * The tenant is the session's active organization (organization plugin), checked against the member
 * table on every request; the roles are the member's role there, or the admin plugin's `user.role`.
 *
 * @example
 * import { betterAuthUser } from 'elysia-chatkit/plugins/better-auth'
 *
 * new Elysia().mount(auth.handler).use(betterAuthUser(auth)).use(chatkit({ store, respond }))
 */
export function betterAuthUser<A extends BetterAuthInstance, U extends ChatKitUser = AuthUser>(
	auth: A,
	options?: BetterAuthSessionOptions<A, U>
): AuthPlugin<U>
export function betterAuthUser<A extends BetterAuthInstance, U extends ChatKitUser = AuthUser>(
	auth: A,
	options: BetterAuthJwtOptions<U>
): AuthPlugin<U>
export function betterAuthUser<A extends BetterAuthInstance, U extends ChatKitUser = AuthUser>(
	auth: A,
	options: BetterAuthSessionOptions<A, U> | BetterAuthJwtOptions<U> = {}
): AuthPlugin<U> {
	const jwt = options.mode === 'jwt'
	return createAuthPlugin<U>({
		name: 'elysia-chatkit/auth',
		seed: {
			mode: jwt ? 'better-auth-jwt' : 'better-auth-session',
			auth: callbackId(auth),
			...options,
			mapUser: callbackId(options.mapUser),
			log: callbackId(options.log)
		},
		authenticate:
			options.mode === 'jwt' ? jwtAuthenticator(auth, options) : sessionAuthenticator(auth, options),
		challenge: jwt ? 'Bearer' : undefined,
		log: options.log
	})
}
