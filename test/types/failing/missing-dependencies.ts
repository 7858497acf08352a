// Apps that must not compile: test/types/needs.test.ts runs tsc on this folder and checks each error's text.
import { Elysia } from 'elysia'
import { type ChatKitUser, chatkit, MemoryStore, needs, type Responder } from 'elysia-chatkit'
import { drizzleStore } from 'elysia-chatkit/plugins/store'

declare const respond: Responder

const deps = needs<{ user: ChatKitUser }>()('acme/audit', {
	user: 'an auth plugin: devUser(), jwtAuth() or sessionAuth()'
})
const audit = deps.plugin(
	new Elysia({ name: 'acme/audit' })
		.use(deps.context)
		.derive({ as: 'scoped' }, ({ user }) => ({ who: user.id }))
)

// case: no auth plugin before the audit plugin
new Elysia().use(audit)
// case: a store plugin but no responder
new Elysia().use(drizzleStore({ url: 'memory:' })).use(chatkit())
// case: a responder but no store
new Elysia().use(chatkit({ respond }))
// case: a store option but no responder
new Elysia().use(chatkit({ store: new MemoryStore() }))
