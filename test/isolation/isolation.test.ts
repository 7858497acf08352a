import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PostgresStore, SqliteStore } from '../../plugins/store'
import type { Store } from '../../src/store/types'
import { secretKey, sign } from '../auth/utils'
import { createTestDatabase } from '../store/pg'
import { isolationApp } from './app'
import { type Identity, type IsolationTarget, isolationSuite } from './suite'

const identities: Record<Identity, { sub: string; tenant: string }> = {
	'alice@acme': { sub: 'alice', tenant: 'acme' },
	'bob@acme': { sub: 'bob', tenant: 'acme' },
	'alice@globex': { sub: 'alice', tenant: 'globex' }
}

const credentials = Object.fromEntries(
	await Promise.all(
		Object.entries(identities).map(async ([name, { sub, tenant }]) => [
			name,
			{ authorization: `Bearer ${await sign({ tenant_id: tenant }, secretKey, { sub })}` }
		])
	)
) as IsolationTarget['credentials']

const owners = Object.fromEntries(
	Object.entries(identities).map(([name, { sub, tenant }]) => [name, `${sub}@${tenant}`])
) as IsolationTarget['owners']

const withJwtAuth = (store: Store, close: () => Promise<void>): IsolationTarget => ({
	...isolationApp(store),
	credentials,
	owners,
	close
})

isolationSuite('SQLite', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'chatkit-isolation-'))
	const store = new SqliteStore({ path: join(dir, 'chatkit.db') })
	return withJwtAuth(store, async () => {
		await store.close()
		rmSync(dir, { recursive: true, force: true })
	})
})

isolationSuite('PostgreSQL', async () => {
	const database = await createTestDatabase()
	const store = new PostgresStore({ url: database.url })
	await store.ready()
	return withJwtAuth(store, async () => {
		await store.close()
		await database.drop()
	})
})
