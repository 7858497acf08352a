// Missing plugin dependencies are compile errors that say what is missing and which plugin adds it.
import { expect, it } from 'bun:test'
import { readFileSync } from 'node:fs'

const FIXTURE = 'test/types/failing/missing-dependencies.ts'
const root = `${import.meta.dir}/../..`

/** The text of each tsc error, by the line it is reported on. */
const errorsByLine = (output: string) => {
	const errors = new Map<number, string>()
	let line = 0
	for (const row of output.split('\n')) {
		const start = /^test\/types\/failing\/missing-dependencies\.ts\((\d+),\d+\): error/.exec(row)
		if (start) line = Number(start[1])
		if (line) errors.set(line, `${errors.get(line) ?? ''}${row}\n`)
	}
	return errors
}

it(
	'each case of the fixture fails to compile, naming the plugin, the key it lacks and the plugin that adds it',
	async () => {
		const tsc = Bun.spawn(['node_modules/.bin/tsc', '--noEmit', '-p', 'test/types/failing'], {
			cwd: root,
			stdout: 'pipe',
			stderr: 'pipe'
		})
		const output = (await new Response(tsc.stdout).text()) + (await new Response(tsc.stderr).text())
		expect(await tsc.exited).not.toBe(0)
		const errors = errorsByLine(output)
		const lines = readFileSync(`${root}/${FIXTURE}`, 'utf8').split('\n')
		const caseLine = (label: string) => lines.findIndex((line) => line.includes(`// case: ${label}`)) + 2

		const audit = errors.get(caseLine('no auth plugin before the audit plugin'))
		expect(audit).toContain(
			'PluginNeeds<"acme/audit", { readonly user: "an auth plugin: devUser(), jwtAuth() or sessionAuth()"; }>'
		)

		const noResponder = errors.get(caseLine('a store option but no responder'))
		expect(noResponder).toContain(
			'PluginNeeds<"chatkit()", { readonly chatkitRespond: "a responder: use the agent plugin'
		)
		expect(noResponder).not.toContain('chatkitStore')

		const noStore = errors.get(caseLine('a responder but no store'))
		expect(noStore).toContain(
			'PluginNeeds<"chatkit()", { readonly chatkitStore: "a store: use a store plugin'
		)
		expect(noStore).not.toContain('chatkitRespond')

		// The app's own type is not available to the error (Elysia's last overload of `use` takes any app):
		// with neither given as an option, the error lists both, each with where it comes from.
		const storePlugin = errors.get(caseLine('a store plugin but no responder'))
		expect(storePlugin).toContain('readonly chatkitRespond: "a responder: use the agent plugin')
		expect(storePlugin).toContain('readonly chatkitStore: "a store: use a store plugin')
		expect(errors.size).toBe(4)
	},
	{ timeout: 300_000 }
)
