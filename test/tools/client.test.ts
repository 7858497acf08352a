import { describe, expect, test } from 'bun:test'
import { assistantMessage, functionCall, ScriptedModel } from '@openai/agents/testing'
import { z } from 'zod'
import { clientTool } from '../../plugins/tools'
import { at } from '../defined'
import {
	createThread,
	doneItems,
	shape,
	storedItems,
	stream,
	threadIdOf,
	toolResults,
	toolsApp
} from './helpers'

const pickDate = clientTool({
	name: 'pick_date',
	description: 'Ask the user to pick a delivery date',
	parameters: z.object({ earliest: z.iso.date(), reason: z.string().min(3) })
})

describe('client tools registered with tools()', () => {
	test('the call ends the turn pending; add_client_tool_output resumes the run with the output', async () => {
		const model = new ScriptedModel([
			[functionCall('pick_date', { earliest: '2030-01-02', reason: 'delivery' }, { callId: 'call_d' })],
			[assistantMessage('Delivery is booked for 2030-01-05.')]
		])
		const { app, store } = toolsApp(model, [pickDate])
		const first = await createThread(app, 'Book a delivery')
		const threadId = threadIdOf(first)
		expect(first.at(-1)).toMatchObject({
			type: 'thread.item.done',
			item: {
				type: 'client_tool_call',
				status: 'pending',
				call_id: 'call_d',
				name: 'pick_date',
				arguments: { earliest: '2030-01-02', reason: 'delivery' }
			}
		})
		expect(model.calls.length).toBe(1)

		const resumed = await stream(app, {
			type: 'threads.add_client_tool_output',
			params: { thread_id: threadId, result: { date: '2030-01-05' } }
		})
		expect(resumed.map(shape).at(-1)).toBe('thread.item.done:assistant_message')
		expect(toolResults(at(model.calls, 1).request).call_d).toBe('{"date":"2030-01-05"}')
		const items = await storedItems(store, threadId)
		expect(items.map((item) => item.type)).toEqual([
			'user_message',
			'client_tool_call',
			'assistant_message'
		])
		expect(items[1]).toMatchObject({ status: 'completed', output: { date: '2030-01-05' } })
	})

	test('arguments the schema refuses never reach the client: the model is told, calls again, and only the valid call is sent', async () => {
		const model = new ScriptedModel([
			[functionCall('pick_date', { earliest: 'tomorrow', reason: 'x' }, { callId: 'bad' })],
			[functionCall('pick_date', { earliest: '2030-01-02', reason: 'delivery' }, { callId: 'good' })]
		])
		const { app, store } = toolsApp(model, [pickDate])
		const events = await createThread(app, 'Book a delivery')
		expect(model.calls.length).toBe(2)
		expect(toolResults(at(model.calls, 1).request).bad).toBe(
			'The arguments for pick_date do not match its parameters, so nothing was done. Call it again with valid arguments.'
		)
		const calls = doneItems(events).filter((item) => item.type === 'client_tool_call')
		expect(calls).toMatchObject([{ call_id: 'good', status: 'pending' }])
		expect(
			(await storedItems(store, threadIdOf(events))).filter((item) => item.type === 'client_tool_call')
		).toEqual(calls)
	})

	test('an invalid call the model answers in words ends the turn with that answer and nothing pending', async () => {
		const model = new ScriptedModel([
			[functionCall('pick_date', { earliest: 5 }, { callId: 'bad' })],
			[assistantMessage('Which day suits you?')]
		])
		const { app, store } = toolsApp(model, [pickDate])
		const events = await createThread(app, 'Book a delivery')
		expect(events.map(shape).at(-1)).toBe('thread.item.done:assistant_message')
		expect((await storedItems(store, threadIdOf(events))).map((item) => item.type)).toEqual([
			'user_message',
			'assistant_message'
		])
	})
})
