import { Elysia } from 'elysia'
import type { z } from 'zod'
import { ChatKitError } from '../../src/engine/errors'
import type { ActionArgs } from '../../src/engine/types'
import type { ThreadStreamEvent } from '../../src/protocol/events'
import { clip } from '../../src/protocol/limits'
import type { Action } from '../../src/protocol/requests'
import type { ChatKitContext } from '../../src/store/types'
import type { ActionDefinition, ActionDefinitions, SyncActionResult } from './definition'
import { noSender, replaceSender, senderWith } from './sender'

export * from './definition'
export * from './structured'

const describeIssues = (issues: z.core.$ZodIssue[]) =>
	issues.slice(0, 20).map((issue) => ({
		path: clip(issue.path.map(String).join('.')),
		message: clip(issue.message, 200)
	}))

const quoted = (type: string) => JSON.stringify(clip(type))

/**
 * The context key under which one `actions()` plugin puts its definitions. One key per plugin:
 * Elysia merges a decorated object into the one already there, in place, which would leak the
 * actions of one app into every other app that uses the same plugin.
 */
export type ActionsKey = `chatkitActions:${string}`
const KEY_PREFIX = 'chatkitActions:'
let plugins = 0

/** The definitions of every `actions()` plugin of the app (the last one wins a type), else these. */
const registryOf = (own: ActionDefinitions<any>, context: object): ActionDefinitions<any> => {
	let registry: ActionDefinitions<any> | undefined
	for (const key in context) {
		if (!key.startsWith(KEY_PREFIX)) continue
		const definitions = (context as Record<string, ActionDefinitions<any>>)[key]
		registry = registry ? { ...registry, ...definitions } : definitions
	}
	return registry ?? own
}

interface Resolved {
	definition: ActionDefinition<z.ZodType, boolean, any>
	payload: unknown
}

/**
 * Find and check an action. The result is kept per action object, so the handler gets the very
 * payload the validation produced (the engine passes the same object to both).
 */
const createResolver = (own: ActionDefinitions<any>) => {
	const resolved = new WeakMap<Action, Resolved>()
	return (action: Action, context: object): Resolved => {
		const known = resolved.get(action)
		if (known) return known
		const registry = registryOf(own, context)
		const definition = Object.hasOwn(registry, action.type) ? registry[action.type] : undefined
		if (!definition)
			throw new ChatKitError(422, 'unknown_action', `Unknown action type: ${quoted(action.type)}`)
		const parsed = definition.payload.safeParse(action.payload)
		if (!parsed.success)
			throw new ChatKitError(
				422,
				'invalid_action_payload',
				`Invalid payload for action ${quoted(action.type)}`,
				describeIssues(parsed.error.issues)
			)
		const result = { definition, payload: parsed.data }
		resolved.set(action, result)
		return result
	}
}

const commonArgs = <C extends ChatKitContext>(args: Omit<ActionArgs<C>, 'signal'>, payload: unknown) => ({
	payload,
	action: args.action,
	sender: args.sender,
	thread: args.thread,
	context: args.context,
	user: args.context.user,
	store: args.store
})

/**
 * Typed widget actions: handlers registered by action `type`, each with a zod payload schema.
 * Decorates the handlers `chatkit()` uses for `threads.custom_action` (streaming handlers) and
 * `threads.sync_custom_action` (handlers declared with `streaming: false`), and the check that
 * runs before either loads or writes anything: an unregistered type is refused with a 422
 * `unknown_action`, a payload its schema refuses with a 422 `invalid_action_payload` whose
 * `details` list the issues (`{ path, message }`).
 *
 * Several `actions()` plugins can be used in one app: their definitions are merged (for a type
 * registered twice, the plugin used last wins).
 * Pass the plugin (or the app) to `widgets<typeof plugin>()` to type the widgets that send them.
 *
 * @example
 * const todoActions = actions({
 * 	'todo.toggle': action({
 * 		payload: z.object({ id: z.string() }),
 * 		async *handler({ payload, updateSender, user }) {
 * 			yield* updateSender(todoCard(await todos.toggle(user.id, payload.id)))
 * 		}
 * 	})
 * })
 * new Elysia().use(todoActions).use(chatkit({ store, respond }))
 */
export const actions = <const D extends ActionDefinitions<ChatKitContext>>(definitions: D) =>
	createActionsPlugin<ChatKitContext, D>(definitions)

/**
 * `actions()` for handlers that read more than `user` from the request context (what your own
 * plugins add): `actions.withContext<AppContext>()({ ... })` types `context` in every handler.
 *
 * @example
 * interface AppContext extends ChatKitContext { db: Database }
 * actions.withContext<AppContext>()({
 * 	'order.cancel': action({
 * 		payload: z.object({ orderId: z.string() }),
 * 		async *handler({ payload, context }) { await context.db.cancel(payload.orderId) }
 * 	})
 * })
 */
actions.withContext =
	<C extends ChatKitContext>() =>
	<const D extends ActionDefinitions<C>>(definitions: D) =>
		createActionsPlugin<C, D>(definitions)

function createActionsPlugin<C extends ChatKitContext, D extends ActionDefinitions<C>>(definitions: D) {
	const resolve = createResolver(definitions)

	function validateAction(action: Action, context: C, itemId: string | null): void {
		const { definition } = resolve(action, context)
		if (definition.requiresSender && !itemId) throw noSender()
	}

	async function* runAction(args: ActionArgs<C>): AsyncGenerator<ThreadStreamEvent> {
		const { definition, payload } = resolve(args.action, args.context)
		const common = commonArgs(args, payload)
		if (definition.streaming) {
			const updateSender = (widget: Parameters<typeof replaceSender>[1]) =>
				replaceSender(args.sender, widget)
			const handler = definition.handler as (args: object) => AsyncIterable<ThreadStreamEvent>
			yield* handler({ ...common, signal: args.signal, updateSender })
			return
		}
		const result = await runSync(definition, common, args)
		if (result.updated_item) yield { type: 'thread.item.replaced', item: result.updated_item }
	}

	async function runSyncAction(args: Omit<ActionArgs<C>, 'signal'>): Promise<SyncActionResult> {
		const { definition, payload } = resolve(args.action, args.context)
		if (definition.streaming)
			throw new ChatKitError(
				422,
				'streaming_action',
				`Action ${quoted(args.action.type)} streams its response: send it as threads.custom_action`
			)
		const result = await runSync(definition, commonArgs(args, payload), args)
		if (result.updated_item) await args.store.saveItem(args.thread.id, result.updated_item, args.context)
		return result
	}

	async function runSync(
		definition: ActionDefinition<z.ZodType, boolean, any>,
		common: ReturnType<typeof commonArgs>,
		args: Omit<ActionArgs<C>, 'signal'>
	): Promise<SyncActionResult> {
		const updateSender = (widget: Parameters<typeof senderWith>[1]): SyncActionResult => ({
			updated_item: senderWith(args.sender, widget)
		})
		const handler = definition.handler as (args: object) => Promise<SyncActionResult | undefined | void>
		return (await handler({ ...common, updateSender })) ?? {}
	}

	return new Elysia({ name: 'elysia-chatkit/actions', seed: Object.keys(definitions).sort() })
		.decorate(`${KEY_PREFIX}${++plugins}` as ActionsKey, definitions)
		.decorate('chatkitAction', runAction)
		.decorate('chatkitSyncAction', runSyncAction)
		.decorate('chatkitValidateAction', validateAction)
}
