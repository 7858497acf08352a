import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Elysia } from 'elysia'
import { chatkit } from '../../src/chatkit'
import { streamText } from '../../src/respond'
import { MemoryStore } from '../../src/store/memory'
import type { Store } from '../../src/store/types'
import { BENCH_USER, PATH, STORE_PLUGIN, seedStore, TOKENS } from '../fixtures'

/**
 * The app the in-process benchmarks drive through `app.handle`: a seeded store (memory, or SQLite in a
 * temporary folder) and a responder that streams the benchmark's tokens. `dispose()` removes the folder.
 */
export const inProcessApp = async (storeKind: string, tmpPrefix: string) => {
	const tmp = mkdtempSync(join(tmpdir(), tmpPrefix))
	const openStore = async (): Promise<Store> => {
		if (storeKind === 'memory') return new MemoryStore()
		const { sqliteStore } = (await import(STORE_PLUGIN)) as { sqliteStore(o: { path: string }): Store }
		return sqliteStore({ path: join(tmp, 'bench.db') })
	}
	const store = await openStore()
	await seedStore(store, { threads: 1000, items: 1000 })
	const app = new Elysia().use(
		chatkit({
			path: PATH,
			store,
			defaultUser: BENCH_USER,
			async *respond(args) {
				yield* streamText(args, TOKENS)
			}
		})
	)
	return { app, store, dispose: () => rmSync(tmp, { recursive: true, force: true }) }
}
