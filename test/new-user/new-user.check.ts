/**
 * A new user, end to end: pack the package, create an app with `bun init`, install the tarball, copy in the
 * examples and the README's code blocks, typecheck them with the app's own tsconfig and a strict one
 * (`skipLibCheck: false`), and run a test of each build level against the installed package (level 3 on
 * PostgreSQL, a fresh database). Not part of `bun run test`; run by `bun run test:new-user` and `.ci/run`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase } from '../store/pg'

const root = join(import.meta.dir, '../..')
const work = mkdtempSync(join(tmpdir(), 'chatkit-new-user-'))
const appDir = join(work, 'app')
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

const run = async (cmd: string[], cwd: string, env: Record<string, string | undefined> = {}) => {
	const started = performance.now()
	const child = Bun.spawn(cmd, {
		cwd,
		env: { ...process.env, NODE_ENV: undefined, DATABASE_URL: undefined, ...env },
		stdout: 'pipe',
		stderr: 'pipe'
	})
	const [stdout, stderr, code] = await Promise.all([
		new Response(child.stdout).text(),
		new Response(child.stderr).text(),
		child.exited
	])
	const seconds = ((performance.now() - started) / 1000).toFixed(1)
	console.log(`  ${cmd.join(' ')}: exit ${code}, ${seconds} s`)
	return { code, output: stdout + stderr }
}

let tarball = ''
let files: string[] = []
const typecheck: Record<string, Promise<{ code: number; output: string }>> = {}

/** The README's TypeScript code blocks, each of which must compile on its own in a new app. */
const readmeBlocks = () =>
	[...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map(
		(match) => match[1] ?? ''
	)

beforeAll(async () => {
	const pack = await run(['bun', 'pm', 'pack', '--destination', work, '--quiet'], root)
	if (pack.code !== 0) throw new Error(`bun pm pack failed:\n${pack.output}`)
	tarball = join(work, readdirSync(work).find((name) => name.endsWith('.tgz')) ?? '')
	files = (await run(['tar', 'tzf', tarball], work)).output.split('\n').filter(Boolean)
	console.log(`  ${tarball}: ${files.length} files, ${(Bun.file(tarball).size / 1024).toFixed(1)} KB`)

	cpSync(join(import.meta.dir, 'app'), appDir, { recursive: true })
	const init = await run(['bun', 'init', '-y'], appDir)
	if (init.code !== 0) throw new Error(`bun init failed:\n${init.output}`)
	// what the README says to install, plus what examples/better-auth.ts says it needs beside the package
	const add = await run(['bun', 'add', tarball, 'elysia', 'zod', 'better-auth', 'pg', '@types/pg'], appDir)
	if (add.code !== 0) throw new Error(`bun add failed:\n${add.output}`)
	for (const name of readdirSync(join(root, 'examples')))
		cpSync(join(root, 'examples', name), join(appDir, name))
	readmeBlocks().forEach((block, index) => writeFileSync(join(appDir, `readme-${index + 1}.ts`), block))
	writeFileSync(
		join(appDir, 'tsconfig.strict.json'),
		JSON.stringify({ extends: './tsconfig.json', compilerOptions: { strict: true, skipLibCheck: false } })
	)
	const tsc = join(appDir, 'node_modules/.bin/tsc')
	typecheck.app = run([tsc, '--noEmit', '-p', 'tsconfig.json'], appDir)
	typecheck.strict = run([tsc, '--noEmit', '-p', 'tsconfig.strict.json'], appDir)
	await Promise.all(Object.values(typecheck))
}, 600_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('a new user installs the packed package', () => {
	it('the tarball holds the built package only: no sources, tests, benchmarks, CI or repository files', () => {
		const outside = files.filter((file) => !/^package\/(dist\/.+|package\.json|README\.md)$/.test(file))
		expect(outside).toEqual([])
		expect(
			files.some((file) => /\.test\.|\/test\/|\/bench\/|\/\.ci\/|\/app\/|\/examples\//.test(file))
		).toBe(false)
		expect(files.filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([])
	})

	it('every entry point (and the bin) is in the tarball with its JavaScript and its types', () => {
		const plugins = readdirSync(join(root, 'plugins'))
		const targets = [
			...Object.values(manifest.exports as Record<string, string | Record<string, string>>).flatMap(
				(target) => (typeof target === 'string' ? [target] : Object.values(target))
			),
			...Object.values(manifest.bin as Record<string, string>)
		].flatMap((target) =>
			target.includes('*') ? plugins.map((name) => target.replace('*', name)) : [target]
		)
		expect(targets.length).toBeGreaterThan(2 * plugins.length)
		expect(targets.filter((target) => !files.includes(`package/${target.replace(/^\.\//, '')}`))).toEqual(
			[]
		)
	})

	it('the examples and README blocks typecheck with the tsconfig `bun init` wrote', async () => {
		expect(readmeBlocks().length).toBeGreaterThanOrEqual(4)
		const { code, output } = await (typecheck.app as Promise<{ code: number; output: string }>)
		expect(output).toBe('')
		expect(code).toBe(0)
	})

	it('and with strict and skipLibCheck: false, no error in the app or in elysia-chatkit', async () => {
		const { output } = await (typecheck.strict as Promise<{ code: number; output: string }>)
		const errors = output.split('\n').filter((line) => /error TS\d+/.test(line))
		const ours = errors.filter(
			(line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/elysia-chatkit/')
		)
		expect(ours).toEqual([])
		const others = Object.entries(
			Object.groupBy(errors, (line) => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(line)?.[1] ?? '?')
		).map(([name, lines]) => `${name} ${lines?.length}`)
		console.log(
			`  strict, skipLibCheck: false: ${errors.length} errors, all in other packages' .d.ts (${others.join(', ')})`
		)
	})

	it('the elysia-chatkit command runs from the installed package', async () => {
		const { code, output } = await run(['bun', 'x', 'elysia-chatkit', '--help'], appDir)
		expect(output).toContain('init')
		expect(code).toBe(0)
	})

	it('level 1 runs', async () => {
		const { code, output } = await run(['bun', 'test', './level-1.check.ts'], appDir)
		expect(output).toContain(' 1 pass')
		expect(code).toBe(0)
	})

	it('level 2 runs', async () => {
		const { code, output } = await run(['bun', 'test', './level-2.check.ts'], appDir)
		expect(output).toContain(' 1 pass')
		expect(code).toBe(0)
	})

	it('level 3 runs on PostgreSQL', async () => {
		const database = await createTestDatabase()
		try {
			const { code, output } = await run(['bun', 'test', './level-3.check.ts'], appDir, {
				LEVEL3_DATABASE_URL: database.url
			})
			if (code !== 0) console.log(output)
			expect(output).toContain(' 1 pass')
			expect(code).toBe(0)
		} finally {
			await database.drop()
		}
	})
})
