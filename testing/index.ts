/**
 * Test helpers for code built on elysia-chatkit, for `bun test`.
 *
 * `storeContract(name, { open })` registers the behaviour every `Store` must have (the suite the built-in
 * memory, SQLite and PostgreSQL stores pass) as `describe` / `test` blocks; each behaviour a store misses
 * fails under its own name.
 *
 * @example
 * import { storeContract } from 'elysia-chatkit/testing'
 * storeContract('Redis', { open: () => new RedisStore({ url: process.env.REDIS_URL }) })
 */

export * as storeFixtures from './fixtures'
export { type ContractStore, type StoreContractOptions, storeContract } from './store-contract'
