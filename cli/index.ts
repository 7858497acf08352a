#!/usr/bin/env bun
import * as prompts from '@clack/prompts'
import { defineCommand, runMain } from 'citty'
import { ADD_KINDS, type AddKind, runAdd } from './add'
import { formatCheck, runCheck } from './check'
import { createCommand } from './create'
import type { InitOptions, Level } from './generate/plan'
import { parseLevel, runInit } from './init'

const interactive = (yes: boolean) => !yes && process.stdin.isTTY === true && process.stdout.isTTY === true

const init = defineCommand({
	meta: {
		name: 'init',
		description: 'Add a ChatKit endpoint to the app in this folder (or create a new project)'
	},
	args: {
		dir: { type: 'positional', required: false, default: '.', description: 'the project folder' },
		level: { type: 'string', description: '1 hello world, 2 agent (default), 3 production' },
		auth: { type: 'string', description: 'auto (default), better-auth, jwt or dev' },
		db: { type: 'string', description: "auto (default: the app's database), sqlite" },
		yes: { type: 'boolean', alias: 'y', description: 'apply without asking' },
		'dry-run': { type: 'boolean', description: 'print the report and the plan, write nothing' },
		install: {
			type: 'boolean',
			default: true,
			description: 'bun add the packages the plan needs (--no-install to skip)'
		}
	},
	async run({ args }) {
		let level = parseLevel(args.level)
		const ask = interactive(Boolean(args.yes)) && !args['dry-run']
		if (ask && level === undefined) {
			const picked = await prompts.select({
				message: 'Which level?',
				initialValue: 2 as Level,
				options: [
					{ value: 1 as Level, label: '1 hello world', hint: 'a fixed reply, in memory' },
					{ value: 2 as Level, label: '2 agent', hint: "an Agents SDK agent, the app's database" },
					{ value: 3 as Level, label: '3 production', hint: 'auth, limits, CORS, tools' }
				]
			})
			if (prompts.isCancel(picked)) {
				prompts.cancel('Nothing written.')
				return
			}
			level = picked
		}
		await runInit(args.dir, {
			level,
			auth: (args.auth as InitOptions['auth']) ?? 'auto',
			db: (args.db as InitOptions['db']) ?? 'auto',
			dryRun: Boolean(args['dry-run']),
			install: args.install !== false,
			confirm: ask
				? async () => {
						const answer = await prompts.confirm({ message: 'Apply this plan?' })
						return answer === true
					}
				: undefined
		})
	}
})

/** `--header 'name: value'`, given once or several times. */
export const parseHeaders = (value: unknown): Record<string, string> => {
	const headers: Record<string, string> = {}
	for (const entry of [value].flat()) {
		if (typeof entry !== 'string') continue
		const colon = entry.indexOf(':')
		if (colon <= 0)
			throw new Error(`--header must be "name: value", got ${JSON.stringify(entry.slice(0, 40))}`)
		headers[entry.slice(0, colon).trim().toLowerCase()] = entry.slice(colon + 1).trim()
	}
	return headers
}

const check = defineCommand({
	meta: {
		name: 'check',
		description: 'Drive a running ChatKit server through every request type and report what conforms'
	},
	args: {
		url: {
			type: 'positional',
			required: true,
			description: 'the ChatKit endpoint, e.g. http://127.0.0.1:8000/chatkit'
		},
		header: {
			type: 'string',
			description: "a header to send, 'name: value' (repeatable), e.g. 'authorization: Bearer …'"
		}
	},
	async run({ args, rawArgs }) {
		const headers = rawArgs.flatMap((arg, index) =>
			arg === '--header'
				? [rawArgs[index + 1]]
				: arg.startsWith('--header=')
					? [arg.slice('--header='.length)]
					: []
		)
		const report = await runCheck({
			url: args.url,
			headers: parseHeaders(headers.length ? headers : args.header)
		})
		console.log(formatCheck(report))
		if (report.results.some((result) => result.verdict === 'differing' || result.verdict === 'missing'))
			process.exitCode = 1
	}
})

const add = defineCommand({
	meta: { name: 'add', description: `Add a part and its test: ${ADD_KINDS.join(', ')}` },
	args: {
		kind: { type: 'positional', required: true, description: ADD_KINDS.join(' | ') },
		name: { type: 'positional', required: true, description: 'its name, e.g. order-lookup' },
		dir: { type: 'string', default: '.', description: 'the project folder' }
	},
	run({ args }) {
		if (!(ADD_KINDS as readonly string[]).includes(args.kind))
			throw new Error(`unknown kind "${args.kind}": use one of ${ADD_KINDS.join(', ')}`)
		runAdd(args.dir, args.kind as AddKind, args.name)
	}
})

const main = defineCommand({
	meta: {
		name: 'elysia-chatkit',
		description: 'Add ChatKit to an Elysia app, generate parts, check a server'
	},
	subCommands: { init, add, check, create: createCommand(init) }
})

/** Runs the `elysia-chatkit` command with these arguments (`create-elysia-chatkit` calls it with `create …`). */
export const runCli = (rawArgs: string[]) => runMain(main, { rawArgs })

if (import.meta.main) runMain(main)
