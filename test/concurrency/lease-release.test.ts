// A turn's response ends with its last event, while its thread's lease is still being released. A follow-up
// sent the moment the response ends must still be accepted: on the same instance it waits for that release,
// on another instance it retries for a moment. A graceful shutdown counts the turn until the release is done.
// An instance that restarts under the same instance id gives back the leases its crashed predecessor left.
import { expect, test } from 'bun:test'
import { Elysia } from 'elysia'
import { chatkit } from '../../src/chatkit'
import type { Responder } from '../../src/engine/types'
import { streamText } from '../../src/respond'
import { RunningTurns } from '../../src/running'
import type { Store } from '../../src/store/types'
import { forEachStore } from '../hardening/stores'
import { assistantTexts, Gate, send, userInput } from './app'

/** The store, with every `releaseTurn` held for `ms` first (a slow database round trip). */
const slowRelease = <S extends Store>(store: S, ms: number): S =>
	new Proxy(store, {
		get(target, key) {
			const value = Reflect.get(target, key, target)
			if (key === 'releaseTurn')
				return async (...args: Parameters<Store['releaseTurn']>) => {
					await Bun.sleep(ms)
					return target.releaseTurn(...args)
				}
			return typeof value === 'function' ? value.bind(target) : value
		}
	})

const echo: Responder = async function* (args) {
	const said = args.input?.content.map((part) => part.text).join('') ?? ''
	yield* streamText(args, [`Re: ${said}`])
}

const instance = (store: Store, turns = new RunningTurns()) =>
	Object.assign(new Elysia().use(chatkit({ store, respond: echo, turns })), { turns })

const message = (threadId: string, text: string) => ({
	type: 'threads.add_user_message',
	params: { thread_id: threadId, input: userInput(text) }
})

const ROUNDS = 20
const SAME_INSTANCE_ROUNDS = 5

forEachStore('a follow-up sent as a response ends', (kind) => {
	test(`${kind.name}: on the same instance it waits for the previous turn's release (${SAME_INSTANCE_ROUNDS} rounds)`, async () => {
		const store = await kind.open()
		try {
			// Slower than every retry together (about 0.4 s): only waiting for the release can accept the follow-up.
			const app = instance(slowRelease(store, 500))
			const created = await send(app, { type: 'threads.create', params: { input: userInput('hi') } })
			const thread = created.events.find((event) => event.type === 'thread.created')
			if (thread?.type !== 'thread.created') throw new Error('no thread')
			for (let round = 0; round < SAME_INSTANCE_ROUNDS; round++) {
				const answer = await send(app, message(thread.thread.id, `next ${round}`))
				expect(answer.status).toBe(200)
				expect(assistantTexts(answer.events)).toEqual([`Re: next ${round}`])
			}
			await app.turns.idle()
		} finally {
			await store.close()
		}
	}, 20_000)

	test(`${kind.name}: on another instance it is retried until the release lands (${ROUNDS} rounds)`, async () => {
		const store = await kind.open()
		try {
			// Slower than the first three retries together (40 ms), as a loaded database can be.
			const first = instance(slowRelease(store, 120))
			const second = instance(store)
			for (let round = 0; round < ROUNDS; round++) {
				const created = await send(first, {
					type: 'threads.create',
					params: { input: userInput(`hi ${round}`) }
				})
				const thread = created.events.find((event) => event.type === 'thread.created')
				if (thread?.type !== 'thread.created') throw new Error('no thread')
				const answer = await send(second, message(thread.thread.id, `next ${round}`))
				expect(answer.json?.code).toBeUndefined()
				expect(assistantTexts(answer.events)).toEqual([`Re: next ${round}`])
			}
			await Promise.all([first.turns.idle(), second.turns.idle()])
		} finally {
			await store.close()
		}
	}, 20_000)

	test(`${kind.name}: a graceful shutdown counts the turn until its thread is released`, async () => {
		const store = await kind.open()
		const turns = new RunningTurns()
		let released = false
		const tracked = new Proxy(slowRelease(store, 100), {
			get(target, key) {
				const value = Reflect.get(target, key, target)
				if (key === 'releaseTurn')
					return async (...args: Parameters<Store['releaseTurn']>) => {
						await target.releaseTurn(...args)
						released = true
					}
				return typeof value === 'function' ? value.bind(target) : value
			}
		})
		try {
			const app = instance(tracked, turns)
			const created = await send(app, { type: 'threads.create', params: { input: userInput('hi') } })
			expect(assistantTexts(created.events)).toEqual(['Re: hi'])
			expect(released).toBe(false)
			expect(turns.size).toBe(1)
			await turns.idle()
			expect(released).toBe(true)
		} finally {
			await store.close()
		}
	})

	test(`${kind.name}: a restarted instance takes a turn at once on the thread its crashed predecessor held`, async () => {
		const store = await kind.open()
		try {
			const before = instance(store)
			const created = await send(before, { type: 'threads.create', params: { input: userInput('hi') } })
			const thread = created.events.find((event) => event.type === 'thread.created')
			if (thread?.type !== 'thread.created') throw new Error('no thread')
			await before.turns.idle()
			// the lease a process of instance web-1 held when it died
			const owner = { user: { id: 'anonymous' } }
			expect(await store.acquireTurn(thread.thread.id, 'web-1:dead-turn', 60_000, owner)).toBe(true)
			const other = new Elysia().use(chatkit({ store, respond: echo, instanceId: 'web-2' }))
			expect((await send(other, message(thread.thread.id, 'too early'))).json?.code).toBe(
				'turn_in_progress'
			)
			const restarted = new Elysia().use(chatkit({ store, respond: echo, instanceId: 'web-1' }))
			const answer = await send(restarted, message(thread.thread.id, 'back'))
			expect(assistantTexts(answer.events)).toEqual(['Re: back'])
		} finally {
			await store.close()
		}
	})

	test(`${kind.name}: an app that builds its engine again (a responder per request) frees its predecessor's leases only once`, async () => {
		const store = await kind.open()
		try {
			const gate = new Gate()
			const app = new Elysia()
				.derive({ as: 'global' }, () => ({
					chatkitRespond: async function* (args: Parameters<Responder>[0]) {
						if (args.input?.content[0]?.text === 'hold') await gate.arrive()
						yield* echo(args)
					} as Responder
				}))
				.use(chatkit({ store, instanceId: 'web-1' }))
			const created = await send(app, { type: 'threads.create', params: { input: userInput('hi') } })
			const thread = created.events.find((event) => event.type === 'thread.created')
			if (thread?.type !== 'thread.created') throw new Error('no thread')
			const held = send(app, message(thread.thread.id, 'hold'))
			await gate.reached
			const other = await send(app, {
				type: 'threads.create',
				params: { input: userInput('meanwhile') }
			})
			expect(assistantTexts(other.events)).toEqual(['Re: meanwhile'])
			expect((await send(app, message(thread.thread.id, 'too early'))).json?.code).toBe(
				'turn_in_progress'
			)
			gate.release()
			expect(assistantTexts((await held).events)).toEqual(['Re: hold'])
		} finally {
			await store.close()
		}
	})
})
