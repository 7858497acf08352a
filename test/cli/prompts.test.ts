// init's prompts in a real pseudo-terminal (Bun.spawn's `terminal` option): the child sees a TTY on
// stdin and stdout, as when a user runs `bunx elysia-chatkit init` in a shell.
import { afterAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { copyFixture, removeCopies, snapshot } from './helpers'
import { DOWN, ENTER, inTerminal } from './terminal'

afterAll(removeCopies)

describe('init in a terminal', () => {
	test('asks for the level; choosing level 3 and confirming writes a level-3 module', async () => {
		const dir = copyFixture('bare')
		const cli = inTerminal(['init', '--no-install'], dir)
		await cli.until('Which level?')
		expect(cli.output()).toContain('2 agent')
		cli.type(DOWN)
		cli.type(ENTER)
		await cli.until('Apply this plan?')
		expect(cli.output()).toContain('Plan (level 3):')
		cli.type('y')
		expect(await cli.exited()).toBe(0)
		expect(cli.output()).toContain('wrote  src/chatkit.ts')
		expect(readFileSync(join(dir, 'src/chatkit.ts'), 'utf8')).toContain("name: 'lookup_account'")
		expect(readFileSync(join(dir, 'src/index.ts'), 'utf8')).toContain('.use(createChat())')
	}, 30_000)

	test('declining the plan writes nothing', async () => {
		const dir = copyFixture('bare')
		const before = snapshot(dir)
		const cli = inTerminal(['init', '--no-install'], dir)
		await cli.until('Which level?')
		cli.type(ENTER)
		await cli.until('Apply this plan?')
		expect(cli.output()).toContain('Plan (level 2):')
		cli.type('n')
		expect(await cli.exited()).toBe(0)
		expect(cli.output()).toContain('Nothing written.')
		expect(snapshot(dir)).toEqual(before)
	}, 30_000)

	test('Ctrl-C at the level prompt writes nothing', async () => {
		const dir = copyFixture('bare')
		const before = snapshot(dir)
		const cli = inTerminal(['init', '--no-install'], dir)
		await cli.until('Which level?')
		cli.type('\x03')
		expect(await cli.exited()).toBe(0)
		expect(cli.output()).toContain('Nothing written.')
		expect(cli.output()).not.toContain('Plan (level')
		expect(snapshot(dir)).toEqual(before)
	}, 30_000)

	test('--level skips the level prompt but still asks before writing; --yes asks nothing', async () => {
		const dir = copyFixture('bare')
		const asked = inTerminal(['init', '--level', '1', '--no-install'], dir)
		await asked.until('Apply this plan?')
		expect(asked.output()).not.toContain('Which level?')
		expect(asked.output()).toContain('Plan (level 1):')
		asked.type('n')
		expect(await asked.exited()).toBe(0)
		const yes = inTerminal(['init', '--level', '1', '--yes', '--no-install'], dir)
		expect(await yes.exited()).toBe(0)
		expect(yes.output()).not.toContain('Which level?')
		expect(yes.output()).not.toContain('Apply this plan?')
		expect(readFileSync(join(dir, 'src/chatkit.ts'), 'utf8')).toContain('MemoryStore')
	}, 30_000)
})
