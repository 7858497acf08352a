import { Elysia } from 'elysia'
import type { Store } from '../../src/store/types'

/** Options of `health()`: where the probes answer and what readiness checks. */
export interface HealthOptions {
	/**
	 * The store whose database the readiness check pings (`Store.ping`). Unset, the store a store plugin
	 * used before this one decorated (`chatkitStore`); with neither, readiness checks nothing but the process.
	 * @default the app's `chatkitStore`
	 * @example health({ store })
	 */
	store?: Store<any>
	/**
	 * Liveness: answers 200 while the process serves HTTP, without any I/O.
	 * @default '/health'
	 */
	healthPath?: string
	/**
	 * Readiness: 200 when the store answers a ping within `timeoutMs`, else 503.
	 * @default '/ready'
	 */
	readyPath?: string
	/**
	 * How long the readiness check waits for the database before answering 503.
	 * @default 2000
	 */
	timeoutMs?: number
	/**
	 * Further readiness conditions (a queue, a cache): each resolves to `false` or rejects when not ready.
	 * Their errors are not shown in the answer.
	 * @default []
	 */
	checks?: (() => boolean | Promise<boolean>)[]
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' }

const answer = (status: number, body: { status: string }) =>
	new Response(JSON.stringify(body), { status, headers: JSON_HEADERS })

/** Resolves to false once `timeoutMs` has passed or the check rejects. */
const within = async (check: () => unknown, timeoutMs: number): Promise<boolean> => {
	let timer: ReturnType<typeof setTimeout> | undefined
	const late = new Promise<false>((resolve) => {
		timer = setTimeout(() => resolve(false), timeoutMs)
	})
	try {
		return await Promise.race([(async () => (await check()) !== false)().catch(() => false), late])
	} finally {
		clearTimeout(timer)
	}
}

/**
 * Liveness and readiness endpoints for load balancers and orchestrators: `GET /health` (alive, no I/O)
 * and `GET /ready` (a round trip to the database through the store, 503 when it fails or is slow).
 * Use it before auth plugins so that probes need no credentials; the answers say `ok`, `ready` or
 * `unavailable`, never why.
 *
 * @example
 * new Elysia().use(drizzleStore({ url })).use(health()).use(jwtAuth(...)).use(chatkit())
 */
export const health = (options: HealthOptions = {}) => {
	const { healthPath = '/health', readyPath = '/ready', timeoutMs = 2000, checks = [] } = options
	return new Elysia({ name: 'elysia-chatkit/health', seed: { healthPath, readyPath, timeoutMs } })
		.get(healthPath, function alive() {
			return answer(200, { status: 'ok' })
		})
		.get(readyPath, async function ready(context) {
			const store = options.store ?? (context as { chatkitStore?: Store<any> }).chatkitStore
			const conditions = store?.ping ? [() => store.ping?.(), ...checks] : checks
			const results = await Promise.all(conditions.map((check) => within(check, timeoutMs)))
			return results.every(Boolean)
				? answer(200, { status: 'ready' })
				: answer(503, { status: 'unavailable' })
		})
}
