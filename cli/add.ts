import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { type Detection, detectProject } from './detect'
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

export const ADD_KINDS = ['tool', 'widget', 'client-tool', 'store', 'plugin'] as const
export type AddKind = (typeof ADD_KINDS)[number]

const TEMPLATES: Record<
	AddKind,
	{
		folder: string
		module: (names: Names) => string
		test: (names: Names, path: string) => string
		use: (names: Names) => string
	}
> = {
	tool: {
		folder: 'tools',
		module: toolModule,
		test: toolTest,
		use: (names) => `add ${names.camel} to tools([…]) in the chat module: .use(tools([${names.camel}]))`
	},
	'client-tool': {
		folder: 'client-tools',
		module: clientToolModule,
		test: clientToolTest,
		use: (names) => `add ${names.camel} to tools([…]) in the chat module: .use(tools([${names.camel}]))`
	},
	widget: {
		folder: 'widgets',
		module: widgetModule,
		test: widgetTest,
		use: (names) =>
			`mount its actions in the chat module (.use(${names.camel}Actions)) and show ${names.camel}Card(…) from a tool (widget(…)) or a responder (showWidget)`
	},
	store: {
		folder: 'stores',
		module: storeModule,
		test: storeTest,
		use: (names) =>
			`once its test passes: .use(drizzleStore({ store: new ${names.pascal}Store() })) or chatkit({ store: new ${names.pascal}Store() })`
	},
	plugin: {
		folder: '',
		module: pluginModule,
		test: pluginTest,
		use: (names) => `.use(${names.camel}()) in the chat module, before chatkit()`
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
	/** The line that puts the new part to use. */
	next: string
}

/** `add <kind> <name>`: writes the part and its test (never over an existing file). */
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
	const testPath = detection.layout.testDir
		? join(detection.layout.testDir, 'chatkit', `${kind}-${names.kebab}.test.ts`)
		: modulePath.replace(/(index)?\.ts$/, (_, index) => (index ? `${names.kebab}.test.ts` : '.test.ts'))
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
	const next = template.use(names)
	log(`Next: ${next}`)
	if (kind === 'store') log(`Run its test to see which behaviours are left: bun test ${testPath}`)
	return { files, next }
}
