// Type-level tests, checked by `tsc --noEmit` (run by test/typecheck.test.ts).
import { Elysia } from 'elysia'
import { z } from 'zod'
import { devUser, jwtAuth } from '../../plugins/auth'
import { clientTool, serverTool, tools } from '../../plugins/tools'
import { chatkit, MemoryStore, type Responder } from '../../src'

interface Db {
	find(id: string): Promise<string>
}
declare const db: Db
declare const respond: Responder

const lookup = serverTool<{ db: Db }>()({
	name: 'lookup',
	description: 'Look something up',
	parameters: z.object({ id: z.string(), count: z.number().int().optional() }),
	async execute({ id, count }, { context, user, progress }) {
		progress('Looking…')
		const owner: string = user.id
		const total: number | undefined = count
		return { found: await context.db.find(id), owner, total }
	}
})
const plain = serverTool({
	name: 'plain',
	description: 'Needs nothing',
	parameters: z.object({}),
	execute: () => 'ok'
})
const pick = clientTool({
	name: 'pick',
	description: 'Pick one',
	parameters: z.object({ options: z.array(z.string()) })
})

// The app provides what the tools read: it compiles, and chatkit() still checks the app after tools().
new Elysia()
	.decorate('db', db)
	.use(tools([lookup, plain, pick]))
	.use(chatkit({ store: new MemoryStore(), respond }))
new Elysia().derive({ as: 'scoped' }, () => ({ db })).use(tools([lookup]))
new Elysia().derive(() => ({ db })).use(tools([lookup]))
new Elysia().use(new Elysia().resolve({ as: 'scoped' }, () => ({ db }))).use(tools([lookup]))
new Elysia().use(tools([plain, pick]))

// @ts-expect-error no plugin provides `db`
new Elysia().use(tools([lookup, plain]))
// @ts-expect-error `db` is provided after tools(), too late
new Elysia().use(tools([lookup])).decorate('db', db)
// @ts-expect-error `db` is provided with another type
new Elysia().decorate('db', 'postgres://db').use(tools([lookup]))
const withTools = new Elysia().decorate('db', db).use(tools([lookup]))
// @ts-expect-error a responder is still missing after tools()
withTools.use(chatkit({ store: new MemoryStore() }))

// A tool may declare the user it needs: the auth plugin's user must have it.
const proOnly = serverTool<{ user: { id: string; plan: 'pro' | 'free' } }>()({
	name: 'pro_only',
	description: 'For paying users',
	parameters: z.object({}),
	execute: (_args, { user }) => (user.plan === 'pro' ? 'welcome' : 'upgrade first')
})
new Elysia()
	.use(
		jwtAuth({
			secret: 'x'.repeat(32),
			mapUser: (payload, { user }) =>
				user && { ...user, plan: payload.plan === 'pro' ? ('pro' as const) : ('free' as const) }
		})
	)
	.use(tools([proOnly]))
// @ts-expect-error the dev user has no plan
new Elysia().use(devUser()).use(tools([proOnly]))

serverTool({
	name: 'reads_undeclared',
	description: 'Reads a key it did not declare',
	parameters: z.object({}),
	async execute(_args, { context }) {
		// @ts-expect-error `db` was not declared with serverTool<{ db: Db }>()
		return context.db.find('1')
	}
})

serverTool({
	name: 'wrong_types',
	description: 'Uses an argument as the wrong type',
	parameters: z.object({ id: z.string(), count: z.number() }),
	execute({ id, count }) {
		// @ts-expect-error id is a string
		const asNumber: number = id
		// @ts-expect-error count is a number
		const asString: string = count
		return [asNumber, asString]
	}
})

serverTool({
	name: 'wrong_annotation',
	description: 'Annotates its arguments with the wrong type',
	parameters: z.object({ id: z.string() }),
	// @ts-expect-error the arguments are { id: string }
	execute: (args: { id: number }) => args.id
})

serverTool({
	name: 'approval_args',
	description: 'Approval callbacks get the parsed arguments',
	parameters: z.object({ amount: z.number() }),
	needsApproval: ({ amount }) => amount > 100,
	approval: {
		description: ({ amount }) => `Refund $${amount.toFixed(2)}`,
		// @ts-expect-error amount is a number
		title: ({ amount }) => amount.toUpperCase()
	},
	execute: () => 'ok'
})
