import type { ThreadMetadata } from '../protocol/items'
import type { ThreadUpdate } from './types'

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

/** The thread with `update` applied (see `Store.updateThread`): a new object, `thread` is left as it is. */
export const applyThreadUpdate = (thread: ThreadMetadata, update: ThreadUpdate): ThreadMetadata => {
	const next = { ...thread }
	if (update.title !== undefined) next.title = update.title
	if (update.status !== undefined) next.status = update.status
	if (update.allowed_image_domains !== undefined) next.allowed_image_domains = update.allowed_image_domains
	if (update.metadata) {
		let metadata = thread.metadata ?? {}
		for (const [key, value] of Object.entries(update.metadata))
			metadata = withMetadataValue(metadata, key, value)
		next.metadata = metadata
	}
	return next
}
