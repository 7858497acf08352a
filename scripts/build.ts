/**
 * Builds what the package ships into dist/: JavaScript and declarations from src/, plugins/ and cli/ (the `elysia-chatkit` command) (tsc with
 * tsconfig.build.json), plus the files the code reads at run time beside it (the store's migrations, the
 * playground's page). Run by `bun run build` and before `bun pm pack` / `npm publish` (prepack).
 */
import { cpSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { Glob } from 'bun'

const root = join(import.meta.dir, '..')
const dist = join(root, 'dist')

rmSync(dist, { recursive: true, force: true })
const tsc = Bun.spawnSync([join(root, 'node_modules/.bin/tsc'), '-p', 'tsconfig.build.json'], {
	cwd: root,
	stdout: 'inherit',
	stderr: 'inherit'
})
if (tsc.exitCode !== 0) process.exit(tsc.exitCode ?? 1)

let assets = 0
for (const folder of ['src', 'plugins', 'cli'])
	for (const path of new Glob(`${folder}/**/*`).scanSync({ cwd: root }))
		if (!/\.tsx?$/.test(path)) {
			cpSync(join(root, path), join(dist, path))
			assets++
		}
console.log(`dist/ built (${assets} run-time files copied beside the JavaScript)`)
