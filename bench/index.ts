/**
 * `bun run bench [--only json,stream,open,growth,profile] [--stores memory,sqlite,postgres] [--reps 3]
 *  [--quick] [--out results.json]`
 *
 * Starts every server it measures on 127.0.0.1, pinned to core 0, and every load generator pinned to core 1;
 * each figure is measured next to its baseline (a bare Bun.serve doing the least the request needs) in the
 * same run, alternating, and printed as a Markdown table. See docs/benchmarks.md.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { BenchContext } from './lib/context'
import { killAll } from './lib/proc'
import { table } from './lib/report'
import { ALL_STORES, Databases, databaseStoresAvailable, type StoreName } from './lib/targets'
import { growthWorkload } from './workloads/growth'
import { jsonWorkload } from './workloads/json'
import { openStreamsWorkload } from './workloads/open'
import { profileWorkload } from './workloads/profile'
import { streamWorkload } from './workloads/stream'
import { streamGrowthWorkload } from './workloads/stream-growth'

const WORKLOADS = {
	json: jsonWorkload,
	stream: streamWorkload,
	open: openStreamsWorkload,
	growth: growthWorkload,
	'stream-growth': streamGrowthWorkload,
	profile: profileWorkload
} as const
type WorkloadName = keyof typeof WORKLOADS
const DEFAULT_WORKLOADS: WorkloadName[] = ['json', 'stream', 'open', 'growth', 'stream-growth']

const { values: flags } = parseArgs({
	args: Bun.argv.slice(2),
	options: {
		only: { type: 'string' },
		stores: { type: 'string' },
		reps: { type: 'string', default: '3' },
		quick: { type: 'boolean', default: false },
		out: { type: 'string' },
		help: { type: 'boolean', default: false }
	}
})

if (flags.help) {
	console.log(`bun run bench [options]
  --only <list>     workloads to run, comma-separated: ${Object.keys(WORKLOADS).join(', ')} (default: ${DEFAULT_WORKLOADS.join(',')})
  --stores <list>   stores for the ChatKit servers: ${ALL_STORES.join(', ')} (default: all available)
  --reps <n>        repetitions, alternating baseline and servers (default 3)
  --quick           a fifth of every duration (a smoke run; figures are rough)
  --out <file>      also write the rows as JSON`)
	process.exit(0)
}

const fail = (message: string): never => {
	console.error(message)
	process.exit(1)
}

const pick = <T extends string>(list: string | undefined, known: readonly T[], fallback: T[]): T[] => {
	if (!list) return fallback
	const names = list.split(',').map((name) => name.trim()) as T[]
	for (const name of names)
		if (!known.includes(name)) fail(`unknown name "${name}" (known: ${known.join(', ')})`)
	return names
}

const workloads = pick(flags.only, Object.keys(WORKLOADS) as WorkloadName[], DEFAULT_WORKLOADS)
const available = databaseStoresAvailable() ? ALL_STORES : (['memory'] as StoreName[])
const stores = pick(flags.stores, ALL_STORES, available)
if (stores.some((store) => !available.includes(store)))
	fail('plugins/store is not there: only the memory store can run')

if (cpus().length < 2) fail('the benchmark needs two cores (one for the server, one for the load generator)')
for (const tool of ['wrk', 'taskset'])
	if (!Bun.which(tool))
		fail(
			`${tool} is missing: apt-get update && apt-get install -y ${tool === 'wrk' ? 'wrk' : 'util-linux'}`
		)

const tmpDir = mkdtempSync(join(tmpdir(), 'chatkit-bench-'))
const started = performance.now()
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)}s`.padStart(5)
const ctx: BenchContext = {
	reps: Math.max(1, Number(flags.reps) || 3),
	stores,
	databases: new Databases(tmpDir),
	tmpDir,
	timeScale: flags.quick ? 0.2 : 1,
	rows: [],
	log: (message) => console.error(`[${elapsed()}] ${message}`)
}

const [load = 0] = loadavg()
if (load > 0.5)
	ctx.log(`warning: load average ${load.toFixed(2)}: other work on this machine will skew the figures`)

const cleanup = async () => {
	killAll()
	await ctx.databases
		.cleanup()
		.catch((error) => console.error('could not drop the benchmark databases:', error))
	rmSync(tmpDir, { recursive: true, force: true })
}
process.on('SIGINT', async () => {
	await cleanup()
	process.exit(130)
})

try {
	for (const name of workloads) {
		ctx.log(`workload ${name}`)
		await WORKLOADS[name](ctx)
	}
} finally {
	await cleanup()
}

if (ctx.rows.length) {
	console.log(table(ctx.rows))
	if (flags.out) await Bun.write(flags.out, JSON.stringify(ctx.rows, null, '\t'))
}
ctx.log(
	`done: ${workloads.join(', ')} on ${stores.join(', ')}; load average at the end ${(loadavg()[0] ?? 0).toFixed(2)} (at the start ${load.toFixed(2)})`
)
