/**
 * Load generator for streaming turns, over raw keep-alive HTTP/1.1 sockets (fetch costs more CPU than
 * the servers it would measure). Run by bench/index.ts as its own process, pinned to the other core:
 * `bun bench/sse-client.ts '<ClientConfig JSON>'`.
 *
 * - `closed` mode: `concurrency` connections each run turns back to back; prints `WINDOW_START` after
 *   the warm-up and `WINDOW_END` after `durationS`, then a `RESULT <json>` line for the window.
 * - `open` mode: `concurrency` connections are opened (`CONNECTED`), then each starts one turn, the starts
 *   spread over `rampMs` (`STARTED` once all are); prints `RESULT <json>` once every turn ended.
 *
 * Every turn is checked whole: status 200, exactly `expect` SSE frames, the first a `thread.created`, the
 * one at FIRST_DELTA_INDEX a text delta, the last the assistant message's `thread.item.done`.
 */
import type { Socket } from 'bun'
import { FIRST_DELTA_INDEX, PATH } from './fixtures'

export interface ClientConfig {
	port: number
	mode: 'closed' | 'open'
	concurrency: number
	body: string
	expect: number
	warmupS?: number
	durationS?: number
	rampMs?: number
	/** open mode: a gap between two events longer than this marks the turn as stalled. */
	stallMs?: number
}

export interface TurnTiming {
	ttfb: number
	ttfd: number
	total: number
	maxGap: number
}

export interface ClientResult {
	mode: ClientConfig['mode']
	/** Turns that ended whole (in the window, for closed mode). */
	ok: number
	failed: number
	failures: string[]
	events: number
	seconds: number
	/** open mode: per-turn timings (milliseconds). */
	timings?: TurnTiming[]
	stalled?: number
}

const NL = 10
const CR = 13
const decoder = new TextDecoder()

const headerEnd = (data: Uint8Array, from: number): number => {
	let at = data.indexOf(CR, from)
	while (at !== -1 && at + 3 < data.length) {
		if (data[at + 1] === NL && data[at + 2] === CR && data[at + 3] === NL) return at
		at = data.indexOf(CR, at + 1)
	}
	return -1
}

enum State {
	Headers,
	ChunkSize,
	ChunkData,
	ChunkEnd,
	Trailer,
	Body
}

/** Incremental parser of one HTTP response carrying an SSE body; feed it socket data. */
class Turn {
	state = State.Headers
	head: Uint8Array | null = null
	status = 0
	chunkLeft = 0
	sizeDigits = 0
	bodyLeft = -1
	newlines = 0
	events = 0
	capture: Uint8Array[] | null = null
	problem: string | null = null
	done = false
	sentAt = performance.now()
	firstByteAt = 0
	firstDeltaAt = 0
	lastEventAt = 0
	maxGap = 0

	constructor(
		readonly expect: number,
		readonly timed: boolean
	) {}

	private fail(problem: string) {
		this.problem ??= problem
	}

	private checkCaptured(index: number) {
		const text = decoder.decode(Buffer.concat(this.capture ?? []))
		this.capture = null
		if (index === 0 && !text.startsWith('data: {"type":"thread.created"'))
			this.fail('first event is not thread.created')
		else if (index === FIRST_DELTA_INDEX && !text.includes('"assistant_message.content_part.text_delta"'))
			this.fail(`event ${FIRST_DELTA_INDEX} is not a text delta`)
		else if (
			index === this.expect - 1 &&
			!(text.startsWith('data: {"type":"thread.item.done"') && text.includes('"assistant_message"'))
		)
			this.fail('last event is not the assistant thread.item.done')
	}

	private wantsCapture(index: number) {
		return index === 0 || index === FIRST_DELTA_INDEX || index === this.expect - 1
	}

	private body(data: Uint8Array, start: number, end: number) {
		if (this.events === 0 && this.newlines === 0 && this.capture === null) this.capture = []
		let from = start
		let at = data.indexOf(NL, from)
		while (at !== -1 && at < end) {
			this.newlines++
			if ((this.newlines & 1) === 0) {
				const index = this.events++
				if (this.capture) {
					this.capture.push(data.subarray(from, at + 1))
					this.checkCaptured(index)
				}
				if (this.timed) {
					const now = performance.now()
					if (index === FIRST_DELTA_INDEX) this.firstDeltaAt = now
					if (this.lastEventAt) this.maxGap = Math.max(this.maxGap, now - this.lastEventAt)
					this.lastEventAt = now
				}
				from = at + 1
				if (this.wantsCapture(this.events)) this.capture = []
			}
			at = data.indexOf(NL, at + 1)
		}
		if (this.capture && from < end) this.capture.push(data.slice(from, end))
	}

	private finish() {
		this.done = true
		if (this.status !== 200) this.fail(`status ${this.status}`)
		else if (this.events !== this.expect) this.fail(`${this.events} events instead of ${this.expect}`)
	}

	/** Returns true when the response ended. */
	feed(data: Uint8Array): boolean {
		if (this.firstByteAt === 0) this.firstByteAt = performance.now()
		let i = 0
		const n = data.length
		while (i < n && !this.done) {
			switch (this.state) {
				case State.Headers: {
					const previous = this.head
					const buffer = previous ? Buffer.concat([previous, data.subarray(i)]) : data
					const from = previous ? 0 : i
					const end = headerEnd(buffer, from)
					if (end === -1) {
						this.head = Buffer.from(buffer.subarray(from))
						return false
					}
					const head = decoder.decode(buffer.subarray(from, end)).toLowerCase()
					i = previous ? i + end + 4 - previous.length : end + 4
					this.head = null
					this.status = Number(head.slice(9, 12))
					if (head.includes('transfer-encoding: chunked')) this.state = State.ChunkSize
					else {
						const length = /content-length: *(\d+)/.exec(head)
						this.bodyLeft = length ? Number(length[1]) : 0
						this.state = State.Body
						if (this.bodyLeft === 0) this.finish()
					}
					break
				}
				case State.ChunkSize: {
					const c = data[i++]!
					if (c === NL) {
						if (this.sizeDigits === 0) this.state = State.Trailer
						else {
							this.chunkLeft = this.sizeDigits
							this.sizeDigits = 0
							this.state = State.ChunkData
						}
					} else if (c !== CR) {
						const digit = c <= 57 ? c - 48 : (c | 32) - 87
						this.sizeDigits = this.sizeDigits * 16 + digit
					}
					break
				}
				case State.ChunkData: {
					const take = Math.min(this.chunkLeft, n - i)
					this.body(data, i, i + take)
					i += take
					this.chunkLeft -= take
					if (this.chunkLeft === 0) this.state = State.ChunkEnd
					break
				}
				case State.ChunkEnd:
					if (data[i++] === NL) this.state = State.ChunkSize
					break
				case State.Trailer:
					if (data[i++] === NL) this.finish()
					break
				case State.Body: {
					const take = Math.min(this.bodyLeft, n - i)
					this.body(data, i, i + take)
					i += take
					this.bodyLeft -= take
					if (this.bodyLeft === 0) this.finish()
					break
				}
			}
		}
		return this.done
	}
}

interface Connection {
	socket: Socket<undefined> | null
	turn: Turn | null
	onEnd: (turn: Turn) => void
}

const connect = (port: number, connection: Connection) =>
	Bun.connect({
		hostname: '127.0.0.1',
		port,
		socket: {
			data(_socket, data) {
				const turn = connection.turn
				if (!turn) return
				if (turn.feed(data)) {
					connection.turn = null
					connection.onEnd(turn)
				}
			},
			close() {
				connection.socket = null
				const turn = connection.turn
				if (turn) {
					connection.turn = null
					turn.problem ??= 'connection closed mid-stream'
					turn.done = true
					connection.onEnd(turn)
				}
			},
			error(_socket, error) {
				const turn = connection.turn
				if (turn) turn.problem ??= `socket error: ${error.message}`
			}
		}
	})

const percentile = (sorted: number[], p: number) =>
	sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]

const runClosed = async (config: ClientConfig, request: Uint8Array): Promise<ClientResult> => {
	const warmupMs = (config.warmupS ?? 1) * 1000
	const durationMs = (config.durationS ?? 5) * 1000
	const start = performance.now()
	const windowStart = start + warmupMs
	const windowEnd = windowStart + durationMs
	let ok = 0
	let failed = 0
	let events = 0
	const failures: string[] = []
	const connections: Connection[] = []
	let resolveAll: () => void = () => {}
	const all = new Promise<void>((resolve) => {
		resolveAll = resolve
	})
	let running = config.concurrency
	const send = (connection: Connection) => {
		connection.turn = new Turn(config.expect, false)
		connection.socket?.write(request)
	}
	for (let c = 0; c < config.concurrency; c++) {
		const connection: Connection = {
			socket: null,
			turn: null,
			onEnd(turn) {
				const now = performance.now()
				if (now >= windowStart && now < windowEnd) {
					if (turn.problem) {
						failed++
						if (failures.length < 5) failures.push(turn.problem)
					} else {
						ok++
						events += turn.events
					}
				} else if (turn.problem && failures.length < 5)
					failures.push(`outside window: ${turn.problem}`)
				if (now < windowEnd && connection.socket) send(connection)
				else if (--running === 0) resolveAll()
			}
		}
		connection.socket = await connect(config.port, connection)
		connections.push(connection)
	}
	for (const connection of connections) send(connection)
	setTimeout(() => console.log('WINDOW_START'), Math.max(0, windowStart - performance.now()))
	await new Promise((resolve) => setTimeout(resolve, windowEnd - performance.now()))
	console.log('WINDOW_END')
	await Promise.race([all, Bun.sleep(2000)])
	for (const connection of connections) connection.socket?.end()
	return { mode: 'closed', ok, failed, failures, events, seconds: durationMs / 1000 }
}

const runOpen = async (config: ClientConfig, request: Uint8Array): Promise<ClientResult> => {
	const rampMs = config.rampMs ?? 1000
	const stallMs = config.stallMs ?? 1000
	const failures: string[] = []
	const timings: TurnTiming[] = []
	let ok = 0
	let failed = 0
	let stalled = 0
	let events = 0
	let remaining = config.concurrency
	let resolveAll: () => void = () => {}
	const all = new Promise<void>((resolve) => {
		resolveAll = resolve
	})
	const connections: Connection[] = []
	const opening: Promise<void>[] = []
	for (let c = 0; c < config.concurrency; c++) {
		const connection: Connection = {
			socket: null,
			turn: null,
			onEnd(turn) {
				const end = performance.now()
				if (turn.problem) {
					failed++
					if (failures.length < 5) failures.push(turn.problem)
				} else {
					ok++
					events += turn.events
					if (turn.maxGap > stallMs) stalled++
					timings.push({
						ttfb: turn.firstByteAt - turn.sentAt,
						ttfd: turn.firstDeltaAt - turn.sentAt,
						total: end - turn.sentAt,
						maxGap: turn.maxGap
					})
				}
				if (--remaining === 0) resolveAll()
			}
		}
		connections.push(connection)
		opening.push(
			connect(config.port, connection).then((socket) => {
				connection.socket = socket
			})
		)
		if (opening.length % 256 === 0) await Promise.all(opening.slice(-256))
	}
	await Promise.all(opening)
	console.log('CONNECTED')
	const started = performance.now()
	await new Promise<void>((resolve) => {
		let next = 0
		const tick = () => {
			const due = Math.min(
				config.concurrency,
				Math.ceil(((performance.now() - started) / rampMs) * config.concurrency)
			)
			while (next < due) {
				const connection = connections[next++]
				if (!connection) throw new Error(`no connection ${next - 1} of ${connections.length}`)
				connection.turn = new Turn(config.expect, true)
				connection.socket?.write(request)
			}
			if (next < config.concurrency) setTimeout(tick, 5)
			else resolve()
		}
		tick()
	})
	console.log('STARTED')
	await all
	const seconds = (performance.now() - started) / 1000
	for (const connection of connections) connection.socket?.end()
	return { mode: 'open', ok, failed, failures, events, seconds, timings, stalled }
}

if (import.meta.main) {
	const config = JSON.parse(process.argv[2] ?? '{}') as ClientConfig
	const body = Buffer.from(config.body)
	const request = Buffer.concat([
		Buffer.from(
			`POST ${PATH} HTTP/1.1\r\nHost: 127.0.0.1:${config.port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`
		),
		body
	])
	const result = config.mode === 'open' ? await runOpen(config, request) : await runClosed(config, request)
	const cpu = process.cpuUsage()
	console.log(`RESULT ${JSON.stringify({ ...result, clientCpuSeconds: (cpu.user + cpu.system) / 1e6 })}`)
	process.exit(0)
}

export { percentile }
