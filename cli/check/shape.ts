import type { z } from 'zod'

/**
 * What differs between what a server sent and what the schema makes of it: fields the schema does not
 * know (a different name), fields the schema had to fill in with a default (not sent), and validation
 * issues. Paths are dotted (`data.0.created_at`).
 */
export const shapeIssues = (schema: z.ZodType, value: unknown): string[] => {
	const parsed = schema.safeParse(value)
	if (!parsed.success)
		return parsed.error.issues
			.slice(0, 10)
			.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
	const issues: string[] = []
	compareKeys(value, parsed.data, '', issues)
	return issues.slice(0, 10)
}

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value)

const compareKeys = (sent: unknown, parsed: unknown, path: string, issues: string[]) => {
	if (Array.isArray(sent) && Array.isArray(parsed)) {
		for (const [index, entry] of sent.entries())
			compareKeys(entry, parsed[index], `${path}${index}.`, issues)
		return
	}
	if (!isObject(sent) || !isObject(parsed)) return
	for (const key of Object.keys(sent))
		if (!(key in parsed)) issues.push(`${path}${key}: a field the protocol does not have`)
	for (const key of Object.keys(parsed))
		if (!(key in sent) && parsed[key] !== undefined)
			issues.push(`${path}${key}: not sent (the protocol's default is ${JSON.stringify(parsed[key])})`)
	for (const key of Object.keys(sent))
		if (key in parsed) compareKeys(sent[key], parsed[key], `${path}${key}.`, issues)
}
