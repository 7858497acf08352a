import { join } from 'node:path'
import { readText, type SourceFile } from './files'

/** The environment files the app keeps, and the variable names it uses. */
export interface EnvDetection {
	/** `.env`, `.env.example`, … that exist. */
	files: string[]
	/** Variable names declared in those files or read in the source (`process.env.X`, `Bun.env.X`). */
	names: string[]
	/** Names with a value in the env files (values are never reported). */
	values: Record<string, string>
	/** A prefix most of the app's own variables share (`APP_`), or `null`. */
	prefix: string | null
}

const ENV_FILES = ['.env.example', '.env.sample', '.env', '.env.local', '.env.development']
const WELL_KNOWN = new Set(['NODE_ENV', 'PORT', 'HOST', 'TZ', 'CI'])
/** Names a library chose (not the app's own style). */
const LIBRARY_PREFIXES = ['BETTER_AUTH_', 'OPENAI_', 'AWS_', 'NEXT_PUBLIC_', 'VITE_', 'BUN_']

/** Parses `NAME=value` lines (comments and `export ` allowed; quotes removed). */
export const parseEnvFile = (text: string): Record<string, string> => {
	const values: Record<string, string> = {}
	for (const line of text.split(/\r?\n/)) {
		const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line)
		if (!match?.[1]) continue
		values[match[1]] = (match[2] ?? '').replace(/^(['"])(.*)\1$/, '$2')
	}
	return values
}

const READ =
	/\b(?:process\.env|Bun\.env|import\.meta\.env)\.([A-Za-z_][A-Za-z0-9_]*)|\b(?:process\.env|Bun\.env)\[['"]([A-Za-z_][A-Za-z0-9_]*)['"]\]/g

/** Every variable name a piece of source reads from the environment, in order. */
export const envReads = (text: string): string[] =>
	[...text.matchAll(READ)].map((match) => (match[1] ?? match[2]) as string)

const commonPrefix = (names: string[]): string | null => {
	const own = names.filter(
		(name) => !WELL_KNOWN.has(name) && !LIBRARY_PREFIXES.some((library) => name.startsWith(library))
	)
	if (own.length < 2) return null
	const counts = new Map<string, number>()
	for (const name of own) {
		if (LIBRARY_PREFIXES.some((library) => name.startsWith(library))) continue
		const prefix = /^([A-Z][A-Z0-9]*_)/.exec(name)?.[1]
		if (prefix) counts.set(prefix, (counts.get(prefix) ?? 0) + 1)
	}
	const [best] = [...counts].sort((a, b) => b[1] - a[1])
	return best && best[1] >= 2 && best[1] / own.length >= 0.75 ? best[0] : null
}

export const detectEnv = (root: string, sources: SourceFile[]): EnvDetection => {
	const files: string[] = []
	const values: Record<string, string> = {}
	const names = new Set<string>()
	for (const file of ENV_FILES) {
		const text = readText(join(root, file))
		if (text === null) continue
		files.push(file)
		for (const [name, value] of Object.entries(parseEnvFile(text))) {
			names.add(name)
			if (value && !(name in values)) values[name] = value
		}
	}
	for (const source of sources) for (const name of envReads(source.text)) names.add(name)
	const list = [...names]
	return { files, names: list, values, prefix: commonPrefix(list) }
}
