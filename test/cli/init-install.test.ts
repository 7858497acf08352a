// The packages init installs (or prints to install): elysia-chatkit at the version whose templates wrote the code.
import { afterAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runInit } from '../../cli/init'
import { copyFixture, emptyFolder, removeCopies } from './helpers'

afterAll(removeCopies)

const { version } = JSON.parse(readFileSync(join(import.meta.dir, '..', '..', 'package.json'), 'utf8'))

describe('init names the elysia-chatkit it runs from', () => {
	test("a new project: bun add elysia-chatkit@^<its version>, not the registry's latest", async () => {
		const lines: string[] = []
		const { plan } = await runInit(emptyFolder(), {
			level: 3,
			install: false,
			log: (line) => lines.push(line)
		})
		expect(plan.dependencies).toEqual(['elysia', `elysia-chatkit@^${version}`, 'zod'])
		expect(lines.join('\n')).toContain(
			`Install: bun add elysia elysia-chatkit@^${version} zod && bun add -d @types/bun typescript jose`
		)
	})

	test('an app that has elysia already: only elysia-chatkit, at that version', async () => {
		const { plan } = await runInit(copyFixture('bare'), { level: 2, install: false, log: () => {} })
		expect(plan.dependencies).toEqual([`elysia-chatkit@^${version}`])
	})
})
