import { describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import {
	answersOf,
	askStructuredInput,
	type StructuredAnswers,
	structuredAnswers
} from '../../plugins/actions'
import { chatkit } from '../../src/chatkit'
import type { Responder } from '../../src/engine/types'
import type { StructuredInputItem } from '../../src/protocol/items'
import { streamText } from '../../src/respond'
import { MemoryStore } from '../../src/store/memory'
import {
	addUserMessage,
	call,
	createThread,
	listItems,
	readError,
	readEvents,
	type Wire
} from '../chatkit/helpers'

const USER = { id: 'test_user' }

type Id = 'subject' | 'topics' | 'notes'

/** Asks three questions on a new message; on resume, says what it was told. */
const makeApp = () => {
	const seen: (StructuredAnswers<Id> | null)[] = []
	const respond: Responder = async function* (args) {
		const answers = await structuredAnswers<Id>(args)
		seen.push(answers)
		if (!answers) {
			yield askStructuredInput(args, {
				questions: [
					{ id: 'subject', question: 'Which subject?', options: ['Math', 'Science'] },
					{
						id: 'topics',
						question: 'Which topics?',
						options: ['Algebra', { value: 'Geometry' }],
						multiple: true
					},
					{ id: 'notes', question: 'Anything else?', description: 'Optional' }
				]
			})
			return
		}
		const text =
			answers.status === 'skipped'
				? 'Skipped.'
				: `Subject: ${answers.value('subject') ?? '-'}; topics: ${answers.values.topics.join(', ') || '-'}; notes: ${answers.value('notes') ?? '-'}`
		yield* streamText(args, [text])
	}
	const store = new MemoryStore()
	const app = new Elysia().use(chatkit({ store, respond, defaultUser: USER }))
	return { app, store, seen }
}

const answer = (app: Elysia, threadId: string, itemId: string, input: unknown) =>
	call(app, 'threads.add_structured_input', { thread_id: threadId, item_id: itemId, input })

describe('structured input', () => {
	it('asks, takes the answers, and resumes the turn with them', async () => {
		const { app, seen } = makeApp()
		const { events, threadId } = await createThread(app, 'Plan my lesson')
		const asked = events[events.length - 1]
		expect(asked).toEqual({
			type: 'thread.item.done',
			item: {
				id: asked.item.id,
				thread_id: threadId,
				created_at: asked.item.created_at,
				type: 'structured_input',
				status: 'pending',
				inputs: [
					{
						id: 'subject',
						question: 'Which subject?',
						type: 'multiple_choice',
						options: [{ value: 'Math' }, { value: 'Science' }],
						multiple: false
					},
					{
						id: 'topics',
						question: 'Which topics?',
						type: 'multiple_choice',
						options: [{ value: 'Algebra' }, { value: 'Geometry' }],
						multiple: true
					},
					{ id: 'notes', question: 'Anything else?', type: 'freeform', description: 'Optional' }
				]
			}
		})
		expect(seen).toEqual([null])

		const resumed = await readEvents(
			await answer(app, threadId, asked.item.id, {
				status: 'answered',
				answers: {
					subject: { values: ['Private class', 'Math'] },
					topics: { values: ['Algebra', 'Geometry'] }
				}
			})
		)
		expect(resumed.map((event: Wire) => event.type).slice(0, 2)).toEqual([
			'stream_options',
			'thread.item.replaced'
		])
		const answered = resumed[1].item
		expect(answered.status).toBe('answered')
		expect(answered.inputs.map((input: Wire) => input.answer)).toEqual([
			{ values: ['Private class'], skipped: false },
			{ values: ['Algebra', 'Geometry'], skipped: false },
			{ values: [], skipped: true }
		])

		const answers = seen[1] as StructuredAnswers<Id>
		expect(answers.status).toBe('answered')
		expect(answers.values).toEqual({
			subject: ['Private class'],
			topics: ['Algebra', 'Geometry'],
			notes: []
		})
		expect(answers.skipped).toEqual(['notes'])
		expect(answers.value('notes')).toBeNull()
		expect(answers.item).toEqual(answered)

		const reply = resumed[resumed.length - 1].item
		expect(reply.content[0].text).toBe('Subject: Private class; topics: Algebra, Geometry; notes: -')
		const items = await listItems(app, threadId, { order: 'asc' })
		expect(items.data.map((item: Wire) => item.type)).toEqual([
			'user_message',
			'structured_input',
			'assistant_message'
		])
		expect(items.data[1]).toEqual(answered)

		await readError(
			await answer(app, threadId, asked.item.id, { answers: {} }),
			409,
			'structured_input_not_pending'
		)
	})

	it('sees a skipped request as every question skipped', async () => {
		const { app, seen } = makeApp()
		const { events, threadId } = await createThread(app)
		const itemId = events[events.length - 1].item.id
		const resumed = await readEvents(
			await answer(app, threadId, itemId, {
				status: 'skipped',
				answers: { subject: { values: ['Math'] } }
			})
		)
		expect(resumed[resumed.length - 1].item.content[0].text).toBe('Skipped.')
		expect(seen[1]?.status).toBe('skipped')
		expect(seen[1]?.skipped).toEqual(['subject', 'topics', 'notes'])
		expect(seen[1]?.values).toEqual({ subject: [], topics: [], notes: [] })
	})

	it('finds no answers in a turn started by a new message, even after an answered request', async () => {
		const { app, seen } = makeApp()
		const { events, threadId } = await createThread(app)
		await readEvents(
			await answer(app, threadId, events[events.length - 1].item.id, {
				answers: { subject: { values: ['Math'] } }
			})
		)
		const next = await addUserMessage(app, threadId, 'Again')
		expect(seen.map((answers) => answers?.status ?? null)).toEqual([null, 'answered', null])
		expect(next[next.length - 1].item.type).toBe('structured_input')
	})

	it('finds no answers while the newest item is not an answered structured input', async () => {
		const store = new MemoryStore()
		const context = { user: USER }
		const thread = {
			id: 'thr_1',
			created_at: new Date().toISOString(),
			status: { type: 'active' as const },
			metadata: {}
		}
		await store.saveThread(thread, context)
		const turn = { thread, store, context, input: null }
		expect(await structuredAnswers(turn)).toBeNull()
		const asked = askStructuredInput(turn, { questions: [{ id: 'q', question: 'Q?' }] }).item
		await store.addThreadItem(thread.id, asked, context)
		expect(await structuredAnswers(turn)).toBeNull()
		const answered: StructuredInputItem = {
			...(asked as StructuredInputItem),
			status: 'answered',
			inputs: [{ id: 'q', question: 'Q?', type: 'freeform', answer: { values: ['A'], skipped: false } }]
		}
		await store.saveItem(thread.id, answered, context)
		expect((await structuredAnswers(turn))?.value('q')).toBe('A')
		await store.addThreadItem(
			thread.id,
			{
				id: 'hid_1',
				thread_id: thread.id,
				created_at: new Date().toISOString(),
				type: 'sdk_hidden_context',
				content: 'note'
			},
			context
		)
		expect((await structuredAnswers(turn))?.value('q')).toBe('A')
		await store.addThreadItem(
			thread.id,
			{
				id: 'msg_a',
				thread_id: thread.id,
				created_at: new Date().toISOString(),
				type: 'assistant_message',
				content: []
			},
			context
		)
		expect(await structuredAnswers(turn)).toBeNull()
	})

	it('refuses malformed requests to ask', () => {
		const turn = { thread: { id: 'thr_1' } as never, store: new MemoryStore(), context: { user: USER } }
		expect(() => askStructuredInput(turn, { questions: [] })).toThrow('no questions')
		expect(() =>
			askStructuredInput(turn, {
				questions: [
					{ id: 'a', question: 'A?' },
					{ id: 'a', question: 'B?' }
				]
			})
		).toThrow('unique')
		expect(() =>
			askStructuredInput(turn, { questions: [{ id: 'a', question: 'A?', options: [] }] })
		).toThrow('no options')
		const pending = askStructuredInput(turn, { questions: [{ id: 'a', question: 'A?' }] }).item
		expect(() => answersOf(pending as StructuredInputItem)).toThrow('not answered')
	})
})
