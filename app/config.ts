import { type Env, envInteger, readEnv, serverConfigFromEnv } from 'elysia-chatkit'
import { modelSettingsFromEnv } from 'elysia-chatkit/plugins/agent'
import { authModeFromEnv } from 'elysia-chatkit/plugins/auth'
import { corsOriginsFromEnv } from 'elysia-chatkit/plugins/cors'
import { limitsFromEnv } from 'elysia-chatkit/plugins/limits'
import { databaseFromEnv } from 'elysia-chatkit/plugins/store'

/**
 * The configuration table of the README, each concern read by the package's own parser for it, so that
 * one `ConfigError` lists every wrong variable before anything is opened.
 * @throws ConfigError
 */
export const readConfig = (env: Env = process.env) =>
	readEnv({
		server: () => serverConfigFromEnv(env),
		database: () => databaseFromEnv(env),
		authMode: () => authModeFromEnv(env),
		corsOrigins: () => corsOriginsFromEnv(env),
		limits: () => limitsFromEnv(env),
		model: () => modelSettingsFromEnv(env),
		shutdownTimeoutMs: () => shutdownTimeoutFromEnv(env)
	})

/** How long running turns may go on after SIGTERM when `SHUTDOWN_TIMEOUT_MS` is unset. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 20_000

/**
 * `SHUTDOWN_TIMEOUT_MS`: after SIGTERM, how long running turns may go on before they are cancelled.
 * @throws ConfigError when it is not a whole number
 */
export const shutdownTimeoutFromEnv = (env: Env = process.env): number =>
	envInteger(env, 'SHUTDOWN_TIMEOUT_MS', DEFAULT_SHUTDOWN_TIMEOUT_MS)

export type AppConfig = ReturnType<typeof readConfig>
