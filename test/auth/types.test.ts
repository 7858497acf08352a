// Type-level expectations: `tsc --noEmit -p .` fails if any `@ts-expect-error` below stops being an error.
import { describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import { type AuthUser, authFromEnv, devUser, jwtAuth, sessionAuth } from '../../plugins/auth'
import { chatkit, MemoryStore, type Responder } from '../../src'
import { bearer, logSink, secret, secretKey, sign } from './utils'

const log = logSink()

const plain = new Elysia().use(jwtAuth({ secret, log })).get('/me', ({ user }) => {
	const id: string = user.id
	const tenantId: string | null = user.tenantId
	const roles: string[] = user.roles
	// @ts-expect-error the default mapping adds no plan
	const plan = user.plan
	return { id, tenantId, roles, plan }
})

const mapped = new Elysia()
	.use(
		jwtAuth({
			secret,
			log,
			mapUser: (payload, { user }) =>
				user && { ...user, plan: payload.plan === 'pro' ? ('pro' as const) : ('free' as const) }
		})
	)
	.get('/me', ({ user }) => {
		const plan: 'pro' | 'free' = user.plan
		// @ts-expect-error plan is 'pro' | 'free', not any string
		const wrong: 'enterprise' = user.plan
		return { plan, wrong }
	})

// @ts-expect-error mapUser must return a user with a string id
jwtAuth({ secret, mapUser: () => ({ plan: 'pro' }) })

// @ts-expect-error a session verifier must return a user with an id
sessionAuth({ verify: () => ({ email: 'a@example.com' }) })

new Elysia()
	.use(sessionAuth({ verify: () => ({ id: 'a', email: 'a@example.com' }) }))
	.get('/me', ({ user }) => {
		const email: string = user.email
		return email
	})

new Elysia().use(devUser({ user: { id: 'a', quota: 3 } })).get('/me', ({ user }) => user.quota + 1)

new Elysia().use(authFromEnv({})).get('/me', ({ user }) => {
	const u: AuthUser = user
	return u.id
})

new Elysia().get('/me', (ctx) => {
	// @ts-expect-error no auth plugin, no user
	return ctx.user
})

// A plugin's scoped context reaches the app that uses it, not the app above that.
new Elysia().use(new Elysia().use(jwtAuth({ secret, log }))).get('/me', (ctx) => {
	// @ts-expect-error scoped: one level up only
	return ctx.user
})

const respond: Responder = async function* () {}
new Elysia()
	.use(jwtAuth({ secret, log }))
	.use(chatkit({ store: new MemoryStore(), respond }))
	.get('/me', ({ user }) => user.id)

describe('auth types', () => {
	it('the typed apps above run', async () => {
		const token = await sign({ plan: 'pro' }, secretKey)
		expect(await (await plain.handle(bearer(token))).json()).toEqual({
			id: 'user_1',
			tenantId: null,
			roles: []
		})
		expect(await (await mapped.handle(bearer(token))).json()).toEqual({ plan: 'pro', wrong: 'pro' })
	})
})
