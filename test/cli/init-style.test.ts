// The one edit init makes in the app's entry is written in the entry's own style.
import { afterAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { detectProject } from '../../cli/detect'
import { runInit } from '../../cli/init'
import { copyFixture, FIXTURES, removeCopies } from './helpers'

afterAll(removeCopies)

describe('the app `bun init` makes, with Elysia in its index.ts', () => {
	test('detection: the root index.ts, a flat layout at the root, bun test', () => {
		const found = detectProject(join(FIXTURES, 'bun-init'))
		expect(found.entry).toMatchObject({
			file: 'index.ts',
			appFile: 'index.ts',
			importStyle: { quote: '"', semicolon: true }
		})
		expect(found.layout).toMatchObject({ sourceDir: '', style: 'flat', testDir: null })
	})

	test('the import init adds has its double quotes and its semicolon', async () => {
		const dir = copyFixture('bun-init')
		const { applied } = await runInit(dir, { install: false, log: () => {} })
		expect(applied?.written).toEqual(['chatkit.ts', 'chatkit.test.ts'])
		expect(readFileSync(join(dir, 'index.ts'), 'utf8')).toBe(
			[
				'import { Elysia } from "elysia";',
				'import { createChat } from "./chatkit";',
				'',
				'const app = new Elysia().get("/", () => "Hello Elysia").use(createChat()).listen(Number(process.env.PORT) || 3000);',
				'',
				'console.log(`🦊 Elysia is running at ${app.server?.hostname}:${app.server?.port}`);',
				''
			].join('\n')
		)
	})
})
