import { describe, expect, it } from 'bun:test'
import { leaseOwnerOf, type RateLimitBackend } from '../../plugins/limits'
import { at } from '../defined'

const MINUTE = 60_000
/** A time at the start of a fixed window, far from any real clock. */
const T0 = 1_000 * MINUTE

let keys = 0
const freshKey = () => JSON.stringify(['tenant', `user_${++keys}_${crypto.randomUUID().slice(0, 6)}`])

const hits = async (backend: RateLimitBackend, key: string, count: number, limit: number, now: number) => {
	const results = []
	for (let i = 0; i < count; i++) results.push(await backend.hit(key, MINUTE, limit, now))
	return results
}

export interface BackendCase {
	/** One backend; `second()` a backend of another instance over the same database (or the same one in memory). */
	open(): Promise<{ backend: RateLimitBackend; second: () => Promise<RateLimitBackend> }>
}

/** What every `RateLimitBackend` must do; run against memory, SQLite and PostgreSQL. */
export const backendContract = (name: string, setup: BackendCase) =>
	describe(`${name} rate limit backend`, () => {
		it('allows `limit` requests in a window, then refuses without counting the refusals', async () => {
			const { backend } = await setup.open()
			const key = freshKey()
			const results = await hits(backend, key, 7, 5, T0 + 10_000)
			expect(results.map((result) => result.allowed)).toEqual([
				true,
				true,
				true,
				true,
				true,
				false,
				false
			])
			expect(results.slice(0, 5).map((result) => result.remaining)).toEqual([4, 3, 2, 1, 0])
			const refused = at(results, 6)
			expect(refused.remaining).toBe(0)
			// The five hits leave the window at T0 + 60 s and weigh 5 × (1 − elapsed/60 s) after it:
			// one more fits when 5 × (1 − e/60) + 1 ≤ 5, i.e. 12 s into the next window.
			expect(refused.retryAfterMs).toBe(50_000 + 12_000)
			expect(
				(await backend.hit(key, MINUTE, 5, T0 + 10_000 + refused.retryAfterMs - 1_000)).allowed
			).toBe(false)
			expect((await backend.hit(key, MINUTE, 5, T0 + 10_000 + refused.retryAfterMs)).allowed).toBe(true)
		})

		it('slides: the previous window counts by the share of it still covered', async () => {
			const { backend } = await setup.open()
			const key = freshKey()
			await hits(backend, key, 10, 10, T0)
			// Halfway through the next window the 10 earlier hits weigh 5: five more fit.
			const later = await hits(backend, key, 6, 10, T0 + MINUTE + 30_000)
			expect(later.map((result) => result.allowed)).toEqual([true, true, true, true, true, false])
			// Blocked only by the previous window's weight: free again when it has slid out far enough.
			expect(at(later, 5).retryAfterMs).toBe(6_000)
			// Two windows later nothing of the first one is left.
			const fresh = await hits(backend, key, 10, 10, T0 + 3 * MINUTE)
			expect(fresh.every((result) => result.allowed)).toBe(true)
		})

		it('counts each key on its own', async () => {
			const { backend } = await setup.open()
			const [alice, bob] = [freshKey(), freshKey()]
			await hits(backend, alice, 3, 3, T0)
			expect((await backend.hit(alice, MINUTE, 3, T0)).allowed).toBe(false)
			expect((await backend.hit(bob, MINUTE, 3, T0)).allowed).toBe(true)
		})

		it('admits exactly `limit` of many simultaneous requests from two instances', async () => {
			const { backend, second } = await setup.open()
			const other = await second()
			const key = freshKey()
			const results = await Promise.all(
				Array.from({ length: 40 }, (_, i) =>
					(i % 2 ? other : backend).hit(key, MINUTE, 15, T0 + 5_000)
				)
			)
			expect(results.filter((result) => result.allowed)).toHaveLength(15)
		})

		it('hands out at most `max` stream slots and takes released ones back', async () => {
			const { backend } = await setup.open()
			const key = freshKey()
			const first = await backend.acquireStream(key, 2, MINUTE, T0)
			const second = await backend.acquireStream(key, 2, MINUTE, T0)
			expect(first).toBeString()
			expect(second).toBeString()
			expect(first).not.toBe(second)
			expect(await backend.acquireStream(key, 2, MINUTE, T0)).toBeNull()
			expect(await backend.acquireStream(freshKey(), 2, MINUTE, T0)).toBeString()
			await backend.releaseStream(key, first as string)
			await backend.releaseStream(key, first as string)
			const third = await backend.acquireStream(key, 2, MINUTE, T0)
			expect(third).toBeString()
			expect(await backend.acquireStream(key, 2, MINUTE, T0)).toBeNull()
		})

		it('frees a slot whose lease ran out (an instance that died), unless it was renewed', async () => {
			const { backend } = await setup.open()
			const key = freshKey()
			const kept = (await backend.acquireStream(key, 2, 30_000, T0)) as string
			await backend.acquireStream(key, 2, 30_000, T0)
			await backend.renewStream(key, kept, 30_000, T0 + 20_000)
			// At T0 + 30 s the lease that was not renewed has expired; the renewed one runs to T0 + 50 s.
			expect(await backend.acquireStream(key, 2, 30_000, T0 + 30_000)).toBeString()
			expect(await backend.acquireStream(key, 2, 30_000, T0 + 30_000)).toBeNull()
			// Renewing a released lease does not bring it back.
			await backend.releaseStream(key, kept)
			await backend.renewStream(key, kept, 30_000, T0 + 31_000)
			expect(await backend.acquireStream(key, 2, 30_000, T0 + 31_000)).toBeString()
			expect(await backend.acquireStream(key, 2, 30_000, T0 + 31_000)).toBeNull()
		})

		it('gives back every slot of one owner, of every key, and only those', async () => {
			const { backend } = await setup.open()
			const [alice, bob] = [freshKey(), freshKey()]
			const [dead, live] = [leaseOwnerOf(`dead-${keys}`), leaseOwnerOf(`live-${keys}`)]
			expect(await backend.acquireStream(alice, 2, MINUTE, T0, dead)).toStartWith(dead)
			expect(await backend.acquireStream(alice, 2, MINUTE, T0, live)).toStartWith(live)
			expect(await backend.acquireStream(bob, 1, MINUTE, T0, dead)).toStartWith(dead)
			expect(await backend.acquireStream(alice, 2, MINUTE, T0, live)).toBeNull()
			await backend.releaseOwner?.(dead)
			expect(await backend.acquireStream(alice, 2, MINUTE, T0, live)).toBeString()
			expect(await backend.acquireStream(alice, 2, MINUTE, T0, live)).toBeNull()
			expect(await backend.acquireStream(bob, 1, MINUTE, T0)).toBeString()
		})

		it('hands out exactly `max` slots to many simultaneous requests from two instances', async () => {
			const { backend, second } = await setup.open()
			const other = await second()
			const key = freshKey()
			const leases = await Promise.all(
				Array.from({ length: 20 }, (_, i) =>
					(i % 2 ? other : backend).acquireStream(key, 3, MINUTE, T0)
				)
			)
			expect(leases.filter((lease) => lease !== null)).toHaveLength(3)
		})
	})
