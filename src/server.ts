import { Elysia } from 'elysia'
import { agent, describeModelFromEnv, modelFromEnv } from '../plugins/agent'
import { authFromEnv } from '../plugins/auth'
import { chatkitCors } from '../plugins/cors'
import { limits } from '../plugins/limits'
import { playground } from '../plugins/playground'
import { type ChatKitStore, createStore, drizzleStore, parseDatabaseUrl } from '../plugins/store'
import { tools } from '../plugins/tools'
import { chatkit } from './chatkit'
import type { Config } from './config'
import { currentTime, DEMO_INSTRUCTIONS, demoActions, demoTools } from './demo'

/** What `bun run dev` / `bun start` serve, built from the configuration alone. */
export const createServer = (config: Config, env: Record<string, string | undefined> = process.env) => {
	const store: ChatKitStore = createStore(config.DATABASE_URL)
	const app = new Elysia()
		.use(chatkitCors({ env }))
		.use(drizzleStore({ store }))
		.onStop(async function closeStore() {
			await store.close()
		})
		.get('/health', async function health({ set }) {
			try {
				await store.loadThreads(1, null, 'desc', { user: { id: '__health__' } })
				return { status: 'ok', store: store.dialect }
			} catch {
				set.status = 503
				return { status: 'unavailable', store: store.dialect }
			}
		})
		.use(playground({ chatkitPath: config.CHATKIT_PATH, enabled: config.NODE_ENV !== 'production' }))
		.use(authFromEnv(env))
		.use(
			limits({
				requestsPerMinute: config.RATE_LIMIT_PER_MINUTE,
				maxConcurrentStreams: config.MAX_CONCURRENT_STREAMS,
				env
			})
		)
		.use(demoActions)
		.use(tools(demoTools))
		.use(agent({ instructions: DEMO_INSTRUCTIONS, model: modelFromEnv(env), tools: [currentTime] }))
		.use(chatkit({ path: config.CHATKIT_PATH, maxBodyBytes: config.MAX_BODY_BYTES }))
	return { app, store }
}

/** The start-up summary: what runs, and what to change for production. */
export const describeServer = (config: Config, env: Record<string, string | undefined> = process.env) => {
	const target = parseDatabaseUrl(config.DATABASE_URL)
	const store =
		target.dialect === 'sqlite'
			? `SQLite file ${target.path}`
			: target.dialect === 'postgresql'
				? 'PostgreSQL'
				: 'in memory (nothing survives a restart)'
	const lines = [
		`  store: ${store}`,
		`  model: ${describeModelFromEnv(env)}`,
		`  auth:  ${config.AUTH_MODE === 'none' ? 'none (every request is the development user)' : config.AUTH_MODE}`
	]
	const advice: string[] = []
	if (target.dialect !== 'postgresql')
		advice.push('DATABASE_URL=postgres://… (several instances share one database)')
	if (config.AUTH_MODE === 'none') advice.push('AUTH_MODE=jwt with JWT_SECRET, JWT_PUBLIC_KEY or JWKS_URL')
	if (!config.OPENAI_API_KEY) advice.push('OPENAI_API_KEY (and OPENAI_MODEL) for a real model')
	if (!config.CORS_ORIGINS) advice.push('CORS_ORIGINS=https://your.site,https://cdn.platform.openai.com')
	if (advice.length) lines.push('  for production, set:', ...advice.map((entry) => `    ${entry}`))
	return lines.join('\n')
}
