import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { detectProject } from './detect'
import { applyPlan } from './generate/apply'
import { type InitOptions, type Level, type Plan, planInit } from './generate/plan'
import { formatApplied, formatDetection, formatNext, formatPlan } from './generate/report'

export interface RunInitOptions extends InitOptions {
	/** Print the report and the plan, write nothing. */
	dryRun?: boolean
	/** Skip `bun add` of the packages the plan needs. */
	install?: boolean
	/** Ask before applying (a terminal without `--yes`). */
	confirm?: (plan: Plan) => Promise<boolean>
	log?: (text: string) => void
}

/** Runs `init` in `dir`: detect, print the report and plan, then apply unless dry-run. Returns the plan. */
export const runInit = async (dir: string, options: RunInitOptions = {}) => {
	const root = resolve(dir)
	const log = options.log ?? console.log
	const detection = detectProject(root)
	const plan = planInit(detection, options)
	log(formatDetection(detection))
	log('')
	log(formatPlan(plan))
	if (options.dryRun || plan.mode === 'already-mounted' || plan.mode === 'no-elysia')
		return { detection, plan, applied: null }
	if (options.confirm && !(await options.confirm(plan))) {
		log('Nothing written.')
		return { detection, plan, applied: null }
	}
	const before = plan.edit ? readFileSync(join(root, plan.edit.file), 'utf8') : undefined
	const applied = applyPlan(root, plan, before)
	log('')
	log(formatApplied(applied))
	if (options.install !== false) await install(root, plan, log)
	else if (plan.dependencies.length || plan.devDependencies.length)
		log(
			`\nInstall: bun add ${plan.dependencies.join(' ')}${plan.devDependencies.length ? ` && bun add -d ${plan.devDependencies.join(' ')}` : ''}`
		)
	if (plan.next.length) log(`\n${formatNext(plan)}`)
	return { detection, plan, applied }
}

const install = async (root: string, plan: Plan, log: (text: string) => void) => {
	for (const [flags, names] of [
		[[], plan.dependencies],
		[['-d'], plan.devDependencies]
	] as const) {
		if (names.length === 0) continue
		log(`bun add ${[...flags, ...names].join(' ')}`)
		const child = Bun.spawn(['bun', 'add', ...flags, ...names], {
			cwd: root,
			stdout: 'inherit',
			stderr: 'inherit'
		})
		if ((await child.exited) !== 0) throw new Error(`bun add ${names.join(' ')} failed`)
	}
}

/** Reads `--level` (1, 2 or 3). */
export const parseLevel = (value: unknown): Level | undefined => {
	if (value === undefined || value === '') return undefined
	const level = Number(value)
	if (level !== 1 && level !== 2 && level !== 3) throw new Error('--level must be 1, 2 or 3')
	return level
}
