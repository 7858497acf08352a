import { Elysia } from 'elysia'
import { betterAuthUser } from '../../plugins/better-auth'
import { isolationApp } from '../isolation/app'
import { type IsolationTarget, isolationSuite } from '../isolation/suite'
import {
	createAuth,
	createOrganization,
	migrateAuth,
	postgresDatabase,
	type SharedDatabase,
	setActiveOrganization,
	signIn,
	signUp,
	sqliteDatabase
} from './fixture'

const origin = 'http://localhost'

/**
 * The cross-user suite with Better Auth users: alice and bob as members of Acme (each with Acme active), and
 * alice again in a second session with Globex active. alice's Acme session sends its cookie, bob's and
 * alice's Globex session their bearer() tokens.
 */
const withBetterAuth = async (open: () => Promise<SharedDatabase>): Promise<IsolationTarget> => {
	const database = await open()
	const auth = createAuth(database)
	await migrateAuth(auth)
	const store = await database.openStore()
	const { app, calls } = isolationApp(
		store,
		betterAuthUser(auth, { log: () => {} }),
		new Elysia().mount(auth.handler)
	)
	const alice = await signUp(app, origin, 'alice')
	const bob = await signUp(app, origin, 'bob')
	const acme = await createOrganization(app, origin, alice, 'Acme')
	await auth.api.addMember({ body: { userId: bob.id, organizationId: acme, role: 'member' } })
	await setActiveOrganization(app, origin, alice, acme)
	await setActiveOrganization(app, origin, bob, acme)
	const aliceElsewhere = await signIn(app, origin, alice.email)
	const globex = await createOrganization(app, origin, aliceElsewhere, 'Globex')
	await setActiveOrganization(app, origin, aliceElsewhere, globex)
	return {
		app,
		calls,
		credentials: {
			'alice@acme': { cookie: alice.cookie },
			'bob@acme': { authorization: `Bearer ${bob.bearer}` },
			'alice@globex': { authorization: `Bearer ${aliceElsewhere.bearer}` }
		},
		owners: {
			'alice@acme': `${alice.id}@${acme}`,
			'bob@acme': `${bob.id}@${acme}`,
			'alice@globex': `${alice.id}@${globex}`
		},
		close: () => database.close()
	}
}

isolationSuite(
	'SQLite with Better Auth users and organizations',
	() => withBetterAuth(sqliteDatabase),
	60_000
)
isolationSuite(
	'PostgreSQL with Better Auth users and organizations',
	() => withBetterAuth(postgresDatabase),
	60_000
)
