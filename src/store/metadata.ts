/** A copy of `metadata` with `key` set to `value` in its place (added last, or removed when `undefined`). */
export const withMetadataValue = (
	metadata: Record<string, unknown>,
	key: string,
	value: unknown
): Record<string, unknown> => {
	const entries = Object.entries(metadata).filter(([name]) => name !== key || value !== undefined)
	const index = entries.findIndex(([name]) => name === key)
	if (index >= 0) entries[index] = [key, value]
	else if (value !== undefined) entries.push([key, value])
	return Object.fromEntries(entries)
}
