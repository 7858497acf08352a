/** A Better Auth plugin as it appears in `auth.options.plugins`. */
interface BetterAuthPluginEntry {
	id: string
	options?: unknown
}

/** The member row of Better Auth's organization plugin: a user's place in one organization. */
export interface BetterAuthMember {
	id: string
	organizationId: string
	userId: string
	/** One role, or several separated by commas. */
	role: string
}

type Where = { field: string; value: string }[]

/** The parts of Better Auth's internal context (`await auth.$context`) the plugin reads. */
export interface BetterAuthContext {
	options: { baseURL?: unknown }
	authCookies: { sessionToken: { name: string } }
	trustedOrigins: string[]
	isTrustedOrigin(url: string, settings?: { allowRelativePaths: boolean }): boolean
	adapter: { findOne(query: { model: string; where: Where }): Promise<unknown> }
}

/**
 * What the plugin needs of a Better Auth instance (the value `betterAuth({ ... })` returns). Any
 * instance fits; the session type is read from its `api.getSession`.
 */
export interface BetterAuthInstance {
	api: {
		getSession(context: {
			headers: Headers
			query?: { disableCookieCache?: boolean; disableRefresh?: boolean }
		}): Promise<unknown>
	}
	options: {
		plugins?: readonly BetterAuthPluginEntry[]
		trustedOrigins?: unknown
	}
	$context: Promise<unknown>
}

/** The session `auth.api.getSession` resolves to for this instance: `{ session, user }` with its plugins' fields. */
export type BetterAuthSession<A extends BetterAuthInstance> = NonNullable<
	Awaited<ReturnType<A['api']['getSession']>>
>

/** The session fields the plugin reads, whatever the instance's plugins add. */
export interface SessionShape {
	session: { token: string; activeOrganizationId?: string | null }
	user: { id: string; role?: string | null }
}

/** The options a Better Auth plugin (`jwt`, `organization`, …) was configured with, or undefined when it is absent. */
export const pluginOptions = <T>(auth: BetterAuthInstance, id: string): T | undefined => {
	const plugin = auth.options.plugins?.find((entry) => entry.id === id)
	return plugin ? ((plugin.options ?? {}) as T) : undefined
}

export const hasPlugin = (auth: BetterAuthInstance, id: string) =>
	auth.options.plugins?.some((entry) => entry.id === id) ?? false

export const contextOf = (auth: BetterAuthInstance) => auth.$context as Promise<BetterAuthContext>

/** Better Auth's role strings (`'admin'`, `'admin,support'`) as a list. */
export const splitRoles = (role: unknown): string[] =>
	typeof role === 'string'
		? role
				.split(',')
				.map((name) => name.trim())
				.filter(Boolean)
		: []
