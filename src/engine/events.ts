import type { ThreadStreamEvent } from '../protocol/events'
import type { Turn } from './turns'

/**
 * A turn as an async generator, one event per `next()`: the turn waits while the caller handles an
 * event. Ending the iteration early (`break`, `return()`) cancels the turn, and `return()` resolves
 * once the cancellation is handled.
 */
export const turnEvents = (turn: Turn) =>
	async function* events(signal: AbortSignal): AsyncGenerator<ThreadStreamEvent> {
		const abort = new AbortController()
		const forward = () => abort.abort(signal.reason)
		if (signal.aborted) forward()
		else signal.addEventListener('abort', forward, { once: true })
		const queue: ThreadStreamEvent[] = []
		/** Lets the turn go on once the reader has taken the event it emitted last. */
		let release: (() => void) | undefined
		let arrived: (() => void) | undefined
		let ended = false
		let stopped = false
		let failure: { error: unknown } | undefined
		const emit = (event: ThreadStreamEvent) => {
			if (stopped) return
			queue.push(event)
			arrived?.()
			return new Promise<void>((resolve) => {
				release = resolve
			})
		}
		const finished = () => {
			ended = true
			arrived?.()
		}
		const running = (async () => turn(abort.signal, emit))().then(finished, (error) => {
			failure = { error }
			finished()
		})
		try {
			while (true) {
				const event = queue.shift()
				if (event) {
					yield event
					const next = release
					release = undefined
					next?.()
				} else if (ended) {
					if (failure) throw failure.error
					return
				} else
					await new Promise<void>((resolve) => {
						arrived = resolve
					})
			}
		} finally {
			signal.removeEventListener('abort', forward)
			if (!ended) {
				stopped = true
				abort.abort()
				release?.()
				await running
			}
		}
	}
