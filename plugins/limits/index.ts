import { Elysia } from 'elysia'
import {
	type RequestGuard,
	type RequestGuardArgs,
	type RequestGuardResult,
	requestGuard
} from '../../src/chatkit'
import { type Env, envInteger, instanceIdFromEnv, isProduction, readEnv } from '../../src/config'
import { withRefusalCode } from '../../src/lifecycle'
import type { ChatKitContext } from '../../src/store/types'
import { type HitResult, leaseOwnerOf, MemoryRateLimitBackend, type RateLimitBackend } from './backend'
import { checkFields, defaultFieldLimits, type FieldLimits } from './fields'
import { rateLimitBackendFor } from './sql'

export * from './backend'
export * from './fields'
export * from './sql'

/** The texts a refused user reads (in the stream's `error` event or the 429 body). */
export interface LimitMessages {
	/** Over the request rate; `seconds` until one more request fits. */
	rateLimited: (seconds: number) => string
	/** All of the user's stream slots are taken. */
	tooManyStreams: (max: number) => string
}

/** What `onRefuse` learns about a refused request (never its content). */
export interface LimitRefusal {
	reason: 'rate_limited' | 'too_many_streams' | 'limit_exceeded'
	/** The request type, e.g. `threads.add_user_message`. */
	type: string
	/** The limiter key (tenant and user) for rate refusals; `null` for field limits. */
	key: string | null
}

export interface LimitsOptions<C extends ChatKitContext = ChatKitContext> {
	/**
	 * Requests per user per minute, over a sliding window, for every request type; `0` turns the limit off.
	 * @default RATE_LIMIT_PER_MINUTE from `env`, else 120
	 */
	requestsPerMinute?: number
	/**
	 * Event streams (new messages, retries, actions, tool outputs) one user may have open at once; `0`
	 * turns the limit off. A slot is free again when its stream ends or its client goes away.
	 * @default MAX_CONCURRENT_STREAMS from `env`, else 4
	 */
	maxConcurrentStreams?: number
	/**
	 * Where the counts live. By default, tables in the database of the store the endpoint uses (from a
	 * store plugin or `chatkit({ store })`; SQLite or PostgreSQL from `plugins/store`), so that every
	 * instance over that database shares them; for any other store, this process's memory.
	 * @default rateLimitBackendFor(store) ?? new MemoryRateLimitBackend()
	 * @example limits({ backend: new PostgresRateLimitBackend(postgres(process.env.LIMITS_DATABASE_URL!)) })
	 */
	backend?: RateLimitBackend
	/**
	 * Whose budget a request spends; `null` exempts the request from the rate and stream limits.
	 * @default tenant and user id: JSON.stringify([user.tenantId ?? '', user.id])
	 * @example (user) => (user.roles?.includes('service') ? null : `${user.tenantId}:${user.id}`)
	 */
	key?: (user: C['user'], args: RequestGuardArgs<C>) => string | null
	/**
	 * How a streaming request over a limit is answered: `'event'`, a `200` event stream holding one
	 * `error` event that the ChatKit UI shows in the thread with a retry button; or `'status'`, a `429`
	 * JSON answer like the other request types get.
	 * @default 'event'
	 */
	streamRefusal?: 'event' | 'status'
	/**
	 * Field size limits (answered with `422 limit_exceeded`); `false` turns them off.
	 * @default defaultFieldLimits (32000-character messages, 1000-character titles, 10 attachments, ...)
	 */
	fields?: Partial<FieldLimits> | false
	/**
	 * The texts users read when refused.
	 * @default English texts
	 */
	messages?: Partial<LimitMessages>
	/**
	 * How long a stream slot lives without renewal; an open stream renews it every third of this. A slot
	 * held by an instance that stopped without releasing it is free again after at most this long.
	 * @default 60000
	 */
	streamLeaseMs?: number
	/**
	 * Names this instance in the stream slots it takes. When the first request of a process reaches the
	 * limiter, it gives back every slot still held under this id: slots of a predecessor that crashed, whose
	 * streams cannot be open any more, so a user is not kept waiting for their leases to expire. Give each
	 * running process its own id that a restart keeps (the pod or host name of a single-process container);
	 * two live processes must never share one. Unset, slots of a crashed process expire after `streamLeaseMs`.
	 * @default INSTANCE_ID from `env`, else none
	 * @example limits({ instanceId: process.env.HOSTNAME })
	 */
	instanceId?: string
	/**
	 * Called for every refused request, e.g. to count refusals in metrics.
	 * @default undefined
	 */
	onRefuse?: (refusal: LimitRefusal) => void
	/**
	 * Receives a line when the backend fails (requests are admitted meanwhile), at most once a minute.
	 * @default console.warn
	 */
	log?: (message: string) => void
	/**
	 * The clock, in epoch milliseconds (tests move it instead of waiting).
	 * @default Date.now
	 */
	now?: () => number
	/**
	 * Where `RATE_LIMIT_PER_MINUTE`, `MAX_CONCURRENT_STREAMS` and `NODE_ENV` are read.
	 * @default process.env
	 */
	env?: Env
}

const MINUTE = 60_000
let instances = 0

export const defaultLimitMessages: LimitMessages = {
	rateLimited: (seconds) =>
		`You are sending requests too quickly. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
	tooManyStreams: (max) =>
		`You already have ${max} repl${max === 1 ? 'y' : 'ies'} in progress. Wait for one to finish, then try again.`
}

const JSON_HEADERS = { 'content-type': 'application/json' }
const SSE_HEADERS = {
	'content-type': 'text/event-stream',
	'cache-control': 'no-cache',
	'x-accel-buffering': 'no'
}

/** A non-negative integer option; a wrong value throws, naming it. */
const count = (name: string, value: number | undefined, fallback: number): number => {
	if (value === undefined) return fallback
	if (!Number.isInteger(value) || value < 0)
		throw new Error(`${name}: expected a whole number of 0 or more, got '${value}'`)
	return value
}

/** The limits the environment sets. */
export interface LimitsSettings {
	requestsPerMinute: number
	maxConcurrentStreams: number
}

/**
 * `RATE_LIMIT_PER_MINUTE` (default 120) and `MAX_CONCURRENT_STREAMS` (default 4), whole numbers of 0 or
 * more; `0` turns a limit off.
 * @throws ConfigError naming the wrong variables
 */
export const limitsFromEnv = (env: Env = process.env): LimitsSettings =>
	readEnv<LimitsSettings>({
		requestsPerMinute: () => envInteger(env, 'RATE_LIMIT_PER_MINUTE', 120),
		maxConcurrentStreams: () => envInteger(env, 'MAX_CONCURRENT_STREAMS', 4)
	})

const describeError = (error: unknown) => {
	const code = (error as { code?: unknown })?.code
	const name = error instanceof Error ? error.name : typeof error
	return typeof code === 'string' ? `${name} ${code}` : name
}

/**
 * Per-user rate limits for the ChatKit endpoint: requests per minute (sliding window) and concurrent
 * event streams, keyed by tenant and user, plus field size limits. Counts live in the store's database
 * by default, so several instances share them. Runs inside `chatkit()` after authentication and
 * parsing, before the engine reads or writes anything.
 *
 * @example
 * new Elysia()
 *   .use(drizzleStore({ url: process.env.DATABASE_URL }))
 *   .use(jwtAuth({ secret: process.env.JWT_SECRET! }))
 *   .use(limits({ requestsPerMinute: 60, maxConcurrentStreams: 2 }))
 *   .use(agent({ instructions: '…' }))
 *   .use(chatkit())
 */
export const limits = <C extends ChatKitContext = ChatKitContext>(options: LimitsOptions<C> = {}) => {
	const env = options.env ?? process.env
	const fromEnv =
		options.requestsPerMinute === undefined || options.maxConcurrentStreams === undefined
			? limitsFromEnv(env)
			: undefined
	const perMinute = count('requestsPerMinute', options.requestsPerMinute ?? fromEnv?.requestsPerMinute, 120)
	const maxStreams = count(
		'maxConcurrentStreams',
		options.maxConcurrentStreams ?? fromEnv?.maxConcurrentStreams,
		4
	)
	const leaseMs = count('streamLeaseMs', options.streamLeaseMs, MINUTE)
	if (leaseMs < 1000) throw new Error(`streamLeaseMs: expected at least 1000, got '${leaseMs}'`)
	const fields = options.fields === false ? undefined : { ...defaultFieldLimits, ...options.fields }
	if (fields) for (const [name, value] of Object.entries(fields)) count(`fields.${name}`, value, 0)
	const messages = { ...defaultLimitMessages, ...options.messages }
	const streamRefusal = options.streamRefusal ?? 'event'
	const now = options.now ?? Date.now
	const log = options.log ?? console.warn
	const instanceId = options.instanceId ?? instanceIdFromEnv(env)
	const owner = instanceId === undefined ? undefined : leaseOwnerOf(instanceId)
	/** Per backend: the release of this instance id's earlier slots, awaited before the first one is taken. */
	const released = new WeakMap<RateLimitBackend, Promise<void>>()
	const releaseEarlierSlots = (backend: RateLimitBackend): Promise<void> | undefined => {
		if (owner === undefined || !backend.releaseOwner) return undefined
		let done = released.get(backend)
		if (!done) {
			done = backend
				.releaseOwner(owner)
				.catch((error) => logFailure('releasing the slots of an earlier run of this instance', error))
			released.set(backend, done)
		}
		return done
	}
	const keyOf =
		options.key ?? ((user: C['user']) => JSON.stringify([user.tenantId ?? '', user.id]) as string | null)

	let lastLogged = Number.NEGATIVE_INFINITY
	const logFailure = (what: string, error: unknown) => {
		if (Date.now() - lastLogged < MINUTE) return
		lastLogged = Date.now()
		log(
			`[elysia-chatkit/limits] ${what} failed (${describeError(error)}); requests are admitted meanwhile`
		)
	}

	/** One backend per store: a plugin instance used by several apps counts in each app's own database. */
	const backends = new WeakMap<object, RateLimitBackend>()
	let inMemory: RateLimitBackend | undefined
	const memoryBackend = () => {
		if (isProduction(env) && !inMemory)
			log(
				'[elysia-chatkit/limits] the store keeps no SQLite or PostgreSQL database: rate limits are counted in memory, per instance (pass `backend` to share them)'
			)
		inMemory ??= new MemoryRateLimitBackend()
		return inMemory
	}

	const backendFor = (store: unknown): RateLimitBackend => {
		if (options.backend) return options.backend
		if (typeof store !== 'object' || store === null) return memoryBackend()
		let backend = backends.get(store)
		if (!backend) {
			backend = rateLimitBackendFor(store) ?? memoryBackend()
			backends.set(store, backend)
		}
		return backend
	}

	const refuse = (
		streaming: boolean,
		code: 'rate_limited' | 'too_many_streams',
		message: string,
		retryAfter?: number
	) => {
		const retry: Record<string, string> =
			retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }
		if (streaming && streamRefusal === 'event')
			return withRefusalCode(
				new Response(
					`data: ${JSON.stringify({ type: 'error', code: 'custom', message, allow_retry: true })}\n\n`,
					{ headers: { ...SSE_HEADERS, ...retry } }
				),
				code
			)
		return new Response(JSON.stringify({ code, message }), {
			status: 429,
			headers: { ...JSON_HEADERS, ...retry }
		})
	}

	const release = (active: RateLimitBackend, key: string, lease: string) => {
		active.releaseStream(key, lease).catch((error) => logFailure('releasing a stream slot', error))
	}

	const holdLease = (active: RateLimitBackend, key: string, lease: string) => {
		const renew = setInterval(() => {
			active
				.renewStream(key, lease, leaseMs, now())
				.catch((error) => logFailure('renewing a stream slot', error))
		}, leaseMs / 3)
		renew.unref?.()
		return {
			release() {
				clearInterval(renew)
				release(active, key, lease)
			}
		}
	}

	const limitRequest: RequestGuard<C> = async function limitRequest(args): Promise<RequestGuardResult> {
		const { chatkitRequest, streaming, context } = args
		const violation = fields && checkFields(chatkitRequest, fields)
		if (violation) {
			options.onRefuse?.({ reason: 'limit_exceeded', type: chatkitRequest.type, key: null })
			return new Response(
				JSON.stringify({ code: 'limit_exceeded', message: violation.message, details: [violation] }),
				{ status: 422, headers: JSON_HEADERS }
			)
		}
		const limitStreams = streaming && maxStreams > 0
		if (perMinute === 0 && !limitStreams) return
		const key = keyOf(context.user, args)
		if (key === null) return
		let active: RateLimitBackend
		let lease: string | null | undefined
		try {
			active = backendFor(args.store)
			if (limitStreams) await releaseEarlierSlots(active)
			lease = limitStreams
				? await active.acquireStream(key, maxStreams, leaseMs, now(), owner)
				: undefined
		} catch (error) {
			logFailure('the rate limit backend', error)
			return
		}
		if (lease === null) {
			options.onRefuse?.({ reason: 'too_many_streams', type: chatkitRequest.type, key })
			return refuse(streaming, 'too_many_streams', messages.tooManyStreams(maxStreams))
		}
		let hit: HitResult | undefined
		try {
			hit = perMinute > 0 ? await active.hit(key, MINUTE, perMinute, now()) : undefined
		} catch (error) {
			logFailure('the rate limit backend', error)
		}
		if (hit && !hit.allowed) {
			if (lease) release(active, key, lease)
			options.onRefuse?.({ reason: 'rate_limited', type: chatkitRequest.type, key })
			const seconds = Math.ceil(hit.retryAfterMs / 1000)
			return refuse(streaming, 'rate_limited', messages.rateLimited(seconds), seconds)
		}
		if (lease === undefined) return
		return holdLease(active, key, lease)
	}

	return new Elysia({
		name: 'elysia-chatkit/limits',
		seed: {
			perMinute,
			maxStreams,
			leaseMs,
			fields: fields ?? false,
			streamRefusal,
			instance: ++instances
		}
	}).decorate(requestGuard('limits', limitRequest as unknown as RequestGuard))
}
