import type { AssistantMessageItem, ThreadMetadata, UserMessageItem } from '../src/protocol/items'
import type { ChatKitContext, Store } from '../src/store/types'
import type { BareSql } from './bare-sql'

/** The one user every benchmark request runs as. */
export const BENCH_USER = { id: 'bench-user' }
export const BENCH_CONTEXT: ChatKitContext = { user: BENCH_USER }

export const PATH = '/chatkit'
/** Imported by path at run time: the benchmark runs without the database stores when they are absent. */
export const STORE_PLUGIN = new URL('../plugins/store/index.ts', import.meta.url).pathname
/** The agent row runs when the agent plugin is there. */
export const AGENT_PLUGIN = new URL('../plugins/agent/index.ts', import.meta.url).pathname
/** The thread that holds the items read by `items.list`. */
export const ITEMS_THREAD_ID = threadId(0)
/** Events of one streaming turn: thread.created, user item, stream_options, item added, part added, deltas, part done, item done. */
export const DELTAS = 100
export const TURN_EVENTS = DELTAS + 7
/** Index of the first `text_delta` event in a turn. */
export const FIRST_DELTA_INDEX = 5

const BASE_TIME = Date.UTC(2025, 0, 1)
const WORDS = ['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', '.']

/** 100 token-sized chunks (4 to 6 characters each). */
export const TOKENS: string[] = Array.from({ length: DELTAS }, (_, i) => WORDS[i % WORDS.length] ?? '')
export const USER_TEXT = 'Tell me about the quick brown fox.'

export function threadId(index: number): string {
	return `thr_${index.toString(16).padStart(16, '0')}`
}

const itemId = (index: number) => `msg_${index.toString(16).padStart(16, '0')}`
const isoAt = (ms: number) => new Date(BASE_TIME + ms).toISOString()

export const REQUESTS = {
	threadsList: { type: 'threads.list', params: { limit: 20, order: 'desc' } },
	itemsList: { type: 'items.list', params: { thread_id: ITEMS_THREAD_ID, limit: 20, order: 'desc' } },
	threadsCreate: {
		type: 'threads.create',
		params: {
			input: {
				content: [{ type: 'input_text', text: USER_TEXT }],
				attachments: [],
				inference_options: {}
			}
		}
	}
} as const

export type JsonRequestName = 'threadsList' | 'itemsList'

const seedThread = (index: number): ThreadMetadata => ({
	title: `Thread number ${index}`,
	id: threadId(index),
	created_at: isoAt(index * 1000),
	status: { type: 'active' },
	metadata: {}
})

const seedItem = (index: number): UserMessageItem | AssistantMessageItem => {
	const base = { id: itemId(index), thread_id: ITEMS_THREAD_ID, created_at: isoAt(index * 10) }
	const text = `${index % 2 ? 'Answer' : 'Question'} ${index}: ${TOKENS.slice(0, 20).join('')}`
	return index % 2
		? { ...base, type: 'assistant_message', content: [{ type: 'output_text', text, annotations: [] }] }
		: {
				...base,
				type: 'user_message',
				content: [{ type: 'input_text', text }],
				attachments: [],
				inference_options: {}
			}
}

/**
 * Write `threads` threads (thread 0 first, the oldest) and `items` items in thread 0 through the Store API,
 * `concurrency` calls at a time.
 */
export const seedStore = async (
	store: Store,
	{ threads, items, concurrency = 1 }: { threads: number; items: number; concurrency?: number }
): Promise<void> => {
	const run = async (count: number, write: (index: number) => Promise<void>) => {
		let next = 0
		const worker = async () => {
			while (next < count) await write(next++)
		}
		await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker))
	}
	await store.saveThread(seedThread(0), BENCH_CONTEXT)
	await run(threads - 1, (index) => store.saveThread(seedThread(index + 1), BENCH_CONTEXT))
	await run(items, (index) => store.addThreadItem(ITEMS_THREAD_ID, seedItem(index), BENCH_CONTEXT))
}

/** The same threads and items as `seedStore`, written by the bare + SQL baseline's own INSERTs. */
export const seedBareSql = async (sql: BareSql, threads: number, items = 0): Promise<void> => {
	for (let index = 0; index < threads; index++) {
		const thread = seedThread(index)
		await sql.insertThread(thread.id, thread.created_at, JSON.stringify(thread))
	}
	for (let index = 0; index < items; index++) {
		const item = seedItem(index)
		await sql.insertItem(ITEMS_THREAD_ID, item.id, item.type, item.created_at, JSON.stringify(item))
	}
}

/** An async source of the turn's tokens, one every `paceMs` milliseconds (or all at once when 0). */
export const tokens = (paceMs: number): Iterable<string> | AsyncIterable<string> =>
	paceMs > 0 ? pacedTokens(paceMs) : TOKENS

async function* pacedTokens(paceMs: number): AsyncGenerator<string> {
	for (const token of TOKENS) {
		await Bun.sleep(paceMs)
		yield token
	}
}
