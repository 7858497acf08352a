import { describe, expect, it } from 'bun:test'
import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { Glob } from 'bun'

const root = join(import.meta.dir, '..')

/** Every module specifier a file imports or re-exports (static and dynamic). */
const specifiersOf = (file: string) =>
	[
		...readFileSync(file, 'utf8').matchAll(
			/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g
		)
	].map((match) => match[1] ?? match[2] ?? match[3] ?? '')

const filesUnder = (folder: string) =>
	[...new Glob(`${folder}/**/*.{ts,js}`).scanSync({ cwd: root })].map((path) => join(root, path))

/** Imports of `folder`'s files by a relative path that resolves outside the `allowed` folders. */
const escapes = (folder: string, ...allowed: string[]) =>
	filesUnder(folder).flatMap((file) =>
		specifiersOf(file)
			.filter((spec) => spec.startsWith('.'))
			.map((spec) => ({
				file: relative(root, file),
				spec,
				target: relative(root, resolve(dirname(file), spec))
			}))
			.filter(({ target }) => !allowed.some((inside) => `${target}/`.startsWith(`${inside}/`)))
			.map(({ file, spec }) => `${file}: ${spec}`)
	)

const packageImports = (folder: string, prefix: string) =>
	filesUnder(folder).flatMap((file) =>
		specifiersOf(file)
			.filter((spec) => spec === prefix || spec.startsWith(`${prefix}/`))
			.map((spec) => `${relative(root, file)}: ${spec}`)
	)

describe('module boundaries', () => {
	it('finds the imports it checks', () => {
		expect(specifiersOf(join(root, 'src/index.ts')).length).toBeGreaterThan(3)
		expect(escapes('test', 'test').length).toBeGreaterThan(10)
	})

	it('src/ (the core) imports nothing from plugins/, app/ or anywhere else outside src/', () => {
		expect(escapes('src', 'src')).toEqual([])
		expect(packageImports('src', 'elysia-chatkit')).toEqual([])
	})

	it('plugins/ import the core and each other, never app/', () => {
		expect(escapes('plugins', 'plugins', 'src')).toEqual([])
		expect(packageImports('plugins', 'elysia-chatkit')).toEqual([])
	})

	it('app/ and examples/ use the public API only: the package by name, nothing by repository path', () => {
		expect(escapes('app', 'app')).toEqual([])
		expect(escapes('examples', 'examples')).toEqual([])
	})

	it('create/ (the create-elysia-chatkit package) imports elysia-chatkit by name, nothing by repository path', () => {
		expect(packageImports('create', 'elysia-chatkit')).toEqual(['create/index.ts: elysia-chatkit/cli'])
		expect(escapes('create', 'create')).toEqual([])
	})
})
