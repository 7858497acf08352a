import {
	type Model,
	OpenAIChatCompletionsModel,
	OpenAIResponsesModel,
	setTracingDisabled
} from '@openai/agents'
import OpenAI from 'openai'
import { OfflineModel, type OfflineModelOptions } from './offline'

/** The model used when `OPENAI_MODEL` is not set. */
export const DEFAULT_OPENAI_MODEL = 'gpt-4.1-mini'

export type ModelEnv = Record<string, string | undefined>

interface ModelChoice {
	kind: 'openai' | 'offline'
	name: string
	api: 'responses' | 'chat_completions'
	baseURL?: string
}

const choose = (env: ModelEnv): ModelChoice => {
	if (!env.OPENAI_API_KEY) return { kind: 'offline', name: 'offline', api: 'chat_completions' }
	const baseURL = env.OPENAI_BASE_URL || undefined
	const api =
		env.OPENAI_API === 'responses' || env.OPENAI_API === 'chat_completions'
			? env.OPENAI_API
			: baseURL
				? 'chat_completions'
				: 'responses'
	return { kind: 'openai', name: env.OPENAI_MODEL || DEFAULT_OPENAI_MODEL, api, baseURL }
}

const safeUrl = (url: string) => {
	try {
		const parsed = new URL(url)
		parsed.username = ''
		parsed.password = ''
		return parsed.toString()
	} catch {
		return 'a custom base URL'
	}
}

/**
 * The model the environment asks for: with `OPENAI_API_KEY`, `OPENAI_MODEL` (default
 * `gpt-4.1-mini`) through the OpenAI API or `OPENAI_BASE_URL` (any OpenAI-compatible server);
 * without a key, the built-in {@link OfflineModel}. `OPENAI_API=responses|chat_completions` picks
 * the API (default: Responses for OpenAI, Chat Completions for a custom base URL).
 * The Agents SDK's tracing (which sends turns to OpenAI) is turned off for the offline model and for
 * any custom base URL, so that a local or third-party provider's conversations and key never reach OpenAI.
 *
 * @example
 * const agent = new Agent({ name: 'Assistant', instructions: '…', model: modelFromEnv() })
 * console.log(`model: ${describeModelFromEnv()}`)
 */
export const modelFromEnv = (
	env: ModelEnv = process.env,
	offline: OfflineModelOptions = { tokenDelayMs: 15 }
): Model => {
	const choice = choose(env)
	if (choice.kind === 'offline' || choice.baseURL) setTracingDisabled(true)
	if (choice.kind === 'offline') return new OfflineModel(offline)
	const client = new OpenAI({
		apiKey: env.OPENAI_API_KEY,
		baseURL: choice.baseURL ?? 'https://api.openai.com/v1'
	})
	return choice.api === 'responses'
		? new OpenAIResponsesModel(client, choice.name)
		: new OpenAIChatCompletionsModel(client, choice.name)
}

/** One line saying which model {@link modelFromEnv} picks (never the key), for the start-up log. */
export const describeModelFromEnv = (env: ModelEnv = process.env): string => {
	const choice = choose(env)
	if (choice.kind === 'offline')
		return 'offline model (OPENAI_API_KEY is not set): deterministic replies, no network'
	const api = choice.api === 'responses' ? 'the Responses API' : 'Chat Completions'
	const where = choice.baseURL ? safeUrl(choice.baseURL) : 'api.openai.com'
	return `OpenAI model "${choice.name}" via ${api} at ${where}`
}
