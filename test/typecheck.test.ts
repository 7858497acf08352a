import { expect, it } from 'bun:test'

it(
	'the project and its type-level tests type-check under strict',
	async () => {
		const tsc = Bun.spawn(['node_modules/.bin/tsc', '--noEmit', '-p', '.'], {
			cwd: `${import.meta.dir}/..`,
			stdout: 'pipe',
			stderr: 'pipe'
		})
		const output = (await new Response(tsc.stdout).text()) + (await new Response(tsc.stderr).text())
		expect(output).toBe('')
		expect(await tsc.exited).toBe(0)
	},
	{ timeout: 120_000 }
)
