import type { RequestOutcome } from '../lifecycle'

/** Log levels, most severe first. `silent` logs nothing. */
export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Values a log line may carry: ids, names, counts, codes. Never message text, tokens or credentials. */
export type LogFields = Record<string, string | number | boolean | null | undefined>

const rank = (level: LogLevel) => LOG_LEVELS.indexOf(level)

const isLevel = (value: string | undefined): value is LogLevel =>
	value !== undefined && (LOG_LEVELS as readonly string[]).includes(value)

/**
 * The package's one logger. Under `NODE_ENV=production` (or `LOG_FORMAT=json`) each line is one JSON
 * object on stdout (`level`, `time`, `msg` and the fields); otherwise a short text line, errors and
 * warnings on stderr. `LOG_LEVEL` (`silent`, `error`, `warn`, `info`, `debug`) sets what is written:
 * `info` in production (one line per request), `warn` in development (quiet). Both are read on each call.
 */
export const logger = {
	/** Whether a line of `level` would be written now. */
	enabled(level: Exclude<LogLevel, 'silent'>): boolean {
		const configured = process.env.LOG_LEVEL?.trim().toLowerCase()
		const threshold = isLevel(configured)
			? configured
			: process.env.NODE_ENV === 'production'
				? 'info'
				: 'warn'
		return rank(level) <= rank(threshold)
	},
	write(level: Exclude<LogLevel, 'silent'>, msg: string, fields: LogFields = {}): void {
		if (!logger.enabled(level)) return
		const json = process.env.NODE_ENV === 'production' || process.env.LOG_FORMAT === 'json'
		if (json) {
			process.stdout.write(
				`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields })}\n`
			)
			return
		}
		const extra = Object.entries(fields)
			.filter(([, value]) => value !== undefined && value !== null)
			.map(([key, value]) => (key === 'stack' ? `\n${value}` : ` ${key}=${value}`))
			.join('')
		const line = `[elysia-chatkit] ${msg}${extra}`
		if (level === 'error') console.error(line)
		else if (level === 'warn') console.warn(line)
		else console.log(line)
	},
	error: (msg: string, fields?: LogFields) => logger.write('error', msg, fields),
	warn: (msg: string, fields?: LogFields) => logger.write('warn', msg, fields),
	info: (msg: string, fields?: LogFields) => logger.write('info', msg, fields),
	debug: (msg: string, fields?: LogFields) => logger.write('debug', msg, fields)
}

/**
 * Log an unexpected error without dumping the object: errors from model SDKs carry the whole run state,
 * conversation included. The name, message and stack frames are enough to debug.
 */
export const logError = (context: string, error: unknown): void => {
	if (error instanceof Error) {
		const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '))
		logger.error(context, {
			error: error.name,
			message: error.message,
			stack: frames.slice(0, 8).join('\n')
		})
	} else logger.error(context, { error: `a non-Error value was thrown (${typeof error})` })
}

/**
 * One log line per request (`msg: "request"`, level `info`; `error` from status 500 on) with its type,
 * status, duration, user, tenant, thread, error code and whether it streamed or was cancelled; never its
 * content. Use it as the request-end hook: `chatkit({ onRequestEnd: logRequest })`.
 */
export const logRequest = (outcome: RequestOutcome): void => {
	const level = outcome.status >= 500 ? 'error' : 'info'
	if (!logger.enabled(level)) return
	logger.write(level, 'request', {
		type: outcome.type,
		status: outcome.status,
		durationMs: Math.round(outcome.durationMs * 10) / 10,
		user: outcome.user?.id ?? null,
		tenant: outcome.user?.tenantId ?? null,
		thread: outcome.threadId,
		code: outcome.code,
		streamed: outcome.streamed,
		cancelled: outcome.cancelled || undefined,
		refusedBy: outcome.refusedBy ?? undefined
	})
}
