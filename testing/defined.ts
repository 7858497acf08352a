/** `value`, or a failed test saying what was missing (narrows `T | undefined` to `T`). */
export const defined = <T>(value: T | undefined, what = 'a value'): T => {
	if (value === undefined) throw new Error(`expected ${what}, got undefined`)
	return value
}

/** `items.at(index)`, or a failed test saying the index is out of range. */
export const at = <T>(items: readonly T[], index: number): T =>
	defined(items.at(index), `an entry at index ${index} of ${items.length}`)
