import { REQUESTS, TURN_EVENTS } from '../fixtures'
import { type BenchContext, seconds } from '../lib/context'
import { type ClientRun, rssKiB, runClient, startServer } from '../lib/proc'
import { at, goal, median, percentile, type Row, ratios } from '../lib/report'
import type { ServerConfig } from '../server'

const PACE_MS = 100
const STALL_MS = 1000
const SIZES = [1000, 5000]

interface OpenRun {
	run: ClientRun
	/** KB (1,000 bytes) of RSS per open stream: (peak − idle) / streams. */
	kbPerStream: number
	ttfbP50: number
	ttfbP99: number
	ttfdP50: number
	ttfdP99: number
}

const VARIANTS: { label: string; config: ServerConfig }[] = [
	{ label: 'bare Bun.serve', config: { kind: 'bare', paceMs: PACE_MS, startUnpaced: true } },
	{
		label: 'ChatKit, memory',
		config: { kind: 'chatkit', store: 'memory', paceMs: PACE_MS, startUnpaced: true }
	}
]

const longestGap = (entry: OpenRun) => Math.max(0, ...(entry.run.result.timings ?? []).map((t) => t.maxGap))

/** One fresh server: warmed up at zero latency, switched to paced, idle RSS taken, then `streams` turns opened. */
const measure = async (
	ctx: BenchContext,
	variant: (typeof VARIANTS)[number],
	streams: number
): Promise<OpenRun> => {
	const server = await startServer(variant.label, variant.config)
	try {
		const body = JSON.stringify(REQUESTS.threadsCreate)
		await runClient(server, {
			mode: 'closed',
			concurrency: 16,
			body,
			expect: TURN_EVENTS,
			warmupS: seconds(ctx, 1.5),
			durationS: 0.5
		})
		server.signal('SIGUSR2')
		await Bun.sleep(500)
		const idle = rssKiB(server.pid)
		const run = await runClient(
			server,
			{
				mode: 'open',
				concurrency: streams,
				body,
				expect: TURN_EVENTS,
				rampMs: streams,
				stallMs: STALL_MS
			},
			{ sampleRss: true }
		)
		const peak = Math.max(idle, ...run.rss)
		const timings = run.result.timings ?? []
		return {
			run,
			kbPerStream: ((peak - idle) * 1.024) / streams,
			ttfbP50: percentile(
				timings.map((t) => t.ttfb),
				0.5
			),
			ttfbP99: percentile(
				timings.map((t) => t.ttfb),
				0.99
			),
			ttfdP50: percentile(
				timings.map((t) => t.ttfd),
				0.5
			),
			ttfdP99: percentile(
				timings.map((t) => t.ttfd),
				0.99
			)
		}
	} finally {
		await server.stop()
	}
}

/**
 * Workload 3: 1,000 then 5,000 concurrent turns, each pacing its 100 deltas at 100 ms (about 10 s),
 * started over one second per thousand: RSS per open stream, time to first byte and to first delta,
 * dropped and stalled streams.
 */
export const openStreamsWorkload = async (ctx: BenchContext) => {
	for (const streams of SIZES) {
		const results = new Map<string, OpenRun[]>()
		for (let rep = 0; rep < ctx.reps; rep++)
			for (const variant of VARIANTS) {
				ctx.log(
					`${streams.toLocaleString('en-US')} open streams, ${variant.label}, repetition ${rep + 1}/${ctx.reps}`
				)
				const result = await measure(ctx, variant, streams)
				results.set(variant.label, [...(results.get(variant.label) ?? []), result])
			}
		const baseline = results.get(at(VARIANTS, 0).label) ?? []
		for (const [index, variant] of VARIANTS.entries()) {
			const runs = results.get(variant.label) ?? []
			const workload = `${streams.toLocaleString('en-US')} open streams`
			const perRep = (value: (entry: OpenRun) => number) =>
				runs.map((entry) => value(entry).toFixed(0)).join('/')
			const dropped = runs.reduce((sum, entry) => sum + entry.run.result.failed, 0)
			const stalled = runs.reduce((sum, entry) => sum + (entry.run.result.stalled ?? 0), 0)
			const failures = [...new Set(runs.flatMap((entry) => entry.run.result.failures))].slice(0, 2)
			const kb = runs.map((entry) => entry.kbPerStream)
			const ttfd = runs.map((entry) => entry.ttfdP50)
			const isBaseline = index === 0
			const rows: Row[] = [
				{
					workload,
					variant: variant.label,
					metric: 'KB RSS per stream',
					values: kb,
					ratios: isBaseline
						? undefined
						: ratios(
								kb,
								baseline.map((entry) => entry.kbPerStream)
							),
					goal: isBaseline ? undefined : { ...goal(kb, 40, 'max', ' KB') },
					notes: `per repetition: dropped ${perRep((entry) => entry.run.result.failed)}, stalled (gap > ${STALL_MS} ms) ${perRep((entry) => entry.run.result.stalled ?? 0)}, longest gap ${perRep(longestGap)} ms${failures.length ? ` (${failures.join('; ')})` : ''}`
				},
				{
					workload,
					variant: variant.label,
					metric: 'first delta p50 ms',
					values: ttfd,
					ratios: isBaseline
						? undefined
						: ratios(
								ttfd,
								baseline.map((entry) => entry.ttfdP50)
							),
					goal:
						isBaseline || streams !== 1000
							? undefined
							: goal(
									ratios(
										ttfd,
										baseline.map((entry) => entry.ttfdP50)
									),
									2,
									'max'
								),
					notes: `p99 ${median(runs.map((entry) => entry.ttfdP99)).toFixed(0)} ms; first byte p50 ${median(runs.map((entry) => entry.ttfbP50)).toFixed(1)} ms, p99 ${median(runs.map((entry) => entry.ttfbP99)).toFixed(1)} ms`
				}
			]
			if (!isBaseline && streams === 5000)
				at(rows, 0).goal = {
					text: '≤ 40 KB, none dropped',
					met: median(kb) <= 40 && dropped === 0 && stalled === 0
				}
			ctx.rows.push(...rows)
		}
	}
}
