import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Where the app keeps its code and tests. */
export interface LayoutDetection {
	/** The source folder (`src`), or `''` for the project root. */
	sourceDir: string
	/** `modules` (src/modules/<name>/), `routes` (src/routes/<name>.ts), `plugins`, or `flat`. */
	style: 'modules' | 'routes' | 'plugins' | 'flat'
	/** The folder tests live in (`test`, `tests`, `__tests__`), or `null` when tests sit beside the code. */
	testDir: string | null
	/** `bun` (bun:test), `vitest`, `jest`, or `null` when none was found. */
	testRunner: 'bun' | 'vitest' | 'jest' | null
}

const isDir = (path: string) => existsSync(path) && statSync(path).isDirectory()

export const detectLayout = (
	root: string,
	pkg: Record<string, unknown> | null,
	dependencies: Record<string, string>
): LayoutDetection => {
	const sourceDir = isDir(join(root, 'src')) ? 'src' : ''
	const style = isDir(join(root, sourceDir, 'modules'))
		? 'modules'
		: isDir(join(root, sourceDir, 'routes'))
			? 'routes'
			: isDir(join(root, sourceDir, 'plugins'))
				? 'plugins'
				: 'flat'
	const testDir = ['test', 'tests', '__tests__'].find((name) => isDir(join(root, name))) ?? null
	const script = ((pkg?.scripts ?? {}) as Record<string, string>).test ?? ''
	const testRunner =
		/\bvitest\b/.test(script) || dependencies.vitest
			? 'vitest'
			: /\bjest\b/.test(script) || dependencies.jest
				? 'jest'
				: /\bbun\s+test\b/.test(script) || dependencies['@types/bun'] || dependencies['bun-types']
					? 'bun'
					: null
	return { sourceDir, style, testDir, testRunner }
}
