import type { RunStreamEvent, Tool } from '@openai/agents'
import type { Span } from '@opentelemetry/api'
import { trace } from '@opentelemetry/api'
import { chatkitTracer, failSpan, SPAN_ATTRIBUTES, traceParentOf, withSpan } from '../../src/tracing'
import { AgentContext } from './context'

/** Whether the request's current span records (an OpenTelemetry SDK is registered and sampled it). */
export const isTraced = (requestContext: object): boolean =>
	trace.getSpan(traceParentOf(requestContext))?.isRecording() === true

/**
 * Model calls as `chatkit.model` spans, children of the turn: each from the model's first stream event
 * (`response_started`) to its last (`response_done`), read off the run's events.
 */
export class ModelSpans {
	private open: Span | undefined
	constructor(private readonly requestContext: object) {}

	observe(event: RunStreamEvent): void {
		if (event.type !== 'raw_model_stream_event') return
		const type = (event.data as { type?: string }).type
		if (type === 'response_started') {
			this.open?.end()
			this.open = chatkitTracer().startSpan('chatkit.model', {}, traceParentOf(this.requestContext))
		} else if (type === 'response_done') {
			this.open?.end()
			this.open = undefined
		}
	}

	/** Ends a call the run left open (an error, a cancellation). */
	end(error?: unknown): void {
		if (this.open && error !== undefined) failSpan(this.open, error)
		else this.open?.end()
		this.open = undefined
	}
}

const traced = new WeakMap<object, Tool<any>>()

/** A function tool whose calls are `chatkit.tool <name>` spans (name and call id as attributes), children of the turn. */
const tracedTool = (tool: Tool<any>): Tool<any> => {
	if (tool.type !== 'function') return tool
	const known = traced.get(tool)
	if (known) return known
	const invoke = tool.invoke.bind(tool)
	const wrapped = Object.assign(Object.create(Object.getPrototypeOf(tool)), tool, {
		invoke(...args: Parameters<typeof invoke>) {
			const [runContext, , details] = args
			const requestContext =
				runContext.context instanceof AgentContext ? runContext.context.requestContext : undefined
			const callId = details?.toolCall?.callId
			return withSpan(
				`chatkit.tool ${tool.name}`,
				traceParentOf(requestContext),
				callId
					? { [SPAN_ATTRIBUTES.toolName]: tool.name, [SPAN_ATTRIBUTES.toolCallId]: callId }
					: { [SPAN_ATTRIBUTES.toolName]: tool.name },
				() => invoke(...args)
			)
		}
	}) as Tool<any>
	traced.set(tool, wrapped)
	return wrapped
}

/** The agent's tools with a span around each call. */
export const withTracedTools = <A extends { tools: unknown[]; clone(config: object): A }>(agent: A): A =>
	agent.clone({ tools: (agent.tools as Tool<any>[]).map(tracedTool) })
