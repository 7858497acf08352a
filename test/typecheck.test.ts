import { expect, it } from 'bun:test'

it('the project and its type-level tests type-check under strict', () => {
	const result = Bun.spawnSync(['node_modules/.bin/tsc', '--noEmit', '-p', '.'], {
		cwd: `${import.meta.dir}/..`
	})
	const output = result.stdout.toString() + result.stderr.toString()
	expect(output).toBe('')
	expect(result.exitCode).toBe(0)
})
