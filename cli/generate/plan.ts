import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import type { Detection } from '../detect'
import { entryCandidates } from '../detect/entry'
import { readText } from '../detect/files'
import { type ChatModuleInput, chatModule } from '../templates/chat'
import { chatTest } from '../templates/chat-test'
import { newProjectFiles } from '../templates/project'
import { ownVersion } from '../version'

export type Level = 1 | 2 | 3

/** What the user asked for on the command line (or in the prompts). */
export interface InitOptions {
	/** @default 2 */
	level?: Level
	/** `auto` follows detection; the others force a kind. */
	auth?: 'auto' | 'better-auth' | 'jwt' | 'dev'
	/** `auto`/`app`: the app's database when found; `sqlite`: a file under `.data/`. */
	db?: 'auto' | 'app' | 'sqlite'
}

/** A file the plan writes; `exists` files are kept as they are, unless `replaces` says what may be replaced. */
export interface PlannedFile {
	path: string
	content: string
	purpose: string
	exists: boolean
	/** The file's text as detection read it: it is overwritten only while it is still exactly that. */
	replaces?: string
}

/** Two insertions in the app file: the import and `.use(createChat())` in its chain. */
export interface EntryEdit {
	file: string
	importOffset: number
	importText: string
	useOffset: number
	useText: string
}

export interface EnvEntry {
	name: string
	value: string
	comment: string
}

export interface Plan {
	/** `new-project` in an empty folder, `add` to an Elysia app, or why nothing is done. */
	mode: 'new-project' | 'add' | 'already-mounted' | 'no-elysia'
	level: Level
	files: PlannedFile[]
	edit: EntryEdit | null
	/** The line(s) to add by hand when the entry could not be edited safely. */
	manual: string | null
	/** `.env.example` entries to add (names not already there). */
	env: EnvEntry[]
	envFile: string
	/**
	 * Entries written to `.env` too, secrets with a random value: all of them in a new project; in an app, the
	 * secrets it cannot start without, when its `.gitignore` keeps `.env` out of git.
	 */
	localEnv: EnvEntry[]
	dependencies: string[]
	devDependencies: string[]
	/** What the user should know: the auth line to change, the database shared, … */
	notes: string[]
	/** What to run once it is written: the generated test, the server, a first request. */
	next: string[]
}

/**
 * The end of a generated test's file name: `.test.ts`, or `_test.ts` in an app tested with vitest or jest, a
 * name `bun test` finds and their default patterns do not (the generated tests are bun:test files).
 */
export const testSuffix = (runner: Detection['layout']['testRunner']) =>
	runner === 'vitest' || runner === 'jest' ? '_test.ts' : '.test.ts'

/**
 * The folder generated tests go in: the app's test folder, or `null` (beside the code). Not `__tests__` in a
 * jest app, where jest runs every file of that folder (the generated tests are bun:test files).
 */
export const testFolder = (layout: Detection['layout']) =>
	layout.testRunner === 'jest' && layout.testDir === '__tests__' ? null : layout.testDir

const TEST_SECRET_HINT = 'at least 32 random bytes'

const moduleLocation = (detection: Detection) => {
	const { sourceDir, style } = detection.layout
	const base = sourceDir || '.'
	switch (style) {
		case 'modules':
			return join(base, 'modules', 'chatkit', 'index.ts')
		case 'routes':
			return join(base, 'routes', 'chatkit.ts')
		case 'plugins':
			return join(base, 'plugins', 'chatkit.ts')
		default:
			return join(base, 'chatkit.ts')
	}
}

const importPath = (from: string, to: string, extension: '' | '.ts' | '.js') => {
	let path = relative(dirname(from), to).replace(/\\/g, '/').replace(/\.ts$/, '')
	if (path.endsWith('/index') && extension === '') path = path.slice(0, -'/index'.length)
	if (!path.startsWith('.')) path = `./${path}`
	return `${path}${extension}`
}

const chatInput = (
	detection: Detection,
	options: InitOptions,
	level: Level,
	notes: string[],
	env: EnvEntry[]
): ChatModuleInput => {
	const prefix = detection.env.prefix ?? ''
	const own = (name: string) => `${prefix}CHATKIT_${name}`
	const names = {
		corsOrigins: own('CORS_ORIGINS'),
		ratePerMinute: own('RATE_LIMIT_PER_MINUTE'),
		maxStreams: own('MAX_CONCURRENT_STREAMS')
	}
	const found = detection.auth
	const wanted = options.auth ?? 'auto'
	let auth: ChatModuleInput['auth']
	if ((wanted === 'auto' || wanted === 'better-auth') && found.kind === 'better-auth' && found.exportName) {
		auth = { kind: 'better-auth', importPath: found.file, exportName: found.exportName }
		notes.push(`user: the Better Auth session of \`${found.exportName}\` (${found.file})`)
	} else if ((wanted === 'auto' || wanted === 'jwt') && found.kind === 'jwt' && found.jwks) {
		const { jwks, issuer, audience } = found
		const jwksOverride = jwks.code.startsWith('env.') ? null : own('JWKS_URL')
		auth = { kind: 'jwks', jwks, issuer, audience, jwksOverride }
		if (jwksOverride)
			env.push({
				name: jwksOverride,
				value: '',
				comment: `the identity provider's keys, when not at ${jwks.code.replace(/\$\{env\./g, '${')} (the generated test sets it)`
			})
		const checks = [issuer && `issuer ${issuer.code}`, audience && `audience ${audience.code}`]
			.filter(Boolean)
			.join(', ')
		notes.push(
			`user: the identity provider's tokens, verified with the keys at ${jwks.code}${checks ? ` (${checks})` : ''} as ${found.file} does; the user id is the \`sub\` claim`
		)
	} else if ((wanted === 'auto' || wanted === 'jwt') && found.kind === 'jwt' && found.secretVariable) {
		auth = {
			kind: 'jwt',
			secretVariable: found.secretVariable,
			userClaim: found.userClaim,
			expires: found.expires
		}
		if (!found.expires)
			notes.push(
				"the app's tokens carry no exp: accepted for now (requireExpiration: false in the chat module); give them one"
			)
		notes.push(
			`user: tokens signed with ${found.secretVariable} (as ${found.library} in ${found.file}), user id from \`${found.userClaim ?? 'sub'}\``
		)
	} else if (wanted === 'jwt' || (wanted === 'auto' && level === 3)) {
		const secretVariable = own('JWT_SECRET')
		auth = { kind: 'jwt', secretVariable, userClaim: null, expires: true }
		env.push({
			name: secretVariable,
			value: '',
			comment: `HS256 secret of the tokens your app issues (${TEST_SECRET_HINT}); \`sub\` = user id`
		})
		notes.push(
			`user: Bearer tokens (HS256) signed with ${secretVariable}; the user id is the \`sub\` claim`
		)
	} else {
		auth = { kind: 'dev' }
		if (found.kind === 'session-cookie')
			notes.push(
				`found a session cookie \`${found.cookie}\` (${found.file}): replace devUser() with sessionAuth({ cookie: '${found.cookie}', verify }) from elysia-chatkit/plugins/auth`
			)
		notes.push(
			'user: the development user; to change it, replace `devUser()` in the chat module with jwtAuth({ secret: process.env.JWT_SECRET }) or your auth plugin'
		)
	}
	let database: ChatModuleInput['database']
	const db = detection.database
	const useApp = (options.db ?? 'auto') !== 'sqlite' && db.kind !== 'none'
	if (useApp && db.variable) {
		const fallback = db.kind === 'sqlite' && db.file ? `sqlite:${db.file}` : null
		database = { variable: db.variable, fallback, stripFilePrefix: db.kind === 'sqlite' }
		if (level > 1)
			notes.push(
				`store: the app's ${db.kind === 'postgresql' ? 'PostgreSQL' : 'SQLite'} database (${db.variable}${fallback ? `, else ${db.file} as the app does` : ''}, from ${db.source}); ChatKit's tables are prefixed chatkit_`
			)
	} else if (useApp && db.kind === 'sqlite' && db.file) {
		database = { variable: own('DATABASE_URL'), fallback: `sqlite:${db.file}`, stripFilePrefix: false }
		if (level > 1) notes.push(`store: the app's SQLite file ${db.file} (from ${db.source})`)
	} else {
		database = {
			variable: own('DATABASE_URL'),
			fallback: 'sqlite:.data/chatkit.db',
			stripFilePrefix: false
		}
		if (level > 1) {
			env.push({
				name: database.variable,
				value: 'sqlite:.data/chatkit.db',
				comment: 'ChatKit threads: sqlite:<file> or postgres://…'
			})
			notes.push(`store: SQLite under .data/ (${database.variable} to change it)`)
		}
	}
	if (level > 1 && !detection.env.names.includes('OPENAI_API_KEY'))
		env.push({
			name: 'OPENAI_API_KEY',
			value: '',
			comment: 'the model provider; without it the agent answers with the offline model'
		})
	if (level === 3) {
		if (!detection.hasCors)
			env.push({
				name: names.corsOrigins,
				value: '',
				comment: 'origins allowed to call /chatkit, comma-separated'
			})
		else notes.push("CORS: the app has @elysiajs/cors; add the ChatKit page's origin to it")
		env.push({ name: names.ratePerMinute, value: '120', comment: 'ChatKit requests per user per minute' })
		env.push({ name: names.maxStreams, value: '4', comment: 'open ChatKit streams per user' })
	}
	return { level, auth, database, names, cors: !detection.hasCors }
}

/** Decides what `init` writes, from the detection and the options; writes nothing. */
export const planInit = (detection: Detection, options: InitOptions = {}): Plan => {
	const level = options.level ?? 2
	const notes: string[] = []
	const env: EnvEntry[] = []
	const base: Plan = {
		mode: 'add',
		level,
		files: [],
		edit: null,
		manual: null,
		env,
		envFile: '.env.example',
		localEnv: [],
		dependencies: [],
		devDependencies: [],
		notes,
		next: []
	}
	if (detection.existingChatKit) {
		notes.push(`ChatKit is already mounted in ${detection.existingChatKit}: nothing to do`)
		return { ...base, mode: 'already-mounted' }
	}
	const fresh = detection.empty
	if (!fresh && !detection.elysia) {
		notes.push(
			detection.packageJson
				? 'package.json has no elysia dependency: run init in an Elysia app or an empty folder'
				: 'no package.json here: run init in an Elysia app or an empty folder'
		)
		return { ...base, mode: 'no-elysia' }
	}
	const view: Detection = fresh
		? {
				...detection,
				layout: { sourceDir: 'src', style: 'flat', testDir: null, testRunner: 'bun' },
				env: { ...detection.env, prefix: null }
			}
		: detection
	const modulePath = moduleLocation(view)
	const input = chatInput(view, options, level, notes, env)
	if (input.auth.kind === 'better-auth')
		input.auth.importPath = importPath(
			modulePath,
			input.auth.importPath,
			view.entry?.importExtension ?? ''
		)
	const testName = `chatkit${testSuffix(view.layout.testRunner)}`
	const testDir = testFolder(view.layout)
	const testPath = testDir ? join(testDir, testName) : join(dirname(modulePath), testName)
	const runner = view.layout.testRunner
	if (runner === 'vitest' || runner === 'jest')
		notes.push(
			`tests: the generated test is a bun:test file, run by \`bun test ${testPath}\`: elysia-chatkit needs the Bun runtime (bun:sqlite, Bun.SQL) and ${runner} runs tests in Node. Its name (*_test.ts) is one bun test finds and ${runner}'s default pattern (*.test.ts) does not, so \`${runner}\` runs as before`
		)
	const testInput = {
		...input,
		modulePath: importPath(testPath, modulePath, view.entry?.importExtension ?? '')
	}
	if (testInput.auth.kind === 'better-auth')
		testInput.auth = {
			...testInput.auth,
			importPath: importPath(
				testPath,
				(detection.auth as { file: string }).file,
				view.entry?.importExtension ?? ''
			)
		}
	const files: Omit<PlannedFile, 'exists'>[] = []
	if (fresh)
		for (const [path, content] of Object.entries(
			newProjectFiles(basename(detection.root) || 'chatkit-app')
		))
			files.push({ path, content, purpose: 'new project' })
	files.push({ path: modulePath, content: chatModule(input), purpose: `ChatKit endpoint, level ${level}` })
	files.push({
		path: testPath,
		content: chatTest(testInput),
		purpose:
			level === 3
				? 'test: a turn streams, another user is refused, the account card and its action'
				: 'test: a turn streams'
	})
	const placeholder = fresh || detection.entry ? null : detection.placeholderEntry
	if (placeholder) {
		files.push({
			path: placeholder.path,
			content: serverEntry(importPath(placeholder.path, modulePath, '')),
			purpose: "bun init's placeholder → a server that mounts the chat module",
			replaces: placeholder.text
		})
		const scripts = placeholderScripts(detection, placeholder.path)
		if (scripts) files.push(scripts)
	}
	const gitignore = gitignoreOf(detection.root)
	const keepsDataLocal = level > 1 && !fresh && input.database.fallback?.startsWith('sqlite:.data')
	if (keepsDataLocal && !ignores(gitignore, DATA_LINE)) {
		if (gitignore !== null) files.push(ignoringData(gitignore))
		else notes.push('.data/ holds the SQLite file: keep it out of git (add .data/ to .gitignore)')
	}
	const planned = files.map((file) => ({ ...file, exists: existsSync(join(detection.root, file.path)) }))
	const entry = detection.entry
	let edit: EntryEdit | null = null
	let manual: string | null = null
	if (!fresh && !placeholder) {
		if (entry?.edit) {
			const specifier = importPath(entry.appFile, modulePath, entry.importExtension)
			const { quote, semicolon } = entry.importStyle
			const importText = `${entry.importOffset === 0 ? '' : '\n'}import { createChat } from ${quote}${specifier}${quote}${semicolon ? ';' : ''}${entry.importOffset === 0 ? '\n' : ''}`
			edit = {
				file: entry.appFile,
				importOffset: entry.importOffset,
				importText,
				useOffset: entry.edit.offset,
				useText:
					entry.edit.indent === null
						? '.use(createChat())'
						: `\n${entry.edit.indent}.use(createChat())`
			}
		} else {
			const where = entry
				? `${entry.appFile} (${entry.reason})`
				: 'no file that listens an Elysia app was found'
			const from = entry?.appFile ?? entryCandidates(detection.packageJson)[0] ?? 'src/index.ts'
			manual = `import { createChat } from '${importPath(from, modulePath, entry?.importExtension ?? '')}'   // in ${from}\n… app.use(createChat())   // before .listen(…)`
			notes.push(`mount by hand: ${where}`)
		}
	}
	const deps = fresh ? {} : detection.dependencies
	// the version whose templates wrote the code, not whatever the registry has last
	const version = ownVersion()
	const dependencies = ['elysia', 'elysia-chatkit', ...(level === 3 ? ['zod'] : [])]
		.filter((name) => !deps[name])
		.map((name) => (name === 'elysia-chatkit' && version ? `${name}@^${version}` : name))
	const devDependencies = [
		...(fresh ? ['@types/bun', 'typescript'] : []),
		...(input.auth.kind === 'jwt' || input.auth.kind === 'jwks' ? ['jose'] : [])
	].filter((name) => !deps[name] && !dependencies.includes(name))
	const next = fresh ? [] : [`bun test ${testPath}   # the generated test: a turn streams`]
	if (placeholder) {
		next.push(
			'bun run dev   # the server: POST http://localhost:3000/chatkit',
			`curl -N http://localhost:3000/chatkit -H 'content-type: application/json' -d '${CURL_CREATE}'${input.auth.kind === 'jwt' ? ` -H "authorization: Bearer $TOKEN"   # a token signed with ${input.auth.secretVariable}` : input.auth.kind === 'jwks' ? ` -H "authorization: Bearer $TOKEN"   # a token from your identity provider` : ''}`
		)
	}
	if (fresh) base.mode = 'new-project'
	const added = env.filter((entry) => !detection.env.names.includes(entry.name))
	const secrets = added.filter((entry) => entry.value === '' && /SECRET/.test(entry.name))
	let localEnv = fresh ? added : []
	if (!fresh && secrets.length) {
		const names = secrets.map((entry) => entry.name).join(', ')
		if (ignores(gitignore, ENV_LINE)) {
			localEnv = secrets
			notes.push(
				`${names}: a random development value in .env (git-ignored); set your own where the app runs`
			)
		} else
			notes.push(
				`set ${names} (in .env or the environment) before starting the app: the ChatKit endpoint does not start without it`
			)
	}
	return {
		...base,
		files: planned,
		edit,
		manual,
		dependencies,
		devDependencies,
		env: added,
		localEnv,
		next
	}
}

/** The body of a first `threads.create`, for the curl line printed after init. */
export const CURL_CREATE = JSON.stringify({
	type: 'threads.create',
	params: {
		input: { content: [{ type: 'input_text', text: 'Hello' }], attachments: [], inference_options: {} }
	}
})

/** What replaces `bun init`'s placeholder entry: a server that mounts the chat module. */
const serverEntry = (chatImport: string) =>
	[
		"import { Elysia } from 'elysia'",
		`import { createChat } from '${chatImport}'`,
		'',
		'const port = Number(process.env.PORT) || 3000',
		'',
		'export const app = new Elysia()',
		"\t.get('/', () => 'ok')",
		'\t.use(createChat())',
		'\t.listen(port)',
		'',
		'console.log(`ChatKit on http://localhost:${app.server?.port}/chatkit`)',
		''
	].join('\n')

/** `dev` and `start` scripts for the server, added to package.json beside the ones it has. */
const placeholderScripts = (detection: Detection, entry: string): Omit<PlannedFile, 'exists'> | null => {
	const text = readFileSync(join(detection.root, 'package.json'), 'utf8')
	const pkg = JSON.parse(text) as { scripts?: Record<string, string> }
	const wanted = { dev: `bun run --watch ${entry}`, start: `bun run ${entry}` }
	const missing = Object.entries(wanted).filter(([name]) => pkg.scripts?.[name] === undefined)
	if (missing.length === 0) return null
	pkg.scripts = { ...pkg.scripts, ...Object.fromEntries(missing) }
	const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '\t'
	return {
		path: 'package.json',
		content: `${JSON.stringify(pkg, null, indent)}\n`,
		purpose: `scripts ${missing.map(([name]) => name).join(', ')}: the server`,
		replaces: text
	}
}

/** The project's `.gitignore`, or `null` when it has none. */
const gitignoreOf = (root: string) => readText(join(root, '.gitignore'))

/** A `.gitignore` text has a line that matches `pattern` (trimmed). */
const ignores = (gitignore: string | null, pattern: RegExp) =>
	(gitignore ?? '').split(/\r?\n/).some((line) => pattern.test(line.trim()))

/** `.env`, `/.env`, `.env*`, `*.env`. */
const ENV_LINE = /^\/?(\*?\.env\*?)$/
/** `.data`, `/.data`, `.data/`, `.data/*`, `.data/**`. */
const DATA_LINE = /^\/?\.data(\/(\*\*?)?)?$/

/** The project's `.gitignore` with `.data/` added (its text as it is, kept for `replaces`). */
const ignoringData = (gitignore: string): Omit<PlannedFile, 'exists'> => {
	const separator = gitignore === '' || gitignore.endsWith('\n') ? '' : '\n'
	return {
		path: '.gitignore',
		content: `${gitignore}${separator}\n# ChatKit's SQLite file\n.data/\n`,
		purpose: '.data/ (the SQLite file) kept out of git',
		replaces: gitignore
	}
}
