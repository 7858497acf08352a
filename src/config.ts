import { z } from 'zod'

const port = z.coerce.number().int().min(0).max(65535)
const positiveInt = z.coerce.number().int().positive()
const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1')
const url = z.url()

/** The environment variables `bun run dev` and `bun start` read; names fixed by the design. */
export const ConfigSchema = z.object({
	NODE_ENV: z.string().default('development'),
	HOST: z.string().min(1).default('127.0.0.1'),
	PORT: port.default(8000),
	CHATKIT_PATH: z
		.string()
		.regex(/^\/[^\s]*$/, 'must start with /')
		.default('/chatkit'),
	DATABASE_URL: z
		.string()
		.min(1)
		.refine(
			(value) =>
				!/^[a-z][a-z0-9+.-]+:/i.test(value) || /^(postgres|postgresql|sqlite|memory):/i.test(value),
			'must be postgres://…, postgresql://…, sqlite:<path>, a file path or memory:'
		)
		.default('sqlite:.data/chatkit.db'),
	OPENAI_API_KEY: z.string().min(1).optional(),
	OPENAI_BASE_URL: url.optional(),
	OPENAI_MODEL: z.string().min(1).optional(),
	OPENAI_API: z.enum(['responses', 'chat_completions']).optional(),
	AUTH_MODE: z.enum(['none', 'jwt', 'session']).default('none'),
	ALLOW_ANONYMOUS: bool.default(false),
	JWT_SECRET: z.string().min(1).optional(),
	JWT_PUBLIC_KEY: z.string().min(1).optional(),
	JWKS_URL: url.optional(),
	JWT_ALGORITHMS: z.string().min(1).optional(),
	JWT_ISSUER: z.string().min(1).optional(),
	JWT_AUDIENCE: z.string().min(1).optional(),
	JWT_TENANT_CLAIM: z.string().min(1).default('tenant_id'),
	JWT_COOKIE: z.string().min(1).optional(),
	JWT_CLOCK_TOLERANCE: z.coerce.number().int().min(0).optional(),
	SESSION_COOKIE: z.string().min(1).optional(),
	CORS_ORIGINS: z
		.string()
		.refine(
			(value) =>
				value
					.split(',')
					.map((origin) => origin.trim())
					.filter(Boolean)
					.every((origin) => /^https?:\/\/[^/\s*]+$/.test(origin)),
			'must be a comma-separated list of origins like https://app.example.com (no path, no *)'
		)
		.optional(),
	MAX_BODY_BYTES: positiveInt.default(4 * 1024 * 1024),
	RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(120),
	MAX_CONCURRENT_STREAMS: z.coerce.number().int().min(0).default(4)
})

export type Config = z.infer<typeof ConfigSchema>

/** A configuration value that is wrong; the message names the variable, never its value. */
export class ConfigError extends Error {
	readonly variables: string[]
	constructor(problems: { variable: string; message: string }[]) {
		super(
			`Invalid configuration:\n${problems.map((problem) => `  ${problem.variable}: ${problem.message}`).join('\n')}`
		)
		this.name = 'ConfigError'
		this.variables = problems.map((problem) => problem.variable)
	}
}

/** Read and validate the configuration; empty variables count as unset. @throws ConfigError */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
	const present = Object.fromEntries(
		Object.keys(ConfigSchema.shape)
			.map((key) => [key, env[key]?.trim()])
			.filter(([, value]) => value !== undefined && value !== '')
	)
	const parsed = ConfigSchema.safeParse(present)
	if (!parsed.success)
		throw new ConfigError(
			parsed.error.issues.map((issue) => ({ variable: String(issue.path[0]), message: issue.message }))
		)
	return parsed.data
}
