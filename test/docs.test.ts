import { describe, expect, it } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderApiDocs } from '../docs/api'

const root = join(import.meta.dir, '..')

describe('docs', () => {
	it('docs/api.md matches the code (regenerate with `bun run docs/api.ts`)', () => {
		expect(readFileSync(join(root, 'docs/api.md'), 'utf8')).toBe(renderApiDocs())
	})
})
