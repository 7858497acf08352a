// The playground page: a small ChatKit client. State, requests, the event stream, threads and the composer.

import { el } from './dom.js'
import { applyItemUpdate, renderItem } from './items.js'

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

/** `data: <json>\n\n` frames, parsed as they arrive. */
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

/** Sends a streaming request and applies its events as they arrive; Stop aborts it. */
async function stream(type, params) {
	if (state.controller) return
	const controller = new AbortController()
	setBusy(controller)
	try {
		const response = await post(type, params, controller.signal)
		for await (const event of readEvents(response.body)) applyEvent(event)
	} catch (error) {
		if (!controller.signal.aborted) showError(error.message)
		else {
			for (const id of state.pending) itemNode(id)?.classList.add('stopped')
			showNotice('info', 'Stopped', 'The response was cancelled.')
		}
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

function applyEvent(event) {
	switch (event.type) {
		case 'thread.created':
		case 'thread.updated':
			return setThread(event.thread)
		case 'thread.item.added':
		case 'thread.item.done':
		case 'thread.item.replaced':
			setProgress('')
			return putItem(event.item, event.type === 'thread.item.added')
		case 'thread.item.updated': {
			const item = state.items.get(event.item_id)
			if (!item) return
			applyItemUpdate(item, event.update)
			return putItem(item, state.pending.has(item.id))
		}
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

// Answering items

function itemActions(item) {
	return {
		pending: state.pending.has(item.id),
		onAction: (action, values) => sendAction(action, item.id, values),
		onToolOutput(result) {
			if (state.controller) return
			putItem({ ...item, status: 'completed', output: result }, false)
			stream('threads.add_client_tool_output', { thread_id: state.thread.id, result })
		},
		onStructuredInput: (status, answers) =>
			stream('threads.add_structured_input', {
				thread_id: state.thread.id,
				item_id: item.id,
				input: { status, answers }
			}),
		async onFeedback(kind) {
			try {
				await request('items.feedback', { thread_id: state.thread.id, item_ids: [item.id], kind })
				return true
			} catch (error) {
				showError(error.message)
				return false
			}
		}
	}
}

/** Routes a widget action like ChatKit does: server actions stream unless `streaming: false`. */
async function sendAction(action, itemId, values) {
	if (state.controller || !state.thread) return
	let payload = action.payload ?? null
	if (values) payload = { ...(payload && typeof payload === 'object' ? payload : {}), ...values }
	if (action.handler === 'client')
		return showNotice('info', `Client action: ${action.type}`, JSON.stringify(payload))
	const params = { thread_id: state.thread.id, item_id: itemId, action: { type: action.type, payload } }
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

// Transcript

const itemNode = (id) => [...$('items').children].find((node) => node.dataset.itemId === id)

function putItem(item, pending) {
	state.items.set(item.id, item)
	if (pending) state.pending.add(item.id)
	else state.pending.delete(item.id)
	const node = renderItem(item, itemActions(item))
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
	if (state.controller) return
	const node = itemNode(itemId)
	while (node?.nextSibling) {
		state.items.delete(node.nextSibling.dataset.itemId)
		node.nextSibling.remove()
	}
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

// Threads

const threadLabel = (thread) =>
	thread.title ||
	`Untitled, ${new Date(thread.created_at).toLocaleString([], { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' })}`

function setThread(thread) {
	state.thread = { ...thread, items: undefined }
	$('thread-title').textContent = thread.title || 'Untitled thread'
	const { type = 'active', reason } = thread.status ?? {}
	$('thread-status').textContent = type === 'active' ? '' : reason ? `${type}: ${reason}` : type
	for (const entry of $('threads').children)
		entry.classList.toggle('current', entry.dataset.threadId === thread.id)
}

function threadEntry(thread) {
	const button = (className, text, onclick) =>
		el('button', { type: 'button', class: className, text, onclick })
	const entry = el(
		'li',
		{},
		button('open', threadLabel(thread), () => openThread(thread.id)),
		button('rename', '✎', () => renameThread(thread)),
		button('delete', '✕', () => deleteThread(thread))
	)
	entry.firstChild.title = thread.id
	for (const [index, label] of ['Rename', 'Delete'].entries()) {
		entry.children[index + 1].title = label
		entry.children[index + 1].setAttribute('aria-label', label)
	}
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

/** Loads the thread; when it has more than one page of items, shows the newest page and offers older ones. */
async function openThread(id) {
	if (state.controller) return
	try {
		const thread = await request('threads.get_by_id', { thread_id: id })
		resetTranscript()
		setThread(thread)
		if (!thread.items.has_more) {
			for (const item of thread.items.data) putItem(item, false)
			return
		}
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
			$('items').prepend(renderItem(item, itemActions(item)))
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
	if (!confirm(`Delete "${threadLabel(thread)}"?`)) return
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
