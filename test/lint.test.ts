import { expect, it } from 'bun:test'

it('the sources are formatted and pass the linter (biome check)', async () => {
	const biome = Bun.spawn(['node_modules/.bin/biome', 'check', '.'], {
		cwd: `${import.meta.dir}/..`,
		stdout: 'pipe',
		stderr: 'pipe'
	})
	const output = (await new Response(biome.stdout).text()) + (await new Response(biome.stderr).text())
	expect({ code: await biome.exited, output }).toEqual({ code: 0, output: expect.any(String) })
})
