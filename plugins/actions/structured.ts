import type { TurnScope } from '../../src/engine/types'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import type {
	StructuredInput,
	StructuredInputItem,
	ThreadItem,
	UserMessageItem
} from '../../src/protocol/items'
import type { ChatKitContext } from '../../src/store/types'

/** A question answered by picking among options (the client also lets the user type another answer). */
export interface ChoiceQuestion<Id extends string = string> {
	/** The key of the answer. Unique within one request. */
	id: Id
	question: string
	options: readonly (string | { value: string })[]
	/**
	 * Whether several options may be picked; with `false`, only the first value is kept.
	 * @default false
	 */
	multiple?: boolean
}

/** A question answered with free text. */
export interface FreeformQuestion<Id extends string = string> {
	/** The key of the answer. Unique within one request. */
	id: Id
	question: string
	/** A hint shown with the question. */
	description?: string
}

export type Question<Id extends string = string> = ChoiceQuestion<Id> | FreeformQuestion<Id>

export type { TurnScope }

/** The answers of a structured input the user submitted or skipped. */
export interface StructuredAnswers<Id extends string = string> {
	/** The answered item, as stored. */
	item: StructuredInputItem
	/** `skipped` when the user dismissed the whole request. */
	status: 'answered' | 'skipped'
	/** The values of each question; `[]` for a skipped one. */
	values: Record<Id, string[]>
	/** The questions the user skipped (all of them when `status` is `skipped`). */
	skipped: Id[]
	/** The first value of a question, or `null` when it was skipped. */
	value(id: Id): string | null
}

/** A `thread.item.done` event. */
export type ThreadItemDoneEvent = Extract<ThreadStreamEvent, { type: 'thread.item.done' }>

const HIDDEN = new Set<ThreadItem['type']>(['hidden_context_item', 'sdk_hidden_context'])

const toInput = (question: Question): StructuredInput => {
	if ('options' in question) {
		if (question.options.length === 0)
			throw new Error(`askStructuredInput: question ${question.id} has no options`)
		return {
			id: question.id,
			question: question.question,
			type: 'multiple_choice',
			options: question.options.map((option) =>
				typeof option === 'string' ? { value: option } : option
			),
			multiple: question.multiple ?? false
		}
	}
	const input: StructuredInput = { id: question.id, question: question.question, type: 'freeform' }
	if (question.description != null) input.description = question.description
	return input
}

/**
 * Ask the user one or more questions: a pending `structured_input` item in a `thread.item.done`
 * event. End the turn after it: the client shows the questions, and its answer
 * (`threads.add_structured_input`) resumes the turn, calling `respond` again with `input: null`;
 * read the answers there with `structuredAnswers`.
 *
 * @example
 * async function* respond(args) {
 * 	const answers = await structuredAnswers<'size'>(args)
 * 	if (answers) return yield* streamText(args, [`A ${answers.value('size') ?? 'regular'} pizza it is.`])
 * 	yield askStructuredInput(args, { questions: [{ id: 'size', question: 'Which size?', options: ['Small', 'Large'] }] })
 * }
 */
export const askStructuredInput = <C extends ChatKitContext>(
	{ thread, store, context }: TurnScope<C>,
	{ questions }: { questions: readonly Question[] }
): ThreadItemDoneEvent => {
	if (questions.length === 0) throw new Error('askStructuredInput: no questions')
	const ids = new Set(questions.map((question) => question.id))
	if (ids.size !== questions.length) throw new Error('askStructuredInput: question ids must be unique')
	return {
		type: 'thread.item.done',
		item: {
			id: store.generateItemId('message', thread, context),
			thread_id: thread.id,
			created_at: new Date().toISOString(),
			type: 'structured_input',
			status: 'pending',
			inputs: questions.map(toInput)
		}
	}
}

/** The answers of an answered or skipped `structured_input` item. */
export const answersOf = <Id extends string = string>(item: StructuredInputItem): StructuredAnswers<Id> => {
	if (item.status === 'pending') throw new Error(`Structured input ${item.id} is not answered yet`)
	const values = {} as Record<Id, string[]>
	const skipped: Id[] = []
	for (const input of item.inputs) {
		const answer = input.answer
		const answered = item.status === 'answered' && answer != null && !answer.skipped
		values[input.id as Id] = answered ? [...answer.values] : []
		if (!answered || answer.values.length === 0) skipped.push(input.id as Id)
	}
	return {
		item,
		status: item.status,
		values,
		skipped,
		value: (id) => values[id]?.[0] ?? null
	}
}

/**
 * The answers that resumed this turn, or `null` when it did not resume from a structured input:
 * when `input` is a user message, or the newest visible item of the thread is not an answered or
 * skipped `structured_input`. Call it before the turn writes any item.
 */
export const structuredAnswers = async <
	Id extends string = string,
	C extends ChatKitContext = ChatKitContext
>(
	turn: TurnScope<C> & { input?: UserMessageItem | null }
): Promise<StructuredAnswers<Id> | null> => {
	if (turn.input) return null
	const { thread, store, context } = turn
	let after: string | null | undefined = null
	do {
		const page = await store.loadThreadItems(thread.id, after, 20, 'desc', context)
		const newest = page.data.find((item) => !HIDDEN.has(item.type))
		if (newest) {
			if (newest.type !== 'structured_input' || newest.status === 'pending') return null
			return answersOf<Id>(newest)
		}
		after = page.has_more ? page.after : null
	} while (after)
	return null
}
