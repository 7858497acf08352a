import { readFileSync } from 'node:fs'
import { relative } from 'node:path'

interface ProfileNode {
	id: number
	callFrame: { functionName: string; url: string; lineNumber: number }
	children?: number[]
}

interface CpuProfile {
	nodes: ProfileNode[]
	samples: number[]
}

const ROOT = relative('/', `${import.meta.dir}/../..`)

const nameOf = ({ callFrame }: ProfileNode) => {
	const url = callFrame.url ? relative(`/${ROOT}`, callFrame.url.replace(/^file:\/\//, '')) : '[native]'
	const where = callFrame.url ? `${url}:${callFrame.lineNumber + 1}` : url
	return `${callFrame.functionName || '(anonymous)'} ${where}`
}

/**
 * Self and inclusive share of the samples per function (by sample count, which follows CPU time:
 * the profiler's time deltas also count idle gaps). Functions are keyed by name and source line.
 */
export const summarizeProfile = (file: string, top = 30): string => {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
	const byId = new Map(profile.nodes.map((node) => [node.id, node]))
	const parent = new Map<number, number>()
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
	const self = new Map<string, number>()
	const inclusive = new Map<string, number>()
	let total = 0
	for (const sample of profile.samples) {
		const node = byId.get(sample)
		if (!node) continue
		const leaf = nameOf(node)
		if (leaf.startsWith('(root)') || leaf.startsWith('(idle)') || leaf.startsWith('(program)')) continue
		total++
		self.set(leaf, (self.get(leaf) ?? 0) + 1)
		const seen = new Set<string>()
		for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
			const current = byId.get(id)
			if (!current) break
			const name = nameOf(current)
			if (seen.has(name) || name.startsWith('(root)')) continue
			seen.add(name)
			inclusive.set(name, (inclusive.get(name) ?? 0) + 1)
		}
	}
	const list = (map: Map<string, number>) =>
		[...map.entries()]
			.sort((a, b) => b[1] - a[1])
			.slice(0, top)
			.map(([name, count]) => `${((count / total) * 100).toFixed(1).padStart(5)}%  ${name}`)
			.join('\n')
	return `${total} samples (busy JS thread only)\n\nSelf:\n${list(self)}\n\nInclusive:\n${list(inclusive)}\n`
}

if (import.meta.main) console.log(summarizeProfile(process.argv[2] ?? '', Number(process.argv[3] ?? 30)))
