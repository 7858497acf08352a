import type { TurnArgs } from './engine/types'
import type { ThreadStreamEvent } from './protocol/events'
import type { AssistantMessageContent, AssistantMessageItem } from './protocol/items'
import type { ChatKitContext } from './store/types'

type MessageArgs<C extends ChatKitContext> = Pick<TurnArgs<C>, 'thread' | 'store' | 'context'> & {
	signal?: AbortSignal
}

const newMessage = <C extends ChatKitContext>({
	thread,
	store,
	context
}: MessageArgs<C>): AssistantMessageItem => ({
	id: store.generateItemId('message', thread, context),
	thread_id: thread.id,
	created_at: new Date().toISOString(),
	type: 'assistant_message',
	content: []
})

/**
 * Stream an assistant message from text chunks: `thread.item.added`, the part, one `text_delta` per
 * chunk, then `thread.item.done`. Stops early (and leaves the message pending) when `signal` aborts.
 *
 * @example
 * async function* respond(args) {
 *   yield* streamText(args, ['Hello', ', world'])
 * }
 */
export async function* streamText<C extends ChatKitContext>(
	args: MessageArgs<C>,
	chunks: Iterable<string> | AsyncIterable<string>
): AsyncGenerator<ThreadStreamEvent> {
	const message = newMessage(args)
	const part: AssistantMessageContent = { type: 'output_text', text: '', annotations: [] }
	yield { type: 'thread.item.added', item: message }
	yield {
		type: 'thread.item.updated',
		item_id: message.id,
		update: { type: 'assistant_message.content_part.added', content_index: 0, content: { ...part } }
	}
	const text: string[] = []
	const deltaEvent = (delta: string): ThreadStreamEvent => ({
		type: 'thread.item.updated',
		item_id: message.id,
		update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta }
	})
	if (typeof (chunks as Partial<AsyncIterable<string>>)[Symbol.asyncIterator] === 'function')
		for await (const delta of chunks) {
			if (args.signal?.aborted) return
			text.push(delta)
			yield deltaEvent(delta)
		}
	else
		for (const delta of chunks as Iterable<string>) {
			if (args.signal?.aborted) return
			text.push(delta)
			yield deltaEvent(delta)
		}
	part.text = text.join('')
	yield {
		type: 'thread.item.updated',
		item_id: message.id,
		update: { type: 'assistant_message.content_part.done', content_index: 0, content: { ...part } }
	}
	yield { type: 'thread.item.done', item: { ...message, content: [part] } }
}

/** A complete assistant message in one `thread.item.done` event. */
export const textMessage = <C extends ChatKitContext>(
	args: MessageArgs<C>,
	text: string
): ThreadStreamEvent => ({
	type: 'thread.item.done',
	item: { ...newMessage(args), content: [{ type: 'output_text', text, annotations: [] }] }
})
