import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const SKIPPED = new Set([
	'node_modules',
	'.git',
	'dist',
	'build',
	'.data',
	'coverage',
	'.turbo',
	'.next',
	'out'
])
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/

/** A source file of the project: its path relative to the project root and its text. */
export interface SourceFile {
	path: string
	text: string
}

/** The project's source files (no dependencies, no build output), at most `limit` of them. */
export const sourceFiles = (root: string, limit = 2000): SourceFile[] => {
	const found: SourceFile[] = []
	const walk = (dir: string, depth: number) => {
		if (depth > 8 || found.length >= limit) return
		for (const name of readdirSync(dir).sort()) {
			if (SKIPPED.has(name) || name.startsWith('.')) continue
			const path = join(dir, name)
			const stat = statSync(path, { throwIfNoEntry: false })
			if (!stat) continue
			if (stat.isDirectory()) walk(path, depth + 1)
			else if (SOURCE.test(name) && !name.endsWith('.d.ts') && stat.size < 512_000)
				found.push({ path: relative(root, path), text: readFileSync(path, 'utf8') })
		}
	}
	walk(root, 0)
	return found
}

/** The file's text, or `null` when it does not exist. */
export const readText = (path: string): string | null =>
	existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : null

/** The entries of a directory that a new project would not mind (an empty or nearly empty folder). */
export const isEmptyProject = (root: string) =>
	!existsSync(root) ||
	readdirSync(root).every((name) => name === '.git' || name === '.DS_Store' || name === 'README.md')
