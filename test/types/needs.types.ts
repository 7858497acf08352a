// Type-level tests of plugin dependencies, checked by `tsc --noEmit` (run by test/typecheck.test.ts).
import { Elysia } from 'elysia'
import { type ChatKitUser, chatkit, MemoryStore, needs, type Responder } from 'elysia-chatkit'
import { devUser, jwtAuth } from 'elysia-chatkit/plugins/auth'

declare const respond: Responder

const deps = needs<{ user: ChatKitUser }>()('acme/audit', {
	user: 'an auth plugin: devUser(), jwtAuth() or sessionAuth()'
})
// Inside the plugin, `user` is typed without a cast (an auth plugin used inside it would leave it optional).
const audit = deps.plugin(
	new Elysia({ name: 'acme/audit' })
		.use(deps.context)
		.derive({ as: 'scoped' }, ({ user }) => ({ auditUser: user.id }))
)
new Elysia({ name: 'inside' })
	.use(devUser())
	// @ts-expect-error an auth plugin used inside a plugin does not authenticate the app's routes
	.derive({ as: 'scoped' }, ({ user }) => ({ id: user.id }))

// The app provides `user` first: it compiles, and the plugin's key is typed in the routes after it.
new Elysia()
	.use(devUser())
	.use(audit)
	.get('/who', ({ auditUser }) => {
		const id: string = auditUser
		return id
	})
	.use(chatkit({ store: new MemoryStore(), respond }))
new Elysia().use(jwtAuth({ secret: 'x'.repeat(32) })).use(audit)

// @ts-expect-error no auth plugin before the audit plugin
new Elysia().use(audit)
// @ts-expect-error the auth plugin comes too late
new Elysia().use(audit).use(devUser())
// @ts-expect-error `user` is provided with another type
new Elysia().decorate('user', 'alice').use(audit)
