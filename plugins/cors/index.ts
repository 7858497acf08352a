import { cors } from '@elysiajs/cors'
import { Elysia } from 'elysia'
import { ConfigError, type Env, envList, isProduction } from '../../src/config'

/** The headers the ChatKit web component sends, plus the ones an app's own `fetch` usually adds. */
export const chatkitRequestHeaders = [
	'content-type',
	'authorization',
	'accept',
	'accept-language',
	'chatkit-device-id',
	'chatkit-frame-instance-id',
	'x-requested-with'
]

/** The origin of the OpenAI-hosted ChatKit UI (its iframe). */
export const chatkitUiOrigin = 'https://cdn.platform.openai.com'

export interface ChatKitCorsOptions {
	/**
	 * Origins (`scheme://host[:port]`) allowed to call the server from a browser, with credentials.
	 * Add `https://cdn.platform.openai.com` when the OpenAI-hosted ChatKit UI calls the server directly.
	 * When neither this nor `CORS_ORIGINS` lists any, and `NODE_ENV` is not `production`, any
	 * `localhost` / `127.0.0.1` / `[::1]` origin (any port) is allowed; in production none is.
	 *
	 * @default `CORS_ORIGINS` from `env`, comma-separated
	 * @example ['https://app.example.com', 'https://cdn.platform.openai.com']
	 */
	origins?: string[]
	/**
	 * Request headers a browser may send cross-origin.
	 *
	 * @default chatkitRequestHeaders (content-type, authorization, accept, accept-language, chatkit-device-id, chatkit-frame-instance-id, x-requested-with)
	 */
	allowedHeaders?: string[]
	/**
	 * Response headers a browser script may read beyond the CORS-safelisted ones. `Retry-After` (sent
	 * with the limits plugin's refusals) is listed so that a page on another origin can read it.
	 *
	 * @default ['retry-after']
	 */
	exposeHeaders?: string[]
	/**
	 * Methods a browser may use cross-origin.
	 *
	 * @default ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']
	 */
	methods?: string[]
	/**
	 * Send `Access-Control-Allow-Credentials: true` (cookies, Authorization) to allowed origins.
	 * Never sent to other origins.
	 *
	 * @default true
	 */
	credentials?: boolean
	/**
	 * Seconds a browser may cache a preflight answer.
	 *
	 * @default 600
	 */
	maxAge?: number
	/**
	 * Receives the start-up warning when production has no allow-list.
	 *
	 * @default console.warn
	 */
	log?: (message: string) => void
	/**
	 * Where `CORS_ORIGINS` and `NODE_ENV` are read.
	 *
	 * @default process.env
	 */
	env?: Env
}

const localOrigin = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/

/** `scheme://host[:port]` with no trailing slash, or `undefined` when the value is not such an origin. */
const asOrigin = (origin: string): string | undefined => {
	const value = origin.trim().replace(/\/+$/, '')
	let parsed: URL | undefined
	try {
		parsed = new URL(value)
	} catch {}
	return parsed && parsed.origin === value && /^https?:$/.test(parsed.protocol) ? value : undefined
}

function normaliseOrigin(origin: string, setting: string) {
	if (origin.trim() === '*')
		throw new ConfigError([
			{ variable: setting, message: "'*' is not accepted; list the origins that may call the server" }
		])
	const value = asOrigin(origin)
	if (!value)
		throw new ConfigError([
			{ variable: setting, message: `'${origin}' is not an origin (scheme://host[:port], no path)` }
		])
	return value
}

/**
 * `CORS_ORIGINS`: the comma-separated origins allowed to call the server from a browser, each as
 * `scheme://host[:port]` (a trailing `/` is dropped). The CORS plugin and `authFromEnv` (trusted
 * origins for cookies) both read it here.
 *
 * @throws ConfigError naming `CORS_ORIGINS` (not its value) when an entry is `*` or not an origin
 * @example corsOriginsFromEnv({ CORS_ORIGINS: 'https://app.example.com, https://cdn.platform.openai.com' })
 */
export const corsOriginsFromEnv = (env: Env = process.env): string[] =>
	envList(env, 'CORS_ORIGINS').map((entry, index) => {
		const origin = entry === '*' ? undefined : asOrigin(entry)
		if (!origin)
			throw new ConfigError([
				{
					variable: 'CORS_ORIGINS',
					message: `entry ${index + 1} is ${entry === '*' ? "'*', which is not accepted" : 'not an origin'}; list origins like https://app.example.com (no path, no *)`
				}
			])
		return origin
	})

/**
 * CORS for a ChatKit server, on `@elysiajs/cors`: an origin allow-list (from options or `CORS_ORIGINS`),
 * preflight answers that accept the ChatKit client's headers, and credentials only for allowed origins.
 * Without a configured list it allows only localhost origins, and only outside production.
 *
 * @example new Elysia().use(chatkitCors({ origins: ['https://app.example.com', chatkitUiOrigin] }))
 */
export function chatkitCors(options: ChatKitCorsOptions = {}) {
	const {
		env = process.env,
		allowedHeaders = chatkitRequestHeaders,
		exposeHeaders = ['retry-after'],
		methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
		credentials = true,
		maxAge = 600,
		log = console.warn
	} = options
	const configured = options.origins
		? options.origins.map((origin) => normaliseOrigin(origin, 'chatkitCors option `origins`'))
		: corsOriginsFromEnv(env)
	const production = isProduction(env)
	const allowed = new Set(configured)
	const localhostDefault = allowed.size === 0 && !production
	if (allowed.size === 0 && production)
		log(
			'[elysia-chatkit/cors] no CORS_ORIGINS configured under NODE_ENV=production: cross-origin browser requests are refused'
		)

	const isAllowed = (origin: string | null) =>
		origin !== null && (allowed.has(origin) || (localhostDefault && localOrigin.test(origin)))
	const allowRequest = Object.assign((request: Request) => isAllowed(request.headers.get('origin')), {
		toJSON: () => ({ origins: [...allowed], localhostDefault })
	})

	return new Elysia({
		name: 'elysia-chatkit/cors',
		seed: { ...options, env: undefined, log: undefined, allowed: [...allowed], localhostDefault }
	})
		.onRequest(function allowCredentials({ request, set }) {
			if (credentials && isAllowed(request.headers.get('origin')))
				set.headers['access-control-allow-credentials'] = 'true'
		})
		.use(
			cors({
				origin: allowRequest,
				methods,
				allowedHeaders,
				// `false` sends no expose header at all (an empty list would send an empty one)
				exposeHeaders: exposeHeaders.length ? exposeHeaders : (false as unknown as string),
				credentials: false,
				maxAge,
				preflight: true
			})
		)
}

export default chatkitCors
