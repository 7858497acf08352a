/**
 * Generates docs/api.md, the reference of the public API, from the code: every name exported by the
 * package's entry points, with the first paragraph of its JSDoc.
 * Run: bun run docs/api.ts   (test/docs.test.ts fails when docs/api.md is out of date)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dir, '..')

interface Entry {
	name: string
	kind: string
	summary: string
	file: string
}

const resolveModule = (from: string, spec: string) => {
	const base = resolve(dirname(from), spec)
	for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
		try {
			readFileSync(candidate)
			return candidate
		} catch {}
	}
	throw new Error(`cannot resolve ${spec} from ${from}`)
}

const summaryBefore = (source: string, index: number) => {
	const before = source.slice(0, index).trimEnd()
	if (!before.endsWith('*/')) return ''
	const start = before.lastIndexOf('/**')
	if (start < 0) return ''
	const lines = before
		.slice(start + 3, -2)
		.split('\n')
		.map((line) => line.replace(/^\s*\* ?/, '').trim())
	const paragraph: string[] = []
	for (const line of lines) {
		if (line.startsWith('@') || (line === '' && paragraph.length)) break
		if (line) paragraph.push(line)
	}
	return paragraph.join(' ')
}

const DECLARATION = /^export (?:declare )?(?:abstract )?(async function\*?|function\*?|const|let|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm
const REEXPORT_ALL = /^export \* from '([^']+)'/gm
const REEXPORT_AS = /^export \* as (\w+) from '([^']+)'/gm
const REEXPORT_NAMED = /^export (type )?\{([^}]*)\} from '([^']+)'/gm

/** A capture group the pattern always fills. */
const group = (match: RegExpMatchArray, index: number): string => {
	const value = match[index]
	if (value === undefined) throw new Error(`pattern ${match[0]} has no group ${index}`)
	return value
}

const exportsOf = (file: string, seen = new Set<string>()): Entry[] => {
	if (seen.has(file)) return []
	seen.add(file)
	const source = readFileSync(file, 'utf8')
	const entries: Entry[] = []
	for (const match of source.matchAll(DECLARATION)) {
		const kind = group(match, 1).replace('async ', '').replace('*', '')
		entries.push({ name: group(match, 2), kind, summary: summaryBefore(source, match.index), file })
	}
	for (const match of source.matchAll(REEXPORT_AS))
		entries.push({ name: group(match, 1), kind: 'namespace', summary: `The exports of \`${group(match, 2)}\`.`, file })
	for (const match of source.matchAll(REEXPORT_ALL)) entries.push(...exportsOf(resolveModule(file, group(match, 1)), seen))
	for (const match of source.matchAll(REEXPORT_NAMED)) {
		if (!group(match, 3).startsWith('.')) {
			for (const raw of group(match, 2).split(',')) {
				const name = raw.trim().replace(/^type /, '').split(/\s+as\s+/).at(-1)
				if (name) entries.push({ name, kind: match[1] ? 'type' : 'value', summary: `Re-exported from \`${group(match, 3)}\`.`, file })
			}
			continue
		}
		const target = resolveModule(file, group(match, 3))
		const available = exportsOf(target, new Set())
		for (const raw of group(match, 2).split(',')) {
			const part = raw.trim().replace(/^type /, '')
			if (!part) continue
			const [original = part, alias] = part.split(/\s+as\s+/)
			const found = available.find((entry) => entry.name === original)
			entries.push({
				name: alias ?? original,
				kind: found?.kind ?? (match[1] ? 'type' : 'value'),
				summary: found?.summary ?? '',
				file: found?.file ?? target
			})
		}
	}
	return entries
}

const entryPoints = [
	{ title: 'elysia-chatkit', file: 'src/index.ts' },
	{ title: 'elysia-chatkit/client', file: 'src/client.ts' },
	...readdirSync(join(root, 'plugins'))
		.sort()
		.map((name) => ({ title: `elysia-chatkit/plugins/${name}`, file: `plugins/${name}/index.ts` }))
]

export const renderApiDocs = (): string => {
	const out = [
		'# API reference',
		'',
		'Generated from the code by `bun run docs/api.ts`: every name each entry point exports, with the first',
		'paragraph of its JSDoc. The JSDoc in the source has the details (options, defaults, examples).',
		''
	]
	for (const { title, file } of entryPoints) {
		const entries = exportsOf(join(root, file))
		const byName = new Map<string, Entry>()
		// An overloaded function is declared several times; the documented declaration speaks for it.
		for (const entry of entries) if (entry.summary || !byName.get(entry.name)?.summary) byName.set(entry.name, entry)
		const unique = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name))
		out.push(`## \`${title}\``, '', `Source: \`${file}\``, '', '| name | kind | defined in | summary |', '| --- | --- | --- | --- |')
		for (const entry of unique)
			out.push(
				`| \`${entry.name}\` | ${entry.kind} | \`${relative(root, entry.file)}\` | ${entry.summary.replaceAll('|', '\\|')} |`
			)
		out.push('')
	}
	return out.join('\n')
}

if (import.meta.main) {
	writeFileSync(join(root, 'docs/api.md'), renderApiDocs())
	console.log('docs/api.md written')
}
