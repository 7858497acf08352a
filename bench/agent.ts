/**
 * Time to first token added by the agent plugin: `bun bench/agent.ts [--turns 2000] [--warmup 200]`.
 *
 * Three servers on 127.0.0.1, each in its own process (pinned to core 0 when `taskset` exists):
 * - `bare`: Bun.serve alone, writing the events of one turn (thread.created, the user message,
 *   stream_options, the assistant message with its 100 text deltas) as fast as it can;
 * - `core`: `chatkit()` over a memory store answering with `streamText` (the framework without the agent);
 * - `agent`: `agent()` + `chatkit()` over a memory store, answering through the real Agents SDK with
 *   a zero-latency model (the offline model with no token delay) that streams the same 100 tokens.
 * The client (this process) sends `threads.create` turns one at a time, alternating servers in
 * batches, and times request start → first `text_delta` frame. Prints median and p99 for both, the
 * difference (the time the framework and the SDK add) and the ratio.
 */
import { parseArgs } from 'node:util'
import { at } from './lib/report'

const TOKENS = Array.from({ length: 100 }, (_, index) => `tok${index} `)
const REPLY = TOKENS.join('').trimEnd()
const DELTA_MARK = '"assistant_message.content_part.text_delta"'
const BODY = JSON.stringify({
	type: 'threads.create',
	params: {
		input: { content: [{ type: 'input_text', text: 'Hello' }], attachments: [], inference_options: {} }
	}
})

const serveBare = () => {
	let counter = 0
	const id = (prefix: string) => `${prefix}_${(++counter).toString(16).padStart(16, '0')}`
	const encoder = new TextEncoder()
	return Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		async fetch(request) {
			await request.text()
			const threadId = id('thr')
			const now = new Date().toISOString()
			const message = {
				id: id('msg'),
				thread_id: threadId,
				created_at: now,
				type: 'assistant_message',
				content: [] as unknown[]
			}
			const update = (update: unknown) => ({ type: 'thread.item.updated', item_id: message.id, update })
			const events: unknown[] = [
				{
					type: 'thread.created',
					thread: {
						id: threadId,
						created_at: now,
						status: { type: 'active' },
						metadata: {},
						items: { data: [], has_more: false }
					}
				},
				{
					type: 'thread.item.done',
					item: {
						id: id('msg'),
						thread_id: threadId,
						created_at: now,
						type: 'user_message',
						content: [{ type: 'input_text', text: 'Hello' }],
						attachments: [],
						inference_options: {}
					}
				},
				{ type: 'stream_options', stream_options: { allow_cancel: true } },
				{ type: 'thread.item.added', item: message },
				update({
					type: 'assistant_message.content_part.added',
					content_index: 0,
					content: { type: 'output_text', text: '', annotations: [] }
				})
			]
			const body = new ReadableStream<Uint8Array>({
				pull(controller) {
					for (const event of events)
						controller.enqueue(encoder.encode(`data: ${JSON.stringify(event)}\n\n`))
					for (const delta of TOKENS)
						controller.enqueue(
							encoder.encode(
								`data: ${JSON.stringify(update({ type: 'assistant_message.content_part.text_delta', content_index: 0, delta }))}\n\n`
							)
						)
					const part = { type: 'output_text', text: REPLY, annotations: [] }
					controller.enqueue(
						encoder.encode(
							`data: ${JSON.stringify(update({ type: 'assistant_message.content_part.done', content_index: 0, content: part }))}\n\n`
						)
					)
					controller.enqueue(
						encoder.encode(
							`data: ${JSON.stringify({ type: 'thread.item.done', item: { ...message, content: [part] } })}\n\n`
						)
					)
					controller.close()
				}
			})
			return new Response(body, {
				headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }
			})
		}
	})
}

const serveCore = async () => {
	const { Elysia } = await import('elysia')
	const { chatkit } = await import('../src/chatkit')
	const { streamText } = await import('../src/respond')
	const { MemoryStore } = await import('../src/store/memory')
	const app = new Elysia()
		.use(
			chatkit({
				store: new MemoryStore(),
				async *respond(args) {
					yield* streamText(args, TOKENS)
				}
			})
		)
		.listen({ hostname: '127.0.0.1', port: 0 })
	return app.server as NonNullable<typeof app.server>
}

const serveAgent = async () => {
	const { setTracingDisabled } = await import('@openai/agents')
	const { Elysia } = await import('elysia')
	const { agent, OfflineModel } = await import('../plugins/agent')
	const { chatkit } = await import('../src/chatkit')
	const { MemoryStore } = await import('../src/store/memory')
	setTracingDisabled(true)
	const app = new Elysia()
		.use(agent({ model: new OfflineModel({ tokenDelayMs: 0, reply: () => REPLY }) }))
		.use(chatkit({ store: new MemoryStore() }))
		.listen({ hostname: '127.0.0.1', port: 0 })
	return app.server as NonNullable<typeof app.server>
}

type Kind = 'bare' | 'core' | 'agent'
const KINDS: Kind[] = ['bare', 'core', 'agent']

async function start(kind: Kind) {
	const pin = Bun.which('taskset') ? ['taskset', '-c', '0'] : []
	const child = Bun.spawn([...pin, process.execPath, import.meta.path, '--serve', kind], {
		stdout: 'pipe',
		stderr: 'inherit'
	})
	const reader = child.stdout.getReader()
	let text = ''
	while (!text.includes('\n')) {
		const { value, done } = await reader.read()
		if (done) throw new Error(`the ${kind} server did not start`)
		text += new TextDecoder().decode(value)
	}
	const port = Number(/READY (\d+)/.exec(text)?.[1])
	return { url: `http://127.0.0.1:${port}/chatkit`, stop: () => child.kill('SIGTERM') }
}

/** Milliseconds from request start to the first text delta; the rest of the turn is read and dropped. */
async function firstToken(url: string): Promise<number> {
	const started = performance.now()
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: BODY
	})
	const reader = (response.body as ReadableStream<Uint8Array>).getReader()
	const decoder = new TextDecoder()
	let seen = ''
	let at = -1
	while (true) {
		const { value, done } = await reader.read()
		if (done) break
		if (at < 0) {
			seen += decoder.decode(value, { stream: true })
			if (seen.includes(DELTA_MARK)) at = performance.now() - started
		}
	}
	if (at < 0) throw new Error(`no text delta from ${url}`)
	return at
}

const quantile = (sorted: number[], q: number) =>
	at(sorted, Math.min(sorted.length - 1, Math.floor(q * sorted.length)))
const ms = (value: number) => `${value.toFixed(3)} ms`

async function main() {
	const { values } = parseArgs({
		options: { turns: { type: 'string', default: '2000' }, warmup: { type: 'string', default: '200' } }
	})
	const turns = Number(values.turns)
	const warmup = Number(values.warmup)
	const servers = { bare: await start('bare'), core: await start('core'), agent: await start('agent') }
	const times: Record<Kind, number[]> = { bare: [], core: [], agent: [] }
	try {
		for (let index = 0; index < warmup; index++)
			for (const kind of KINDS) await firstToken(servers[kind].url)
		const batch = 50
		for (let done = 0; done < turns; done += batch)
			for (const kind of KINDS)
				for (let index = 0; index < Math.min(batch, turns - done); index++)
					times[kind].push(await firstToken(servers[kind].url))
	} finally {
		for (const kind of KINDS) servers[kind].stop()
	}
	const stats = (kind: Kind) => {
		const sorted = times[kind].toSorted((a, b) => a - b)
		return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) }
	}
	const bare = stats('bare')
	const core = stats('core')
	const agentStats = stats('agent')
	const rows: [string, number, number][] = [
		['bare Bun.serve, same events', bare.median, bare.p99],
		['chatkit() + streamText, no agent', core.median, core.p99],
		['agent() + chatkit(), zero-latency model', agentStats.median, agentStats.p99],
		[
			'added by the framework and the Agents SDK',
			agentStats.median - bare.median,
			agentStats.p99 - bare.p99
		],
		['of which the agent plugin and the SDK', agentStats.median - core.median, agentStats.p99 - core.p99]
	]
	console.log(`time to first text delta, ${turns} turns per server (Bun ${Bun.version})`)
	console.log('| server | median | p99 |\n| --- | --- | --- |')
	for (const [name, median, p99] of rows) console.log(`| ${name} | ${ms(median)} | ${ms(p99)} |`)
	const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`
	console.log(
		`| ratio agent / bare | ${ratio(agentStats.median, bare.median)} | ${ratio(agentStats.p99, bare.p99)} |`
	)
}

const role = process.argv[2] === '--serve' ? process.argv[3] : undefined
if (role) {
	const server = role === 'bare' ? serveBare() : role === 'core' ? await serveCore() : await serveAgent()
	console.log(`READY ${server.port}`)
	process.on('SIGTERM', () => {
		server.stop(true)
		process.exit(0)
	})
} else await main()
