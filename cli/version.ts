import { dirname, join } from 'node:path'
import { readText } from './detect/files'

/**
 * The version of the elysia-chatkit package this command runs from: its package.json, the nearest one above this
 * file named `elysia-chatkit` (the repository's root, or the installed package's, above `dist/cli/`).
 */
export const ownVersion = (): string | null => {
	for (let dir = import.meta.dir; ; dir = dirname(dir)) {
		const text = readText(join(dir, 'package.json'))
		if (text)
			try {
				const manifest = JSON.parse(text) as { name?: string; version?: string }
				if (manifest.name === 'elysia-chatkit') return manifest.version ?? null
			} catch {}
		if (dirname(dir) === dir) return null
	}
}
