import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync } from 'node:fs'
import { Elysia } from 'elysia'
import { SignJWT } from 'jose'
import { type Browser, chromium, type Page } from 'playwright-core'
import { jwtAuth } from '../../plugins/auth'
import { playground } from '../../plugins/playground'
import {
	type ActionHandler,
	chatkit,
	MemoryStore,
	type RespondArgs,
	type Responder,
	type SyncActionHandler,
	streamText,
	type ThreadStreamEvent,
	textMessage,
	type WidgetItem,
	type WidgetRoot
} from '../../src'

const CHROMIUM = '/usr/bin/chromium'
const OUTPUT = 'test-output'
/** A cap for a whole browser test on a busy two-core machine, not a speed assertion. */
const BROWSER_TEST_TIMEOUT = 60_000

const deferred = () => {
	let resolve: () => void = () => {}
	const promise = new Promise<void>((done) => {
		resolve = done
	})
	return { promise, resolve }
}

let gate = deferred()
let cancelled = deferred()
const actions: { type: string; payload: unknown }[] = []

const orderCard = (status: string, buttons = true): WidgetRoot => ({
	type: 'Card',
	children: [
		{ type: 'Title', value: 'Order #42' },
		{ type: 'Text', value: status },
		{ type: 'Badge', label: buttons ? 'new' : 'approved', color: buttons ? 'info' : 'success' },
		...(buttons
			? [
					{
						type: 'Row' as const,
						children: [
							{
								type: 'Button' as const,
								label: 'Approve',
								style: 'primary' as const,
								onClickAction: { type: 'approve', payload: { order: 42 } }
							},
							{
								type: 'Button' as const,
								label: 'Check stock',
								onClickAction: { type: 'check', payload: { order: 42 }, streaming: false }
							}
						]
					}
				]
			: [])
	]
})

const todoForm: WidgetRoot = {
	type: 'Card',
	children: [
		{
			type: 'Form',
			onSubmitAction: { type: 'add_todo', payload: { list: 'groceries' } },
			children: [
				{ type: 'Input', name: 'todo.title', placeholder: 'Title', required: true },
				{
					type: 'Select',
					name: 'priority',
					options: [
						{ value: 'low', label: 'Low' },
						{ value: 'high', label: 'High' }
					],
					defaultValue: 'low'
				},
				{ type: 'Button', label: 'Add', submit: true }
			]
		}
	]
}

const PIXEL =
	'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

const gallery = (live: string): WidgetRoot =>
	({
		type: 'Card',
		children: [
			{
				type: 'Row',
				children: [
					{ type: 'Icon', name: 'star' },
					{ type: 'Title', value: 'Gallery' }
				]
			},
			{ type: 'Text', id: 'live', value: live, streaming: true },
			{ type: 'Markdown', value: '**stays literal**' },
			{ type: 'Divider' },
			{ type: 'Image', src: PIXEL, alt: 'A pixel', width: 48, height: 48 },
			{ type: 'Image', src: 'https://images.example/cat.png', alt: 'A cat' },
			{ type: 'Sparkline', children: [{ type: 'Caption', value: 'inside an unknown component' }] },
			{ type: 'Checkbox', name: 'agree', label: 'I agree' }
		]
	}) as WidgetRoot

const widgetItem = (args: RespondArgs, widget: WidgetRoot): ThreadStreamEvent => ({
	type: 'thread.item.done',
	item: {
		id: args.store.generateItemId('message', args.thread, args.context),
		thread_id: args.thread.id,
		created_at: new Date().toISOString(),
		type: 'widget',
		widget
	}
})

async function* heldChunks() {
	yield 'Streaming '
	yield 'reply '
	await gate.promise
	yield 'in '
	yield 'several '
	yield 'deltas.'
}

const respond: Responder = async function* (args) {
	const { thread, store, context } = args
	if (!args.input) {
		const [last] = (await store.loadThreadItems(thread.id, null, 1, 'desc', context)).data
		if (last?.type === 'client_tool_call')
			yield textMessage(args, `The browser answered ${JSON.stringify(last.output)}`)
		else if (last?.type === 'structured_input')
			yield textMessage(args, `You picked ${last.inputs[0]?.answer?.values.join(', ')}`)
		return
	}
	const text = args.input.content.map((part) => part.text).join('')
	if (text === 'stream') {
		yield* streamText(args, heldChunks())
		yield widgetItem(args, orderCard('Status: pending'))
	} else if (text === 'widgets') {
		const item: WidgetItem = {
			id: store.generateItemId('message', thread, context),
			thread_id: thread.id,
			created_at: new Date().toISOString(),
			type: 'widget',
			widget: gallery('')
		}
		const delta = (value: string): ThreadStreamEvent => ({
			type: 'thread.item.updated',
			item_id: item.id,
			update: {
				type: 'widget.streaming_text.value_delta',
				component_id: 'live',
				delta: value,
				done: false
			}
		})
		yield { type: 'thread.item.added', item }
		yield delta('Live ')
		await gate.promise
		yield delta('text')
		yield { type: 'thread.item.done', item: { ...item, widget: gallery('Live text') } }
	} else if (text === 'form') {
		yield widgetItem(args, todoForm)
	} else if (text === 'tool') {
		yield {
			type: 'thread.item.done',
			item: {
				id: store.generateItemId('tool_call', thread, context),
				thread_id: thread.id,
				created_at: new Date().toISOString(),
				type: 'client_tool_call',
				status: 'pending',
				call_id: 'call_1',
				name: 'get_selection',
				arguments: { scope: 'page' }
			}
		}
	} else if (text === 'ask') {
		yield {
			type: 'thread.item.done',
			item: {
				id: store.generateItemId('message', thread, context),
				thread_id: thread.id,
				created_at: new Date().toISOString(),
				type: 'structured_input',
				status: 'pending',
				inputs: [
					{
						id: 'colour',
						type: 'multiple_choice',
						question: 'Which colour?',
						options: [{ value: 'Red' }, { value: 'Blue' }],
						multiple: false
					}
				]
			}
		}
	} else if (text === 'wait') {
		const { signal } = args
		yield* streamText(
			args,
			(async function* () {
				yield 'Working'
				await new Promise((done) => signal.addEventListener('abort', done, { once: true }))
				cancelled.resolve()
			})()
		)
	} else if (text === 'fail') {
		yield { type: 'progress_update', text: 'Looking things up', icon: 'search' }
		await gate.promise
		yield { type: 'notice', level: 'warning', title: 'Heads up', message: 'The service is slow today' }
		throw new Error('simulated model outage (expected in this test)')
	} else if (text === 'many') {
		for (let index = 1; index <= 24; index++) yield textMessage(args, `Line ${index}`)
	} else {
		if (!thread.title) thread.title = `About ${text.slice(0, 30)}`
		yield textMessage(args, `Echo: ${text}`)
	}
}

const action: ActionHandler = async function* (args) {
	actions.push({ type: args.action.type, payload: args.action.payload })
	if (args.action.type === 'approve' && args.sender) {
		yield { type: 'thread.item.replaced', item: { ...args.sender, widget: orderCard('Approved', false) } }
		yield textMessage(args, 'Order 42 approved.')
	} else if (args.action.type === 'add_todo') {
		const { todo, priority } = args.action.payload as { todo: { title: string }; priority: string }
		yield textMessage(args, `Added "${todo.title}" (${priority})`)
	}
}

const syncAction: SyncActionHandler = async ({ action: sent, sender }) => {
	actions.push({ type: sent.type, payload: sent.payload })
	if (!sender) return {}
	const updated: WidgetItem = { ...sender, widget: orderCard('Status: pending (3 in stock)') }
	return { updated_item: updated }
}

const JWT_SECRET = 'a-development-secret-for-the-playground-test'
const DEV_TOKEN = await new SignJWT({})
	.setProtectedHeader({ alg: 'HS256' })
	.setSubject('dev-user')
	.setIssuedAt()
	.setExpirationTime('1h')
	.sign(new TextEncoder().encode(JWT_SECRET))

/** The playground is registered before the auth plugin (public page); the ChatKit endpoint needs the token. */
const createApp = () =>
	new Elysia()
		.use(
			playground({
				path: '/playground',
				title: 'Test playground',
				headers: { authorization: `Bearer ${DEV_TOKEN}` }
			})
		)
		.use(jwtAuth({ secret: JWT_SECRET }))
		.use(chatkit({ store: new MemoryStore(), respond, action, syncAction }))

describe('playground plugin over HTTP', () => {
	const page = (app: { handle(request: Request): Promise<Response> }, path: string) =>
		app.handle(new Request(`http://localhost${path}`))

	test('serves the page, its script and its stylesheet with their content types and a self-only CSP', async () => {
		const app = createApp()
		const html = await page(app, '/playground')
		const script = await page(app, '/playground/_playground/app.js')
		const style = await page(app, '/playground/_playground/style.css')
		expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8')
		expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
		expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8')
		for (const response of [html, script, style]) {
			expect(response.status).toBe(200)
			const csp = response.headers.get('content-security-policy') ?? ''
			expect(csp).toContain("default-src 'none'")
			expect(csp).toContain("script-src 'self'")
			expect(csp).toContain("connect-src 'self'")
			expect(csp).not.toContain('unsafe-inline')
			expect(response.headers.get('x-content-type-options')).toBe('nosniff')
		}
		const body = await html.text()
		expect(body).toContain('src="/playground/_playground/app.js"')
		expect(body).toContain('href="/playground/_playground/style.css"')
		expect(body).not.toMatch(/https?:\/\//)
		expect(await script.text()).toContain('threads.add_user_message')
		const anonymous = await app.handle(
			new Request('http://localhost/chatkit', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ type: 'threads.list', params: {} })
			})
		)
		expect(anonymous.status).toBe(401)
	})

	test('escapes the title and embeds the configuration as inert JSON', async () => {
		const title = '</title><script>alert(1)</script>'
		const headers = { 'x-dev': '</script><script>alert(2)</script>' }
		const app = new Elysia().use(playground({ title, headers, chatkitPath: '/api/chatkit' }))
		const body = await (await page(app, '/')).text()
		expect(body).not.toContain('<script>alert')
		expect(body).toContain('&#60;/title&#62;')
		const config = body.match(/<script type="application\/json" id="playground-config">(.*?)<\/script>/)
		expect(JSON.parse(config?.[1] ?? '')).toEqual({ title, chatkitPath: '/api/chatkit', headers })
		expect(body.match(/<script/g)?.length).toBe(2)
	})

	test('registers nothing when disabled, and is disabled by default under NODE_ENV=production', async () => {
		const disabled = new Elysia().use(playground({ enabled: false }))
		expect((await page(disabled, '/')).status).toBe(404)
		expect((await page(disabled, '/_playground/app.js')).status).toBe(404)
		const previous = process.env.NODE_ENV
		process.env.NODE_ENV = 'production'
		try {
			const production = new Elysia().use(playground({ path: '/dev' }))
			expect((await page(production, '/dev')).status).toBe(404)
		} finally {
			process.env.NODE_ENV = previous
		}
		const forced = new Elysia().use(playground({ path: '/dev', enabled: true }))
		expect((await page(forced, '/dev')).status).toBe(200)
	})

	test('allows an absolute ChatKit URL in connect-src', async () => {
		const app = new Elysia().use(playground({ chatkitPath: 'http://127.0.0.1:9000/chatkit' }))
		const csp = (await page(app, '/')).headers.get('content-security-policy')
		expect(csp).toContain("connect-src 'self' http://127.0.0.1:9000;")
	})
})

const inCI = process.env.CI === 'true'
const haveChromium = existsSync(CHROMIUM)
if (!haveChromium && !inCI)
	console.warn(`[playground test] ${CHROMIUM} is missing (run .ci/setup-browser): browser tests skipped`)

describe.skipIf(!haveChromium && !inCI)('playground in headless Chromium', () => {
	let browser: Browser
	let app: ReturnType<typeof createApp>
	let base = ''
	let problems: string[] = []
	const pages: Page[] = []

	beforeAll(async () => {
		mkdirSync(OUTPUT, { recursive: true })
		app = createApp().listen({ port: 0, hostname: '127.0.0.1' })
		base = `http://127.0.0.1:${app.server?.port}`
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync'
			]
		})
	}, BROWSER_TEST_TIMEOUT)

	afterAll(async () => {
		await browser?.close()
		await app?.stop(true)
	})

	afterEach(async () => {
		for (const page of pages.splice(0)) await page.close()
		const found = problems
		problems = []
		expect(found).toEqual([])
	})

	const browserTest = (name: string, run: () => Promise<void>) => test(name, run, BROWSER_TEST_TIMEOUT)

	const open = async () => {
		const page = await browser.newPage({ viewport: { width: 1100, height: 760 } })
		pages.push(page)
		page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
		page.on('console', (message) => {
			if (message.type() === 'error') problems.push(`console: ${message.text()}`)
		})
		await page.goto(`${base}/playground`)
		await page.locator('#threads').waitFor({ state: 'attached' })
		return page
	}

	const send = async (page: Page, text: string) => {
		await page.fill('#message', text)
		await page.click('#send')
	}

	const lastAssistantText = (page: Page) =>
		page.locator('[data-item-type="assistant_message"] .text').last()

	const idle = (page: Page) => page.waitForFunction(() => !document.body.classList.contains('busy'))

	browserTest('streams a reply as it arrives, then runs a widget button action', async () => {
		gate = deferred()
		const page = await open()
		await send(page, 'stream')
		const reply = page.locator('[data-item-type="assistant_message"]').last()
		await reply.getByText('Streaming reply').waitFor()
		expect(await reply.getAttribute('class')).toContain('pending')
		expect(await reply.textContent()).not.toContain('deltas')
		expect(await page.isEnabled('#stop')).toBe(true)
		gate.resolve()
		await reply.getByText('Streaming reply in several deltas.').waitFor()
		const widget = page.locator('[data-item-type="widget"]')
		await widget.getByText('Order #42').waitFor()
		await idle(page)
		expect(await widget.locator('[data-widget="Badge"]').textContent()).toBe('new')
		await page.screenshot({ path: `${OUTPUT}/playground-widget.png` })

		await widget.getByRole('button', { name: 'Approve' }).click()
		await page.getByText('Order 42 approved.').waitFor()
		await widget.getByText('Approved', { exact: true }).waitFor()
		expect(await widget.getByRole('button', { name: 'Approve' }).count()).toBe(0)
		expect(actions.at(-1)).toEqual({ type: 'approve', payload: { order: 42 } })
		expect(await page.locator('#thread-title').textContent()).toBe('Untitled thread')
		await idle(page)
		await page.screenshot({ path: `${OUTPUT}/playground.png` })
	})

	browserTest(
		'a button with streaming: false sends threads.sync_custom_action and shows the updated item',
		async () => {
			gate = deferred()
			gate.resolve()
			const page = await open()
			await send(page, 'stream')
			const widget = page.locator('[data-item-type="widget"]')
			await widget.getByRole('button', { name: 'Check stock' }).click()
			await widget.getByText('Status: pending (3 in stock)').waitFor()
			expect(actions.at(-1)).toEqual({ type: 'check', payload: { order: 42 } })
		}
	)

	browserTest(
		'renders widget components, streams widget text, and loads only images the CSP allows',
		async () => {
			gate = deferred()
			const page = await open()
			await send(page, 'widgets')
			const widget = page.locator('[data-item-type="widget"]')
			const live = widget.locator('[data-component-id="live"]')
			await live.getByText('Live').waitFor()
			expect(await live.textContent()).toBe('Live ')
			gate.resolve()
			await live.getByText('Live text').waitFor()
			await idle(page)
			expect(await widget.locator('[data-widget="Icon"]').textContent()).toBe('star')
			expect(await widget.locator('[data-widget="Markdown"]').textContent()).toBe('**stays literal**')
			expect(await widget.locator('hr').count()).toBe(1)
			expect(await widget.locator('img').count()).toBe(1)
			expect(await widget.locator('img').getAttribute('alt')).toBe('A pixel')
			expect(await widget.getByText('Image: A cat').count()).toBe(1)
			const unknown = widget.locator('[data-widget="Sparkline"]')
			expect(await unknown.textContent()).toBe('Sparklineinside an unknown component')
			expect(await widget.getByLabel('I agree').isChecked()).toBe(false)
			await page.screenshot({ path: `${OUTPUT}/playground-widgets.png` })
		}
	)

	browserTest('a form widget sends its field values merged into the action payload', async () => {
		const page = await open()
		await send(page, 'form')
		const widget = page.locator('[data-item-type="widget"]')
		await widget.locator('input[name="todo.title"]').fill('Buy milk')
		await widget.locator('select[name="priority"]').selectOption('high')
		await widget.getByRole('button', { name: 'Add' }).click()
		await page.getByText('Added "Buy milk" (high)').waitFor()
		await page.screenshot({ path: `${OUTPUT}/playground-form.png` })
		expect(actions.at(-1)).toEqual({
			type: 'add_todo',
			payload: { list: 'groceries', todo: { title: 'Buy milk' }, priority: 'high' }
		})
	})

	browserTest('answers a pending client tool call with JSON typed in the page', async () => {
		const page = await open()
		await send(page, 'tool')
		const call = page.locator('[data-item-type="client_tool_call"]')
		await call.getByText('get_selection').waitFor()
		expect(await call.locator('.json').first().textContent()).toContain('"scope": "page"')
		await call.locator('textarea').fill('{"text": "selected words"}')
		await call.getByRole('button', { name: 'Send output' }).click()
		await page.getByText('The browser answered {"text":"selected words"}').waitFor()
		await call.getByText('(completed)').waitFor()
		await page.screenshot({ path: `${OUTPUT}/playground-tool.png` })
	})

	browserTest('answers a structured input', async () => {
		const page = await open()
		await send(page, 'ask')
		const question = page.locator('[data-item-type="structured_input"]')
		await question.getByText('Which colour?').waitFor()
		await question.getByLabel('Blue').check()
		await question.getByRole('button', { name: 'Answer' }).click()
		await page.getByText('You picked Blue').waitFor()
		await question.getByText('Answer: Blue').waitFor()
	})

	browserTest(
		'Stop aborts the request, the server sees the cancellation, and the page stays usable',
		async () => {
			cancelled = deferred()
			const page = await open()
			await send(page, 'wait')
			await lastAssistantText(page).getByText('Working').waitFor()
			await page.click('#stop')
			await cancelled.promise
			await page.getByText('The response was cancelled.').waitFor()
			await idle(page)
			await send(page, 'after stop')
			await page.getByText('Echo: after stop').waitFor()
		}
	)

	browserTest('shows progress, notices and errors, with a retry when the server allows one', async () => {
		gate = deferred()
		const page = await open()
		await send(page, 'fail')
		await page.locator('#progress').getByText('[search] Looking things up').waitFor()
		gate.resolve()
		await page.getByText('The service is slow today').waitFor()
		const error = page.locator('.notice.danger')
		await error.waitFor()
		expect(await error.getByRole('button', { name: 'Retry' }).count()).toBe(1)
		expect(await page.locator('.notice.warning strong').textContent()).toBe('Heads up')
	})

	browserTest('renders server text as text, never as markup', async () => {
		const page = await open()
		const markup = '<img src=x onerror="document.body.dataset.pwned=1"><b>bold</b>'
		await send(page, markup)
		await page.getByText(`Echo: ${markup}`).waitFor()
		expect(await page.locator('#items img, #items b').count()).toBe(0)
		expect(await page.evaluate(() => document.body.dataset.pwned)).toBeUndefined()
	})

	browserTest('lists, opens, pages back through, renames and deletes threads', async () => {
		let page = await open()
		await send(page, 'many')
		await page.getByText('Line 24').waitFor()
		await idle(page)
		await send(page, 'hello history')
		await page.getByText('Echo: hello history').waitFor()
		await idle(page)
		await page.locator('#thread-title').getByText('About hello history').waitFor()

		page = await open()
		const entry = page.locator('#threads li').filter({ hasText: 'About hello history' })
		await entry.locator('button.open').click()
		await page.getByText('Echo: hello history').waitFor()
		expect(await page.getByText('Line 1', { exact: true }).count()).toBe(0)
		await page.click('#older-items')
		await page.getByText('Line 1', { exact: true }).waitFor()
		const texts = await page.locator('#items .item .text').allTextContents()
		expect(texts[0]).toBe('many')
		expect(texts.at(-1)).toBe('Echo: hello history')
		expect(texts).toHaveLength(27)
		expect(await page.isHidden('#older-items')).toBe(true)

		page.once('dialog', (dialog) => dialog.accept('Renamed thread'))
		await entry.locator('button.rename').click()
		await page.locator('#threads li').filter({ hasText: 'Renamed thread' }).waitFor()
		expect(await page.locator('#thread-title').textContent()).toBe('Renamed thread')

		page.once('dialog', (dialog) => dialog.accept())
		await page
			.locator('#threads li')
			.filter({ hasText: 'Renamed thread' })
			.locator('button.delete')
			.click()
		await page.locator('#threads li').filter({ hasText: 'Renamed thread' }).waitFor({ state: 'detached' })
		expect(await page.locator('#thread-title').textContent()).toBe('New thread')
		expect(await page.locator('#items .item').count()).toBe(0)
	})
})
