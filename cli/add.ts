import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { type Detection, detectProject } from './detect'
import { sourceFiles } from './detect/files'
import { testFolder, testSuffix } from './generate/plan'
import {
	clientToolModule,
	clientToolTest,
	type Names,
	namesOf,
	pluginModule,
	pluginTest,
	storeModule,
	storeTest,
	toolModule,
	toolTest,
	widgetModule,
	widgetTest
} from './templates/add'
import { manualLines, type Part, type WireResult, wireParts } from './wire'

export const ADD_KINDS = ['tool', 'widget', 'client-tool', 'store', 'plugin'] as const
export type AddKind = (typeof ADD_KINDS)[number]

const TEMPLATES: Record<
	AddKind,
	{
		folder: string
		module: (names: Names) => string
		test: (names: Names, path: string) => string
		/** How the part's exports are put to use in the chat module, or `null` when it is not wired (a store). */
		wire: ((names: Names) => Omit<Part, 'modulePath'>[]) | null
		/** What to do next when the part is wired (or has no wiring). */
		after: (names: Names) => string | null
	}
> = {
	tool: {
		folder: 'tools',
		module: toolModule,
		test: toolTest,
		wire: (names) => [{ use: 'tool', exportName: names.camel }],
		after: () => null
	},
	'client-tool': {
		folder: 'client-tools',
		module: clientToolModule,
		test: clientToolTest,
		wire: (names) => [{ use: 'tool', exportName: names.camel }],
		after: () => "answer it in the page: ChatKit's onClientTool callback"
	},
	widget: {
		folder: 'widgets',
		module: widgetModule,
		test: widgetTest,
		wire: (names) => [
			{ use: 'plugin-value', exportName: `${names.camel}Actions` },
			{ use: 'tool', exportName: `show${names.pascal}` }
		],
		after: (names) =>
			`the model shows the card by calling show_${names.snake}; read its state from your data there and in the action's handler`
	},
	store: {
		folder: 'stores',
		module: storeModule,
		test: storeTest,
		wire: null,
		after: (names) =>
			`once its test passes: .use(drizzleStore({ store: new ${names.pascal}Store() })) or chatkit({ store: new ${names.pascal}Store() })`
	},
	plugin: {
		folder: '',
		module: pluginModule,
		test: pluginTest,
		wire: (names) => [{ use: 'plugin-call', exportName: names.camel }],
		after: () => null
	}
}

/** Where generated code goes in this project's layout: beside the chat module. */
const baseFolder = (detection: Detection, kind: AddKind) => {
	const { sourceDir, style } = detection.layout
	const source = sourceDir || '.'
	if (kind === 'plugin') return join(source, 'plugins')
	return style === 'modules' ? join(source, 'modules', 'chatkit') : join(source, 'chatkit')
}

const importPath = (from: string, to: string) => {
	const path = relative(dirname(from), to).replace(/\\/g, '/').replace(/\.ts$/, '')
	return path.startsWith('.') ? path : `./${path}`
}

export interface AddResult {
	files: { path: string; written: boolean }[]
	/** What wiring the part into the chat module did (`null` for a store, which is not wired). */
	wired: WireResult | null
	/** The lines to add by hand, or what to do next. */
	next: string
}

const declares = (path: string, name: string) =>
	new RegExp(`export\\s+(const|let|var|function|class)\\s+${name}\\b|export\\s*\\{[^}]*\\b${name}\\b`).test(
		readFileSync(path, 'utf8')
	)

/**
 * `add <kind> <name>`: writes the part and its test (never over an existing file), then puts the part to use
 * in the chat module with one edit (see `wireParts`), or prints the lines to add when that is not safe.
 * Running it again changes nothing.
 */
export const runAdd = (
	dir: string,
	kind: AddKind,
	name: string,
	log: (text: string) => void = console.log
): AddResult => {
	const root = resolve(dir)
	const detection = detectProject(root)
	if (!detection.packageJson) throw new Error('no package.json here: run add in your app (or init first)')
	const names = namesOf(name)
	const template = TEMPLATES[kind]
	const base = baseFolder(detection, kind)
	const modulePath =
		kind === 'plugin'
			? join(base, names.kebab, 'index.ts')
			: join(base, template.folder, `${names.kebab}.ts`)
	const suffix = testSuffix(detection.layout.testRunner)
	const testDir = testFolder(detection.layout)
	const testPath = testDir
		? join(testDir, 'chatkit', `${kind}-${names.kebab}${suffix}`)
		: modulePath.replace(/(index)?\.ts$/, (_, index) => (index ? `${names.kebab}${suffix}` : suffix))
	const files = [
		{ path: modulePath, content: template.module(names) },
		{ path: testPath, content: template.test(names, importPath(testPath, modulePath)) }
	].map((file) => {
		const full = join(root, file.path)
		if (existsSync(full)) return { path: file.path, written: false }
		mkdirSync(dirname(full), { recursive: true })
		writeFileSync(full, file.content)
		return { path: file.path, written: true }
	})
	for (const file of files)
		log(`  ${file.written ? 'wrote ' : 'kept  '} ${file.path}${file.written ? '' : ' (exists)'}`)
	let wired: WireResult | null = null
	const lines: string[] = []
	if (template.wire) {
		const parts: Part[] = template.wire(names).map((part) => ({ ...part, modulePath }))
		const missing = parts.filter((part) => !declares(join(root, modulePath), part.exportName))
		wired =
			missing.length === 0
				? wireParts(root, sourceFiles(root), parts, detection.entry?.importExtension ?? '')
				: {
						status: 'manual',
						reason: `${modulePath} exists and does not export ${missing.map((part) => part.exportName).join(', ')}`,
						lines: manualLines(parts, `<path to ${modulePath}>`)
					}
		const uses = parts.map((part) => part.exportName).join(', ')
		if (wired.status === 'edited') log(`  edited ${wired.file}  ${wired.added.join(', ')}`)
		else if (wired.status === 'already') log(`  kept   ${wired.file} (already uses ${uses})`)
		else {
			log(`Not wired (${wired.reason}). Add by hand:`)
			lines.push(...wired.lines)
			for (const line of wired.lines) log(`  ${line}`)
		}
	}
	const after = template.after(names)
	if (after) {
		lines.push(after)
		log(`Next: ${after}`)
	}
	if (kind === 'store') log(`Run its test to see which behaviours are left: bun test ${testPath}`)
	return { files, wired, next: lines.join('\n') }
}
