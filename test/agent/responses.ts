import { modelStream } from '@openai/agents/testing'

type Raw = Record<string, unknown>
const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 }

/** A model step that streams Responses API events, as the SDK's Responses model does. */
export const responsesStep = (events: Raw[], output: Raw[], id = 'resp_1') =>
	modelStream([
		{ type: 'response_started' },
		{ type: 'model', event: { type: 'response.created', response: { id } } },
		...events.map((event) => ({ type: 'model' as const, event })),
		{ type: 'response_done', response: { id, usage, output } }
	] as never)

export const outputMessage = (id: string, text: string, annotations: Raw[] = []) => ({
	id,
	type: 'message',
	role: 'assistant',
	status: 'completed',
	content: [{ type: 'output_text', text, annotations }]
})

/** The SDK-side message of a response_done (annotations travel in providerData). */
export const sdkMessage = (id: string, text: string) => ({
	id,
	type: 'message',
	role: 'assistant',
	status: 'completed',
	content: [{ type: 'output_text', text }]
})

/** The Responses events of one streamed text message. */
export const messageEvents = (id: string, text: string, extra: Raw[] = []) => [
	{
		type: 'response.output_item.added',
		output_index: 0,
		item: { id, type: 'message', role: 'assistant', status: 'in_progress', content: [] }
	},
	{
		type: 'response.content_part.added',
		item_id: id,
		output_index: 0,
		content_index: 0,
		part: { type: 'output_text', text: '', annotations: [] }
	},
	{ type: 'response.output_text.delta', item_id: id, output_index: 0, content_index: 0, delta: text },
	...extra,
	{ type: 'response.output_text.done', item_id: id, output_index: 0, content_index: 0, text },
	{ type: 'response.output_item.done', output_index: 0, item: outputMessage(id, text) }
]
