import { z } from 'zod'
import { type ThreadStreamEvent, ThreadStreamEventSchema } from '../../src/protocol/events'
import { shapeIssues } from './shape'

/** One answer of the server, read as the protocol expects it. */
export interface Answer {
	status: number
	contentType: string
	text: string
}

export const ErrorBodySchema = z.object({
	code: z.string(),
	message: z.string(),
	details: z.unknown().optional()
})

/** Reads an event stream: the framing (`data: <json>\n\n` and nothing else) and each event's shape. */
export const readStream = (answer: Answer) => {
	const issues: string[] = []
	const events: ThreadStreamEvent[] = []
	if (answer.status !== 200) issues.push(`status ${answer.status}, expected 200`)
	if (!answer.contentType.startsWith('text/event-stream'))
		issues.push(`content-type "${answer.contentType}", expected text/event-stream`)
	if (answer.text && !answer.text.endsWith('\n\n'))
		issues.push('framing: the stream does not end with a blank line')
	const frames = answer.text.split('\n\n').filter((frame) => frame !== '')
	const misframed: number[] = []
	for (const [index, frame] of frames.entries()) {
		if (!frame.startsWith('data: ') || frame.includes('\n')) misframed.push(index)
		const data = frame
			.split('\n')
			.filter((line) => line.startsWith('data:'))
			.map((line) => line.slice('data:'.length).replace(/^ /, ''))
			.join('\n')
		let event: unknown
		try {
			event = JSON.parse(data)
		} catch {
			issues.push(`framing: frame ${index} holds no JSON event`)
			continue
		}
		for (const issue of shapeIssues(ThreadStreamEventSchema, event))
			issues.push(`event ${index}: ${issue}`)
		const parsed = ThreadStreamEventSchema.safeParse(event)
		if (parsed.success) events.push(parsed.data)
	}
	if (misframed.length)
		issues.unshift(
			`framing: ${misframed.length} of ${frames.length} frames are not exactly one "data: <json>" line (frame ${misframed[0]}: ${JSON.stringify((frames[misframed[0] as number] ?? '').slice(0, 48))})`
		)
	if (frames.length === 0 && answer.status === 200) issues.push('the stream is empty')
	return { issues: [...new Set(issues)].slice(0, 12), events }
}

/** Reads a JSON answer: status 200, `application/json`, the body's shape. */
export const readJson = <T extends z.ZodType>(answer: Answer, schema: T) => {
	const issues: string[] = []
	if (answer.status !== 200) issues.push(`status ${answer.status}, expected 200`)
	if (!answer.contentType.startsWith('application/json'))
		issues.push(`content-type "${answer.contentType}", expected application/json`)
	let body: unknown
	try {
		body = JSON.parse(answer.text)
	} catch {
		issues.push('the body is not JSON')
		return { issues, body: null as z.infer<T> | null }
	}
	if (answer.status === 200) issues.push(...shapeIssues(schema, body))
	const parsed = schema.safeParse(body)
	return { issues, body: parsed.success ? (parsed.data as z.infer<T>) : null }
}

/** Reads an error answer: one of the expected statuses, a JSON `{ code, message }` body. */
export const readError = (answer: Answer, statuses: number[]) => {
	const issues: string[] = []
	if (!statuses.includes(answer.status))
		issues.push(`status ${answer.status}, expected ${statuses.join(' or ')}`)
	let body: unknown = null
	try {
		body = JSON.parse(answer.text)
	} catch {}
	if (body === null) issues.push('the error body is not JSON')
	else issues.push(...shapeIssues(ErrorBodySchema, body).map((issue) => `error body ${issue}`))
	const code = (body as { code?: unknown } | null)?.code
	return { issues, code: typeof code === 'string' ? code : null }
}
