/** Running commands the way a new user does, with what each took printed (the job's run times). */

export interface Ran {
	command: string
	code: number
	output: string
	seconds: number
}

/** Runs `cmd` in `cwd` without the repository's NODE_ENV (`bun test` sets it) or DATABASE_URL. */
export const run = async (
	cmd: string[],
	cwd: string,
	env: Record<string, string | undefined> = {}
): Promise<Ran> => {
	const started = performance.now()
	const child = Bun.spawn(cmd, {
		cwd,
		env: { ...process.env, NODE_ENV: undefined, DATABASE_URL: undefined, NO_COLOR: '1', ...env },
		stdin: 'ignore',
		stdout: 'pipe',
		stderr: 'pipe'
	})
	const [stdout, stderr, code] = await Promise.all([
		new Response(child.stdout).text(),
		new Response(child.stderr).text(),
		child.exited
	])
	const seconds = (performance.now() - started) / 1000
	const command = cmd
		.map((part) => part.replace(/^\/.*\/([^/]+)$/, '$1').replace(/(Bearer )\S+/, '$1…'))
		.join(' ')
	console.log(`  ${command} (${cwd.split('/').at(-1)}): exit ${code}, ${seconds.toFixed(1)} s`)
	return { command, code, output: stdout + stderr, seconds }
}

/** Throws with the command's output when it failed. */
export const ok = (ran: Ran): Ran => {
	if (ran.code !== 0) throw new Error(`${ran.command} failed (exit ${ran.code}):\n${ran.output}`)
	return ran
}

/** At most `slots` of the calls it wraps run at once (the CPU-bound steps: tsc, tests, servers). */
export const limiter = (slots: number) => {
	let free = slots
	const waiting: (() => void)[] = []
	return async <T>(work: () => Promise<T>): Promise<T> => {
		if (free > 0) free--
		else await new Promise<void>((resolve) => waiting.push(resolve))
		try {
			return await work()
		} finally {
			const next = waiting.shift()
			if (next) next()
			else free++
		}
	}
}
