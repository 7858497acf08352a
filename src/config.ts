/** Environment variables as `process.env` holds them. */
export type Env = Record<string, string | undefined>

/** One wrong setting: the variable (or option) at fault and what is wrong with it, never its value. */
export interface ConfigProblem {
	variable: string
	message: string
}

/**
 * A configuration value that is wrong. Every `…FromEnv()` reader of the package throws it (the auth
 * plugin's `AuthConfigError` is one); the message names the variables, never their values.
 */
export class ConfigError extends Error {
	/** The variables (or options) at fault. */
	readonly variables: string[]
	/** Each wrong variable with what is wrong. */
	readonly problems: ConfigProblem[]
	constructor(problems: ConfigProblem[], message?: string) {
		super(
			message ??
				(problems.length === 1
					? `${problems[0]?.variable}: ${problems[0]?.message}`
					: `Invalid configuration:\n${problems.map((problem) => `  ${problem.variable}: ${problem.message}`).join('\n')}`)
		)
		this.name = 'ConfigError'
		this.problems = problems
		this.variables = problems.map((problem) => problem.variable)
	}
}

/** A variable's value, trimmed; empty counts as unset (`undefined`). */
export const envString = (env: Env, name: string): string | undefined => env[name]?.trim() || undefined

/**
 * A whole-number variable between `min` and `max`, or `fallback` when unset.
 * @throws ConfigError naming the variable
 */
export const envInteger = (
	env: Env,
	name: string,
	fallback: number,
	{ min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {}
): number => {
	const value = envString(env, name)
	if (value === undefined) return fallback
	const parsed = /^[+-]?\d+$/.test(value) ? Number(value) : Number.NaN
	if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max)
		throw new ConfigError([
			{
				variable: name,
				message:
					max === Number.MAX_SAFE_INTEGER
						? `expected a whole number of ${min} or more`
						: `expected a whole number from ${min} to ${max}`
			}
		])
	return parsed
}

/** A comma-separated variable as a list of trimmed, non-empty entries (`[]` when unset). */
export const envList = (env: Env, name: string): string[] =>
	(env[name] ?? '')
		.split(',')
		.map((entry) => entry.trim())
		.filter(Boolean)

/**
 * Runs one reader per setting and returns the settings, or throws one `ConfigError` that lists every
 * wrong variable (not only the first).
 * @example readEnv({ port: () => envInteger(env, 'PORT', 8000), path: () => chatkitPathFromEnv(env) })
 */
export const readEnv = <T extends object>(readers: { [K in keyof T]: () => T[K] }): T => {
	const problems: ConfigProblem[] = []
	const settings: Partial<T> = {}
	for (const key of Object.keys(readers) as (keyof T)[]) {
		try {
			settings[key] = readers[key]()
		} catch (error) {
			if (!(error instanceof ConfigError)) throw error
			problems.push(...error.problems)
		}
	}
	if (problems.length) throw new ConfigError(problems)
	return settings as T
}

/** Whether `NODE_ENV` is `production`. */
export const isProduction = (env: Env = process.env): boolean => envString(env, 'NODE_ENV') === 'production'

/** The longest instance id: it prefixes turn ids, which a store keeps to 255 characters. */
export const MAX_INSTANCE_ID_LENGTH = 64

/**
 * An instance id as given, 1 to 64 characters (`name`, the variable or option it came from, is in the error).
 * @throws ConfigError otherwise
 */
export const checkInstanceId = (value: string, name: string): string => {
	if (value === '' || value.length > MAX_INSTANCE_ID_LENGTH)
		throw new ConfigError([
			{ variable: name, message: `must be 1 to ${MAX_INSTANCE_ID_LENGTH} characters` }
		])
	return value
}

/**
 * `INSTANCE_ID`: this process's name, kept across its restarts (the pod or host name), or `undefined`.
 * @throws ConfigError when it is longer than 64 characters
 */
export const instanceIdFromEnv = (env: Env = process.env): string | undefined => {
	const value = envString(env, 'INSTANCE_ID')
	return value === undefined ? undefined : checkInstanceId(value, 'INSTANCE_ID')
}

/** The protocol endpoint when neither the `path` option nor `CHATKIT_PATH` sets one. */
export const DEFAULT_CHATKIT_PATH = '/chatkit'

/** The request body limit when neither the `maxBodyBytes` option nor `MAX_BODY_BYTES` sets one: 4 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024

/** The request body deadline when neither the `bodyTimeoutMs` option nor `BODY_TIMEOUT_MS` sets one: 10 s. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000

/** Seconds a connection may stay silent (no bytes either way) before the server closes it, unless `IDLE_TIMEOUT_SECONDS` says otherwise. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 30

/**
 * `BODY_TIMEOUT_MS`, the milliseconds a client has to send a request body (10 000 when unset).
 * @throws ConfigError when it is not a whole number from 1 to 600000
 */
export const bodyTimeoutMsFromEnv = (env: Env = process.env): number =>
	envInteger(env, 'BODY_TIMEOUT_MS', DEFAULT_BODY_TIMEOUT_MS, { min: 1, max: 600_000 })

/**
 * `IDLE_TIMEOUT_SECONDS`, Bun.serve's `idleTimeout` (30 when unset; `0` turns it off).
 * @throws ConfigError when it is not a whole number from 0 to 255
 */
export const idleTimeoutFromEnv = (env: Env = process.env): number =>
	envInteger(env, 'IDLE_TIMEOUT_SECONDS', DEFAULT_IDLE_TIMEOUT_SECONDS, { max: 255 })

/**
 * `CHATKIT_PATH`, the protocol endpoint (`/chatkit` when unset).
 * @throws ConfigError when it does not start with `/` or holds whitespace
 */
export const chatkitPathFromEnv = (env: Env = process.env): string => {
	const value = envString(env, 'CHATKIT_PATH')
	if (value === undefined) return DEFAULT_CHATKIT_PATH
	if (!/^\/\S*$/.test(value))
		throw new ConfigError([{ variable: 'CHATKIT_PATH', message: 'must start with / and hold no spaces' }])
	return value
}

/**
 * `MAX_BODY_BYTES`, the request body limit in bytes (4 MiB when unset).
 * @throws ConfigError when it is not a positive whole number
 */
export const maxBodyBytesFromEnv = (env: Env = process.env): number =>
	envInteger(env, 'MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, { min: 1 })

/** What the core reads from the environment to serve: where to listen and the endpoint's settings. */
export interface ServerConfig {
	/** `HOST`, default `127.0.0.1`. */
	host: string
	/** `PORT`, default `8000` (`0` picks a free port). */
	port: number
	/** `CHATKIT_PATH`, default `/chatkit`. */
	path: string
	/** `MAX_BODY_BYTES`, default 4 MiB. */
	maxBodyBytes: number
	/** `BODY_TIMEOUT_MS`, default 10 000. */
	bodyTimeoutMs: number
	/** `IDLE_TIMEOUT_SECONDS` (Bun.serve `idleTimeout`), default 30. */
	idleTimeout: number
	/** `NODE_ENV=production`. */
	production: boolean
}

/**
 * Reads `HOST`, `PORT`, `CHATKIT_PATH`, `MAX_BODY_BYTES`, `BODY_TIMEOUT_MS`, `IDLE_TIMEOUT_SECONDS` and `NODE_ENV`. The other variables of the
 * configuration table are read by the plugin they configure (`authFromEnv`, `chatkitCors`, `limits`,
 * `createStore`, `modelFromEnv`), each with one parser.
 *
 * @throws ConfigError naming every wrong variable
 * @example
 * const server = serverConfigFromEnv()
 * new Elysia().use(chatkit({ path: server.path, maxBodyBytes: server.maxBodyBytes })).listen(server)
 */
export const serverConfigFromEnv = (env: Env = process.env): ServerConfig =>
	readEnv<ServerConfig>({
		host: () => envString(env, 'HOST') ?? '127.0.0.1',
		port: () => envInteger(env, 'PORT', 8000, { max: 65535 }),
		path: () => chatkitPathFromEnv(env),
		maxBodyBytes: () => maxBodyBytesFromEnv(env),
		bodyTimeoutMs: () => bodyTimeoutMsFromEnv(env),
		idleTimeout: () => idleTimeoutFromEnv(env),
		production: () => isProduction(env)
	})
