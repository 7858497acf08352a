/**
 * CPU per event of streaming turns through the agent plugin, in process (no sockets):
 * `bun run bench/agent-inprocess.ts [<other checkout> ...] [--turns 300] [--rounds 9]`.
 *
 * Each checkout (this one first) gets its own app: `chatkit()` over a memory store answering with
 * `agentResponder` and the scripted model of the benchmark (100 tokens, `bench/lib/token-model.ts`).
 * Turns go through `app.handle`, the body read to the end and its frames counted; the checkouts run in
 * alternation, each round a batch of turns per checkout. Prints the median CPU (user + system) per event,
 * with every round, and the median of the per-round ratios to this checkout. Loading checkouts into one
 * process shares the Agents SDK between them: the comparison is of the code around it.
 * Run under `bun --cpu-prof --cpu-prof-interval 100` (one checkout) for a profile.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { TURN_EVENTS } from './fixtures'
import { ownCpuMicros } from './lib/proc'
import { at, median } from './lib/report'

const { values: flags, positionals } = parseArgs({
	args: Bun.argv.slice(2),
	allowPositionals: true,
	options: { turns: { type: 'string', default: '300' }, rounds: { type: 'string', default: '9' } }
})
const turns = Math.max(1, Number(flags.turns) || 300)
const rounds = Math.max(1, Number(flags.rounds) || 9)
const roots = [resolve(import.meta.dir, '..'), ...positionals.map((path) => resolve(path))]

type RunTurns = (count: number) => Promise<void>

const appFor = async (root: string): Promise<RunTurns> => {
	const { Elysia } = await import('elysia')
	const { setTracingDisabled } = await import('@openai/agents')
	const { chatkit } = await import(`${root}/src/chatkit.ts`)
	const { MemoryStore } = await import(`${root}/src/store/memory.ts`)
	const { agentResponder } = await import(`${root}/plugins/agent/index.ts`)
	const { TokenModel } = await import(`${root}/bench/lib/token-model.ts`)
	const { BENCH_USER, PATH, REQUESTS, TURN_EVENTS } = await import(`${root}/bench/fixtures.ts`)
	setTracingDisabled(true)
	const app = new Elysia().use(
		chatkit({
			path: PATH,
			store: new MemoryStore(),
			defaultUser: BENCH_USER,
			respond: agentResponder({ model: new TokenModel() })
		})
	)
	const body = JSON.stringify(REQUESTS.threadsCreate)
	const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }
	return async (count) => {
		for (let index = 0; index < count; index++) {
			const response = await app.handle(
				new Request(`http://localhost${PATH}`, { method: 'POST', headers, body })
			)
			const frames = (await response.text()).split('\n\n').length - 1
			if (frames !== TURN_EVENTS)
				throw new Error(`${root}: a turn streamed ${frames} frames, not ${TURN_EVENTS}`)
		}
	}
}

const apps = await Promise.all(roots.map(appFor))
for (const runTurns of apps) await runTurns(Math.min(200, turns))
const perEvent: number[][] = apps.map(() => [])
for (let round = 0; round < rounds; round++)
	for (const [index, runTurns] of apps.entries()) {
		Bun.gc(true)
		const start = ownCpuMicros()
		await runTurns(turns)
		at(perEvent, index).push((ownCpuMicros() - start) / turns / TURN_EVENTS)
	}
const [ownFigures = []] = perEvent
for (const [index, figures] of perEvent.entries()) {
	const ratios = figures.map((figure, round) => figure / at(ownFigures, round))
	const ratio = index === 0 ? '' : `  ratio to this checkout ${median(ratios).toFixed(2)}`
	console.log(
		`${roots[index]}: ${median(figures).toFixed(2)} µs CPU/event (rounds: ${figures.map((figure) => figure.toFixed(1)).join(' ')})${ratio}`
	)
}
