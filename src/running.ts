/** One streaming turn as `RunningTurns` sees it. */
interface RunningTurn {
	/** Cancels the turn as a client that leaves does (what was streamed is saved with the cancellation note). */
	cancel(): void
	/** Settles when the turn's response has ended (its last bytes written, or its client gone) and its thread is released. */
	done: Promise<unknown>
}

/**
 * The turns a `chatkit()` endpoint is streaming, for a graceful shutdown: give one to
 * `chatkit({ turns })`, then on SIGTERM stop accepting connections, wait for `idle()` up to a deadline and
 * `cancelAll()` the rest before closing the store.
 *
 * @example
 * const turns = new RunningTurns()
 * const app = new Elysia().use(chatkit({ turns })).listen(8000)
 * process.on('SIGTERM', async () => {
 *   app.server?.stop()
 *   await Promise.race([turns.idle(), Bun.sleep(10_000)])
 *   await turns.cancelAll()
 *   await app.stop(true)
 * })
 */
export class RunningTurns {
	private readonly turns = new Set<RunningTurn>()
	private waiting: (() => void)[] = []

	/** How many turns are streaming now. */
	get size(): number {
		return this.turns.size
	}

	/** Tracks a turn until `done` settles. */
	track(turn: RunningTurn): void {
		this.turns.add(turn)
		const forget = () => {
			this.turns.delete(turn)
			if (this.turns.size === 0) for (const resolve of this.waiting.splice(0)) resolve()
		}
		turn.done.then(forget, forget)
	}

	/** Resolves once no turn is streaming (at once when none is). */
	idle(): Promise<void> {
		if (this.turns.size === 0) return Promise.resolve()
		return new Promise((resolve) => this.waiting.push(resolve))
	}

	/** Cancels every running turn and resolves once each has handled its cancellation. */
	async cancelAll(): Promise<void> {
		const running = [...this.turns]
		for (const turn of running) turn.cancel()
		await Promise.allSettled(running.map((turn) => turn.done))
	}
}
