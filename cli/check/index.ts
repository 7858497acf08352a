import { z } from 'zod'
import { AttachmentSchema, pageSchema, ThreadItemSchema, ThreadSchema } from '../../src/protocol/items'
import { type Answer, readError, readJson, readStream } from './wire'

/** How a server answered one request type. */
export type Verdict = 'conforming' | 'not configured' | 'differing' | 'missing' | 'not exercised'

export interface CheckResult {
	type: string
	verdict: Verdict
	/** What differs (framing, field names, defaults, status codes), or why it was not exercised. */
	issues: string[]
}

export interface CheckOptions {
	/** The ChatKit endpoint, e.g. `http://127.0.0.1:8000/chatkit`. */
	url: string
	/** Sent with every request (e.g. `authorization`). */
	headers?: Record<string, string>
	fetch?: (request: Request) => Promise<Response>
}

export interface CheckReport {
	results: CheckResult[]
	/** Threads created by the check and deleted again. */
	deleted: string[]
	/** Threads the check created and could not delete (named so the user can remove them). */
	leftBehind: string[]
}

const EmptySchema = z.object({})
const TranscriptionSchema = z.object({ text: z.string() })
const SyncActionSchema = z.object({ updated_item: ThreadItemSchema.nullish() })
const INPUT = (text: string) => ({
	content: [{ type: 'input_text', text }],
	attachments: [],
	inference_options: {}
})

const verdictOf = (issues: string[]): Verdict => (issues.length ? 'differing' : 'conforming')

/** 501 → not configured; an unknown type or route → missing; `null` when the answer is for the probe to judge. */
const unsupported = (answer: Answer): Verdict | null => {
	if (answer.status === 501) return 'not configured'
	if (answer.status === 405 || answer.status === 404 || answer.status === 422) {
		try {
			const code = JSON.parse(answer.text)?.code
			if (code === 'unknown_request_type') return 'missing'
			if (answer.status !== 422 && code !== 'not_found') return 'missing'
		} catch {
			return 'missing'
		}
	}
	return null
}

/**
 * Drives a running ChatKit server through every request type with the protocol's schemas and reports, per
 * type, whether it conforms. The threads it creates are deleted before it returns.
 */
export const runCheck = async (options: CheckOptions): Promise<CheckReport> => {
	const send = options.fetch ?? ((request: Request) => fetch(request))
	const post = async (body: string): Promise<Answer> => {
		const response = await send(
			new Request(options.url, {
				method: 'POST',
				headers: { ...options.headers, 'content-type': 'application/json' },
				body
			})
		)
		return {
			status: response.status,
			contentType: response.headers.get('content-type') ?? '',
			text: await response.text()
		}
	}
	const call = (type: string, params: object) => post(JSON.stringify({ type, params }))
	const results: CheckResult[] = []
	const created = new Set<string>()
	const deleted: string[] = []
	const record = (type: string, verdict: Verdict, issues: string[] = []) =>
		results.push({ type, verdict, issues })

	const streaming = async (type: string, params: object, accept?: (answer: Answer) => string[] | null) => {
		const answer = await call(type, params)
		const skip = unsupported(answer)
		if (skip) {
			record(type, skip, [`status ${answer.status}`])
			return null
		}
		if (accept && answer.status !== 200) {
			const issues = accept(answer)
			if (issues) {
				record(type, verdictOf(issues), issues)
				return null
			}
		}
		const { issues, events } = readStream(answer)
		for (const event of events) if (event.type === 'thread.created') created.add(event.thread.id)
		record(type, verdictOf(issues), issues)
		return events
	}
	const json = async <T extends z.ZodType>(
		type: string,
		params: object,
		schema: T,
		check?: (body: z.infer<T>) => string[]
	) => {
		const answer = await call(type, params)
		const skip = unsupported(answer)
		if (skip) {
			record(type, skip, [`status ${answer.status}`])
			return null
		}
		const { issues, body } = readJson(answer, schema)
		if (body !== null && check) issues.push(...check(body))
		record(type, verdictOf(issues), issues)
		return body
	}
	const refusal = async (type: string, params: object, statuses: number[], why: string) => {
		const answer = await call(type, params)
		const skip = unsupported(answer)
		if (skip && answer.status !== 404) return record(type, skip, [`status ${answer.status}`])
		if (answer.status === 200 && answer.contentType.startsWith('text/event-stream')) {
			const { issues, events } = readStream(answer)
			const error = events.find((event) => event.type === 'error')
			if (!error) issues.push(`${why}: expected a refusal, the stream has no error event`)
			return record(type, verdictOf(issues), issues)
		}
		const { issues } = readError(answer, statuses)
		record(
			type,
			verdictOf(issues),
			issues.map((issue) => `${why}: ${issue}`)
		)
	}

	try {
		const events = await streaming('threads.create', { input: INPUT('Hello from elysia-chatkit check') })
		const threadId = events?.find((event) => event.type === 'thread.created')?.thread.id
		const userItem = events?.find(
			(event) => event.type === 'thread.item.done' && event.item.type === 'user_message'
		)
		const userItemId = userItem?.type === 'thread.item.done' ? userItem.item.id : undefined
		if (events && events[0]?.type !== 'thread.created')
			results.at(-1)?.issues.push('the first event is not thread.created')
		await json('threads.list', { limit: 20, order: 'desc' }, pageSchema(ThreadSchema), (page) =>
			!threadId || page.data.some((thread) => thread.id === threadId)
				? []
				: ['the new thread is not in the list']
		)
		if (!threadId) {
			for (const type of [
				'threads.add_user_message',
				'threads.get_by_id',
				'threads.update',
				'items.list',
				'items.feedback',
				'threads.retry_after_item',
				'threads.custom_action',
				'threads.sync_custom_action',
				'threads.add_client_tool_output',
				'threads.add_structured_input',
				'threads.delete'
			])
				record(type, 'not exercised', ['threads.create gave no thread'])
		} else {
			await streaming('threads.add_user_message', {
				thread_id: threadId,
				input: INPUT('And a second message')
			})
			await json('threads.get_by_id', { thread_id: threadId }, ThreadSchema, (thread) =>
				thread.id === threadId ? [] : [`answered thread ${thread.id}, asked for ${threadId}`]
			)
			await json(
				'threads.update',
				{ thread_id: threadId, title: 'elysia-chatkit check' },
				ThreadSchema,
				(thread) =>
					thread.title === 'elysia-chatkit check'
						? []
						: [`title is ${JSON.stringify(thread.title)} after the update`]
			)
			await json(
				'items.list',
				{ thread_id: threadId, limit: 20, order: 'asc' },
				pageSchema(ThreadItemSchema),
				(page) =>
					page.data.some((item) => item.type === 'user_message')
						? []
						: ['no user_message among the items']
			)
			if (userItemId) {
				await json(
					'items.feedback',
					{ thread_id: threadId, item_ids: [userItemId], kind: 'positive' },
					EmptySchema
				)
				await streaming('threads.retry_after_item', { thread_id: threadId, item_id: userItemId })
			} else {
				record('items.feedback', 'not exercised', ['threads.create sent no user_message item'])
				record('threads.retry_after_item', 'not exercised', [
					'threads.create sent no user_message item'
				])
			}
			const action = { type: 'elysia-chatkit.check', payload: {} }
			const acceptRefusal = (answer: Answer) =>
				answer.status >= 400 && answer.status < 500 ? readError(answer, [answer.status]).issues : null
			await streaming(
				'threads.custom_action',
				{ thread_id: threadId, item_id: null, action },
				acceptRefusal
			)
			const sync = await call('threads.sync_custom_action', {
				thread_id: threadId,
				item_id: null,
				action
			})
			const syncSkip = unsupported(sync)
			if (syncSkip) record('threads.sync_custom_action', syncSkip, [`status ${sync.status}`])
			else if (sync.status >= 400 && sync.status < 500)
				record(
					'threads.sync_custom_action',
					verdictOf(readError(sync, [sync.status]).issues),
					readError(sync, [sync.status]).issues
				)
			else {
				const { issues } = readJson(sync, SyncActionSchema)
				record('threads.sync_custom_action', verdictOf(issues), issues)
			}
			await refusal(
				'threads.add_client_tool_output',
				{ thread_id: threadId, result: {} },
				[409, 422],
				'no pending client tool call'
			)
			await refusal(
				'threads.add_structured_input',
				{ thread_id: threadId, item_id: 'itm_elysia_chatkit_check', input: {} },
				[404],
				'an unknown item'
			)
			await json('threads.delete', { thread_id: threadId }, EmptySchema)
			const gone = await call('threads.get_by_id', { thread_id: threadId })
			if (gone.status === 404) {
				created.delete(threadId)
				deleted.push(threadId)
			} else
				results
					.at(-1)
					?.issues.push(`the thread is still there after threads.delete (status ${gone.status})`)
			const last = results.at(-1)
			if (last && last.verdict === 'conforming' && last.issues.length) last.verdict = 'differing'
		}
		const attachment = await json(
			'attachments.create',
			{ name: 'check.txt', size: 5, mime_type: 'text/plain' },
			AttachmentSchema
		)
		if (attachment) await json('attachments.delete', { attachment_id: attachment.id }, EmptySchema)
		else
			await refusal(
				'attachments.delete',
				{ attachment_id: 'atc_elysia_chatkit_check' },
				[404, 501],
				'an unknown attachment'
			)
		await json('input.transcribe', { audio_base64: 'AAAA', mime_type: 'audio/webm' }, TranscriptionSchema)
		const badJson = await post('{"type": ')
		record(
			'errors: a body that is not JSON',
			verdictOf(readError(badJson, [400]).issues),
			readError(badJson, [400]).issues
		)
		const unknown = await call('threads.unknown_type', {})
		record(
			'errors: an unknown type',
			verdictOf(readError(unknown, [422]).issues),
			readError(unknown, [422]).issues
		)
	} finally {
		for (const threadId of created) {
			const answer = await call('threads.delete', { thread_id: threadId }).catch(() => null)
			if (answer && answer.status < 300) {
				deleted.push(threadId)
				created.delete(threadId)
			}
		}
	}
	return { results, deleted, leftBehind: [...created] }
}

/** The report as printed: one line per request type, the issues under it. */
export const formatCheck = (report: CheckReport): string => {
	const width = Math.max(...report.results.map((result) => result.type.length)) + 2
	const lines = report.results.flatMap((result) => [
		`  ${result.type.padEnd(width)}${result.verdict}`,
		...(result.verdict === 'conforming' ? [] : result.issues.map((issue) => `      ${issue}`))
	])
	const count = (verdict: Verdict) => report.results.filter((result) => result.verdict === verdict).length
	lines.push(
		'',
		`${count('conforming')} conforming, ${count('not configured')} not configured, ${count('differing')} differing, ${count('missing')} missing`,
		`threads created and deleted: ${report.deleted.length}${report.leftBehind.length ? `; left behind (delete them): ${report.leftBehind.join(', ')}` : ''}`
	)
	return lines.join('\n')
}
