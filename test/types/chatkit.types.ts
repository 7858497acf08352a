// Type-level tests, checked by `tsc --noEmit` (run by test/typecheck.test.ts).
import { Elysia } from 'elysia'
import { chatkit, MemoryStore, type Responder } from '../../src'

declare const respond: Responder
const store = new MemoryStore()

new Elysia().use(chatkit({ store, respond }))
new Elysia().decorate('chatkitStore', store).decorate('chatkitRespond', respond).use(chatkit())
new Elysia().decorate('chatkitRespond', respond).use(chatkit({ store }))

// @ts-expect-error a responder is missing
new Elysia().use(chatkit({ store }))
// @ts-expect-error a store and a responder are missing
new Elysia().use(chatkit())
// @ts-expect-error a responder is missing
new Elysia().decorate('chatkitStore', store).use(chatkit())

chatkit({
	store,
	async *respond(args) {
		const title: string | null | undefined = args.thread.title
		// @ts-expect-error the input is a user message or null, never undefined
		const input: NonNullable<typeof args.input> = args.input
		void title
		void input
	}
})
