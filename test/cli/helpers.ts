import {
	cpSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	symlinkSync,
	writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

export const FIXTURES = join(import.meta.dir, 'fixtures')
const REPO = join(import.meta.dir, '..', '..')

const made: string[] = []

/** Removes every folder `copyFixture` / `emptyFolder` made. */
export const removeCopies = () => {
	for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** An empty temporary folder. */
export const emptyFolder = () => {
	const dir = mkdtempSync(join(tmpdir(), 'chatkit-cli-'))
	made.push(dir)
	return dir
}

/**
 * A copy of a fixture project in a temporary folder. With `link`, its node_modules holds links to this
 * repository's packages and `elysia-chatkit` is the repository's sources (its `src/`, `plugins/`, `testing/`, `cli/` linked
 * under a package.json that exports them), as an install would give the built files.
 */
export const copyFixture = (name: string | null, options: { link?: boolean } = {}) => {
	const dir = emptyFolder()
	if (name) cpSync(join(FIXTURES, name), dir, { recursive: true })
	if (options.link) linkPackages(dir)
	return dir
}

export const linkPackages = (dir: string) => {
	const modules = join(dir, 'node_modules')
	mkdirSync(modules, { recursive: true })
	const source = join(REPO, 'node_modules')
	for (const name of readdirSync(source)) {
		if (name === '.bin' || name === '.cache') continue
		if (name.startsWith('@')) {
			mkdirSync(join(modules, name), { recursive: true })
			for (const scoped of readdirSync(join(source, name)))
				symlinkSync(join(source, name, scoped), join(modules, name, scoped))
		} else symlinkSync(join(source, name), join(modules, name))
	}
	const chatkit = join(modules, 'elysia-chatkit')
	mkdirSync(chatkit)
	for (const folder of ['src', 'plugins', 'testing', 'cli'])
		symlinkSync(join(REPO, folder), join(chatkit, folder))
	writeFileSync(
		join(chatkit, 'package.json'),
		JSON.stringify({
			name: 'elysia-chatkit',
			type: 'module',
			exports: {
				'.': './src/index.ts',
				'./client': './src/client.ts',
				'./plugins/*': './plugins/*/index.ts',
				'./testing': './testing/index.ts',
				'./cli': './cli/index.ts'
			}
		})
	)
}

/** Every file under `dir` (outside node_modules) with its content, to compare before and after. */
export const snapshot = (dir: string): Record<string, string> => {
	const files: Record<string, string> = {}
	const walk = (path: string) => {
		for (const name of readdirSync(path)) {
			if (name === 'node_modules') continue
			const full = join(path, name)
			if (statSync(full).isDirectory()) walk(full)
			else files[relative(dir, full)] = readFileSync(full, 'utf8')
		}
	}
	walk(dir)
	return files
}

/** Runs `elysia-chatkit` (the repository's bin) with `args` in `cwd`. */
export const runCli = async (args: string[], cwd: string) => {
	const child = Bun.spawn(['bun', join(REPO, 'cli', 'index.ts'), ...args], {
		cwd,
		stdout: 'pipe',
		stderr: 'pipe',
		env: { ...process.env, NO_COLOR: '1' }
	})
	const [stdout, stderr, code] = await Promise.all([
		new Response(child.stdout).text(),
		new Response(child.stderr).text(),
		child.exited
	])
	return { stdout, stderr, code }
}
