/**
 * A project made the way a user makes it, from the packed tarball: a copy of a fixture of test/cli/fixtures
 * (or an empty folder) with its own dependencies and the tarball installed, `init` run through the installed
 * `elysia-chatkit` command (twice), `add` generators where asked, then `tsc` with the project's tsconfig, its
 * generated tests, and a turn over HTTP through its started entry.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { snapshot } from '../cli/helpers'
import { ok, type Ran, run } from './run'

const REPO = join(import.meta.dir, '..', '..')
const FIXTURES = join(REPO, 'test', 'cli', 'fixtures')
const TSC = join(REPO, 'node_modules', '.bin', 'tsc')

/** What one streamed turn showed, read from the SSE frames, then from items.list and threads.list. */
export interface Turn {
	status: number
	contentType: string | null
	/** Event types in order. */
	events: string[]
	/** Every frame was `data: <json>` and nothing else. */
	framed: boolean
	threadId: string
	/** The text of the assistant messages the stream marked done. */
	assistantText: string
	/** Item types of the thread, as items.list gives them after the turn. */
	items: string[]
	/** The thread is in the user's threads.list. */
	listed: boolean
}

export interface ProjectRun {
	dir: string
	/** Files the first `init` added, removed or changed in a fixture (its installs included). */
	initChanged?: string[]
	init?: Ran
	second?: Ran
	/** Files the second `init` added, removed or changed. */
	changed?: string[]
	/** What each `add` printed, and the files it added or changed. */
	adds?: { ran: Ran; changed: string[] }[]
	tsc?: Ran
	tests?: Ran
	/** Status of a `threads.list` without credentials. */
	anonymous?: number
	turn?: Turn
	/** What `after` returned (the project's own check of where the thread was stored). */
	stored?: unknown
	/** `elysia-chatkit check` against the started server. */
	check?: Ran
	/** The first step that failed, with its output. */
	error?: string
}

export interface ProjectSpec {
	/** The folder under the job's work folder. */
	name: string
	/** A folder of test/cli/fixtures, or `null` for an empty folder (init then runs from `runner`). */
	fixture: string | null
	/** Make the folder with `bun create elysia-chatkit <dir>` (from `runner`) instead of `init`. */
	create?: boolean
	/** Flags of `init`. */
	flags: string[]
	/** The file that starts the app; without it the project is not built or started (ChatKit already mounted). */
	entry?: string
	/** Environment of the generated tests and the server. */
	env?: (dir: string) => Record<string, string>
	/** The variable the entry reads its port from. */
	portVariable?: string
	/** Headers of the signed-in user, obtained the way the app's users get them. */
	signIn?: (url: string, dir: string) => Promise<Record<string, string>>
	/** Runs after the server stopped: where the turn was stored. */
	after?: (dir: string) => unknown | Promise<unknown>
	/** Also run the installed `elysia-chatkit check` against the started server, as the signed-in user. */
	check?: boolean
	/** `elysia-chatkit add` commands run after init (each one's arguments), before tsc and the tests. */
	adds?: string[][]
}

export interface Packages {
	/** Path of the elysia-chatkit tarball. */
	tarball: string
	/** A folder with the tarballs installed, where commands run for a folder that is not a project yet. */
	runner: string
	/** Where projects are made. */
	work: string
	/** Runs the CPU-bound steps (tsc, the tests, the server) a few at a time. */
	cpu: <T>(work: () => Promise<T>) => Promise<T>
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
	fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify(body)
	})

/** Streams one `threads.create` turn over HTTP and reads the thread back. */
export const streamTurn = async (url: string, headers: Record<string, string>): Promise<Turn> => {
	const input = { content: [{ type: 'input_text', text: 'Hello' }], attachments: [], inference_options: {} }
	const response = await post(url, { type: 'threads.create', params: { input } }, headers)
	const body = await response.text()
	if (response.status !== 200) throw new Error(`threads.create answered ${response.status}: ${body}`)
	const frames = body.split('\n\n').filter(Boolean)
	const events: any[] = frames.map((frame) => JSON.parse(frame.replace(/^data: /, '')))
	const threadId: string = events.find((event) => event.type === 'thread.created')?.thread?.id ?? ''
	const assistantText = events
		.filter((event) => event.type === 'thread.item.done' && event.item?.type === 'assistant_message')
		.map((event) => event.item.content.map((part: { text: string }) => part.text).join(''))
		.join('')
	const items = (await (
		await post(
			url,
			{ type: 'items.list', params: { thread_id: threadId, limit: 20, order: 'asc' } },
			headers
		)
	).json()) as { data: { type: string }[] }
	const threads = (await (
		await post(url, { type: 'threads.list', params: { limit: 20 } }, headers)
	).json()) as {
		data: { id: string }[]
	}
	return {
		status: response.status,
		contentType: response.headers.get('content-type'),
		events: events.map((event) => event.type),
		framed: frames.every((frame) => /^data: \{.*\}$/s.test(frame) && !frame.includes('\n')),
		threadId,
		assistantText,
		items: items.data.map((item) => item.type),
		listed: threads.data.some((thread) => thread.id === threadId)
	}
}

const freePort = () => {
	const server = Bun.serve({ port: 0, fetch: () => new Response() })
	const port = server.port as number
	server.stop(true)
	return port
}

/** Starts `bun <entry>` in `dir` on a free port, waits until it answers, runs `use`, and stops it. */
export const withServer = async <T>(
	dir: string,
	entry: string,
	env: Record<string, string>,
	portVariable: string,
	use: (url: string) => Promise<T>
): Promise<T> => {
	const port = freePort()
	const child = Bun.spawn(['bun', entry], {
		cwd: dir,
		env: {
			...process.env,
			NODE_ENV: 'development',
			DATABASE_URL: undefined,
			OPENAI_API_KEY: '',
			...env,
			[portVariable]: String(port)
		},
		stdin: 'ignore',
		stdout: 'ignore',
		stderr: 'pipe'
	})
	const url = `http://127.0.0.1:${port}/chatkit`
	try {
		for (const started = Date.now(); ; ) {
			if (
				await fetch(url, { method: 'POST', body: '{}' }).then(
					() => true,
					() => false
				)
			)
				break
			if (child.exitCode !== null || Date.now() - started > 60_000) {
				child.kill()
				throw new Error(`${entry} did not start: ${await new Response(child.stderr).text()}`)
			}
			await Bun.sleep(100)
		}
		return await use(url)
	} finally {
		child.kill()
		await child.exited
	}
}

/**
 * Runs the `Install: bun add …` line that `init --no-install` printed, with the tarball for
 * `elysia-chatkit@^<version>` (the registry does not have it).
 */
const installPrinted = async (output: string, dir: string, tarball: string) => {
	const line = /^Install: (.+)$/m.exec(output)?.[1]
	if (!line) throw new Error(`init printed no Install line:\n${output}`)
	for (const command of line.split(' && ')) {
		const [bun, add, ...names] = command.trim().split(/\s+/)
		if (bun !== 'bun' || add !== 'add') throw new Error(`not a bun add: ${command}`)
		ok(
			await run(
				[
					'bun',
					'add',
					'--prefer-offline',
					...names.map((name) => (name.startsWith('elysia-chatkit@') ? tarball : name))
				],
				dir
			)
		)
	}
}

const changedFiles = (before: Record<string, string>, after: Record<string, string>) =>
	[...new Set([...Object.keys(before), ...Object.keys(after)])]
		.filter((path) => before[path] !== after[path])
		.sort()

/** The whole path of one project; stops at the first failing step and records it in `error`. */
export const makeProject = async (spec: ProjectSpec, packages: Packages): Promise<ProjectRun> => {
	const dir = join(packages.work, spec.name)
	const result: ProjectRun = { dir }
	try {
		const init = ['bun', 'x', 'elysia-chatkit', 'init', ...spec.flags]
		if (spec.fixture) {
			cpSync(join(FIXTURES, spec.fixture), dir, { recursive: true })
			// the fixture's own dependencies, with the tarball for elysia-chatkit (also where it names a version
			// already, which the registry does not have)
			const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
			if (manifest.dependencies?.['elysia-chatkit']) {
				manifest.dependencies['elysia-chatkit'] = packages.tarball
				writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, '\t')}\n`)
			}
			ok(await run(['bun', 'add', '--prefer-offline', packages.tarball], dir))
			const before = snapshot(dir)
			result.init = ok(await run(init, dir))
			result.initChanged = changedFiles(before, snapshot(dir))
		} else if (spec.create) {
			result.init = ok(
				await run(['bun', 'create', 'elysia-chatkit', dir, ...spec.flags], packages.runner)
			)
		} else {
			mkdirSync(dir)
			result.init = ok(
				await run(['bun', 'x', 'elysia-chatkit', 'init', dir, ...spec.flags], packages.runner)
			)
		}
		if (spec.flags.includes('--no-install') && result.init.output.includes('Install: '))
			await installPrinted(result.init.output, dir, packages.tarball)
		const first = snapshot(dir)
		// run again in the project, with the elysia-chatkit it has installed
		result.second = ok(await run(init, dir))
		result.changed = changedFiles(first, snapshot(dir))
		for (const args of spec.adds ?? []) {
			const before = snapshot(dir)
			const ran = ok(await run(['bun', 'x', 'elysia-chatkit', 'add', ...args], dir))
			result.adds = [...(result.adds ?? []), { ran, changed: changedFiles(before, snapshot(dir)) }]
		}
		if (!spec.entry) return result
		const env = spec.env?.(dir) ?? {}
		const tsc = existsSync(join(dir, 'node_modules/.bin/tsc')) ? join(dir, 'node_modules/.bin/tsc') : TSC
		result.tsc = await packages.cpu(() => run([tsc, '--noEmit', '-p', 'tsconfig.json'], dir))
		result.tests = await packages.cpu(() => run(['bun', 'test'], dir, env))
		const entry = spec.entry
		await packages.cpu(() =>
			withServer(dir, entry, env, spec.portVariable ?? 'PORT', async (url) => {
				const started = performance.now()
				result.anonymous = (await post(url, { type: 'threads.list', params: {} })).status
				const headers = (await spec.signIn?.(url, dir)) ?? {}
				result.turn = await streamTurn(url, headers)
				console.log(
					`  a turn through the started ${entry} (${spec.name}): ${((performance.now() - started) / 1000).toFixed(1)} s`
				)
				if (spec.check)
					result.check = await run(
						[
							'bun',
							'x',
							'elysia-chatkit',
							'check',
							url,
							...Object.entries(headers).flatMap(([name, value]) => [
								'--header',
								`${name}: ${value}`
							])
						],
						dir
					)
			})
		)
		result.stored = await spec.after?.(dir)
	} catch (error) {
		result.error = error instanceof Error ? error.message : String(error)
	}
	return result
}
