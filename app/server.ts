import { Elysia } from 'elysia'
import { chatkit, type Env, logRequest, RunningTurns } from 'elysia-chatkit'
import { agent, describeModelFromEnv, modelFromEnv } from 'elysia-chatkit/plugins/agent'
import { authFromEnv } from 'elysia-chatkit/plugins/auth'
import { chatkitCors } from 'elysia-chatkit/plugins/cors'
import { health } from 'elysia-chatkit/plugins/health'
import { limits } from 'elysia-chatkit/plugins/limits'
import { playground } from 'elysia-chatkit/plugins/playground'
import { createStore, drizzleStore } from 'elysia-chatkit/plugins/store'
import { tools } from 'elysia-chatkit/plugins/tools'
import { type AppConfig, readConfig } from './config'
import { currentTime, DEMO_INSTRUCTIONS, demoActions, demoTools } from './demo'

/**
 * What `bun run dev` / `bun start` serve, built from the environment alone. Every plugin reads its own
 * variables; the store is opened last, once everything else has been checked.
 * @throws ConfigError naming the wrong variables
 */
export const createServer = (env: Env = process.env) => {
	const config = readConfig(env)
	const cors = chatkitCors({ env })
	const auth = authFromEnv(env)
	const limiter = limits({ env })
	const model = modelFromEnv(env)
	const store = createStore(config.database)
	const turns = new RunningTurns()
	const app = new Elysia()
		.use(cors)
		.use(drizzleStore({ store }))
		.onStop(async function closeStore() {
			await store.close()
		})
		.use(health({ store }))
		.use(playground({ chatkitPath: config.server.path, enabled: !config.server.production }))
		.use(auth)
		.use(limiter)
		.use(demoActions)
		.use(tools(demoTools))
		.use(agent({ instructions: DEMO_INSTRUCTIONS, model, tools: [currentTime] }))
		.use(
			chatkit({
				path: config.server.path,
				maxBodyBytes: config.server.maxBodyBytes,
				bodyTimeoutMs: config.server.bodyTimeoutMs,
				turns,
				onRequestEnd: logRequest
			})
		)
	return { app, store, config, turns }
}

/** The start-up summary: what runs, and what to change for production. */
export const describeServer = (config: AppConfig, env: Env = process.env) => {
	const { database } = config
	const store =
		database.dialect === 'sqlite'
			? `SQLite file ${database.path}`
			: database.dialect === 'postgresql'
				? 'PostgreSQL'
				: 'in memory (nothing survives a restart)'
	const lines = [
		`  store: ${store}`,
		`  model: ${describeModelFromEnv(env)}`,
		`  auth:  ${config.authMode === 'none' ? 'none (every request is the development user)' : config.authMode}`
	]
	const advice: string[] = []
	if (database.dialect !== 'postgresql')
		advice.push('DATABASE_URL=postgres://… (several instances share one database)')
	if (config.authMode === 'none') advice.push('AUTH_MODE=jwt with JWT_SECRET, JWT_PUBLIC_KEY or JWKS_URL')
	if (config.model.kind === 'offline') advice.push('OPENAI_API_KEY (and OPENAI_MODEL) for a real model')
	if (!config.corsOrigins.length)
		advice.push('CORS_ORIGINS=https://your.site,https://cdn.platform.openai.com')
	if (advice.length) lines.push('  for production, set:', ...advice.map((entry) => `    ${entry}`))
	return lines.join('\n')
}
