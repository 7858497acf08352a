/** The answer of {@link RateLimitBackend.hit}. */
export interface HitResult {
	/** True when the request was counted and may proceed; a refused request is not counted. */
	allowed: boolean
	/** Requests still allowed now after this one (0 when refused). */
	remaining: number
	/** When refused: milliseconds until one more request fits (0 when allowed). */
	retryAfterMs: number
}

/**
 * Where the limits plugin keeps its counts. Every method is atomic for a key across all the app
 * instances that share the backend, and takes the caller's clock (`now`, epoch milliseconds).
 */
export interface RateLimitBackend {
	/**
	 * Count one request for `key` unless `limit` requests already fall in the sliding window of
	 * `windowMs` that ends at `now` (the current fixed window, plus the previous one weighted by how
	 * much of it the sliding window still covers).
	 */
	hit(key: string, windowMs: number, limit: number, now: number): Promise<HitResult>
	/**
	 * Take one of `max` stream slots of `key` until `now + leaseMs`; the lease id, or `null` when all are
	 * taken. The lease id starts with `owner` (hex, the instance's prefix) when one is given.
	 */
	acquireStream(
		key: string,
		max: number,
		leaseMs: number,
		now: number,
		owner?: string
	): Promise<string | null>
	/** Keep a held slot until `now + leaseMs` (nothing happens when it was released or has expired). */
	renewStream(key: string, lease: string, leaseMs: number, now: number): Promise<void>
	/** Give a slot back; releasing twice, or after expiry, is harmless. */
	releaseStream(key: string, lease: string): Promise<void>
	/**
	 * Give back every slot whose lease id starts with `owner`, of every key: what an instance that starts
	 * again under the same instance id does, since none of its streams can still be open.
	 */
	releaseOwner?(owner: string): Promise<void>
}

/** Counts of one key: the fixed window that starts at `windowStart` and the one before it. */
export interface WindowState {
	windowStart: number
	previous: number
	count: number
}

/** Start of the fixed window that holds `now`. */
export const windowStartOf = (now: number, windowMs: number) => Math.floor(now / windowMs) * windowMs

/** How much of the previous fixed window the sliding window ending at `now` still covers (1 → 0). */
export const previousWeight = (now: number, windowStart: number, windowMs: number) =>
	Math.min(1, Math.max(0, 1 - (now - windowStart) / windowMs))

/** The result of a hit, from the counts after it (the count includes this request when it was allowed). */
export const hitResult = (
	state: WindowState,
	allowed: boolean,
	now: number,
	windowMs: number,
	limit: number
): HitResult => {
	const elapsed = Math.min(windowMs, Math.max(0, now - state.windowStart))
	const estimate = state.previous * (1 - elapsed / windowMs) + state.count
	if (allowed) return { allowed, remaining: Math.max(0, Math.floor(limit - estimate)), retryAfterMs: 0 }
	const wait =
		state.count + 1 <= limit && state.previous > 0
			? windowMs * (1 - (limit - state.count - 1) / state.previous) - elapsed
			: windowMs - elapsed + windowMs * (1 - (limit - 1) / Math.max(1, state.count))
	return { allowed, remaining: 0, retryAfterMs: Math.max(1, Math.ceil(wait)) }
}

/** A random lease id (hex, safe in JSON paths), after the owner's prefix. */
export const newLeaseId = (owner = '') => `${owner}${crypto.randomUUID().replaceAll('-', '')}`

/** The hex prefix of the leases of one instance id. */
export const leaseOwnerOf = (instanceId: string) =>
	new Bun.CryptoHasher('sha256').update(instanceId).digest('hex').slice(0, 16)

/**
 * Counts in this process's memory: for the in-memory store, a single instance, and tests. Each
 * instance counts on its own; use the database backends to share counts between instances.
 */
export class MemoryRateLimitBackend implements RateLimitBackend {
	private readonly windows = new Map<string, WindowState>()
	private readonly streams = new Map<string, Map<string, number>>()
	/** Sweeping is skipped until then: one scan per window at most, not one per new key. */
	private nextSweep = 0

	async hit(key: string, windowMs: number, limit: number, now: number): Promise<HitResult> {
		const windowStart = windowStartOf(now, windowMs)
		const old = this.windows.get(key)
		const state: WindowState =
			old && old.windowStart >= windowStart
				? old
				: {
						windowStart,
						previous: old?.windowStart === windowStart - windowMs ? old.count : 0,
						count: 0
					}
		const allowed = state.previous * previousWeight(now, windowStart, windowMs) + state.count + 1 <= limit
		if (allowed) state.count++
		if (!old) this.sweep(now, windowMs)
		this.windows.set(key, state)
		return hitResult(state, allowed, now, windowMs, limit)
	}

	async acquireStream(
		key: string,
		max: number,
		leaseMs: number,
		now: number,
		owner?: string
	): Promise<string | null> {
		const leases = this.streams.get(key) ?? new Map<string, number>()
		for (const [lease, expiresAt] of leases) if (expiresAt <= now) leases.delete(lease)
		if (leases.size >= max) return null
		const lease = newLeaseId(owner)
		leases.set(lease, now + leaseMs)
		this.streams.set(key, leases)
		return lease
	}

	async renewStream(key: string, lease: string, leaseMs: number, now: number): Promise<void> {
		const leases = this.streams.get(key)
		if (leases?.has(lease)) leases.set(lease, now + leaseMs)
	}

	async releaseStream(key: string, lease: string): Promise<void> {
		const leases = this.streams.get(key)
		if (!leases) return
		leases.delete(lease)
		if (leases.size === 0) this.streams.delete(key)
	}

	async releaseOwner(owner: string): Promise<void> {
		for (const [key, leases] of this.streams) {
			for (const lease of leases.keys()) if (lease.startsWith(owner)) leases.delete(lease)
			if (leases.size === 0) this.streams.delete(key)
		}
	}

	/** Forget keys idle for two windows, once there are many. */
	private sweep(now: number, windowMs: number) {
		if (this.windows.size < 10_000 || now < this.nextSweep) return
		this.nextSweep = now + windowMs
		for (const [key, state] of this.windows)
			if (state.windowStart < now - 2 * windowMs) this.windows.delete(key)
	}
}
