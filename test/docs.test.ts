import { describe, expect, it } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderApiDocs } from '../docs/api'
import { defined } from './defined'

const root = join(import.meta.dir, '..')

describe('docs', () => {
	it('docs/api.md matches the code (regenerate with `bun run docs/api.ts`)', () => {
		expect(readFileSync(join(root, 'docs/api.md'), 'utf8')).toBe(renderApiDocs())
	})

	it('every file the README points to exists', () => {
		const readme = readFileSync(join(root, 'README.md'), 'utf8')
		const paths = [
			...readme.matchAll(/`((?:docs|examples|src|plugins|test|bench)\/[\w./-]+\.(?:md|ts))`/g)
		].map((match) => defined(match[1], 'a path'))
		expect(paths.length).toBeGreaterThan(5)
		expect(paths.filter((path) => !existsSync(join(root, path)))).toEqual([])
	})
})
