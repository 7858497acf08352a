/** One line of the results table: a figure measured once per repetition, next to its baseline. */
export interface Row {
	workload: string
	variant: string
	metric: string
	/** One value per repetition. */
	values: number[]
	/** Per repetition, the value divided by the baseline's of the same repetition. */
	ratios?: number[]
	/** The goal, e.g. `≥ 0.8×`, and whether the median meets it. */
	goal?: { text: string; met: boolean }
	notes?: string
}

/** `items[index]`, or an error naming the index when there is none. */
export const at = <T>(items: readonly T[], index: number): T => {
	const item = items[index]
	if (item === undefined) throw new Error(`no entry at index ${index} (of ${items.length})`)
	return item
}

export const median = (values: number[]): number => {
	if (values.length === 0) return Number.NaN
	const sorted = values.toSorted((a, b) => a - b)
	const middle = sorted.length >> 1
	return sorted.length % 2 ? at(sorted, middle) : (at(sorted, middle - 1) + at(sorted, middle)) / 2
}

/** The `p` quantile (0 to 1) of `values`; NaN when there are none. */
export const percentile = (values: number[], p: number): number => {
	if (values.length === 0) return Number.NaN
	const sorted = values.toSorted((a, b) => a - b)
	return at(sorted, Math.min(sorted.length - 1, Math.floor(p * sorted.length)))
}

export const format = (value: number): string => {
	if (!Number.isFinite(value)) return '–'
	const abs = Math.abs(value)
	if (abs >= 1000) return Math.round(value).toLocaleString('en-US')
	if (abs >= 100) return value.toFixed(0)
	if (abs >= 10) return value.toFixed(1)
	return value.toFixed(2)
}

/** `median (min–max)`. */
export const spread = (values: number[], unit = ''): string => {
	if (values.length === 0) return '–'
	const m = `${format(median(values))}${unit}`
	if (values.length === 1) return m
	return `${m} (${format(Math.min(...values))}–${format(Math.max(...values))})`
}

export const ratios = (values: number[], baseline: number[]) =>
	values.map((value, i) => value / (baseline[i] ?? Number.NaN))

/** `met` when the median ratio is at least (or at most) the goal. */
export const goal = (values: number[], bound: number, direction: 'min' | 'max', unit = '×') => {
	const m = median(values)
	return {
		text: `${direction === 'min' ? '≥' : '≤'} ${bound}${unit}`,
		met: direction === 'min' ? m >= bound : m <= bound
	}
}

/** The table as Markdown (readable in a terminal, pasted as is into docs/benchmarks.md). */
export const table = (rows: Row[]): string => {
	const header = ['workload', 'server', 'figure', 'median (min–max)', 'ratio to baseline', 'goal', 'notes']
	const lines = rows.map((row) => [
		row.workload,
		row.variant,
		row.metric,
		spread(row.values),
		row.ratios ? spread(row.ratios, '×') : '1×',
		row.goal ? `${row.goal.text} ${row.goal.met ? 'met' : 'MISSED'}` : '',
		row.notes ?? ''
	])
	const widths = header.map((title, i) =>
		Math.max(title.length, ...lines.map((line) => at(line, i).length))
	)
	const render = (cells: string[]) =>
		`| ${cells.map((cell, i) => cell.padEnd(at(widths, i))).join(' | ')} |`
	return [render(header), render(widths.map((width) => '-'.repeat(width))), ...lines.map(render)].join('\n')
}
