/**
 * The cost of OpenTelemetry tracing per request, in process:
 * `bun run bench/tracing.ts [--rounds 7] [--store memory|sqlite]`.
 *
 * The same app answers `threads.list` and a streamed turn (107 events) through `app.handle` in three modes,
 * alternated round by round (the order rotating): no SDK registered (tracing off, the default), an SDK whose sampler drops
 * every trace (`AlwaysOffSampler`), and an SDK that records every span and hands it to a span processor
 * whose exporter drops it (the work of recording, without an exporter's I/O). The figure is CPU time (user
 * + system) per request, the median of the rounds.
 */
import { parseArgs } from 'node:util'
import { trace } from '@opentelemetry/api'
import {
	AlwaysOffSampler,
	BasicTracerProvider,
	type ReadableSpan,
	SimpleSpanProcessor,
	type SpanExporter
} from '@opentelemetry/sdk-trace-base'
import { PATH, REQUESTS, TURN_EVENTS } from './fixtures'
import { inProcessApp } from './lib/inprocess-app'
import { ownCpuMicros } from './lib/proc'
import { median } from './lib/report'

const { values: flags } = parseArgs({
	args: Bun.argv.slice(2),
	options: { rounds: { type: 'string', default: '7' }, store: { type: 'string', default: 'memory' } }
})
const rounds = Math.max(1, Number(flags.rounds) || 7)

const { app, dispose } = await inProcessApp(flags.store ?? 'memory', 'chatkit-tracing-')

let exported = 0
const dropping: SpanExporter = {
	export(spans: ReadableSpan[], done) {
		exported += spans.length
		done({ code: 0 })
	},
	async shutdown() {}
}
const recording = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(dropping)] })
const sampledOut = new BasicTracerProvider({ sampler: new AlwaysOffSampler() })
const modes = {
	off: () => trace.disable(),
	'sampled out': () => {
		trace.disable()
		trace.setGlobalTracerProvider(sampledOut)
	},
	recording: () => {
		trace.disable()
		trace.setGlobalTracerProvider(recording)
	}
} as const
type Mode = keyof typeof modes

const post = (body: string) =>
	new Request(`http://localhost${PATH}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
		body
	})
const listBody = JSON.stringify(REQUESTS.threadsList)
const turnBody = JSON.stringify(REQUESTS.threadsCreate)
const runJson = async (count: number) => {
	for (let i = 0; i < count; i++) await (await app.handle(post(listBody))).text()
}
const runStream = async (count: number) => {
	for (let i = 0; i < count; i++) {
		const frames = (await (await app.handle(post(turnBody))).text()).split('\n\n').length - 1
		if (frames !== TURN_EVENTS) throw new Error(`a turn streamed ${frames} frames, not ${TURN_EVENTS}`)
	}
}

const compare = async (name: string, run: (count: number) => Promise<void>, count: number) => {
	const figures: Record<Mode, number[]> = { off: [], 'sampled out': [], recording: [] }
	for (const mode of Object.keys(modes) as Mode[]) {
		modes[mode]()
		await run(count)
	}
	const names = Object.keys(modes) as Mode[]
	for (let round = 0; round < rounds; round++)
		for (const mode of [...names.slice(round % 3), ...names.slice(0, round % 3)]) {
			modes[mode]()
			Bun.gc(true)
			const start = ownCpuMicros()
			await run(count)
			figures[mode].push((ownCpuMicros() - start) / count)
		}
	const off = median(figures.off)
	console.log(
		`${name.padEnd(14)} ${(Object.keys(modes) as Mode[])
			.map((mode) => {
				const value = median(figures[mode])
				const change =
					mode === 'off'
						? ''
						: ` (${value >= off ? '+' : ''}${(((value - off) / off) * 100).toFixed(0)}%)`
				return `${mode} ${value.toFixed(1)} µs${change}`
			})
			.join('  ')}`
	)
}

console.log(`store ${flags.store}, ${rounds} rounds, median CPU per request`)
await compare('threads.list', runJson, 2000)
await compare('turn (107 ev)', runStream, 200)
trace.disable()
console.log(`spans recorded and dropped: ${exported}`)
dispose()
