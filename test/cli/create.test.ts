import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { emptyFolder, removeCopies, runCli } from './helpers'
import { ENTER, inTerminal } from './terminal'

afterAll(removeCopies)

const REPO = join(import.meta.dir, '..', '..')
const manifest = (path: string) => JSON.parse(readFileSync(join(REPO, path), 'utf8'))

describe('create-elysia-chatkit (bun create elysia-chatkit <dir>)', () => {
	test('is released with elysia-chatkit: the same version, depending on it, its bin a shipped file run by Bun', () => {
		const main = manifest('package.json')
		const create = manifest('create/package.json')
		expect(create.name).toBe('create-elysia-chatkit')
		expect(create.version).toBe(main.version)
		expect(create.dependencies).toEqual({ 'elysia-chatkit': `^${main.version}` })
		const bin = create.bin['create-elysia-chatkit'].replace(/^\.\//, '')
		expect(create.files).toContain(bin)
		expect(readFileSync(join(REPO, 'create', bin), 'utf8').startsWith('#!/usr/bin/env bun\n')).toBe(true)
		expect(main.exports['./cli'].default).toBe('./dist/cli/index.js')
	})

	test('`elysia-chatkit create <dir>` makes the new folder a project, with the flags of init', async () => {
		const parent = emptyFolder()
		const { stdout, code } = await runCli(
			['create', 'my-app', '--yes', '--level', '1', '--no-install'],
			parent
		)
		expect(code).toBe(0)
		expect(stdout).toContain('Found: an empty folder (a new project will be created)')
		expect(stdout).toContain('Plan (level 1):')
		expect(stdout).toContain(
			`Install: bun add elysia elysia-chatkit@^${manifest('package.json').version}`
		)
		expect(stdout).toContain('Next:\n  cd my-app\n')
		expect(readdirSync(join(parent, 'my-app')).sort()).toEqual(
			['.gitignore', 'package.json', 'src', 'tsconfig.json'].sort()
		)
		expect(JSON.parse(readFileSync(join(parent, 'my-app', 'package.json'), 'utf8')).name).toBe('my-app')
		expect(readFileSync(join(parent, 'my-app', 'src', 'chatkit.ts'), 'utf8')).toContain('MemoryStore')
	})

	test('a folder that is not empty is refused, and nothing is written there', async () => {
		const dir = emptyFolder()
		writeFileSync(join(dir, 'notes.txt'), 'mine')
		const { stdout, stderr, code } = await runCli(['create', dir, '--yes', '--no-install'], dir)
		expect(code).toBe(1)
		expect(stdout + stderr).toContain('is not empty')
		expect(stdout + stderr).toContain('bunx elysia-chatkit init')
		expect(readdirSync(dir)).toEqual(['notes.txt'])
	})

	test('without a folder and without a terminal, it says to name one and writes nothing', async () => {
		const dir = emptyFolder()
		const { stdout, stderr, code } = await runCli(['create', '--yes'], dir)
		expect(code).toBe(1)
		expect(stdout + stderr).toContain('name the new folder: bun create elysia-chatkit <dir>')
		expect(existsSync(join(dir, 'package.json'))).toBe(false)
	})
})

describe('create in a terminal', () => {
	test('asks for the folder, then the level and the plan; the project is written there', async () => {
		const parent = emptyFolder()
		const cli = inTerminal(['create', '--no-install'], parent)
		await cli.until('Project folder?')
		cli.type(`my-app${ENTER}`)
		await cli.until('Which level?')
		cli.type(ENTER)
		await cli.until('Apply this plan?')
		expect(cli.output()).toContain('Plan (level 2):')
		cli.type('y')
		expect(await cli.exited()).toBe(0)
		expect(cli.output()).toContain('cd my-app')
		expect(readFileSync(join(parent, 'my-app', 'src', 'chatkit.ts'), 'utf8')).toContain('drizzleStore')
		expect(readdirSync(parent)).toEqual(['my-app'])
	}, 30_000)
})
