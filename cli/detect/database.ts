import { join } from 'node:path'
import type { EnvDetection } from './env'
import { envReads } from './env'
import { readText, type SourceFile } from './files'

/** The app's database, which the ChatKit store shares. */
export type DatabaseDetection =
	| {
			kind: 'postgresql' | 'sqlite'
			/** Where it was found: a Drizzle config, an env file, a `new Database(…)` call. */
			source: string
			/** The environment variable with its URL or file, when the app reads one. */
			variable: string | null
			/** The SQLite file the app opens by a literal path, or when its variable is unset (`X ?? 'app.db'`). */
			file: string | null
	  }
	| { kind: 'none' }

const DRIZZLE_CONFIGS = [
	'drizzle.config.ts',
	'drizzle.config.js',
	'drizzle.config.mjs',
	'drizzle.config.json'
]

const dialectOf = (text: string): 'postgresql' | 'sqlite' | null => {
	const dialect =
		/dialect\s*:\s*['"](\w+)['"]/.exec(text)?.[1] ?? /driver\s*:\s*['"](\w+)['"]/.exec(text)?.[1]
	if (dialect === 'postgresql' || dialect === 'pg') return 'postgresql'
	if (dialect === 'sqlite' || dialect === 'turso' || dialect === 'libsql' || dialect === 'better-sqlite')
		return 'sqlite'
	return null
}

const URL_NAME =
	/^(DATABASE_URL|DB_URL|.*(DATABASE|_DB|DB_|POSTGRES|PG)[A-Z_]*(URL|URI|DSN|FILE|PATH|NAME)?)$/

/** A Drizzle config first, then `new Database('file')` from bun:sqlite, then a URL-looking variable. */
export const detectDatabase = (root: string, env: EnvDetection, sources: SourceFile[]): DatabaseDetection => {
	for (const name of DRIZZLE_CONFIGS) {
		const text = readText(join(root, name))
		if (text === null) continue
		const kind = dialectOf(text)
		if (!kind) continue
		return { kind, source: name, variable: envReads(text)[0] ?? null, file: null }
	}
	for (const source of sources) {
		if (!/from\s+['"]bun:sqlite['"]/.test(source.text)) continue
		const literal = /new\s+Database\s*\(\s*['"]([^'"]+)['"]/.exec(source.text)?.[1]
		const read =
			/new\s+Database\s*\(\s*(?:process|Bun)\.env\.([A-Za-z_]\w*)(?:\s*(?:\?\?|\|\|)\s*['"]([^'"]+)['"])?/.exec(
				source.text
			)
		const variable = read?.[1]
		// `new Database(process.env.X ?? 'app.db')`: the file the app opens when X is unset.
		const file = literal ?? read?.[2]
		if (literal || variable)
			return {
				kind: 'sqlite',
				source: source.path,
				variable: variable ?? null,
				file: file && file !== ':memory:' ? file : null
			}
	}
	const byValue = Object.entries(env.values).find(([, value]) => /^postgres(ql)?:\/\//.test(value))
	if (byValue)
		return { kind: 'postgresql', source: env.files[0] ?? '.env', variable: byValue[0], file: null }
	const byName = env.names.includes('DATABASE_URL')
		? 'DATABASE_URL'
		: env.names.find((name) => URL_NAME.test(name))
	if (byName) {
		const value = env.values[byName] ?? ''
		const kind = /^postgres/.test(value) || /PG|POSTGRES/.test(byName) ? 'postgresql' : 'sqlite'
		return { kind, source: env.files[0] ?? 'source', variable: byName, file: null }
	}
	return { kind: 'none' }
}
