import type { ThreadItem, WidgetItem } from '../protocol/items'
import { clip, PROTOCOL_LIMITS } from '../protocol/limits'
import type { ChatKitRequestType, NonStreamingRequest, RequestParams } from '../protocol/requests'
import { attachmentToWire, isHiddenItem, itemToWire, pageToWire, threadToWire } from '../protocol/serialize'
import type { ChatKitContext } from '../store/types'
import { ChatKitError } from './errors'
import type { ChatKitHandlers } from './types'

const DEFAULT_PAGE_SIZE = 20

/** The page size a request asks for: 20 when absent or 0, at most `PROTOCOL_LIMITS.maxPageSize`. */
const pageSize = (limit: number | null | undefined) =>
	Math.min(limit || DEFAULT_PAGE_SIZE, PROTOCOL_LIMITS.maxPageSize)
const EMPTY = {}

const notConfigured = (feature: string) =>
	new ChatKitError(501, 'not_configured', `This server is not configured for ${feature}`)

type ReadHandler<C, T extends ChatKitRequestType> = (params: RequestParams<T>, context: C) => Promise<unknown>

/** The non-streaming requests: each returns the JSON body of its response. */
export const createReads = <C extends ChatKitContext>(
	handlers: ChatKitHandlers<C>
): { [T in NonStreamingRequest['type']]: ReadHandler<C, T> } => {
	const { store } = handlers

	const loadSender = async (threadId: string, itemId: string | null | undefined, context: C) => {
		if (!itemId) return null
		const item = await store.loadItem(threadId, itemId, context)
		if (item.type !== 'widget')
			throw new ChatKitError(422, 'invalid_request', `Item ${clip(itemId)} is not a widget`)
		return item as WidgetItem
	}

	return {
		async 'threads.get_by_id'({ thread_id }, context) {
			const thread = await store.loadThread(thread_id, context)
			const items = await store.loadThreadItems(thread_id, null, DEFAULT_PAGE_SIZE, 'asc', context)
			return threadToWire(thread, items)
		},

		async 'threads.list'({ limit, after, order }, context) {
			const page = await store.loadThreads(pageSize(limit), after, order, context)
			return pageToWire(page, (thread) => threadToWire(thread))
		},

		async 'threads.update'({ thread_id, title }, context) {
			return threadToWire(await store.updateThread(thread_id, { title }, context))
		},

		async 'threads.delete'({ thread_id }, context) {
			await store.loadThread(thread_id, context)
			await store.deleteThread(thread_id, context)
			return EMPTY
		},

		async 'threads.sync_custom_action'({ thread_id, item_id, action }, context) {
			if (!handlers.syncAction) throw notConfigured('synchronous custom actions')
			handlers.validateAction?.(action, context, item_id ?? null)
			const thread = await store.loadThread(thread_id, context)
			const sender = await loadSender(thread_id, item_id, context)
			const result = await handlers.syncAction({
				thread: { ...thread, items: { data: [], has_more: false } },
				action,
				sender,
				context,
				store
			})
			return result?.updated_item ? { updated_item: itemToWire(result.updated_item) } : EMPTY
		},

		async 'items.list'({ thread_id, limit, after, order }, context) {
			const page = await store.loadThreadItems(thread_id, after, pageSize(limit), order, context)
			// Items are scoped by owner and live only in their thread: a page with any is the owner's
			// thread. An empty one may be an unknown (or another owner's) thread, answered 404.
			if (page.data.length === 0) await store.loadThread(thread_id, context)
			return pageToWire<ThreadItem>(page, itemToWire, isHiddenItem)
		},

		async 'items.feedback'({ thread_id, item_ids, kind }, context) {
			await store.loadThread(thread_id, context)
			for (const id of new Set(item_ids)) await store.loadItem(thread_id, id, context)
			await handlers.addFeedback?.({ threadId: thread_id, itemIds: item_ids, kind, context })
			return EMPTY
		},

		async 'attachments.create'(params, context) {
			if (!handlers.attachmentStore) throw notConfigured('attachments')
			const attachment = await handlers.attachmentStore.createAttachment(params, context)
			await store.saveAttachment(attachment, context)
			return attachmentToWire(attachment)
		},

		async 'attachments.delete'({ attachment_id }, context) {
			if (!handlers.attachmentStore) throw notConfigured('attachments')
			await store.loadAttachment(attachment_id, context)
			await handlers.attachmentStore.deleteAttachment(attachment_id, context)
			await store.deleteAttachment(attachment_id, context)
			return EMPTY
		},

		async 'input.transcribe'({ audio_base64, mime_type }, context) {
			if (!handlers.transcribe) throw notConfigured('transcription')
			if (!/^[A-Za-z0-9+/]*={0,2}$/.test(audio_base64) || audio_base64.length % 4 === 1)
				throw new ChatKitError(422, 'invalid_request', 'params.audio_base64 is not valid base64')
			const data = Uint8Array.from(Buffer.from(audio_base64, 'base64'))
			const [essence = ''] = mime_type.split(';')
			const media_type = essence.trim()
			const { text } = await handlers.transcribe({ data, mime_type, media_type }, context)
			return { text }
		}
	}
}
