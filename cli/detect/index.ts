import { join } from 'node:path'
import { type AuthDetection, detectAuth } from './auth'
import { type DatabaseDetection, detectDatabase } from './database'
import { detectEntry, type EntryDetection, entryCandidates } from './entry'
import { detectEnv, type EnvDetection } from './env'
import { isEmptyProject, readText, type SourceFile, sourceFiles } from './files'
import { detectLayout, type LayoutDetection } from './layout'

export type { AuthDetection } from './auth'
export type { DatabaseDetection } from './database'
export type { EntryDetection } from './entry'
export type { EnvDetection } from './env'
export type { LayoutDetection } from './layout'

/** What `init` found in a project. */
export interface Detection {
	root: string
	/** Nothing in the folder but perhaps `.git` or a README: `init` creates a new project. */
	empty: boolean
	/** The parsed `package.json`, or `null` when there is none (or it is not JSON). */
	packageJson: Record<string, unknown> | null
	/** The version range of `elysia` in the dependencies, or `null`. */
	elysia: string | null
	entry: EntryDetection | null
	/**
	 * The entry `bun init` wrote, still as it wrote it (`console.log("Hello via Bun!")`), when no Elysia app was
	 * found: `init` puts the server there.
	 */
	placeholderEntry: { path: string; text: string } | null
	/** The file that already mounts a ChatKit endpoint with this package, or `null`. */
	existingChatKit: string | null
	auth: AuthDetection
	database: DatabaseDetection
	env: EnvDetection
	layout: LayoutDetection
	/** `@elysiajs/cors` is in use: the ChatKit endpoint does not add its own CORS. */
	hasCors: boolean
	/** Every dependency and dev dependency with its range. */
	dependencies: Record<string, string>
}

const BUN_INIT_ENTRY = /^console\.log\((["'])Hello via Bun!\1\);?$/

/** The entry package.json names (or `index.ts`) when it is `bun init`'s one-line placeholder. */
const placeholderEntry = (
	packageJson: Record<string, unknown> | null,
	sources: SourceFile[]
): Detection['placeholderEntry'] => {
	const files = new Map(sources.map((source) => [source.path, source]))
	for (const path of entryCandidates(packageJson)) {
		const source = files.get(path)
		if (source) return BUN_INIT_ENTRY.test(source.text.trim()) ? { path, text: source.text } : null
	}
	return null
}

const CHATKIT_MOUNT = /from\s+['"]elysia-chatkit['"][\s\S]*\bchatkit\s*\(/

/** Reads the project at `root` (nothing is written). */
export const detectProject = (root: string): Detection => {
	const rawPackage = readText(join(root, 'package.json'))
	let packageJson: Record<string, unknown> | null = null
	try {
		packageJson = rawPackage === null ? null : JSON.parse(rawPackage)
	} catch {}
	const dependencies = {
		...((packageJson?.devDependencies ?? {}) as Record<string, string>),
		...((packageJson?.peerDependencies ?? {}) as Record<string, string>),
		...((packageJson?.dependencies ?? {}) as Record<string, string>)
	}
	const sources = packageJson || !isEmptyProject(root) ? sourceFiles(root) : []
	const env = detectEnv(root, sources)
	const entry = detectEntry(packageJson, sources)
	return {
		root,
		empty: isEmptyProject(root),
		packageJson,
		elysia: dependencies.elysia ?? null,
		entry,
		placeholderEntry: entry ? null : placeholderEntry(packageJson, sources),
		existingChatKit: sources.find((source) => CHATKIT_MOUNT.test(source.text))?.path ?? null,
		auth: detectAuth(dependencies, sources),
		database: detectDatabase(root, env, sources),
		env,
		layout: detectLayout(root, packageJson, dependencies),
		hasCors: Boolean(dependencies['@elysiajs/cors']),
		dependencies
	}
}
