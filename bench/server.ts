/**
 * One server under test, started by bench/index.ts: `bun bench/server.ts '<ServerConfig JSON>'`.
 * Prints `READY <port>` once it listens on 127.0.0.1; SIGTERM stops it (and writes a CPU profile when
 * started with `--cpu-prof`).
 */
import { Elysia } from 'elysia'
import { chatkit } from '../src/chatkit'
import type { Responder } from '../src/engine/types'
import { streamText } from '../src/respond'
import { MemoryStore } from '../src/store/memory'
import type { Store } from '../src/store/types'
import { type BareSql, openBareSql, type StoredItem } from './bare-sql'
import { JSON_HEADERS, turnResponse } from './baseline'
import { BENCH_USER, ITEMS_THREAD_ID, PATH, STORE_PLUGIN, seedBareSql, seedStore, tokens } from './fixtures'

export interface ServerConfig {
	/**
	 * `bare`: Bun.serve alone; `bare-sql`: Bun.serve and the same SQL (bench/bare-sql.ts); `elysia`: one Elysia
	 * route doing the same as `bare`; `elysia-sql`: one Elysia route doing the same as `bare-sql`; `chatkit`:
	 * the framework.
	 */
	kind: 'bare' | 'bare-sql' | 'elysia' | 'elysia-sql' | 'chatkit'
	/** chatkit: `memory`, `sqlite:<path>` or `postgres://…`; bare-sql and elysia-sql: `sqlite:<path>` or `postgres://…`. */
	store?: string
	/** chatkit, bare-sql and elysia-sql: seed this many threads (and `items` items in the first) before listening. */
	threads?: number
	items?: number
	/** Milliseconds between deltas (0: all at once). */
	paceMs: number
	/** Answer at zero latency until SIGUSR2 (which also collects garbage): lets a paced server warm up first. */
	startUnpaced?: boolean
	/** bare and elysia: the exact JSON bodies to answer `threads.list` and `items.list` with. */
	responses?: { threadsList: string; itemsList: string }
	/** chatkit only: answer with `streamText` (default) or through the agent plugin with a scripted model. */
	responder?: 'streamText' | 'agent'
}

const config = JSON.parse(process.argv[2] ?? '{}') as ServerConfig
let paceMs = config.startUnpaced ? 0 : config.paceMs

type Body = { type?: string }

const answer = (body: Body): Response => {
	const responses = config.responses ?? { threadsList: '{}', itemsList: '{}' }
	switch (body.type) {
		case 'threads.list':
			return new Response(responses.threadsList, { headers: JSON_HEADERS })
		case 'items.list':
			return new Response(responses.itemsList, { headers: JSON_HEADERS })
		case 'threads.create':
			return turnResponse(paceMs)
		default:
			return new Response('{"code":"unknown"}', { status: 422, headers: JSON_HEADERS })
	}
}

const openStore = async (url: string): Promise<Store & { close?: () => Promise<void> }> => {
	if (url === 'memory') return new MemoryStore()
	const { createStore } = (await import(STORE_PLUGIN)) as {
		createStore(url: string): Store & { ready(): Promise<void>; close(): Promise<void> }
	}
	const store = createStore(url)
	await store.ready()
	return store
}

const startBare = () => {
	const server = Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		async fetch(request) {
			return answer((await request.json()) as Body)
		}
	})
	return { port: server.port, stop: async () => server.stop(true) }
}

const LIST_LIMIT = 20

/** `threads.list` as ChatKit answers it (limit 20, newest first), from one SELECT. */
const listThreads = async (sql: BareSql): Promise<Response> => {
	const rows = await sql.newestThreads(LIST_LIMIT + 1)
	const hasMore = rows.length > LIST_LIMIT
	const data = (hasMore ? rows.slice(0, LIST_LIMIT) : rows).map((thread) => ({
		...thread,
		metadata: {},
		items: { data: [], has_more: false }
	}))
	const page = hasMore ? { data, has_more: true, after: data.at(-1)?.id } : { data, has_more: false }
	return new Response(JSON.stringify(page), { headers: JSON_HEADERS })
}

/** An item in its wire form: the fixture's items are user and assistant messages; content parts as the wire orders them. */
const itemToWire = (item: StoredItem) =>
	item.type === 'assistant_message'
		? {
				...item,
				content: (item.content as { annotations?: unknown[]; text: string; type: string }[]).map(
					(part) => ({ annotations: part.annotations ?? [], text: part.text, type: part.type })
				)
			}
		: item

/** `items.list` as ChatKit answers it (limit 20, newest first), from one SELECT. */
const listItems = async (sql: BareSql): Promise<Response> => {
	const rows = await sql.newestItems(ITEMS_THREAD_ID, LIST_LIMIT + 1)
	const hasMore = rows.length > LIST_LIMIT
	const data = (hasMore ? rows.slice(0, LIST_LIMIT) : rows).map(itemToWire)
	const page = hasMore ? { data, has_more: true, after: data.at(-1)?.id } : { data, has_more: false }
	return new Response(JSON.stringify(page), { headers: JSON_HEADERS })
}

const startBareSql = async () => {
	const sql = await openBareSql(config.store ?? '')
	if (config.threads) await seedBareSql(sql, config.threads, config.items ?? 0)
	const server = Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		async fetch(request) {
			const body = (await request.json()) as Body
			if (body.type === 'threads.list') return listThreads(sql)
			if (body.type === 'items.list') return listItems(sql)
			if (body.type === 'threads.create') return turnResponse(paceMs, sql)
			return answer(body)
		}
	})
	return {
		port: server.port,
		stop: async () => {
			server.stop(true)
			await sql.close()
		}
	}
}

/** Elysia with one route doing what the bare + same SQL server does: the framework's own share of a request. */
const startElysiaSql = async () => {
	const sql = await openBareSql(config.store ?? '')
	if (config.threads) await seedBareSql(sql, config.threads, config.items ?? 0)
	const app = new Elysia()
		.post(PATH, ({ body }) => {
			const { type } = body as Body
			if (type === 'threads.list') return listThreads(sql)
			if (type === 'items.list') return listItems(sql)
			if (type === 'threads.create') return turnResponse(paceMs, sql)
			return answer(body as Body)
		})
		.listen({ hostname: '127.0.0.1', port: 0 })
	return {
		port: app.server?.port,
		stop: async () => {
			await app.stop(true)
			await sql.close()
		}
	}
}

const startElysia = () => {
	const app = new Elysia()
		.post(PATH, ({ body }) => answer(body as Body))
		.listen({ hostname: '127.0.0.1', port: 0 })
	return { port: app.server?.port, stop: () => app.stop(true) }
}

const agentResponderFor = async (pace: () => number): Promise<Responder> => {
	const { setTracingDisabled } = await import('@openai/agents')
	const { agentResponder } = await import('../plugins/agent/index.ts')
	const { TokenModel } = await import('./lib/token-model')
	setTracingDisabled(true)
	return agentResponder({ model: new TokenModel(pace) })
}

/** Fresh planner statistics after the bulk seed, as a database in steady state has them (autovacuum would, a minute later). */
const analyze = async (store: Store) => {
	const { client } = store as {
		client?: { run?: (sql: string) => void; unsafe?: (sql: string) => Promise<unknown> }
	}
	if (client?.unsafe) await client.unsafe('analyze')
	else client?.run?.('analyze')
}

const startChatKit = async () => {
	const store = await openStore(config.store ?? 'memory')
	if (config.threads)
		await seedStore(store, {
			threads: config.threads,
			items: config.items ?? 0,
			concurrency: config.store?.startsWith('postgres') ? 16 : 1
		})
	if (config.threads) await analyze(store)
	const respond: Responder =
		config.responder === 'agent'
			? await agentResponderFor(() => paceMs)
			: async function* respond(args) {
					yield* streamText(args, tokens(paceMs))
				}
	const app = new Elysia()
		.use(chatkit({ path: PATH, store, respond, defaultUser: BENCH_USER }))
		.listen({ hostname: '127.0.0.1', port: 0 })
	return {
		port: app.server?.port,
		stop: async () => {
			await app.stop(true)
			await store.close?.()
		}
	}
}

const server =
	config.kind === 'bare'
		? startBare()
		: config.kind === 'bare-sql'
			? await startBareSql()
			: config.kind === 'elysia'
				? startElysia()
				: config.kind === 'elysia-sql'
					? await startElysiaSql()
					: await startChatKit()

process.on('SIGUSR2', () => {
	paceMs = config.paceMs
	Bun.gc(true)
})
process.on('SIGTERM', async () => {
	await server.stop()
	process.exit(0)
})
console.log(`READY ${server.port}`)
