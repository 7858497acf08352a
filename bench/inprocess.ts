/**
 * A quick in-process profile of the framework's own cost, without sockets or a load generator:
 * `bun run bench/inprocess.ts [json|stream|all] [--rounds 7] [--store memory|sqlite]`.
 *
 * Every request goes through `app.handle(new Request(...))`; the figure is CPU time (user + system) per
 * JSON request and per streaming turn (107 events, the body read to the end), the median of the rounds.
 * A bare `Request → Response` handler doing the same minimal work runs in alternation, as a floor.
 * Use it to compare two commits quickly; the figures that count are `bun run bench`'s.
 */
import { parseArgs } from 'node:util'
import { turnResponse } from './baseline'
import { PATH, REQUESTS, TURN_EVENTS } from './fixtures'
import { inProcessApp } from './lib/inprocess-app'
import { ownCpuMicros } from './lib/proc'
import { median } from './lib/report'

const { values: flags, positionals } = parseArgs({
	args: Bun.argv.slice(2),
	allowPositionals: true,
	options: { rounds: { type: 'string', default: '7' }, store: { type: 'string', default: 'memory' } }
})
const which = positionals[0] ?? 'all'
const rounds = Math.max(1, Number(flags.rounds) || 7)

const { app, dispose } = await inProcessApp(flags.store ?? 'memory', 'chatkit-inprocess-')
const listBody = JSON.stringify(REQUESTS.threadsList)
const itemsBody = JSON.stringify(REQUESTS.itemsList)
const answers: Record<string, string> = {
	'threads.list': await (await app.handle(post(listBody))).text(),
	'items.list': await (await app.handle(post(itemsBody))).text()
}
const bare = async (request: Request): Promise<Response> => {
	const body = (await request.json()) as { type: string }
	const answer = answers[body.type]
	return answer
		? new Response(answer, { headers: { 'content-type': 'application/json' } })
		: turnResponse(0)
}

function post(body: string): Request {
	return new Request(`http://localhost${PATH}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
		body
	})
}

const countFrames = async (response: Response) => {
	const text = await response.text()
	return text.split('\n\n').length - 1
}

type Handler = (request: Request) => Promise<Response> | Response
const runJson = (body: string) => async (handle: Handler, count: number) => {
	for (let i = 0; i < count; i++) await (await handle(post(body))).text()
}
const turnBody = JSON.stringify(REQUESTS.threadsCreate)
const runStream = async (handle: Handler, count: number) => {
	for (let i = 0; i < count; i++) {
		const frames = await countFrames(await handle(post(turnBody)))
		if (frames !== TURN_EVENTS) throw new Error(`a turn streamed ${frames} frames, not ${TURN_EVENTS}`)
	}
}

const measure = async (run: (handle: Handler, n: number) => Promise<void>, handle: Handler, n: number) => {
	Bun.gc(true)
	const start = ownCpuMicros()
	await run(handle, n)
	return (ownCpuMicros() - start) / n
}

const compare = async (name: string, run: (handle: Handler, n: number) => Promise<void>, n: number) => {
	const chatkitHandle: Handler = (request) => app.handle(request)
	await run(chatkitHandle, n)
	await run(bare, n)
	const ours: number[] = []
	const floor: number[] = []
	for (let round = 0; round < rounds; round++) {
		floor.push(await measure(run, bare, n))
		ours.push(await measure(run, chatkitHandle, n))
	}
	const [o, f] = [median(ours), median(floor)]
	console.log(
		`${name.padEnd(14)} chatkit ${o.toFixed(1).padStart(7)} µs CPU  bare ${f.toFixed(1).padStart(6)} µs  ratio ${(f / o).toFixed(2)}×  (chatkit min–max ${Math.min(...ours).toFixed(1)}–${Math.max(...ours).toFixed(1)})`
	)
}

console.log(`store ${flags.store}, ${rounds} rounds, median CPU per request`)
if (which === 'json' || which === 'all') {
	await compare('threads.list', runJson(listBody), 4000)
	await compare('items.list', runJson(itemsBody), 4000)
}
if (which === 'stream' || which === 'all') await compare('turn (107 ev)', runStream, 400)
dispose()
