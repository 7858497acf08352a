import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { parse as babelParse } from '@babel/parser'
import type { SourceFile } from './detect/files'

/** How a part is put to use in the chat module. */
export type PartUse =
	/** An element of the `tools([…])` list (a `.use(tools([name]))` before the agent when there is none). */
	| 'tool'
	/** `.use(name)` before `chatkit()`: a widget's actions. */
	| 'plugin-value'
	/** `.use(name())` before `chatkit()`: a plugin factory. */
	| 'plugin-call'

export interface Part {
	use: PartUse
	/** The value the part's module exports (`orderLookup`, `orderCardActions`). */
	exportName: string
	/** The part's module, relative to the project root. */
	modulePath: string
}

export type WireResult =
	| { status: 'edited'; file: string; added: string[] }
	| { status: 'already'; file: string }
	| { status: 'manual'; reason: string; lines: string[] }

type Node = any

const parse = (text: string): Node | null => {
	try {
		return babelParse(text, { sourceType: 'module', plugins: ['typescript', 'jsx'] }).program
	} catch {
		return null
	}
}

const walk = (node: Node, visit: (node: Node) => void) => {
	if (!node || typeof node.type !== 'string') return
	visit(node)
	for (const key of Object.keys(node)) {
		if (key === 'loc' || key === 'comments' || key === 'leadingComments' || key === 'trailingComments')
			continue
		const value = node[key]
		if (Array.isArray(value)) for (const child of value) walk(child, visit)
		else if (value && typeof value.type === 'string') walk(value, visit)
	}
}

const TEST_FILE = /(^|\/)(test|tests|__tests__)\/|[._](test|spec)\.[cm]?[jt]sx?$/

/** The local name under which `imported` is imported from `source`, or `null`. */
const localName = (program: Node, source: string, imported: string): string | null => {
	for (const statement of program.body)
		if (statement.type === 'ImportDeclaration' && statement.source.value === source)
			for (const specifier of statement.specifiers)
				if (specifier.type === 'ImportSpecifier' && specifier.imported.name === imported)
					return specifier.local.name
	return null
}

/** `.use(<name>(…))` calls: the `use` call of each. */
const useCallsOf = (program: Node, name: string): Node[] => {
	const found: Node[] = []
	walk(program, (node) => {
		if (
			node.type === 'CallExpression' &&
			node.callee.type === 'MemberExpression' &&
			node.callee.property.type === 'Identifier' &&
			node.callee.property.name === 'use' &&
			node.arguments[0]?.type === 'CallExpression' &&
			node.arguments[0].callee.type === 'Identifier' &&
			node.arguments[0].callee.name === name
		)
			found.push(node)
	})
	return found
}

const callsOf = (program: Node, name: string): Node[] => {
	const found: Node[] = []
	walk(program, (node) => {
		if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === name)
			found.push(node)
	})
	return found
}

/** The files (not tests) that mount `chatkit()` from the package, with the number of mounts in each. */
export const findChatModules = (sources: SourceFile[]) =>
	sources.flatMap((source) => {
		if (TEST_FILE.test(source.path) || !source.text.includes('elysia-chatkit')) return []
		const program = parse(source.text)
		const name = program && localName(program, 'elysia-chatkit', 'chatkit')
		if (!name) return []
		const mounts = useCallsOf(program, name).length
		return mounts ? [{ path: source.path, mounts }] : []
	})

const indentOf = (text: string, offset: number) => {
	const lineStart = text.lastIndexOf('\n', offset - 1) + 1
	return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? ''
}

/** Inserts `.use(…)` in the chain just before the `use` call `before`, on its own line when the chain is. */
const useBefore = (text: string, before: Node, argument: string) => {
	const receiver = before.callee.object
	const between = text.slice(receiver.end, before.callee.property.start)
	return between.includes('\n')
		? { at: receiver.end, text: `\n${indentOf(text, before.callee.property.start)}.use(${argument})` }
		: { at: receiver.end, text: `.use(${argument})` }
}

/** Appends `name` to an array literal, in its layout (one per line or inline, a trailing comma kept). */
const appendElement = (text: string, array: Node, name: string) => {
	const elements = (array.elements as Node[]).filter(Boolean)
	const first = elements[0]
	const last = elements.at(-1)
	if (!first) return { at: array.start + 1, text: name }
	const tail = text.slice(last.end, array.end - 1)
	const comma = tail.indexOf(',')
	if (text.slice(array.start, first.start).includes('\n')) {
		const indent = indentOf(text, first.start)
		return comma >= 0
			? { at: last.end + comma + 1, text: `\n${indent}${name},` }
			: { at: last.end, text: `,\n${indent}${name}` }
	}
	return comma >= 0 ? { at: last.end + comma + 1, text: ` ${name}` } : { at: last.end, text: `, ${name}` }
}

/** Every name bound at the top of the module (imports and declarations). */
const topLevelNames = (program: Node): Set<string> => {
	const names = new Set<string>()
	for (const statement of program.body) {
		const declaration = statement.type.startsWith('Export') ? statement.declaration : statement
		if (statement.type === 'ImportDeclaration')
			for (const specifier of statement.specifiers) names.add(specifier.local.name)
		if (!declaration) continue
		if (declaration.type === 'VariableDeclaration')
			for (const declarator of declaration.declarations)
				if (declarator.id.type === 'Identifier') names.add(declarator.id.name)
		if (declaration.id?.type === 'Identifier') names.add(declaration.id.name)
	}
	return names
}

/** How the module's relative imports end: `''`, `.ts` or `.js`. */
const importExtension = (program: Node): '' | '.ts' | '.js' => {
	for (const statement of program.body)
		if (statement.type === 'ImportDeclaration' && statement.source.value.startsWith('.')) {
			const source: string = statement.source.value
			return source.endsWith('.js') ? '.js' : source.endsWith('.ts') ? '.ts' : ''
		}
	return ''
}

const specifierFrom = (from: string, to: string, extension: '' | '.ts' | '.js') => {
	let path = relative(dirname(from), to).replace(/\\/g, '/').replace(/\.ts$/, '')
	if (path.endsWith('/index') && extension === '') path = path.slice(0, -'/index'.length)
	return `${path.startsWith('.') ? path : `./${path}`}${extension}`
}

const useText = (part: Part) => (part.use === 'plugin-call' ? `${part.exportName}()` : part.exportName)

/** The lines a user adds by hand, with `specifier` the import path (from the chat module) of the parts' module. */
export const manualLines = (parts: Part[], specifier: string) => [
	`import { ${parts.map((part) => part.exportName).join(', ')} } from '${specifier}'`,
	...parts.map((part) =>
		part.use === 'tool'
			? `add ${part.exportName} to the tools([…]) list in the chat module: .use(tools([${part.exportName}])) before .use(agent(…))`
			: `.use(${useText(part)})   // in the chat module's chain, before .use(chatkit(…))`
	)
]

type Edit = { at: number; text: string }

/** Decides the insertions that put `part` to use in the chat module's text, or why it cannot. */
export const planWiring = (
	file: string,
	text: string,
	part: Part,
	fallbackExtension: '' | '.ts' | '.js' = ''
): { edits: Edit[]; added: string[] } | { already: true } | { reason: string } => {
	const program = parse(text)
	if (!program) return { reason: `${file} could not be parsed` }
	const chatkitName = localName(program, 'elysia-chatkit', 'chatkit')
	const mounts = chatkitName ? useCallsOf(program, chatkitName) : []
	if (mounts.length !== 1)
		return { reason: `${file} mounts chatkit() ${mounts.length === 0 ? 'nowhere' : 'more than once'}` }
	const extension = importExtension(program) || fallbackExtension
	const specifier = specifierFrom(file, part.modulePath, extension)
	const bound = topLevelNames(program)
	const name = part.exportName
	const ownImport = program.body.find(
		(statement: Node) =>
			statement.type === 'ImportDeclaration' &&
			statement.specifiers.some((specifier: Node) => specifier.local.name === name)
	)
	if (ownImport) {
		const source: string = ownImport.source.value
		const same = source.replace(/\.(ts|js)$/, '') === specifier.replace(/\.(ts|js)$/, '')
		if (!same) return { reason: `${file} already has a ${name} (from '${source}')` }
		const used = text.split(new RegExp(`\\b${name}\\b`)).length - 1 > 1
		return used ? { already: true } : { reason: `${file} imports ${name} but does not use it` }
	}
	if (bound.has(name)) return { reason: `${file} already declares a ${name}` }
	const edits: Edit[] = []
	const added: string[] = []
	const imports = program.body.filter((statement: Node) => statement.type === 'ImportDeclaration')
	const importsEnd: number = imports.at(-1)?.end ?? 0
	const named = (statement: Node) =>
		statement.importKind !== 'type' &&
		statement.specifiers.length > 0 &&
		statement.specifiers.every((specifier: Node) => specifier.type === 'ImportSpecifier')
	const sameModule = imports.find(
		(statement: Node) =>
			named(statement) &&
			statement.source.value.replace(/\.(ts|js)$/, '') === specifier.replace(/\.(ts|js)$/, '')
	)
	const importLines: string[] = []
	if (sameModule) edits.push({ at: sameModule.specifiers.at(-1).end, text: `, ${name}` })
	else importLines.push(`import { ${name} } from '${specifier}'`)
	if (part.use === 'tool') {
		const toolsName = localName(program, 'elysia-chatkit/plugins/tools', 'tools')
		const lists = toolsName
			? callsOf(program, toolsName).filter((call) => call.arguments[0]?.type === 'ArrayExpression')
			: []
		if (lists.length > 1) return { reason: `${file} has more than one tools([…]) list` }
		if (lists.length === 1) {
			edits.push(appendElement(text, lists[0].arguments[0], name))
			added.push(`${name} in tools([…])`)
		} else {
			const agentName = localName(program, 'elysia-chatkit/plugins/agent', 'agent')
			const agents = agentName ? useCallsOf(program, agentName) : []
			if (agents.length !== 1)
				return {
					reason:
						agents.length === 0
							? `${file} has no agent() to call tools: its chatkit() answers with a responder of its own`
							: `${file} uses more than one agent`
				}
			let local = toolsName
			if (!local) {
				if (bound.has('tools')) return { reason: `${file} already declares a tools` }
				local = 'tools'
				const existing = imports.find(
					(statement: Node) =>
						statement.source.value === 'elysia-chatkit/plugins/tools' && named(statement)
				)
				if (existing) edits.push({ at: existing.specifiers.at(-1).end, text: ', tools' })
				else importLines.unshift("import { tools } from 'elysia-chatkit/plugins/tools'")
			}
			edits.push(useBefore(text, agents[0], `${local}([${name}])`))
			added.push(`.use(${local}([${name}])) before the agent`)
		}
	} else {
		edits.push(useBefore(text, mounts[0], useText(part)))
		added.push(`.use(${useText(part)}) before chatkit()`)
	}
	if (importLines.length)
		edits.push(
			importsEnd === 0
				? { at: 0, text: `${importLines.join('\n')}\n` }
				: { at: importsEnd, text: `\n${importLines.join('\n')}` }
		)
	return { edits, added }
}

export const applyEdits = (text: string, edits: Edit[]) =>
	[...edits]
		.sort((a, b) => b.at - a.at)
		.reduce((result, edit) => result.slice(0, edit.at) + edit.text + result.slice(edit.at), text)

/**
 * Puts generated parts (of one module) to use in the app's chat module with one edit: the import, and each
 * part in the `tools([…])` list or a `.use(…)` before `chatkit()`. Edits nothing (and returns the lines to
 * add by hand) when the chat module is not found exactly once, a place is ambiguous, or the file changed
 * since `sources` were read. Parts the module already uses are left as they are.
 */
export const wireParts = (
	root: string,
	sources: SourceFile[],
	parts: Part[],
	fallbackExtension: '' | '.ts' | '.js' = ''
): WireResult => {
	const modules = findChatModules(sources)
	const modulePath = (parts[0] as Part).modulePath
	if (modules.length !== 1)
		return {
			status: 'manual',
			reason:
				modules.length === 0
					? 'no module mounts chatkit() (run init first)'
					: `chatkit() is mounted in several files (${modules.map((module) => module.path).join(', ')})`,
			lines: manualLines(parts, `<path to ${modulePath}>`)
		}
	const file = (modules[0] as { path: string }).path
	const path = join(root, file)
	const text = (sources.find((source) => source.path === file) as SourceFile).text
	const program = parse(text)
	const manual = (reason: string): WireResult => ({
		status: 'manual',
		reason,
		lines: manualLines(
			parts,
			specifierFrom(file, modulePath, (program && importExtension(program)) || fallbackExtension)
		)
	})
	let edited = text
	const added: string[] = []
	for (const part of parts) {
		const planned = planWiring(file, edited, part, fallbackExtension)
		if ('already' in planned) continue
		if ('reason' in planned) return manual(planned.reason)
		edited = applyEdits(edited, planned.edits)
		added.push(...planned.added)
	}
	if (added.length === 0) return { status: 'already', file }
	if (!parse(edited)) return manual(`the edit of ${file} would not parse`)
	if (readFileSync(path, 'utf8') !== text) return manual(`${file} changed since it was read`)
	writeFileSync(path, edited)
	return { status: 'edited', file, added }
}
