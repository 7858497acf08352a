import type { AnyElysia } from 'elysia'
import type { RunningTurns } from 'elysia-chatkit'

/** What `shutdown` needs besides the app. */
export interface ShutdownOptions {
	/** The turns the app's `chatkit({ turns })` tracks. */
	turns: RunningTurns
	/** How long running turns may go on before they are cancelled (`SHUTDOWN_TIMEOUT_MS`). */
	timeoutMs: number
}

/**
 * Stops a listening app gracefully: the listener closes at once (new connections are refused), running
 * turns go on for up to `timeoutMs`, the rest are cancelled as a client that leaves cancels them (what was
 * streamed is saved with the cancellation note), then the remaining connections close and the app's stop
 * hooks run (the store closes). Resolves with the number of turns that were cancelled.
 */
export const shutdown = async (app: AnyElysia, { turns, timeoutMs }: ShutdownOptions): Promise<number> => {
	app.server?.stop()
	let timer: ReturnType<typeof setTimeout> | undefined
	const expired = new Promise<void>((resolve) => {
		timer = setTimeout(resolve, timeoutMs)
	})
	await Promise.race([turns.idle(), expired])
	clearTimeout(timer)
	const cancelled = turns.size
	await turns.cancelAll()
	await app.stop(true)
	return cancelled
}
