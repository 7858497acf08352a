import type { Model, ModelRequest, ModelResponse } from '@openai/agents'
import { Usage } from '@openai/agents'
import { TOKENS } from '../fixtures'

type StreamEvent = ReturnType<Model['getStreamedResponse']> extends AsyncIterable<infer E> ? E : never
type Output = Extract<StreamEvent, { type: 'response_done' }>['response']['output']

/**
 * A scripted model for the agent row: every call answers the benchmark's 100 tokens as one assistant
 * message, one `output_text_delta` each (paced when `paceMs()` is above 0), with no network.
 */
export class TokenModel implements Model {
	private calls = 0

	constructor(private readonly paceMs: () => number = () => 0) {}

	private output(): { id: string; output: Output } {
		const id = `bench_${++this.calls}`
		return {
			id,
			output: [
				{
					id: `msg_${id}`,
					type: 'message',
					role: 'assistant',
					status: 'completed',
					content: [{ type: 'output_text', text: TOKENS.join('') }]
				}
			]
		}
	}

	async getResponse(_request: ModelRequest): Promise<ModelResponse> {
		const { id, output } = this.output()
		return { responseId: id, output, usage: new Usage() }
	}

	async *getStreamedResponse(_request: ModelRequest): AsyncIterable<StreamEvent> {
		const { id, output } = this.output()
		const pace = this.paceMs()
		yield { type: 'response_started' }
		for (const delta of TOKENS) {
			if (pace > 0) await Bun.sleep(pace)
			yield { type: 'output_text_delta', delta, itemId: `msg_${id}` }
		}
		yield {
			type: 'response_done',
			response: {
				id,
				usage: { inputTokens: 0, outputTokens: TOKENS.length, totalTokens: TOKENS.length },
				output
			}
		}
	}
}
