/**
 * Log an unexpected error without dumping the object: errors from model SDKs carry the whole run state,
 * conversation included. The name, message and stack frames are enough to debug.
 */
export const logError = (context: string, error: unknown): void => {
	if (error instanceof Error) {
		const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '))
		console.error(
			`[elysia-chatkit] ${context}: ${error.name}: ${error.message}\n${frames.slice(0, 8).join('\n')}`
		)
	} else console.error(`[elysia-chatkit] ${context}: a non-Error value was thrown (${typeof error})`)
}
