import type { StoreItemType } from './types'

/** The longest id (thread, item, attachment, user, tenant) the built-in stores accept by default. */
export const MAX_ID_LENGTH = 255

/** True when `id` can scope or name a stored row: a non-empty string of at most `maxLength` characters, without NUL. */
export const isUsableId = (id: unknown, maxLength = MAX_ID_LENGTH): id is string =>
	typeof id === 'string' && id.length > 0 && id.length <= maxLength && !id.includes('\u0000')

export const ID_PREFIXES: Record<StoreItemType, string> = {
	thread: 'thr',
	message: 'msg',
	tool_call: 'tc',
	workflow: 'wf',
	task: 'tsk',
	attachment: 'atc',
	sdk_hidden_context: 'shcx'
}

const randomBits = new BigUint64Array(1)

/** 64 random bits as 16 hex chars. */
const randomHex = (): string => {
	crypto.getRandomValues(randomBits)
	return (randomBits[0] ?? 0n).toString(16).padStart(16, '0')
}

/**
 * `<prefix>_<12 hex chars: the time in milliseconds><16 hex chars: 64 random bits>`, with the reference
 * prefixes. The time first makes ids of the same moment neighbours in the stores' indexes: an insert
 * changes the index's last pages instead of a random page each (a streaming turn on SQLite costs about a
 * quarter less CPU). The random bits keep ids from colliding, as the reference's 8 random hex chars do not in
 * large stores. Ids made in the same millisecond are in no particular order.
 */
export const generateId = (itemType: StoreItemType): string =>
	`${ID_PREFIXES[itemType]}_${Date.now().toString(16).padStart(12, '0')}${randomHex()}`
