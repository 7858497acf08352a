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
		let taken: (() => void) | undefined
		let arrived: (() => void) | undefined
		let ended = false
		let failure: { error: unknown } | undefined
		const emit = (event: ThreadStreamEvent) => {
			queue.push(event)
			arrived?.()
			return new Promise<void>((resolve) => {
				taken = resolve
			})
		}
		const running = turn(abort.signal, emit).then(
			() => {
				ended = true
				arrived?.()
			},
			(error) => {
				failure = { error }
				ended = true
				arrived?.()
			}
		)
		try {
			while (true) {
				const event = queue.shift()
				if (event) {
					const resume = taken
					taken = undefined
					yield event
					resume?.()
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
				abort.abort()
				taken?.()
				await running
			}
		}
	}
