import { checkInstanceId } from '../config'
import type { ChatKitContext, Store } from '../store/types'
import { ChatKitError } from './errors'
import { logError } from './log'

/** How long a turn's lease on its thread lives without renewal, by default. */
export const DEFAULT_TURN_LEASE_MS = 30_000

/**
 * Waits between the attempts to take a lease that another turn holds. A turn's response ends before its
 * lease's release is committed: a follow-up sent at once, to another instance, may find it still held.
 */
const RETRY_WAITS_MS = [2, 8, 30, 100, 250]

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

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** What the engines of one process share about a store's leases (an app may build its engine more than once). */
interface StoreLeases {
	/** The release of a predecessor's leases, by turn id prefix: once per process. */
	recoveries: Map<string, Promise<void>>
	/** Releases sent and not yet done, by thread id. */
	releasing: Map<string, Promise<void>>
}

const storeLeases = new WeakMap<object, StoreLeases>()

const leasesOf = (store: object): StoreLeases => {
	let leases = storeLeases.get(store)
	if (!leases) {
		leases = { recoveries: new Map(), releasing: new Map() }
		storeLeases.set(store, leases)
	}
	return leases
}

/**
 * The turn leases of one engine (`store.acquireTurn`). A lease is renewed every third of `ttlMs` until
 * released, so a running turn keeps it however long it takes, and a crashed process's lease expires within
 * `ttlMs`. A lease taken on a thread whose previous turn in this process is still releasing waits for
 * that release first. With an instance id, turn ids are `<instanceId>:<uuid>`, and the leases a crashed
 * predecessor left under that id are given back before the first lease is taken (`ready`).
 */
export class TurnLeases<C extends ChatKitContext> {
	private readonly prefix: string
	private readonly shared: StoreLeases

	constructor(
		private readonly store: Store<C>,
		/** How long a lease lives without renewal. */
		readonly ttlMs: number,
		instanceId?: string
	) {
		this.prefix = instanceId === undefined ? '' : `${checkInstanceId(instanceId, 'instanceId')}:`
		this.shared = leasesOf(store)
	}

	/** A new turn's id (after the instance id, when there is one). */
	newTurnId(): string {
		return `${this.prefix}${crypto.randomUUID()}`
	}

	/**
	 * Resolves once the leases of a predecessor with the same instance id are given back (at once without an
	 * instance id or `store.releaseInstanceTurns`). Runs once per store and instance id in a process, however
	 * many engines it builds; a failure is logged and not retried, since a later attempt could free leases this
	 * process already holds.
	 */
	ready(): Promise<void> {
		const { recoveries } = this.shared
		let recovered = recoveries.get(this.prefix)
		if (!recovered) {
			recovered = this.recover()
			recoveries.set(this.prefix, recovered)
		}
		return recovered
	}

	private async recover(): Promise<void> {
		if (this.prefix === '' || !this.store.releaseInstanceTurns) return
		try {
			const released = await this.store.releaseInstanceTurns(this.prefix)
			if (released > 0)
				console.warn(
					`[elysia-chatkit] gave back ${released} turn lease(s) that a previous process of instance ${JSON.stringify(this.prefix.slice(0, -1))} left`
				)
		} catch (error) {
			logError('giving back the turn leases of a previous process', error)
		}
	}

	/** Takes the thread's lease, or throws `409 turn_in_progress` while another turn holds it. */
	async take(threadId: string, context: C): Promise<TurnLease> {
		await this.ready()
		await this.shared.releasing.get(threadId)
		const turnId = this.newTurnId()
		for (const wait of [...RETRY_WAITS_MS, -1]) {
			if (await this.store.acquireTurn(threadId, turnId, this.ttlMs, context))
				return this.hold(threadId, turnId, context)
			if (wait < 0) break
			await delay(wait)
		}
		throw turnInProgress()
	}

	/** Keeps a lease `turnId` holds (or is taking); releasing a lease that was never taken does nothing. */
	hold(threadId: string, turnId: string, context: C): TurnLease {
		const { store, ttlMs } = this
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
			release: () => {
				released ??= this.release(threadId, turnId, context, renew)
				return released
			}
		}
	}

	private release(
		threadId: string,
		turnId: string,
		context: C,
		renew: ReturnType<typeof setInterval>
	): Promise<void> {
		clearInterval(renew)
		const released = this.store.releaseTurn(threadId, turnId, context).then(
			() => {},
			(error) => logError('releasing a turn lease', error)
		)
		const { releasing } = this.shared
		releasing.set(threadId, released)
		released.then(() => {
			if (releasing.get(threadId) === released) releasing.delete(threadId)
		})
		return released
	}
}
