import { existsSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import * as prompts from '@clack/prompts'
import { type ArgsDef, type CommandDef, defineCommand, runCommand } from 'citty'
import { isEmptyProject } from './detect/files'

const interactive = (args: Record<string, unknown>) =>
	!args.yes && process.stdin.isTTY === true && process.stdout.isTTY === true

const resolveArgs = async (args: CommandDef['args']): Promise<ArgsDef> =>
	typeof args === 'function' ? await args() : ((await args) ?? {})

/** Why `dir` cannot hold a new project, or `null` when it can (missing, empty, or only `.git`/a README). */
export const createRefusal = (dir: string): string | null =>
	isEmptyProject(resolve(dir))
		? null
		: `${dir} is not empty: bun create makes a new project in a new or empty folder. To add ChatKit to the app in ${dir}, run \`bunx elysia-chatkit init\` there.`

/**
 * `create <dir>`: `init` in a new or empty folder, with the same flags (`--level`, `--auth`, `--yes`, …).
 * The `create-elysia-chatkit` package runs it, so this is what `bun create elysia-chatkit <dir>` does.
 */
export const createCommand = <T extends ArgsDef>(init: CommandDef<T>) =>
	defineCommand({
		meta: {
			name: 'create',
			description:
				'Create a new project with a ChatKit endpoint (what `bun create elysia-chatkit <dir>` runs)'
		},
		args: async () => ({
			...(await resolveArgs(init.args as CommandDef['args'])),
			dir: { type: 'positional', required: false, description: 'the new project folder' } as const
		}),
		async run({ args, rawArgs }) {
			let dir = typeof args.dir === 'string' && args.dir !== '' ? args.dir : undefined
			let initArgs = rawArgs
			if (dir === undefined) {
				if (!interactive(args))
					throw new Error('name the new folder: bun create elysia-chatkit <dir>')
				const picked = await prompts.text({
					message: 'Project folder?',
					placeholder: 'chatkit-app',
					defaultValue: 'chatkit-app'
				})
				if (prompts.isCancel(picked)) return
				dir = picked
				initArgs = [dir, ...rawArgs]
			}
			const refusal = createRefusal(dir)
			if (refusal) throw new Error(refusal)
			await runCommand(init, { rawArgs: initArgs })
			if (args['dry-run'] || !existsSync(join(resolve(dir), 'package.json'))) return
			const cd = relative(process.cwd(), resolve(dir)) || '.'
			console.log(
				[
					'',
					'Next:',
					`  cd ${cd}`,
					...(args.install === false ? ['  (the Install line above)'] : []),
					'  bun test      # the generated test: a turn streams',
					'  bun run dev   # the server, POST http://localhost:3000/chatkit'
				].join('\n')
			)
		}
	})
