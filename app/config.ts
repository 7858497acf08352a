import { type Env, readEnv, serverConfigFromEnv } from 'elysia-chatkit'
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
		model: () => modelSettingsFromEnv(env)
	})

export type AppConfig = ReturnType<typeof readConfig>
