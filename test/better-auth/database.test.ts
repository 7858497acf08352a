import { describe, expect, it } from 'bun:test'
import { getMigrations } from 'better-auth/db/migration'
import type { ThreadMetadata } from '../../src/protocol/items'
import { createAuth, databases, migrateAuth, password } from './fixture'

const betterAuthTables = [
	'account',
	'invitation',
	'jwks',
	'member',
	'organization',
	'session',
	'user',
	'verification'
]

const thread = (id: string): ThreadMetadata => ({
	id,
	title: 'Plans',
	created_at: new Date().toISOString(),
	status: { type: 'active' },
	metadata: {}
})

for (const open of databases)
	describe(`ChatKit and Better Auth in one ${open.name.replace('Database', '')} database`, () => {
		for (const chatkitFirst of [true, false])
			it(`each migration leaves the other’s tables and rows alone (${chatkitFirst ? 'ChatKit' : 'Better Auth'} first)`, async () => {
				const database = await open()
				try {
					const auth = createAuth(database)
					const ownTables = (tables: string[]) =>
						tables.filter((name) => betterAuthTables.includes(name.replace(/^public\./, '')))
					const chatkitTables = (tables: string[]) => tables.filter((name) => /chatkit_/.test(name))

					let store = chatkitFirst ? await database.openStore() : undefined
					const context = { user: { id: 'seed', tenantId: null, roles: [] } }
					if (store) await store.saveThread(thread('thr_before'), context)

					const plan = await getMigrations(auth.options)
					expect(plan.toBeCreated.map((table) => table.table).sort()).toEqual(betterAuthTables)
					expect(plan.toBeAdded).toEqual([])
					await plan.runMigrations()
					const alice = await auth.api.signUpEmail({
						body: {
							email: `alice-${crypto.randomUUID().slice(0, 8)}@example.com`,
							password,
							name: 'Alice'
						}
					})
					const aliceContext = { user: { id: alice.user.id, tenantId: null, roles: [] } }

					store ??= await database.openStore()
					await store.saveThread(thread('thr_after'), aliceContext)
					if (chatkitFirst)
						expect((await store.loadThread('thr_before', context)).title).toBe('Plans')
					expect((await store.loadThread('thr_after', aliceContext)).id).toBe('thr_after')

					const tables = await database.tables()
					expect(
						ownTables(tables)
							.map((name) => name.replace(/^public\./, ''))
							.sort()
					).toEqual(betterAuthTables)
					expect(chatkitTables(tables).length).toBeGreaterThan(3)
					// Nothing else: ChatKit's tables and migration journal are all named chatkit.
					expect(
						tables.filter((name) => !ownTables([name]).length && !chatkitTables([name]).length)
					).toEqual([])

					// Running each again changes nothing: neither takes the other's tables for its own.
					const again = await getMigrations(auth.options)
					expect([again.toBeCreated, again.toBeAdded]).toEqual([[], []])
					await migrateAuth(auth)
					const reopened = await database.openStore()
					expect((await reopened.loadThread('thr_after', aliceContext)).id).toBe('thr_after')
					expect(await database.tables()).toEqual(tables)
					const session = await auth.api.signInEmail({
						body: { email: alice.user.email, password }
					})
					expect(session.user.id).toBe(alice.user.id)
				} finally {
					await database.close()
				}
			}, 60_000)
	})
