import type { ChatKitContext, Store } from '../store/types'
import { ChatKitError } from './errors'
import { logError } from './log'

/** How long a turn's lease on its thread lives without renewal, by default. */
export const DEFAULT_TURN_LEASE_MS = 30_000

/** The refusal of a streaming request on a thread where another turn runs. */
export const turnInProgress = () =>
	new ChatKitError(
		409,
		'turn_in_progress',
		'A reply is already being written in this thread; send again once it is done'
	)

/** A thread's turn lease, held from the request's checks to the end of its turn. */
export interface TurnLease {
	/** Gives the lease back (once; later calls do nothing). */
	release(): Promise<void>
}

/**
 * Takes the thread's turn lease (`store.acquireTurn`), or throws `409 turn_in_progress` while another
 * turn holds it. The lease is renewed every third of `ttlMs` until released, so a running turn keeps it
 * however long it takes, and a crashed process's lease expires within `ttlMs`.
 */
export const takeTurnLease = async <C extends ChatKitContext>(
	store: Store<C>,
	threadId: string,
	context: C,
	ttlMs: number
): Promise<TurnLease> => {
	const turnId = crypto.randomUUID()
	if (!(await store.acquireTurn(threadId, turnId, ttlMs, context))) throw turnInProgress()
	return holdTurnLease(store, threadId, turnId, context, ttlMs)
}

/**
 * Keeps a lease `turnId` holds (or is taking) on the thread: renewed every third of `ttlMs` until released.
 * Releasing a lease that was never taken does nothing.
 */
export const holdTurnLease = <C extends ChatKitContext>(
	store: Store<C>,
	threadId: string,
	turnId: string,
	context: C,
	ttlMs: number
): TurnLease => {
	const renew = setInterval(() => {
		store
			.acquireTurn(threadId, turnId, ttlMs, context)
			.then((held) => {
				if (!held)
					console.error(
						'[elysia-chatkit] a turn lost its lease on its thread (it was not renewed in time); another turn may run beside it'
					)
			})
			.catch((error) => logError('renewing a turn lease', error))
	}, ttlMs / 3)
	renew.unref?.()
	let released: Promise<void> | undefined
	return {
		release() {
			released ??= (async () => {
				clearInterval(renew)
				try {
					await store.releaseTurn(threadId, turnId, context)
				} catch (error) {
					logError('releasing a turn lease', error)
				}
			})()
			return released
		}
	}
}
