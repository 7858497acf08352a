import type { StoreItemType } from './types'

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
