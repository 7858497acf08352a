import {
	type Model,
	OpenAIChatCompletionsModel,
	OpenAIResponsesModel,
	setTracingDisabled
} from '@openai/agents'
import OpenAI from 'openai'
import { ConfigError, type Env, envString, isProduction, readEnv } from '../../src/config'
import { OfflineModel, type OfflineModelOptions } from './offline'

/** The model used when `OPENAI_MODEL` is not set. */
export const DEFAULT_OPENAI_MODEL = 'gpt-4.1-mini'

export type ModelEnv = Env

/** The model the environment picks, as `modelSettingsFromEnv` reads it (never the key). */
export interface ModelSettings {
	/** `openai` with `OPENAI_API_KEY`, else the built-in offline model. */
	kind: 'openai' | 'offline'
	/** `OPENAI_MODEL`, default `gpt-4.1-mini` (`offline` for the offline model). */
	name: string
	/** `OPENAI_API`; default `responses` for OpenAI, `chat_completions` for a custom base URL. */
	api: 'responses' | 'chat_completions'
	/** `OPENAI_BASE_URL`, an OpenAI-compatible server; unset for the OpenAI API. */
	baseURL?: string
}

/**
 * Reads `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_MODEL` and `OPENAI_API` (see `modelFromEnv`).
 * @throws ConfigError naming `OPENAI_API` (not `responses` or `chat_completions`) or `OPENAI_BASE_URL` (not a URL)
 */
export const modelSettingsFromEnv = (env: ModelEnv = process.env): ModelSettings => {
	const { baseURL, api } = readEnv<{ baseURL: string | undefined; api: ModelSettings['api'] | undefined }>({
		baseURL: () => {
			const value = envString(env, 'OPENAI_BASE_URL')
			if (value !== undefined && !URL.canParse(value))
				throw new ConfigError([{ variable: 'OPENAI_BASE_URL', message: 'expected a URL' }])
			return value
		},
		api: () => {
			const value = envString(env, 'OPENAI_API')
			if (value !== undefined && value !== 'responses' && value !== 'chat_completions')
				throw new ConfigError([
					{ variable: 'OPENAI_API', message: 'expected responses or chat_completions' }
				])
			return value
		}
	})
	if (!envString(env, 'OPENAI_API_KEY'))
		return { kind: 'offline', name: 'offline', api: 'chat_completions' }
	return {
		kind: 'openai',
		name: envString(env, 'OPENAI_MODEL') ?? DEFAULT_OPENAI_MODEL,
		api: api ?? (baseURL ? 'chat_completions' : 'responses'),
		baseURL
	}
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

/** What `modelFromEnv` warns when it gives the offline model under `NODE_ENV=production`. */
export const OFFLINE_IN_PRODUCTION =
	'[elysia-chatkit/agent] OPENAI_API_KEY is not set under NODE_ENV=production: the agent answers with the offline model (canned replies, no provider)'

/**
 * The model the environment asks for: with `OPENAI_API_KEY`, `OPENAI_MODEL` (default
 * `gpt-4.1-mini`) through the OpenAI API or `OPENAI_BASE_URL` (any OpenAI-compatible server);
 * without a key, the built-in {@link OfflineModel} (with a warning on the console under `NODE_ENV=production`,
 * where a missing key is more likely a deployment mistake than a choice). `OPENAI_API=responses|chat_completions` picks
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
	const choice = modelSettingsFromEnv(env)
	if (choice.kind === 'offline' || choice.baseURL) setTracingDisabled(true)
	if (choice.kind === 'offline') {
		if (isProduction(env)) console.warn(OFFLINE_IN_PRODUCTION)
		return new OfflineModel(offline)
	}
	const client = new OpenAI({
		apiKey: envString(env, 'OPENAI_API_KEY'),
		baseURL: choice.baseURL ?? 'https://api.openai.com/v1'
	})
	return choice.api === 'responses'
		? new OpenAIResponsesModel(client, choice.name)
		: new OpenAIChatCompletionsModel(client, choice.name)
}

/** One line saying which model {@link modelFromEnv} picks (never the key), for the start-up log. */
export const describeModelFromEnv = (env: ModelEnv = process.env): string => {
	const choice = modelSettingsFromEnv(env)
	if (choice.kind === 'offline')
		return 'offline model (OPENAI_API_KEY is not set): deterministic replies, no network'
	const api = choice.api === 'responses' ? 'the Responses API' : 'Chat Completions'
	const where = choice.baseURL ? safeUrl(choice.baseURL) : 'api.openai.com'
	return `OpenAI model "${choice.name}" via ${api} at ${where}`
}
