import type { Detection } from '../detect'
import type { Applied } from './apply'
import type { Plan } from './plan'

const authLine = (detection: Detection) => {
	const auth = detection.auth
	switch (auth.kind) {
		case 'better-auth': {
			const plugins = Object.entries(auth.plugins)
				.filter(([, on]) => on)
				.map(([name]) => name)
			return `Better Auth (${auth.exportName ?? 'instance not exported'} in ${auth.file}${plugins.length ? `; plugins: ${plugins.join(', ')}` : ''})`
		}
		case 'jwt':
			if (auth.jwks)
				return `${auth.library} in ${auth.file}, keys from ${auth.jwks.code} (JWKS)${auth.issuer ? `, issuer ${auth.issuer.code}` : ''}${auth.audience ? `, audience ${auth.audience.code}` : ''}`
			return `${auth.library} in ${auth.file}, secret ${auth.secretVariable ?? 'not found'}${auth.userClaim ? `, user id in \`${auth.userClaim}\`` : ''}`
		case 'session-cookie':
			return `session cookie \`${auth.cookie}\` (${auth.file})`
		case 'none':
			return 'none found'
	}
}

const databaseLine = (detection: Detection) => {
	const db = detection.database
	if (db.kind === 'none') return 'none found'
	const where = db.variable ? `variable ${db.variable}` : db.file ? `file ${db.file}` : 'no variable'
	return `${db.kind === 'postgresql' ? 'PostgreSQL' : 'SQLite'} (${where}; from ${db.source})`
}

/** The detection report: one line per thing looked for. */
export const formatDetection = (detection: Detection): string => {
	if (detection.empty) return 'Found: an empty folder (a new project will be created)'
	const entry = detection.entry
	const layout = detection.layout
	return [
		'Found:',
		`  package.json   ${detection.packageJson ? 'yes' : 'no'}`,
		`  elysia         ${detection.elysia ?? 'not a dependency'}`,
		`  entry          ${entry ? (entry.appFile === entry.file ? entry.file : `${entry.file} (app built in ${entry.appFile})`) : detection.placeholderEntry ? `${detection.placeholderEntry.path} (bun init's placeholder, no Elysia app yet)` : 'not found'}`,
		`  chatkit        ${detection.existingChatKit ? `already mounted in ${detection.existingChatKit}` : 'not mounted'}`,
		`  auth           ${authLine(detection)}`,
		`  database       ${databaseLine(detection)}`,
		`  env files      ${detection.env.files.join(', ') || 'none'}${detection.env.prefix ? ` (names prefixed ${detection.env.prefix})` : ''}`,
		`  layout         ${layout.sourceDir || '.'}/ ${layout.style}${layout.testDir ? `, tests in ${layout.testDir}/` : ''}`,
		`  test runner    ${layout.testRunner ?? 'none found'}${layout.testRunner === 'vitest' || layout.testRunner === 'jest' ? ' (the generated tests are bun:test files, run by bun test)' : ''}`
	].join('\n')
}

/** The plan: files, the entry edit, env entries, packages, notes. */
export const formatPlan = (plan: Plan): string => {
	const lines: string[] = []
	if (plan.mode === 'already-mounted' || plan.mode === 'no-elysia') return plan.notes.join('\n')
	lines.push(`Plan (level ${plan.level}):`)
	for (const file of plan.files)
		lines.push(
			file.exists && file.replaces !== undefined
				? `  edit   ${file.path}  ${file.purpose}`
				: `  ${file.exists ? 'keep  ' : 'create'} ${file.path}${file.exists ? ' (exists, left as it is)' : `  ${file.purpose}`}`
		)
	if (plan.edit)
		lines.push(
			`  edit   ${plan.edit.file}  import createChat, add ${plan.edit.useText.trim()} to the app's chain`
		)
	if (plan.manual)
		lines.push(
			'  by hand (the entry could not be edited safely):',
			...plan.manual.split('\n').map((line) => `    ${line}`)
		)
	if (plan.env.length)
		lines.push(`  env    ${plan.envFile}: ${plan.env.map((entry) => entry.name).join(', ')}`)
	if (plan.localEnv.length)
		lines.push(
			`  env    .env: ${plan.localEnv.map((entry) => entry.name).join(', ')} (secrets get a random value)`
		)
	if (plan.dependencies.length) lines.push(`  add    ${plan.dependencies.join(' ')}`)
	if (plan.devDependencies.length) lines.push(`  add -d ${plan.devDependencies.join(' ')}`)
	if (plan.notes.length) lines.push('Notes:', ...plan.notes.map((note) => `  ${note}`))
	return lines.join('\n')
}

/** The commands to run once the plan is written. */
export const formatNext = (plan: Plan): string =>
	plan.next.length ? ['Next:', ...plan.next.map((line) => `  ${line}`)].join('\n') : ''

export const formatApplied = (applied: Applied): string => {
	const lines: string[] = []
	for (const path of applied.written) lines.push(`  wrote  ${path}`)
	for (const path of applied.edited) lines.push(`  edited ${path}`)
	for (const path of applied.env) lines.push(`  env    ${path}`)
	for (const path of applied.kept) lines.push(`  kept   ${path} (exists)`)
	return lines.length ? lines.join('\n') : '  nothing to change'
}
