import { dirname, join, normalize } from 'node:path'
import { parse as babelParse } from '@babel/parser'
import type { SourceFile } from './files'

/** Where `.use(…)` goes so that the app mounts a plugin: an offset in the file and the text around it. */
export interface ChainEdit {
	/** Offset just after the expression that `.use(…)` follows. */
	offset: number
	/** Indentation of the chain's continuation lines, or `null` when the chain is on one line. */
	indent: string | null
}

/** The file that builds the Elysia app and how a plugin can be mounted on it. */
export interface EntryDetection {
	/** The file that starts the server (`.listen`), relative to the project root. */
	file: string
	/** The file whose `new Elysia()` chain builds the app (the entry itself, or a module it imports). */
	appFile: string
	/** `true` when the chain ends in `.listen(…)`. */
	listens: boolean
	/** Where to add `.use(…)`, or `null` when the chain cannot be edited safely (see `reason`). */
	edit: ChainEdit | null
	/** Offset after the last import of `appFile`, where a new import goes. */
	importOffset: number
	/** How relative imports in `appFile` end: `''`, `.ts` or `.js`. */
	importExtension: '' | '.ts' | '.js'
	/** How `appFile` writes its imports (its last one): the quote, and whether it ends with a semicolon. */
	importStyle: ImportStyle
	reason?: string
}

/** The quote and the semicolon of a file's import statements, so that an added import looks like its own. */
export interface ImportStyle {
	quote: "'" | '"'
	semicolon: boolean
}

type Node = any

const walk = (node: Node, visit: (node: Node, parent: Node) => void, parent: Node = null) => {
	if (!node || typeof node.type !== 'string') return
	visit(node, parent)
	for (const key of Object.keys(node)) {
		if (key === 'loc' || key === 'start' || key === 'end' || key === 'comments' || key === 'tokens')
			continue
		const value = node[key]
		if (Array.isArray(value)) for (const child of value) walk(child, visit, node)
		else if (value && typeof value.type === 'string') walk(value, visit, node)
	}
}

const parse = (text: string): Node | null => {
	try {
		return babelParse(text, {
			sourceType: 'module',
			plugins: ['typescript', 'jsx'],
			errorRecovery: false
		}).program
	} catch {
		return null
	}
}

/** Names under which `Elysia` is imported from 'elysia' in this module. */
const elysiaNames = (program: Node): Set<string> => {
	const names = new Set<string>()
	for (const statement of program.body)
		if (statement.type === 'ImportDeclaration' && statement.source.value === 'elysia')
			for (const specifier of statement.specifiers)
				if (specifier.type === 'ImportSpecifier' && specifier.imported.name === 'Elysia')
					names.add(specifier.local.name)
	return names
}

interface Chain {
	/** The outermost call of the chain that starts with `new Elysia(…)`. */
	top: Node
	/** The `.listen(…)` call in the chain, if any. */
	listen: Node | null
	/** The variable the chain is assigned to, if any. */
	variable: string | null
}

/** Every `new Elysia(…).a(…).b(…)` chain in the module, with its outermost call. */
const chains = (program: Node): Chain[] => {
	const names = elysiaNames(program)
	const parents = new Map<Node, Node>()
	const found: Node[] = []
	walk(program, (node, parent) => {
		parents.set(node, parent)
		if (node.type === 'NewExpression' && node.callee.type === 'Identifier' && names.has(node.callee.name))
			found.push(node)
	})
	return found.map((start) => {
		let top = start
		let listen: Node = null
		for (;;) {
			const member = parents.get(top)
			if (member?.type !== 'MemberExpression' || member.object !== top) break
			const call = parents.get(member)
			if (call?.type !== 'CallExpression' || call.callee !== member) break
			if (member.property.type === 'Identifier' && member.property.name === 'listen') listen = call
			top = call
		}
		const holder = parents.get(top)
		const variable =
			holder?.type === 'VariableDeclarator' && holder.id.type === 'Identifier' ? holder.id.name : null
		return { top, listen, variable }
	})
}

const listenedVariables = (program: Node): Set<string> => {
	const names = new Set<string>()
	walk(program, (node) => {
		if (
			node.type === 'CallExpression' &&
			node.callee.type === 'MemberExpression' &&
			node.callee.object.type === 'Identifier' &&
			node.callee.property.type === 'Identifier' &&
			node.callee.property.name === 'listen'
		)
			names.add(node.callee.object.name)
	})
	return names
}

const indentOf = (text: string, offset: number) => {
	const lineStart = text.lastIndexOf('\n', offset - 1) + 1
	return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? ''
}

/** Where `.use(…)` goes in a chain: before `.listen`, else at its end. */
const chainEdit = (text: string, chain: Chain): ChainEdit => {
	const before = chain.listen ? chain.listen.callee.object : chain.top
	const offset: number = before.end
	const next = chain.listen ? chain.listen.callee.property.start : offset
	const between = text.slice(offset, next)
	if (chain.listen && between.includes('\n')) return { offset, indent: indentOf(text, next) }
	const lastDot = text.lastIndexOf('\n', offset)
	const multiLine = lastDot > chain.top.start && /\n[ \t]*\.\w/.test(text.slice(chain.top.start, offset))
	if (multiLine) {
		const lines = text.slice(chain.top.start, offset).split('\n')
		const continuation = lines.slice(1).find((line) => /^[ \t]*\./.test(line))
		return { offset, indent: /^[ \t]*/.exec(continuation ?? '')?.[0] ?? '\t' }
	}
	return { offset, indent: null }
}

const importInfo = (program: Node, text: string) => {
	let importOffset = 0
	let importExtension: EntryDetection['importExtension'] = ''
	const importStyle: ImportStyle = { quote: "'", semicolon: false }
	for (const statement of program.body) {
		if (statement.type !== 'ImportDeclaration') continue
		importOffset = statement.end
		importStyle.quote = text[statement.source.start] === '"' ? '"' : "'"
		importStyle.semicolon = text[statement.end - 1] === ';'
		const source: string = statement.source.value
		if (source.startsWith('.'))
			importExtension = source.endsWith('.js') ? '.js' : source.endsWith('.ts') ? '.ts' : ''
	}
	if (importOffset === 0 && text.startsWith('#!')) importOffset = text.indexOf('\n') + 1
	return { importOffset, importExtension, importStyle }
}

/** The relative modules a file imports, resolved against the project's files. */
const relativeImports = (program: Node, file: string, files: Map<string, SourceFile>): string[] => {
	const found: string[] = []
	for (const statement of program.body) {
		if (statement.type !== 'ImportDeclaration' || !statement.source.value.startsWith('.')) continue
		const base = normalize(join(dirname(file), statement.source.value)).replace(/\.(js|ts)$/, '')
		for (const candidate of [
			`${base}.ts`,
			`${base}.tsx`,
			`${base}.js`,
			`${base}/index.ts`,
			`${base}/index.js`
		])
			if (files.has(candidate)) found.push(candidate)
	}
	return found
}

const ENTRY_CANDIDATES = [
	'src/index.ts',
	'src/server.ts',
	'src/main.ts',
	'src/app.ts',
	'index.ts',
	'server.ts',
	'main.ts',
	'app.ts',
	'src/index.js',
	'index.js'
]

/** Entry candidates named by package.json (`scripts.dev`, `scripts.start`, `module`, `main`), first. */
export const entryCandidates = (pkg: Record<string, unknown> | null): string[] => {
	const named: string[] = []
	const scripts = (pkg?.scripts ?? {}) as Record<string, string>
	for (const script of [scripts.dev, scripts.start])
		for (const match of (script ?? '').matchAll(/(?:^|\s)([\w./-]+\.(?:ts|tsx|mts|js|mjs))(?=\s|$)/g))
			if (match[1]) named.push(normalize(match[1]))
	for (const field of ['module', 'main'])
		if (typeof pkg?.[field] === 'string') named.push(normalize(pkg[field] as string))
	return [...new Set([...named, ...ENTRY_CANDIDATES])]
}

/**
 * Finds the file that listens the Elysia app and where a `.use(…)` can be added to its chain:
 * the entry's own `new Elysia()` chain, or the chain of the module the entry imports the app from.
 */
export const detectEntry = (
	pkg: Record<string, unknown> | null,
	sources: SourceFile[]
): EntryDetection | null => {
	const files = new Map(sources.map((source) => [source.path, source]))
	const candidates = entryCandidates(pkg).filter((path) => files.has(path))
	const listening = sources.filter(
		(source) => /\.listen\s*\(/.test(source.text) && /\bElysia\b/.test(source.text)
	)
	const ordered = [...candidates, ...listening.map((source) => source.path)]
	for (const file of [...new Set(ordered)]) {
		const source = files.get(file) as SourceFile
		const program = parse(source.text)
		if (!program?.body) continue
		const found = locate(file, program, source.text, files)
		if (found) return found
	}
	return null
}

const locate = (
	file: string,
	program: Node,
	text: string,
	files: Map<string, SourceFile>
): EntryDetection | null => {
	const own = chains(program)
	const listened = listenedVariables(program)
	const pick = (list: Chain[]) =>
		list.find((chain) => chain.listen) ??
		list.find((chain) => chain.variable && listened.has(chain.variable)) ??
		(list.length === 1 ? list[0] : undefined)
	const chain = pick(own)
	if (chain) {
		const { importOffset, importExtension, importStyle } = importInfo(program, text)
		return {
			file,
			appFile: file,
			listens: chain.listen !== null || (chain.variable !== null && listened.has(chain.variable)),
			edit: chainEdit(text, chain),
			importOffset,
			importExtension,
			importStyle
		}
	}
	if (own.length > 1 || listened.size === 0) return null
	for (const imported of relativeImports(program, file, files)) {
		const source = files.get(imported) as SourceFile
		const inner = parse(source.text)
		if (!inner?.body) continue
		const innerChains = chains(inner)
		const exported = innerChains.filter(
			(candidate) => candidate.variable && listened.has(candidate.variable)
		)
		const target = exported[0] ?? (innerChains.length === 1 ? innerChains[0] : undefined)
		if (!target) continue
		const { importOffset, importExtension, importStyle } = importInfo(inner, source.text)
		return {
			file,
			appFile: imported,
			listens: true,
			edit: chainEdit(source.text, target),
			importOffset,
			importExtension,
			importStyle
		}
	}
	return {
		file,
		appFile: file,
		listens: true,
		edit: null,
		importOffset: 0,
		importExtension: '',
		importStyle: { quote: "'", semicolon: false },
		reason: 'the app is listened here but its `new Elysia()` chain was not found'
	}
}
