import { Elysia } from 'elysia'
import type { ChatKitContext, Store } from '../../src/store/types'
import { type ChatKitStore, type CreateStoreOptions, createStore } from './create'

export * from './create'
export * from './plugin-tables'
export * from './postgres'
export * as pgSchema from './schema.pg'
export * as sqliteSchema from './schema.sqlite'
export {
	createdAtMs,
	defaultLimits,
	MIGRATIONS_TABLE,
	StoreError,
	type StoreLimits,
	StoreValidationError
} from './shared'
export { SqliteStore, type SqliteStoreOptions, sqliteStore } from './sqlite'

export interface DrizzleStoreOptions<S extends Store<any> = ChatKitStore> extends CreateStoreOptions {
	/**
	 * Where to keep threads, in the `DATABASE_URL` forms: `postgres://…` / `postgresql://…`,
	 * `sqlite:<path>` or a file path, `memory:`.
	 * @default 'sqlite:.data/chatkit.db'
	 * @example drizzleStore({ url: process.env.DATABASE_URL })
	 */
	url?: string
	/**
	 * A store opened beforehand (any `Store`); `url` is then ignored and the app does not close it.
	 * @example drizzleStore({ store: sqliteStore({ path: ':memory:' }) })
	 */
	store?: S
}

const storeIds = new WeakMap<object, number>()
let nextStoreId = 1
const storeId = (store: object) => {
	let id = storeIds.get(store)
	if (id === undefined) {
		id = nextStoreId++
		storeIds.set(store, id)
	}
	return id
}

/**
 * Provides the thread store to the app as `chatkitStore` (read by the ChatKit plugin).
 * A store the plugin opened is closed when the app stops.
 * @example new Elysia().use(drizzleStore({ url: process.env.DATABASE_URL })).use(chatkit(...))
 */
export const drizzleStore = <S extends Store<any> = ChatKitStore<ChatKitContext>>(
	options: DrizzleStoreOptions<S> = {}
) => {
	const owned = options.store === undefined
	const store = (options.store ?? createStore(options.url, options)) as S
	const seed = owned ? { url: options.url ?? null } : { store: storeId(store) }
	return new Elysia({ name: 'elysia-chatkit/store', seed })
		.decorate('chatkitStore', store)
		.onStop(async function closeStore() {
			if (owned) await (store as unknown as ChatKitStore).close()
		})
}
