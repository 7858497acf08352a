import type { RunningServer } from './proc'
import type { Row } from './report'
import type { Databases, StoreName } from './targets'

export interface BenchContext {
	/** Repetitions of every measurement (each one alternates baseline and servers under test). */
	reps: number
	stores: StoreName[]
	databases: Databases
	tmpDir: string
	/** Scales every duration (1 for the full run, smaller with `--quick`). */
	timeScale: number
	rows: Row[]
	log(message: string): void
}

/** Seconds scaled by the run's time scale (never under half a second). */
export const seconds = (ctx: BenchContext, full: number) =>
	Math.max(0.5, Math.round(full * ctx.timeScale * 10) / 10)

/** POST a JSON body with fetch (for checks, not for load). */
export const post = async (
	server: RunningServer,
	body: unknown
): Promise<{ status: number; text: string }> => {
	const response = await fetch(server.url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body)
	})
	return { status: response.status, text: await response.text() }
}

/** Stop every server, whatever happens. */
export const stopAll = async (servers: (RunningServer | undefined)[]) => {
	await Promise.all(servers.map((server) => server?.stop().catch(() => {})))
}
