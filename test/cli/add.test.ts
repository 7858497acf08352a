// add puts the part to use in the chat module with one edit, or edits nothing and prints the lines.
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runAdd } from '../../cli/add'
import { sourceFiles } from '../../cli/detect/files'
import { runInit } from '../../cli/init'
import { wireParts } from '../../cli/wire'
import { copyFixture, removeCopies, snapshot } from './helpers'

afterAll(removeCopies)

const quiet = () => {}

const initialized = async (fixture: string, level: 1 | 2 | 3) => {
	const dir = copyFixture(fixture)
	await runInit(dir, { level, install: false, log: quiet })
	return dir
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8')

describe('add wires the part into the chat module', () => {
	test('level 2: a tool gets its own tools([…]) before the agent, with its import', async () => {
		const dir = await initialized('bare', 2)
		const result = runAdd(dir, 'tool', 'order-lookup', quiet)
		expect(result.wired).toEqual({
			status: 'edited',
			file: 'src/chatkit.ts',
			added: ['.use(tools([orderLookup])) before the agent']
		})
		const chat = read(dir, 'src/chatkit.ts')
		expect(chat).toContain(
			[
				"import { tools } from 'elysia-chatkit/plugins/tools'",
				"import { orderLookup } from './chatkit/tools/order-lookup'",
				''
			].join('\n')
		)
		expect(chat).toContain(
			['\t\t.use(devUser())', '\t\t.use(tools([orderLookup]))', '\t\t.use(', '\t\t\tagent({'].join('\n')
		)
	})

	test("level 3: tools (and a widget's show tool) join the existing list; widget actions and plugins go before chatkit()", async () => {
		const dir = await initialized('bare', 3)
		runAdd(dir, 'tool', 'order-lookup', quiet)
		runAdd(dir, 'client-tool', 'pick-color', quiet)
		runAdd(dir, 'widget', 'order', quiet)
		runAdd(dir, 'plugin', 'audit-log', quiet)
		const chat = read(dir, 'src/chatkit.ts')
		expect(chat).toContain('.use(tools([lookupAccount, currentTime, orderLookup, pickColor, showOrder]))')
		expect(chat).toContain(
			[
				"import { orderLookup } from './chatkit/tools/order-lookup'",
				"import { pickColor } from './chatkit/client-tools/pick-color'",
				"import { orderActions, showOrder } from './chatkit/widgets/order'",
				"import { auditLog } from './plugins/audit-log'",
				''
			].join('\n')
		)
		expect(chat).toContain(
			['\t\t)', '\t\t.use(orderActions)', '\t\t.use(auditLog())', '\t\t.use(chatkit())'].join('\n')
		)
	})

	test('the modules layout: the import is relative to the chat module', async () => {
		const dir = await initialized('jwt-drizzle-pg', 3)
		runAdd(dir, 'tool', 'order-lookup', quiet)
		const chat = read(dir, 'src/modules/chatkit/index.ts')
		expect(chat).toContain("import { orderLookup } from './tools/order-lookup'")
		expect(chat).toContain('tools([lookupAccount, currentTime, orderLookup])')
	})

	test('running add twice changes nothing', async () => {
		const dir = await initialized('bare', 2)
		for (const [kind, name] of [
			['tool', 'order-lookup'],
			['widget', 'order'],
			['plugin', 'audit-log']
		] as const)
			runAdd(dir, kind, name, quiet)
		const after = snapshot(dir)
		const again = runAdd(dir, 'tool', 'order-lookup', quiet)
		expect(again.files.map((file) => file.written)).toEqual([false, false])
		expect(again.wired).toEqual({ status: 'already', file: 'src/chatkit.ts' })
		runAdd(dir, 'widget', 'order', quiet)
		runAdd(dir, 'plugin', 'audit-log', quiet)
		expect(snapshot(dir)).toEqual(after)
	})
})

describe('add edits nothing and prints the lines when the place is not certain', () => {
	test('a level-1 chat module has no agent: the tool is written, the lines printed', async () => {
		const dir = await initialized('bare', 1)
		const before = read(dir, 'src/chatkit.ts')
		const printed: string[] = []
		const result = runAdd(dir, 'tool', 'order-lookup', (line) => printed.push(line))
		expect(result.files.map((file) => file.written)).toEqual([true, true])
		expect(result.wired?.status).toBe('manual')
		expect(printed.join('\n')).toContain(
			"Not wired (src/chatkit.ts has no agent() to call tools: its chatkit() answers with a responder of its own). Add by hand:\n  import { orderLookup } from './chatkit/tools/order-lookup'"
		)
		expect(read(dir, 'src/chatkit.ts')).toBe(before)
	})

	test('chatkit() mounted in two files: nothing edited', async () => {
		const dir = await initialized('bare', 2)
		mkdirSync(join(dir, 'src/admin'))
		writeFileSync(
			join(dir, 'src/admin/chat.ts'),
			"import { Elysia } from 'elysia'\nimport { chatkit, MemoryStore } from 'elysia-chatkit'\n\nexport const admin = new Elysia().use(chatkit({ store: new MemoryStore() }))\n"
		)
		const before = snapshot(dir)
		const result = runAdd(dir, 'plugin', 'audit-log', quiet)
		expect(result.wired).toMatchObject({
			status: 'manual',
			reason: 'chatkit() is mounted in several files (src/admin/chat.ts, src/chatkit.ts)',
			lines: ["import { auditLog } from '<path to src/plugins/audit-log/index.ts>'", expect.any(String)]
		})
		const after = snapshot(dir)
		for (const path of Object.keys(before)) expect(after[path]).toBe(before[path] as string)
	})

	test('a name the chat module already has: nothing edited', async () => {
		const dir = await initialized('bare', 2)
		runAdd(dir, 'tool', 'order-lookup', quiet)
		const before = read(dir, 'src/chatkit.ts')
		const clash = runAdd(dir, 'client-tool', 'order-lookup', quiet)
		expect(clash.wired).toMatchObject({
			status: 'manual',
			reason: "src/chatkit.ts already has a orderLookup (from './chatkit/tools/order-lookup')"
		})
		expect(read(dir, 'src/chatkit.ts')).toBe(before)
	})

	test('a chat module changed since it was read: nothing edited', async () => {
		const dir = await initialized('bare', 2)
		const sources = sourceFiles(dir)
		const mine = `${read(dir, 'src/chatkit.ts')}// mine\n`
		writeFileSync(join(dir, 'src/chatkit.ts'), mine)
		const result = wireParts(dir, sources, [
			{ use: 'plugin-call', exportName: 'auditLog', modulePath: 'src/plugins/audit-log/index.ts' }
		])
		expect(result).toMatchObject({ status: 'manual', reason: 'src/chatkit.ts changed since it was read' })
		expect(read(dir, 'src/chatkit.ts')).toBe(mine)
	})

	test('no chat module: the part and its test are written, the lines printed', async () => {
		const dir = copyFixture('bare')
		const result = runAdd(dir, 'widget', 'order', quiet)
		expect(result.files.map((file) => file.written)).toEqual([true, true])
		expect(result.wired).toMatchObject({
			status: 'manual',
			reason: 'no module mounts chatkit() (run init first)'
		})
		expect(read(dir, 'src/index.ts')).toBe(
			read(join(import.meta.dir, 'fixtures', 'bare'), 'src/index.ts')
		)
	})
})
