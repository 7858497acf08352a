import { isProduction } from '../../src/config'
import type { ChatKitUser } from '../../src/store/types'
import { AuthConfigError, type AuthPlugin, type AuthUser, createAuthPlugin, envFlag } from './core'

export interface DevUserOptions<U extends ChatKitUser = AuthUser> {
	/**
	 * The user every request runs as.
	 *
	 * @default { id: 'dev-user', tenantId: null, roles: [] }
	 */
	user?: U
	/**
	 * Allow the anonymous user when `NODE_ENV=production` (also allowed by `ALLOW_ANONYMOUS=true`).
	 * Everyone who can reach the server then shares one identity and its threads.
	 *
	 * @default false
	 */
	allowInProduction?: boolean
	/**
	 * Where `NODE_ENV` and `ALLOW_ANONYMOUS` are read.
	 *
	 * @default process.env
	 */
	env?: Record<string, string | undefined>
}

/**
 * Runs every request as one fixed development user, with no credentials. Throws at construction
 * under `NODE_ENV=production` unless `allowInProduction: true` or `ALLOW_ANONYMOUS=true`.
 *
 * @example new Elysia().use(devUser()).post('/whoami', ({ user }) => user.id) // 'dev-user'
 */
export function devUser<U extends ChatKitUser = AuthUser>(options: DevUserOptions<U> = {}): AuthPlugin<U> {
	const { env = process.env, allowInProduction = false } = options
	const user = options.user ?? ({ id: 'dev-user', tenantId: null, roles: [] } as AuthUser as unknown as U)
	if (typeof user.id !== 'string' || user.id === '')
		throw new AuthConfigError('user', 'needs a non-empty string `id`', 'devUser option')
	if (isProduction(env) && !allowInProduction && envFlag(env.ALLOW_ANONYMOUS) !== true)
		throw new AuthConfigError(
			'ALLOW_ANONYMOUS',
			'the anonymous development user is refused when NODE_ENV=production. ' +
				'Configure real authentication (AUTH_MODE=jwt or session), or set ALLOW_ANONYMOUS=true ' +
				'(devUser({ allowInProduction: true })) if every visitor may share one identity.'
		)
	return createAuthPlugin<U>({
		name: 'elysia-chatkit/auth',
		seed: { mode: 'dev', user },
		authenticate: async () => ({ user: structuredClone(user) })
	})
}
