import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ServerConfig } from '../server'
import type { ClientConfig, ClientResult } from '../sse-client'

export const SERVER_CORE = 0
export const LOAD_CORE = 1
const BENCH_DIR = join(import.meta.dir, '..')
const TICKS_PER_SECOND = 100

/** Lines of a child's stdout, as they arrive. */
const readLines = async (stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) => {
	const decoder = new TextDecoder()
	let buffered = ''
	for await (const chunk of stream) {
		buffered += decoder.decode(chunk, { stream: true })
		let end = buffered.indexOf('\n')
		while (end !== -1) {
			onLine(buffered.slice(0, end))
			buffered = buffered.slice(end + 1)
			end = buffered.indexOf('\n')
		}
	}
	if (buffered) onLine(buffered)
}

/** A command pinned to one core, with the open-files limit raised to the hard limit. */
export const pinned = (core: number, command: string[]) => [
	'bash',
	'-c',
	'ulimit -n "$(ulimit -Hn)" && exec taskset -c "$0" "$@"',
	String(core),
	...command
]

/** Seconds of CPU (user + system, all threads) a process has used. */
/** CPU time of this process so far (user + system), in µs. */
export const ownCpuMicros = (): number => {
	const { user, system } = process.cpuUsage()
	return user + system
}

export const cpuSeconds = (pid: number): number => {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
	return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

/** Resident set size in KiB. */
export const rssKiB = (pid: number): number => {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8')
	return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
}

const children = new Set<{ kill(signal?: number | NodeJS.Signals): void }>()

/** Kill every server and load generator still running (on exit or interrupt). */
export const killAll = () => {
	for (const child of children) child.kill('SIGKILL')
	children.clear()
}

/**
 * Wait until a server has drained what the last load left queued (its CPU use falls under 20% over 100 ms,
 * 10 s at most), so that the next measurement does not share the core with it.
 */
export const settle = async (server: { pid: number }) => {
	for (let waited = 0; waited < 10_000; waited += 100) {
		const before = cpuSeconds(server.pid)
		await Bun.sleep(100)
		if (cpuSeconds(server.pid) - before < 0.02) return
	}
}

export interface RunningServer {
	pid: number
	port: number
	url: string
	label: string
	stop(): Promise<void>
	/** SIGUSR2: switch to the paced responder and collect garbage (bench/server.ts). */
	signal(name: 'SIGUSR2'): void
}

export interface StartOptions {
	/** Extra `bun` flags, e.g. `--cpu-prof-md`. */
	bunFlags?: string[]
	cwd?: string
	/** Another checkout's bench/server.ts (bench/compare.ts runs two revisions side by side). */
	script?: string
}

/** Start bench/server.ts on the server core and wait for `READY <port>`. */
export const startServer = async (
	label: string,
	config: ServerConfig,
	options: StartOptions = {}
): Promise<RunningServer> => {
	const child = Bun.spawn(
		pinned(SERVER_CORE, [
			process.execPath,
			...(options.bunFlags ?? []),
			options.script ?? join(BENCH_DIR, 'server.ts'),
			JSON.stringify(config)
		]),
		{ stdout: 'pipe', stderr: 'pipe', cwd: options.cwd }
	)
	children.add(child)
	void child.exited.then(() => children.delete(child))
	let errors = ''
	void readLines(child.stderr, (line) => {
		errors += `${line}\n`
	})
	const port = await new Promise<number>((resolve, reject) => {
		void readLines(child.stdout, (line) => {
			if (line.startsWith('READY ')) resolve(Number(line.slice(6)))
		}).then(() => reject(new Error(`server ${label} exited before listening:\n${errors.slice(-2000)}`)))
	})
	return {
		pid: child.pid,
		port,
		label,
		url: `http://127.0.0.1:${port}/chatkit`,
		signal: (name) => child.kill(name),
		async stop() {
			child.kill('SIGTERM')
			const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
			await child.exited
			clearTimeout(timer)
		}
	}
}

export interface ClientRun {
	result: ClientResult & { clientCpuSeconds: number }
	/** Server CPU seconds between the client's two marks (WINDOW_START/WINDOW_END or CONNECTED/end). */
	serverCpuSeconds: number
	/** Server RSS samples (KiB) taken every 50 ms while the client ran, when asked. */
	rss: number[]
}

/** Run bench/sse-client.ts on the load core against a server; sample the server while it runs. */
export const runClient = async (
	server: RunningServer,
	config: Omit<ClientConfig, 'port'>,
	{ sampleRss = false }: { sampleRss?: boolean } = {}
): Promise<ClientRun> => {
	const child = Bun.spawn(
		pinned(LOAD_CORE, [
			process.execPath,
			join(BENCH_DIR, 'sse-client.ts'),
			JSON.stringify({ ...config, port: server.port })
		]),
		{ stdout: 'pipe', stderr: 'inherit' }
	)
	const rss: number[] = []
	const sampler = sampleRss ? setInterval(() => rss.push(rssKiB(server.pid)), 50) : undefined
	let cpuStart = cpuSeconds(server.pid)
	let cpuEnd = Number.NaN
	let result: ClientRun['result'] | undefined
	await readLines(child.stdout, (line) => {
		if (line === 'WINDOW_START' || line === 'CONNECTED') cpuStart = cpuSeconds(server.pid)
		else if (line === 'WINDOW_END') cpuEnd = cpuSeconds(server.pid)
		else if (line.startsWith('RESULT ')) {
			if (Number.isNaN(cpuEnd)) cpuEnd = cpuSeconds(server.pid)
			result = JSON.parse(line.slice(7))
		}
	})
	clearInterval(sampler)
	await child.exited
	await settle(server)
	if (!result) throw new Error(`the SSE client gave no result against ${server.label}`)
	return { result, serverCpuSeconds: cpuEnd - cpuStart, rss }
}

export interface WrkResult {
	requests: number
	seconds: number
	rps: number
	errors: number
	p50Ms: number
	p99Ms: number
	serverCpuSeconds: number
}

const wrkScript = (body: string, path: string) => {
	const file = join(path, `wrk-${Bun.hash(body).toString(16)}.lua`)
	const escaped = body.replaceAll('\\', '\\\\').replaceAll("'", "\\'")
	const script = `wrk.method = "POST"
wrk.body = '${escaped}'
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("RESULT %d %d %d %f %f\\n", summary.requests, summary.duration,
		e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50), latency:percentile(99)))
end
`
	return Bun.write(file, script).then(() => file)
}

/** `wrk -t1 -c<connections> -d<seconds>s` with a POST body, on the load core. */
export const runWrk = async (
	server: RunningServer,
	body: string,
	connections: number,
	seconds: number,
	tmpDir: string
): Promise<WrkResult> => {
	const script = await wrkScript(body, tmpDir)
	const cpuStart = cpuSeconds(server.pid)
	const child = Bun.spawn(
		pinned(LOAD_CORE, [
			'wrk',
			'-t1',
			`-c${connections}`,
			`-d${Math.max(1, Math.round(seconds))}s`,
			'--timeout',
			'10s',
			'-s',
			script,
			server.url
		]),
		{ stdout: 'pipe', stderr: 'pipe' }
	)
	const output = await new Response(child.stdout).text()
	await child.exited
	const cpu = cpuSeconds(server.pid) - cpuStart
	await settle(server)
	const line = output.split('\n').find((entry) => entry.startsWith('RESULT '))
	if (!line)
		throw new Error(
			`wrk gave no result against ${server.label}:\n${output}${await new Response(child.stderr).text()}`
		)
	const [requests, micros, errors, p50, p99] = line.slice(7).split(' ').map(Number)
	if (
		requests === undefined ||
		micros === undefined ||
		errors === undefined ||
		p50 === undefined ||
		p99 === undefined
	)
		throw new Error(`wrk gave an incomplete result against ${server.label}: ${line}`)
	return {
		requests,
		seconds: micros / 1e6,
		rps: requests / (micros / 1e6),
		errors,
		p50Ms: p50 / 1000,
		p99Ms: p99 / 1000,
		serverCpuSeconds: cpu
	}
}
