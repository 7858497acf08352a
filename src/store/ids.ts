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

/** `<prefix>_<16 hex chars>`: the reference prefixes, with twice its 8 hex chars so that ids do not collide in large stores. */
export const generateId = (itemType: StoreItemType): string =>
	`${ID_PREFIXES[itemType]}_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`
