import { Agent, type Model, run } from '@openai/agents'
import { Elysia } from 'elysia'
import { respondMiddleware } from '../../src/chatkit'
import type { RespondArgs, RespondMiddleware } from '../../src/engine/types'
import { type UserMessageItem, userMessageText } from '../../src/protocol/items'
import type { ChatKitContext } from '../../src/store/types'

export interface TitlesOptions {
	/**
	 * The model that writes titles: a `Model` or a model name for the default provider.
	 * @example titles({ model: modelFromEnv() })
	 */
	model: Model | string
	/**
	 * What the model is told.
	 * @default 'Write a short title (at most six words) for a conversation that starts with the user message below. Answer with the title only, without quotes.'
	 */
	instructions?: string
	/**
	 * Longest title kept, in characters; longer ones are cut at a word boundary.
	 * @default 60
	 */
	maxLength?: number
	/**
	 * Where failures to generate a title are reported (the turn goes on without one).
	 * @default console.warn
	 */
	log?: (message: string) => void
}

export const DEFAULT_TITLE_INSTRUCTIONS =
	'Write a short title (at most six words) for a conversation that starts with the user message below. ' +
	'Answer with the title only, without quotes.'

const userText = (input: UserMessageItem) => userMessageText(input).trim()

const LEADING = new Set(['"', "'", '“', '”', '‘', '’', '`', '*', '#', ' ', '\t'])
const TRAILING = new Set(['"', "'", '“', '”', '‘', '’', '`', '*', ' ', '\t', '.'])

/** Trim quotes and whitespace from a model's answer and keep it under `maxLength` characters. */
export const cleanTitle = (raw: string, maxLength: number): string => {
	const [line = ''] = raw.trim().split('\n')
	let start = 0
	let end = line.length
	while (start < end && LEADING.has(line.charAt(start))) start++
	while (end > start && TRAILING.has(line.charAt(end - 1))) end--
	const title = line.slice(start, end)
	if (title.length <= maxLength) return title
	const cut = title.slice(0, maxLength + 1)
	const space = cut.lastIndexOf(' ')
	return `${(space > maxLength / 2 ? cut.slice(0, space) : cut.slice(0, maxLength)).trimEnd()}…`
}

/**
 * Responder middleware that titles untitled threads from their first user message. The title is
 * generated concurrently with the reply (the first token is not delayed) and lands as `thread.updated`
 * as soon as it is ready; the turn's stream does not end before it.
 */
export const titleMiddleware = <C extends ChatKitContext = ChatKitContext>(
	options: TitlesOptions
): RespondMiddleware<C> => {
	const { instructions = DEFAULT_TITLE_INSTRUCTIONS, maxLength = 60, log = console.warn } = options
	const writer = new Agent({ name: 'Title writer', instructions, model: options.model })

	const generate = async (args: RespondArgs<C>, text: string) => {
		try {
			const result = await run(writer, text, { signal: args.signal })
			const title = cleanTitle(String(result.finalOutput ?? ''), maxLength)
			if (title && !args.thread.title) args.thread.title = title
		} catch (error) {
			if (!args.signal.aborted)
				log(`[elysia-chatkit/titles] no title for thread ${args.thread.id}: ${(error as Error).name}`)
		}
	}

	return (next) =>
		async function* respondWithTitle(args) {
			const text = !args.thread.title && args.input ? userText(args.input) : ''
			const pending = text ? generate(args, text) : undefined
			yield* next(args)
			await pending
		}
}

/**
 * Titles new threads with a model, without delaying the reply: a worked example of a plugin written
 * against the public API only (it adds responder middleware that `chatkit()` composes).
 *
 * @example
 * new Elysia().use(titles({ model: modelFromEnv() })).use(agent({...})).use(chatkit())
 */
export const titles = <C extends ChatKitContext = ChatKitContext>(options: TitlesOptions) =>
	new Elysia({
		name: 'elysia-chatkit/titles',
		seed: {
			model: typeof options.model === 'string' ? options.model : 'custom',
			maxLength: options.maxLength
		}
	}).decorate(respondMiddleware('titles', titleMiddleware<C>(options)))
