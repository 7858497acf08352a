import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { EnvEntry, Plan } from './plan'

/** What `applyPlan` did, path by path. */
export interface Applied {
	written: string[]
	kept: string[]
	edited: string[]
	env: string[]
}

const envBlock = (entries: EnvEntry[], withSecrets: boolean) =>
	entries
		.map((entry) => {
			const value =
				withSecrets && entry.value === '' && /SECRET/.test(entry.name)
					? Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
					: entry.value
			return `# ${entry.comment}\n${entry.name}=${value}`
		})
		.join('\n')

const appendEnv = (path: string, entries: EnvEntry[], withSecrets: boolean) => {
	const existing = existsSync(path) ? readFileSync(path, 'utf8') : ''
	const missing = entries.filter(
		(entry) => !new RegExp(`^\\s*(export\\s+)?${entry.name}\\s*=`, 'm').test(existing)
	)
	if (missing.length === 0) return false
	const separator =
		existing === '' || existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n'
	appendFileSync(path, `${separator}${envBlock(missing, withSecrets)}\n`)
	return true
}

/**
 * Writes the plan: new files only (an existing file is never overwritten, but for one the plan `replaces` that
 * is still as detection read it), the entry edit only when the file is still as detection read it, the env
 * entries not already present.
 */
export const applyPlan = (root: string, plan: Plan, sourceAtDetection?: string): Applied => {
	const applied: Applied = { written: [], kept: [], edited: [], env: [] }
	if (plan.mode === 'already-mounted' || plan.mode === 'no-elysia') return applied
	if (plan.edit) {
		const path = join(root, plan.edit.file)
		const text = readFileSync(path, 'utf8')
		if (sourceAtDetection !== undefined && text !== sourceAtDetection)
			throw new Error(`${plan.edit.file} changed since it was read; run init again`)
		const { importOffset, importText, useOffset, useText } = plan.edit
		const [first, second] =
			importOffset <= useOffset
				? [
						{ at: useOffset, text: useText },
						{ at: importOffset, text: importText }
					]
				: [
						{ at: importOffset, text: importText },
						{ at: useOffset, text: useText }
					]
		let edited = text.slice(0, first.at) + first.text + text.slice(first.at)
		edited = edited.slice(0, second.at) + second.text + edited.slice(second.at)
		writeFileSync(path, edited)
		applied.edited.push(plan.edit.file)
	}
	for (const file of plan.files) {
		const path = join(root, file.path)
		if (file.exists || existsSync(path)) {
			if (file.replaces !== undefined && readFileSync(path, 'utf8') === file.replaces) {
				writeFileSync(path, file.content)
				applied.edited.push(file.path)
			} else applied.kept.push(file.path)
			continue
		}
		mkdirSync(dirname(path), { recursive: true })
		writeFileSync(path, file.content)
		applied.written.push(file.path)
	}
	if (plan.env.length) {
		if (appendEnv(join(root, plan.envFile), plan.env, false)) applied.env.push(plan.envFile)
		if (plan.localEnv.length && appendEnv(join(root, '.env'), plan.localEnv, true))
			applied.env.push('.env')
	}
	return applied
}
