// The playground page: a small ChatKit client in plain JavaScript.
// Every piece of server data reaches the DOM through textContent, text nodes or checked attributes.

const config = JSON.parse(document.getElementById('playground-config').textContent)
const $ = (id) => document.getElementById(id)

const state = {
	thread: null,
	items: new Map(),
	pending: new Set(),
	controller: null,
	olderCursor: null,
	threadsCursor: null
}

function el(tag, props = {}, ...children) {
	const node = document.createElement(tag)
	for (const [key, value] of Object.entries(props)) {
		if (value === undefined || value === null || value === false) continue
		if (key === 'class') node.className = value
		else if (key === 'text') node.textContent = String(value)
		else if (key.startsWith('on')) node.addEventListener(key.slice(2), value)
		else if (key === 'checked' || key === 'disabled' || key === 'required') node[key] = Boolean(value)
		else node.setAttribute(key, value === true ? '' : String(value))
	}
	for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child)
	return node
}

const json = (value) => el('pre', { class: 'json', text: JSON.stringify(value, null, 2) })
const safeUrl = (url) => (typeof url === 'string' && /^(https?:|data:image\/)/i.test(url) ? url : null)

// Requests

async function post(type, params, signal) {
	const response = await fetch(config.chatkitPath, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...config.headers },
		body: JSON.stringify({ type, params }),
		signal
	})
	if (!response.ok) {
		let message = `${response.status} ${response.statusText}`
		try {
			const body = await response.json()
			if (body?.message) message = `${response.status} ${body.code ?? 'error'}: ${body.message}`
		} catch {}
		throw new Error(message)
	}
	return response
}

const request = async (type, params, signal) => (await post(type, params, signal)).json()

async function* readEvents(body) {
	const reader = body.getReader()
	const decoder = new TextDecoder()
	let buffer = ''
	for (;;) {
		const { done, value } = await reader.read()
		if (done) return
		buffer += decoder.decode(value, { stream: true })
		let end = buffer.indexOf('\n\n')
		while (end >= 0) {
			const frame = buffer.slice(0, end)
			buffer = buffer.slice(end + 2)
			for (const line of frame.split('\n'))
				if (line.startsWith('data: ')) yield JSON.parse(line.slice(6))
			end = buffer.indexOf('\n\n')
		}
	}
}

async function stream(type, params) {
	if (state.controller) return
	const controller = new AbortController()
	setBusy(controller)
	try {
		const response = await post(type, params, controller.signal)
		for await (const event of readEvents(response.body)) applyEvent(event)
	} catch (error) {
		if (controller.signal.aborted) {
			for (const id of state.pending) itemNode(id)?.classList.add('stopped')
			showNotice('info', 'Stopped', 'The response was cancelled.')
		} else showError(error.message)
	} finally {
		setBusy(null)
		setProgress('')
		refreshThreads()
	}
}

function setBusy(controller) {
	state.controller = controller
	document.body.classList.toggle('busy', Boolean(controller))
	$('send').disabled = Boolean(controller)
	$('stop').disabled = !controller
}

// Stream events

function applyEvent(event) {
	switch (event.type) {
		case 'thread.created':
		case 'thread.updated':
			return setThread(event.thread)
		case 'thread.item.added':
			setProgress('')
			return putItem(event.item, true)
		case 'thread.item.done':
		case 'thread.item.replaced':
			setProgress('')
			return putItem(event.item, false)
		case 'thread.item.updated':
			return updateItem(event.item_id, event.update)
		case 'thread.item.removed':
			state.items.delete(event.item_id)
			return itemNode(event.item_id)?.remove()
		case 'stream_options':
			$('stop').disabled = !event.stream_options.allow_cancel
			return
		case 'progress_update':
			return setProgress(event.icon ? `[${event.icon}] ${event.text}` : event.text)
		case 'notice':
			return showNotice(event.level, event.title, event.message)
		case 'error':
			return showError(event.message || 'Something went wrong.', event.allow_retry)
		case 'client_effect':
			return showNotice('info', `Client effect: ${event.name}`, JSON.stringify(event.data ?? {}))
		default:
			return showNotice('warning', 'Unknown event', String(event.type))
	}
}

function contentPart(item, index) {
	while (item.content.length <= index) item.content.push({ type: 'output_text', text: '', annotations: [] })
	return item.content[index]
}

function updateItem(id, update) {
	const item = state.items.get(id)
	if (!item) return
	switch (update.type) {
		case 'assistant_message.content_part.added':
		case 'assistant_message.content_part.done':
			contentPart(item, update.content_index)
			item.content[update.content_index] = update.content
			break
		case 'assistant_message.content_part.text_delta':
			contentPart(item, update.content_index).text += update.delta
			break
		case 'assistant_message.content_part.annotation_added': {
			const part = contentPart(item, update.content_index)
			part.annotations = part.annotations ?? []
			part.annotations.splice(update.annotation_index, 0, update.annotation)
			break
		}
		case 'widget.streaming_text.value_delta': {
			const component = findComponent(item.widget, update.component_id)
			if (component) component.value = (component.value ?? '') + update.delta
			break
		}
		case 'widget.root.updated':
			item.widget = update.widget
			break
		case 'widget.component.updated':
			item.widget = replaceComponent(item.widget, update.component_id, update.component)
			break
		case 'workflow.task.added':
			item.workflow.tasks.splice(update.task_index, 0, update.task)
			break
		case 'workflow.task.updated':
			item.workflow.tasks[update.task_index] = update.task
			break
		case 'generated_image.updated':
			item.image = update.image
			item.progress = update.progress
			break
	}
	putItem(item, state.pending.has(id))
}

const childrenOf = (node) =>
	Array.isArray(node?.children) ? node.children : node?.children ? [node.children] : []

function findComponent(node, id) {
	if (!node || typeof node !== 'object') return null
	if (node.id === id) return node
	for (const child of childrenOf(node)) {
		const found = findComponent(child, id)
		if (found) return found
	}
	return null
}

function replaceComponent(node, id, replacement) {
	if (!node || typeof node !== 'object') return node
	if (node.id === id) return replacement
	if (Array.isArray(node.children))
		node.children = node.children.map((child) => replaceComponent(child, id, replacement))
	else if (node.children) node.children = replaceComponent(node.children, id, replacement)
	return node
}

// Transcript

const itemNode = (id) => [...$('items').children].find((node) => node.dataset.itemId === id)

function putItem(item, pending) {
	state.items.set(item.id, item)
	if (pending) state.pending.add(item.id)
	else state.pending.delete(item.id)
	const node = renderItem(item)
	node.classList.toggle('pending', pending)
	const old = itemNode(item.id)
	if (old) old.replaceWith(node)
	else $('items').append(node)
	scrollDown()
}

function showNotice(level, title, message) {
	const node = el('div', { class: `notice ${level}`, role: 'note' })
	if (title) node.append(el('strong', { text: title }), ' ')
	node.append(el('span', { text: message }))
	$('items').append(node)
	scrollDown()
}

function showError(message, allowRetry) {
	const node = el('div', { class: 'notice danger', role: 'alert' }, el('span', { text: message }))
	const lastUser = [...state.items.values()].filter((item) => item.type === 'user_message').pop()
	if (allowRetry && state.thread && lastUser)
		node.append(' ', el('button', { type: 'button', text: 'Retry', onclick: () => retry(lastUser.id) }))
	$('items').append(node)
	scrollDown()
}

function retry(itemId) {
	const node = itemNode(itemId)
	while (node?.nextSibling) node.nextSibling.remove()
	stream('threads.retry_after_item', { thread_id: state.thread.id, item_id: itemId })
}

const setProgress = (text) => {
	$('progress').textContent = text
}
const scrollDown = () => {
	$('transcript').scrollTop = $('transcript').scrollHeight
}

function resetTranscript() {
	state.items.clear()
	state.pending.clear()
	state.olderCursor = null
	$('older-items').hidden = true
	$('items').replaceChildren()
}

// Items

function renderItem(item) {
	const body = el('div', { class: 'body' })
	const node = el('article', { class: 'item' }, body)
	node.dataset.itemId = item.id
	node.dataset.itemType = item.type
	const render = itemRenderers[item.type]
	if (render) render(item, body)
	else body.append(el('div', { class: 'label', text: item.type }), json(item))
	return node
}

const itemRenderers = {
	user_message(item, body) {
		if (item.quoted_text) body.append(el('blockquote', { text: item.quoted_text }))
		const text = el('p', { class: 'text' })
		for (const part of item.content ?? [])
			text.append(
				part.type === 'input_tag'
					? el('span', { class: 'tag', text: `@${part.text}` })
					: (part.text ?? '')
			)
		body.append(text)
		for (const attachment of item.attachments ?? [])
			body.append(el('span', { class: 'attachment', text: attachment.name }))
	},
	assistant_message(item, body) {
		for (const part of item.content ?? []) {
			body.append(el('p', { class: 'text', text: part.text ?? '' }))
			const sources = (part.annotations ?? []).map((annotation) => renderSource(annotation.source))
			if (sources.length) body.append(el('ol', { class: 'sources' }, sources))
		}
		if (!state.pending.has(item.id)) body.append(feedbackButtons(item))
	},
	client_tool_call(item, body) {
		body.append(el('div', { class: 'label', text: `Client tool call: ${item.name} (${item.status})` }))
		body.append(json(item.arguments ?? {}))
		if (item.status === 'completed')
			return body.append(el('div', { class: 'label', text: 'Output' }), json(item.output))
		const output = el(
			'textarea',
			{ class: 'tool-output', rows: 3, 'aria-label': 'Tool output (JSON)' },
			'{}'
		)
		const problem = el('span', { class: 'problem' })
		const submit = () => {
			let result
			try {
				result = JSON.parse(output.value)
			} catch {
				problem.textContent = 'Not valid JSON'
				return
			}
			if (state.controller) return
			putItem({ ...item, status: 'completed', output: result }, false)
			stream('threads.add_client_tool_output', { thread_id: state.thread.id, result })
		}
		body.append(output, el('button', { type: 'button', text: 'Send output', onclick: submit }), problem)
	},
	widget(item, body) {
		body.append(renderComponent(item.widget, { itemId: item.id }))
	},
	generated_image(item, body) {
		const src = safeUrl(item.image?.url)
		body.append(
			src
				? el('img', { src, alt: 'Generated image' })
				: el('div', { class: 'label', text: 'Generating image…' })
		)
		if (typeof item.progress === 'number') body.append(el('progress', { value: item.progress, max: 1 }))
	},
	structured_input: renderStructuredInput,
	workflow(item, body) {
		const { summary, tasks = [], type } = item.workflow ?? {}
		const heading =
			summary?.title ?? (summary?.duration !== undefined ? `Worked for ${summary.duration}s` : type)
		body.append(
			el('div', { class: 'label', text: `Workflow: ${heading}` }),
			el('ul', {}, tasks.map(renderTask))
		)
	},
	task(item, body) {
		body.append(el('ul', {}, renderTask(item.task)))
	},
	end_of_turn() {}
}

function renderSource(source) {
	const href = source.type === 'url' ? safeUrl(source.url) : null
	const label = source.title || source.url || source.filename || source.id
	return el(
		'li',
		{},
		href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer', text: label }) : label
	)
}

function renderTask(task) {
	const parts = [
		task.status_indicator === 'complete' ? '✓' : task.status_indicator === 'loading' ? '…' : '•'
	]
	parts.push(task.title ?? task.title_query ?? task.type)
	const node = el('li', { class: 'task', text: parts.join(' ') })
	const detail = task.content ?? (task.queries?.length ? task.queries.join(', ') : null)
	if (detail) node.append(el('div', { class: 'caption', text: detail }))
	return node
}

function feedbackButtons(item) {
	const send = (kind) => async (event) => {
		try {
			await request('items.feedback', { thread_id: state.thread.id, item_ids: [item.id], kind })
			event.target.classList.add('sent')
		} catch (error) {
			showError(error.message)
		}
	}
	return el(
		'div',
		{ class: 'feedback' },
		el('button', { type: 'button', title: 'Good response', text: '+1', onclick: send('positive') }),
		el('button', { type: 'button', title: 'Bad response', text: '-1', onclick: send('negative') })
	)
}

function renderStructuredInput(item, body) {
	const form = el('form', { class: 'structured' })
	for (const input of item.inputs ?? []) {
		const field = el('fieldset', {}, el('legend', { text: input.question }))
		if (input.type === 'multiple_choice')
			for (const option of input.options ?? [])
				field.append(
					el(
						'label',
						{},
						el('input', {
							type: input.multiple ? 'checkbox' : 'radio',
							name: input.id,
							value: option.value
						}),
						` ${option.value}`
					)
				)
		else {
			if (input.description) field.append(el('div', { class: 'caption', text: input.description }))
			field.append(el('textarea', { name: input.id, rows: 2, 'aria-label': input.question }))
		}
		if (input.answer)
			field.append(
				el('div', {
					class: 'answer',
					text: input.answer.skipped ? 'Skipped' : `Answer: ${input.answer.values.join(', ')}`
				})
			)
		form.append(field)
	}
	const submit = (status) =>
		stream('threads.add_structured_input', {
			thread_id: state.thread.id,
			item_id: item.id,
			input: { status, answers: status === 'answered' ? collectAnswers(form, item.inputs) : {} }
		})
	if (item.status === 'pending') {
		form.addEventListener('submit', (event) => {
			event.preventDefault()
			submit('answered')
		})
		form.append(
			el('button', { type: 'submit', text: 'Answer' }),
			el('button', { type: 'button', text: 'Skip', onclick: () => submit('skipped') })
		)
	} else {
		for (const control of form.elements) control.disabled = true
		form.append(el('div', { class: 'label', text: item.status }))
	}
	body.append(form)
}

function collectAnswers(form, inputs) {
	const answers = {}
	for (const input of inputs ?? []) {
		const controls = [...form.elements].filter((control) => control.name === input.id)
		const values =
			input.type === 'multiple_choice'
				? controls.filter((control) => control.checked).map((control) => control.value)
				: controls.map((control) => control.value.trim()).filter(Boolean)
		answers[input.id] = { values, skipped: values.length === 0 }
	}
	return answers
}

// Widgets

function renderComponent(node, ctx) {
	if (!node || typeof node !== 'object') return null
	const type = String(node.type)
	const render = widgetRenderers[type]
	const out = render ? render(node, ctx) : el('div', { class: 'unknown' }, el('span', { text: type }))
	if (!render) out.append(...renderChildren(node, ctx))
	out.dataset.widget = type
	if (typeof node.id === 'string') out.dataset.componentId = node.id
	return out
}

const renderChildren = (node, ctx) =>
	childrenOf(node)
		.map((child) => renderComponent(child, ctx))
		.filter(Boolean)

const container = (tag) => (node, ctx) => {
	const out = el(tag, { class: 'box' }, renderChildren(node, ctx))
	if (node.direction === 'row') out.classList.add('row')
	return out
}

const textual = (tag) => (node) => el(tag, { text: node.value ?? '' })

function actionControl(action, ctx, control) {
	return () => fireAction(action, ctx, control.closest('form'))
}

const widgetRenderers = {
	Card(node, ctx) {
		const out = el(node.asForm ? 'form' : 'div', { class: 'card' })
		if (node.status?.text) out.append(el('div', { class: 'caption', text: node.status.text }))
		out.append(...renderChildren(node, ctx))
		const buttons = [node.cancel, node.confirm].filter((choice) => choice?.action)
		if (buttons.length)
			out.append(
				el(
					'div',
					{ class: 'box row' },
					buttons.map((choice) => {
						const button = el('button', {
							type: 'button',
							text: choice.label ?? choice.action.type
						})
						button.addEventListener('click', actionControl(choice.action, ctx, button))
						return button
					})
				)
			)
		if (node.asForm) out.addEventListener('submit', (event) => event.preventDefault())
		return out
	},
	ListView: container('div'),
	ListViewItem(node, ctx) {
		const out = el('div', { class: 'box row list-item' }, renderChildren(node, ctx))
		if (node.onClickAction) {
			out.classList.add('clickable')
			out.tabIndex = 0
			out.addEventListener('click', actionControl(node.onClickAction, ctx, out))
		}
		return out
	},
	Basic: container('div'),
	Box: container('div'),
	Col: container('div'),
	Row: (node, ctx) => el('div', { class: 'box row' }, renderChildren(node, ctx)),
	Transition: container('div'),
	Form(node, ctx) {
		const out = container('form')(node, ctx)
		out.addEventListener('submit', (event) => {
			event.preventDefault()
			if (node.onSubmitAction) fireAction(node.onSubmitAction, ctx, out)
		})
		return out
	},
	Text: textual('p'),
	Title: textual('h3'),
	Caption: (node) => el('p', { class: 'caption', text: node.value ?? '' }),
	Markdown: (node) => el('div', { class: 'markdown', text: node.value ?? '' }),
	Label: (node) => el('label', { text: node.value ?? '' }),
	Badge(node) {
		const out = el('span', { class: 'badge', text: node.label ?? '' })
		if (node.color) out.dataset.color = node.color
		return out
	},
	Button(node, ctx) {
		const label = [node.iconStart, node.label, node.iconEnd].filter(Boolean).join(' ')
		const button = el('button', {
			type: node.submit ? 'submit' : 'button',
			text: label,
			disabled: node.disabled
		})
		if (node.style || node.color) button.dataset.style = node.style ?? node.color
		if (node.onClickAction)
			button.addEventListener('click', actionControl(node.onClickAction, ctx, button))
		return button
	},
	Divider: () => el('hr'),
	Spacer: () => el('div', { class: 'spacer' }),
	Image(node) {
		const src = safeUrl(node.src)
		return src
			? el('img', { src, alt: node.alt ?? '' })
			: el('span', { class: 'caption', text: node.alt ?? 'image' })
	},
	Icon: (node) => el('span', { class: 'icon', text: node.name ?? '' }),
	Input(node) {
		const types = ['number', 'email', 'text', 'password', 'tel', 'url']
		return el('input', {
			name: node.name,
			type: types.includes(node.inputType) ? node.inputType : 'text',
			value: node.defaultValue,
			placeholder: node.placeholder,
			pattern: node.pattern,
			required: node.required,
			disabled: node.disabled
		})
	},
	Textarea: (node) =>
		el(
			'textarea',
			{ name: node.name, rows: node.rows ?? 3, placeholder: node.placeholder, required: node.required },
			node.defaultValue ?? ''
		),
	Select(node, ctx) {
		const select = el('select', { name: node.name, disabled: node.disabled })
		select.append(el('option', { value: '', text: node.placeholder ?? '—' }))
		for (const option of node.options ?? [])
			select.append(
				el('option', {
					value: option.value,
					text: option.label ?? option.value,
					disabled: option.disabled
				})
			)
		select.value = node.defaultValue ?? ''
		if (node.onChangeAction)
			select.addEventListener('change', actionControl(node.onChangeAction, ctx, select))
		return select
	},
	Checkbox(node, ctx) {
		const box = el('input', {
			type: 'checkbox',
			name: node.name,
			checked: node.defaultChecked,
			disabled: node.disabled
		})
		if (node.onChangeAction) box.addEventListener('change', actionControl(node.onChangeAction, ctx, box))
		return el('label', {}, box, ` ${node.label ?? ''}`)
	},
	RadioGroup(node, ctx) {
		const out = el('div', { class: 'box row', role: 'radiogroup', 'aria-label': node.ariaLabel })
		for (const option of node.options ?? []) {
			const radio = el('input', {
				type: 'radio',
				name: node.name,
				value: option.value,
				checked: option.value === node.defaultValue
			})
			if (node.onChangeAction)
				radio.addEventListener('change', actionControl(node.onChangeAction, ctx, radio))
			out.append(el('label', {}, radio, ` ${option.label ?? option.value}`))
		}
		return out
	},
	DatePicker(node, ctx) {
		const input = el('input', { type: 'date', name: node.name, value: node.defaultValue?.slice(0, 10) })
		if (node.onChangeAction)
			input.addEventListener('change', actionControl(node.onChangeAction, ctx, input))
		return input
	},
	Chart(node) {
		const series = (node.series ?? []).map((entry) => entry.label ?? entry.dataKey).join(', ')
		return el('div', { class: 'unknown', text: `Chart (${node.data?.length ?? 0} points): ${series}` })
	},
	Table: (node, ctx) => el('table', {}, el('tbody', {}, renderChildren(node, ctx))),
	'Table.Row': (node, ctx) => el('tr', {}, renderChildren(node, ctx)),
	'Table.Cell': (node, ctx) => el('td', {}, renderChildren(node, ctx))
}

function formValues(form) {
	const values = {}
	for (const control of form.elements) {
		if (!control.name || (control.type === 'radio' && !control.checked)) continue
		const value = control.type === 'checkbox' ? control.checked : control.value
		const path = control.name.split('.')
		let target = values
		for (const key of path.slice(0, -1))
			target = target[key] = typeof target[key] === 'object' ? target[key] : {}
		target[path[path.length - 1]] = value
	}
	return values
}

async function fireAction(action, ctx, form) {
	if (state.controller || !state.thread) return
	let payload = action.payload ?? null
	if (form) {
		if (!form.reportValidity()) return
		payload = { ...(payload && typeof payload === 'object' ? payload : {}), ...formValues(form) }
	}
	const sent = { type: action.type, payload }
	if (action.handler === 'client')
		return showNotice('info', `Client action: ${action.type}`, JSON.stringify(payload))
	const params = { thread_id: state.thread.id, item_id: ctx.itemId, action: sent }
	if (action.streaming !== false) return stream('threads.custom_action', params)
	const controller = new AbortController()
	setBusy(controller)
	try {
		const result = await request('threads.sync_custom_action', params, controller.signal)
		if (result.updated_item) putItem(result.updated_item, false)
	} catch (error) {
		if (!controller.signal.aborted) showError(error.message)
	} finally {
		setBusy(null)
	}
}

// Threads

function setThread(thread) {
	state.thread = { ...thread, items: undefined }
	$('thread-title').textContent = thread.title || 'Untitled thread'
	const status = thread.status?.type ?? 'active'
	$('thread-status').textContent =
		status === 'active' ? '' : `${status}${thread.status.reason ? `: ${thread.status.reason}` : ''}`
	for (const entry of $('threads').children)
		entry.classList.toggle('current', entry.dataset.threadId === thread.id)
}

function threadEntry(thread) {
	const entry = el(
		'li',
		{},
		el('button', {
			type: 'button',
			class: 'open',
			title: thread.id,
			text: thread.title || 'Untitled',
			onclick: () => openThread(thread.id)
		}),
		el('button', {
			type: 'button',
			class: 'rename',
			title: 'Rename',
			text: 'Rename',
			onclick: () => renameThread(thread)
		}),
		el('button', {
			type: 'button',
			class: 'delete',
			title: 'Delete',
			text: 'Delete',
			onclick: () => deleteThread(thread)
		})
	)
	entry.dataset.threadId = thread.id
	entry.classList.toggle('current', thread.id === state.thread?.id)
	return entry
}

async function refreshThreads(more = false) {
	try {
		const after = more && state.threadsCursor ? { after: state.threadsCursor } : {}
		const page = await request('threads.list', { limit: 30, order: 'desc', ...after })
		if (!more) $('threads').replaceChildren()
		$('threads').append(...page.data.map(threadEntry))
		state.threadsCursor = page.after ?? null
		$('more-threads').hidden = !page.has_more
	} catch (error) {
		showError(`Could not list threads: ${error.message}`)
	}
}

async function openThread(id) {
	if (state.controller) return
	try {
		const thread = await request('threads.get_by_id', { thread_id: id })
		resetTranscript()
		setThread(thread)
		if (!thread.items.has_more) return thread.items.data.forEach((item) => putItem(item, false))
		const page = await request('items.list', { thread_id: id, order: 'desc', limit: 20 })
		for (const item of page.data.reverse()) putItem(item, false)
		state.olderCursor = page.has_more ? page.after : null
		$('older-items').hidden = !state.olderCursor
	} catch (error) {
		showError(error.message)
	}
}

async function loadOlder() {
	try {
		const page = await request('items.list', {
			thread_id: state.thread.id,
			order: 'desc',
			limit: 20,
			after: state.olderCursor
		})
		for (const item of page.data) {
			state.items.set(item.id, item)
			$('items').prepend(renderItem(item))
		}
		state.olderCursor = page.has_more ? page.after : null
		$('older-items').hidden = !state.olderCursor
	} catch (error) {
		showError(error.message)
	}
}

async function renameThread(thread) {
	const title = prompt('Thread title', thread.title ?? '')
	if (title === null) return
	try {
		const updated = await request('threads.update', { thread_id: thread.id, title })
		if (state.thread?.id === thread.id) setThread(updated)
		await refreshThreads()
	} catch (error) {
		showError(error.message)
	}
}

async function deleteThread(thread) {
	if (!confirm(`Delete "${thread.title || thread.id}"?`)) return
	try {
		await request('threads.delete', { thread_id: thread.id })
		if (state.thread?.id === thread.id) newThread()
		await refreshThreads()
	} catch (error) {
		showError(error.message)
	}
}

function newThread() {
	if (state.controller) return
	resetTranscript()
	state.thread = null
	$('thread-title').textContent = 'New thread'
	$('thread-status').textContent = ''
	for (const entry of $('threads').children) entry.classList.remove('current')
	$('message').focus()
}

// Composer

function send() {
	const text = $('message').value.trim()
	if (!text || state.controller) return
	$('message').value = ''
	const input = { content: [{ type: 'input_text', text }], attachments: [], inference_options: {} }
	if (state.thread) stream('threads.add_user_message', { thread_id: state.thread.id, input })
	else stream('threads.create', { input })
}

document.title = config.title
$('composer').addEventListener('submit', (event) => {
	event.preventDefault()
	send()
})
$('message').addEventListener('keydown', (event) => {
	if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
		event.preventDefault()
		send()
	}
})
$('stop').addEventListener('click', () => state.controller?.abort())
$('new-thread').addEventListener('click', newThread)
$('older-items').addEventListener('click', loadOlder)
$('more-threads').addEventListener('click', () => refreshThreads(true))
refreshThreads()
$('message').focus()
