import type { Store } from '../../src/store/types'
import { SLOW_MACHINE_TIMEOUT } from './chat-test'

/** The names a generator derives from what the user typed (`order-lookup`, `order_lookup`, `OrderLookup`). */
export interface Names {
	/** `order-lookup`: file names and action types. */
	kebab: string
	/** `order_lookup`: tool names. */
	snake: string
	/** `orderLookup`: values. */
	camel: string
	/** `OrderLookup`: types and classes. */
	pascal: string
}

export const namesOf = (raw: string): Names => {
	const words = raw
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.split(/[^A-Za-z0-9]+/)
		.filter(Boolean)
		.map((word) => word.toLowerCase())
	if (words.length === 0 || !/^[a-z]/.test(words[0] as string))
		throw new Error(`"${raw}" is not a usable name: start with a letter (e.g. order-lookup)`)
	const pascal = words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join('')
	return {
		kebab: words.join('-'),
		snake: words.join('_'),
		camel: pascal[0]?.toLowerCase() + pascal.slice(1),
		pascal
	}
}

const lines = (...parts: string[]) => `${parts.join('\n')}\n`

const turnTestImports = [
	"import { expect, test } from 'bun:test'",
	"import { Elysia } from 'elysia'",
	"import { chatkit, MemoryStore, type ThreadStreamEvent } from 'elysia-chatkit'",
	"import { createClient } from 'elysia-chatkit/client'",
	"import { agent, OfflineModel } from 'elysia-chatkit/plugins/agent'",
	"import { devUser } from 'elysia-chatkit/plugins/auth'",
	"import { tools } from 'elysia-chatkit/plugins/tools'"
]

export const toolModule = ({ snake, camel }: Names) =>
	lines(
		"import { serverTool } from 'elysia-chatkit/plugins/tools'",
		"import { z } from 'zod'",
		'',
		`/** \`${snake}\`: runs on the server for the signed-in user, with a progress line the user sees. */`,
		`export const ${camel} = serverTool({`,
		`\tname: '${snake}',`,
		`\tdescription: 'Say here what ${snake} does, so that the model knows when to call it.',`,
		"\tparameters: z.object({ query: z.string().describe('What to look up') }),",
		"\tvisible: 'progress',",
		'\tasync execute({ query }, { user, progress }) {',
		"\t\tprogress('Working on it…', 'search')",
		'\t\t// Do the work here, for user.id (and user.tenantId).',
		`\t\treturn \`${snake} for \${user.id}: \${query}\``,
		'\t}',
		'})'
	)

export const toolTest = ({ snake, camel }: Names, modulePath: string) =>
	lines(
		...turnTestImports,
		`import { ${camel} } from '${modulePath}'`,
		'',
		`test('${snake} runs in a turn: its progress is shown and the model reads its result', async () => {`,
		'\tconst app = new Elysia()',
		'\t\t.use(devUser())',
		`\t\t.use(tools([${camel}]))`,
		'\t\t.use(agent({ model: new OfflineModel() }))',
		'\t\t.use(chatkit({ store: new MemoryStore() }))',
		'\tconst events: ThreadStreamEvent[] = []',
		`\tfor await (const event of createClient({ app }).threads.create({ input: 'Use ${snake} for 42' })) events.push(event)`,
		"\texpect(events).toContainEqual(expect.objectContaining({ type: 'progress_update', text: 'Working on it…' }))",
		'\tconst replies = events.flatMap((event) =>',
		"\t\tevent.type === 'thread.item.done' && event.item.type === 'assistant_message' ? event.item.content.map((part) => part.text) : []",
		'\t)',
		`\texpect(replies.join('')).toContain('${snake} for dev-user: 42')`,
		'})'
	)

export const clientToolModule = ({ snake, camel }: Names) =>
	lines(
		"import { clientTool } from 'elysia-chatkit/plugins/tools'",
		"import { z } from 'zod'",
		'',
		`/** \`${snake}\`: runs in the browser. The turn ends with a pending call; the page's \`onClientTool\` answers it. */`,
		`export const ${camel} = clientTool({`,
		`\tname: '${snake}',`,
		`\tdescription: 'Say here what ${snake} asks the browser to do.',`,
		"\tparameters: z.object({ hint: z.string().describe('What the browser should know') })",
		'})'
	)

export const clientToolTest = ({ snake, camel }: Names, modulePath: string) =>
	lines(
		...turnTestImports,
		`import { ${camel} } from '${modulePath}'`,
		'',
		`test('${snake}: the turn ends with a pending call and the client\\'s answer resumes it', async () => {`,
		'\tconst app = new Elysia()',
		'\t\t.use(devUser())',
		`\t\t.use(tools([${camel}]))`,
		'\t\t.use(agent({ model: new OfflineModel() }))',
		'\t\t.use(chatkit({ store: new MemoryStore() }))',
		'\tconst client = createClient({ app })',
		'\tconst first: ThreadStreamEvent[] = []',
		`\tfor await (const event of client.threads.create({ input: 'Use ${snake} please' })) first.push(event)`,
		"\tconst threadId = first[0]?.type === 'thread.created' ? first[0].thread.id : ''",
		"\tconst call = first.flatMap((event) => (event.type === 'thread.item.done' && event.item.type === 'client_tool_call' ? [event.item] : []))",
		`\texpect(call).toMatchObject([{ name: '${snake}', status: 'pending' }])`,
		'\tconst second: ThreadStreamEvent[] = []',
		'\tfor await (const event of client.threads.addClientToolOutput({ thread_id: threadId, result: { ok: true } }))',
		'\t\tsecond.push(event)',
		"\texpect(second.some((event) => event.type === 'thread.item.done' && event.item.type === 'assistant_message')).toBe(true)",
		'})'
	)

export const widgetModule = ({ kebab, snake, camel, pascal }: Names) =>
	lines(
		"import { action, actions } from 'elysia-chatkit/plugins/actions'",
		"import { serverTool } from 'elysia-chatkit/plugins/tools'",
		"import { type Card, Text, widgets } from 'elysia-chatkit/plugins/widgets'",
		"import { z } from 'zod'",
		'',
		`export interface ${pascal}State {`,
		'\tid: string',
		'\tdone: boolean',
		'}',
		'',
		`/** The actions the ${kebab} card sends, each with a typed payload; the new card replaces the one clicked. */`,
		`export const ${camel}Actions = actions({`,
		`\t'${kebab}.done': action({`,
		'\t\tpayload: z.object({ id: z.string() }),',
		'\t\tasync *handler({ payload, updateSender }) {',
		"\t\t\t// Change your own data here (for the request's user), then show the new state.",
		`\t\t\tyield* updateSender(${camel}Card({ id: payload.id, done: true }))`,
		'\t\t}',
		'\t})',
		'})',
		'',
		`const ui = widgets<typeof ${camel}Actions>()`,
		'',
		`/** The ${kebab} card: a line of state and a button whose action and payload are checked by the compiler. */`,
		`export const ${camel}Card = (state: ${pascal}State): Card =>`,
		'\tui.Card({',
		'\t\tchildren: [',
		"\t\t\tText({ value: `${state.id}: ${state.done ? 'done' : 'open'}` }),",
		'\t\t\t...(state.done',
		'\t\t\t\t? []',
		`\t\t\t\t: [ui.Button({ label: 'Done', onClickAction: { type: '${kebab}.done', payload: { id: state.id } } })])`,
		'\t\t]',
		'\t})',
		'',
		`/** \`show_${snake}\`: the model calls it to show the ${kebab} card in the thread. */`,
		`export const show${pascal} = serverTool({`,
		`\tname: 'show_${snake}',`,
		`\tdescription: 'Show the ${kebab} card of one item, with a button to mark it done.',`,
		"\tparameters: z.object({ id: z.string().describe('Which one') }),",
		'\tasync execute({ id }, { widget }) {',
		'\t\t// Read its state from your own data here (for user.id).',
		`\t\tawait widget(${camel}Card({ id, done: false }))`,
		`\t\treturn \`The ${kebab} card of \${id} is shown.\``,
		'\t}',
		'})'
	)

export const widgetTest = ({ kebab, snake, camel, pascal }: Names, modulePath: string) =>
	lines(
		...turnTestImports,
		`import { ${camel}Actions, show${pascal} } from '${modulePath}'`,
		'',
		`test('the ${kebab} card is shown, and its action replaces it with the new state', async () => {`,
		'\tconst app = new Elysia()',
		'\t\t.use(devUser())',
		`\t\t.use(${camel}Actions)`,
		`\t\t.use(tools([show${pascal}]))`,
		'\t\t.use(agent({ model: new OfflineModel() }))',
		'\t\t.use(chatkit({ store: new MemoryStore() }))',
		'\tconst client = createClient({ app })',
		'\tconst shown: ThreadStreamEvent[] = []',
		`\tfor await (const event of client.threads.create({ input: 'Use show_${snake} for A-1' })) shown.push(event)`,
		"\tconst threadId = shown[0]?.type === 'thread.created' ? shown[0].thread.id : ''",
		"\tconst card = shown.flatMap((event) => (event.type === 'thread.item.done' && event.item.type === 'widget' ? [event.item] : []))[0]",
		"\texpect(JSON.stringify(card?.widget)).toContain('A-1: open')",
		'\tconst clicked: ThreadStreamEvent[] = []',
		'\tfor await (const event of client.threads.customAction({',
		'\t\tthread_id: threadId,',
		"\t\titem_id: card?.id ?? '',",
		`\t\taction: { type: '${kebab}.done', payload: { id: 'A-1' } }`,
		'\t}))',
		'\t\tclicked.push(event)',
		"\tconst items = await client.items.list({ thread_id: threadId, limit: 10, order: 'asc' })",
		'\tconst stored = items.data.find((item) => item.id === card?.id)',
		"\texpect(JSON.stringify(stored)).toContain('A-1: done')",
		'\texpect(JSON.stringify(stored)).not.toContain(\'"Done"\')',
		'})'
	)

/**
 * The methods a store writes: every one the store contract checks, `ping` and `updateThreadMetadata` included
 * (optional in the interface, required by the contract). The id generators have defaults in the skeleton.
 */
const STORE_METHODS = [
	'loadThread',
	'saveThread',
	'updateThread',
	'loadThreads',
	'loadThreadItems',
	'addThreadItem',
	'saveItem',
	'loadItem',
	'updateItem',
	'deleteThread',
	'deleteThreadItem',
	'deleteItemsAfter',
	'acquireTurn',
	'releaseTurn',
	'saveAttachment',
	'loadAttachment',
	'deleteAttachment',
	'updateThreadMetadata',
	'ping'
] as const satisfies readonly (keyof Store)[]

/** Fails to compile when the `Store` interface gains a method the skeleton does not list (or leaves out on purpose). */
type Unlisted = Exclude<
	keyof Store,
	| (typeof STORE_METHODS)[number]
	| 'generateThreadId'
	| 'generateItemId'
	| 'startThread'
	| 'releaseInstanceTurns'
>
export const storeMethodsComplete: [Unlisted] extends [never] ? true : Unlisted = true

export const storeModule = ({ pascal }: Names) =>
	lines(
		"import { type ChatKitContext, generateId, type Store } from 'elysia-chatkit'",
		'',
		'const notWritten =',
		'\t(method: string) =>',
		'\tasync (): Promise<never> => {',
		`\t\tthrow new Error(\`${pascal}Store.\${method} is not written yet\`)`,
		'\t}',
		'',
		'/**',
		` * A thread store of your own. Every method is scoped by \`context.user\` (and \`context.user.tenantId\`):`,
		" * another owner's thread, item or attachment is a NotFoundError, exactly like an unknown id. Replace each",
		' * `notWritten(…)` with an implementation of the same signature (`Store[…]`, see the Store interface).',
		` * Its test runs the framework's store contract: each behaviour still missing fails under its own name.`,
		' */',
		`export class ${pascal}Store implements Store<ChatKitContext> {`,
		"\tgenerateThreadId: Store['generateThreadId'] = () => generateId('thread')",
		"\tgenerateItemId: Store['generateItemId'] = (itemType) => generateId(itemType)",
		...STORE_METHODS.map((name) => `\t${name}: Store['${name}'] = notWritten('${name}')`),
		'}'
	)

export const storeTest = ({ pascal }: Names, modulePath: string) =>
	lines(
		"import { storeContract } from 'elysia-chatkit/testing'",
		`import { ${pascal}Store } from '${modulePath}'`,
		'',
		'// Each behaviour of the contract is one test: the failures are the list of what is left to write.',
		`storeContract('${pascal}', { open: () => new ${pascal}Store() })`
	)

export const pluginModule = ({ kebab, camel, pascal }: Names) =>
	lines(
		"import { Elysia } from 'elysia'",
		"import { type EventHook, eventHook, type RequestEndHook, requestEndHook } from 'elysia-chatkit'",
		'',
		`export interface ${pascal}Options {`,
		'\t/**',
		'\t * The notice shown to the user before each assistant reply.',
		"\t * @default 'Welcome!'",
		'\t */',
		'\twelcome?: string',
		'}',
		'',
		`/** What \`${camel}()\` puts on the request context, typed for every handler after it. */`,
		`export interface ${pascal}Context {`,
		'\t/** The welcome notice in effect. */',
		'\twelcome: string',
		'\t/** How many ChatKit requests have ended, by request type (counted by a request-end hook). */',
		'\tended: Record<string, number>',
		'}',
		'',
		'/**',
		` * ${kebab}: adds \`${camel}\` to the context, a notice before each assistant reply (an event hook), and`,
		' * counts the requests that ended (a request-end hook, which sees every request once, refused ones too).',
		' *',
		` * @example new Elysia().use(${camel}({ welcome: 'Hello!' })).use(chatkit(…))`,
		' */',
		`export const ${camel} = (options: ${pascal}Options = {}) => {`,
		"\tconst welcome = options.welcome ?? 'Welcome!'",
		'\tconst announce: EventHook = (event) => {',
		"\t\tif (event.type !== 'thread.item.added' || event.item.type !== 'assistant_message') return",
		"\t\treturn [{ type: 'notice', level: 'info', message: welcome }, event]",
		'\t}',
		'\tconst ended: Record<string, number> = {}',
		'\tconst count: RequestEndHook = (outcome) => {',
		"\t\tconst type = outcome.type ?? 'unknown'",
		'\t\tended[type] = (ended[type] ?? 0) + 1',
		'\t}',
		`\treturn new Elysia({ name: '${kebab}', seed: options })`,
		`\t\t.decorate(eventHook('${kebab}', announce))`,
		`\t\t.decorate(requestEndHook('${kebab}', count))`,
		`\t\t.derive({ as: 'scoped' }, function derive${pascal}(): { ${camel}: ${pascal}Context } {`,
		`\t\t\treturn { ${camel}: { welcome, ended } }`,
		'\t\t})',
		'}'
	)

export const pluginTest = ({ kebab, camel }: Names, modulePath: string) =>
	lines(
		"import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test'",
		"import { mkdtempSync, rmSync } from 'node:fs'",
		"import { tmpdir } from 'node:os'",
		"import { join } from 'node:path'",
		"import { Elysia } from 'elysia'",
		"import { chatkit, streamText, type ThreadStreamEvent } from 'elysia-chatkit'",
		"import { createClient } from 'elysia-chatkit/client'",
		"import { devUser } from 'elysia-chatkit/plugins/auth'",
		"import { drizzleStore } from 'elysia-chatkit/plugins/store'",
		`import { ${camel} } from '${modulePath}'`,
		'',
		SLOW_MACHINE_TIMEOUT,
		'setDefaultTimeout(30_000)',
		'',
		"const folder = mkdtempSync(join(tmpdir(), 'plugin-test-'))",
		'afterAll(() => rmSync(folder, { recursive: true, force: true }))',
		'',
		'// PostgreSQL runs when TEST_POSTGRES_URL names a database the test may write to.',
		'const databases: [string, string | undefined][] = [',
		"\t['SQLite', `sqlite:${join(folder, 'plugin.db')}`],",
		"\t['PostgreSQL', process.env.TEST_POSTGRES_URL]",
		']',
		'',
		'for (const [name, url] of databases)',
		`\tdescribe.skipIf(!url)(\`${kebab} on \${name}\`, () => {`,
		"\t\ttest('its context key is typed, its notice comes before the reply, and the turn is counted once it ended', async () => {",
		'\t\t\tconst app = new Elysia()',
		'\t\t\t\t.use(devUser())',
		'\t\t\t\t.use(drizzleStore({ url }))',
		`\t\t\t\t.use(${camel}({ welcome: 'Hi there' }))`,
		`\t\t\t\t.get('/${kebab}', ({ ${camel} }) => ${camel}.welcome)`,
		`\t\t\t\t.get('/${kebab}/ended', ({ ${camel} }) => ${camel}.ended)`,
		'\t\t\t\t.use(',
		'\t\t\t\t\tchatkit({',
		'\t\t\t\t\t\tasync *respond(args) {',
		"\t\t\t\t\t\t\tyield* streamText(args, ['Hello'])",
		'\t\t\t\t\t\t}',
		'\t\t\t\t\t})',
		'\t\t\t\t)',
		'\t\t\tconst events: ThreadStreamEvent[] = []',
		"\t\t\tfor await (const event of createClient({ app }).threads.create({ input: 'Hi' })) events.push(event)",
		"\t\t\tconst reply = events.findIndex((event) => event.type === 'thread.item.added' && event.item.type === 'assistant_message')",
		"\t\t\texpect(events[reply - 1]).toEqual({ type: 'notice', level: 'info', message: 'Hi there' })",
		`\t\t\tconst answer = await app.handle(new Request('http://localhost/${kebab}'))`,
		"\t\t\texpect(await answer.text()).toBe('Hi there')",
		`\t\t\tconst ended = await app.handle(new Request('http://localhost/${kebab}/ended'))`,
		"\t\t\texpect(await ended.json()).toEqual({ 'threads.create': 1 })",
		'\t\t})',
		'\t})'
	)
