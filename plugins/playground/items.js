// Thread items (PROTOCOL.md §4.2): how each type is drawn, and how `thread.item.updated` changes it.

import { el, imageUrl, json, linkUrl } from './dom.js'
import { applyWidgetUpdate, renderWidget } from './widgets.js'

function contentPart(item, index) {
	while (item.content.length <= index) item.content.push({ type: 'output_text', text: '', annotations: [] })
	return item.content[index]
}

/** Applies one `thread.item.updated` update to the item, in place. */
export function applyItemUpdate(item, update) {
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
		default:
			if (update.type.startsWith('widget.')) item.widget = applyWidgetUpdate(item.widget, update)
	}
}

/**
 * Draws one item. `ui` says whether it is still streaming (`pending`) and how to answer it:
 * `onAction(action, values)`, `onToolOutput(result)`, `onStructuredInput(status, answers)`, `onFeedback(kind)`.
 */
export function renderItem(item, ui) {
	const body = el('div', { class: 'body' })
	const node = el('article', { class: ui.pending ? 'item pending' : 'item' }, body)
	node.dataset.itemId = item.id
	node.dataset.itemType = item.type
	if (Object.hasOwn(renderers, item.type)) renderers[item.type](item, body, ui)
	else body.append(el('div', { class: 'label', text: item.type }), json(item))
	return node
}

const renderers = {
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
	assistant_message(item, body, ui) {
		for (const part of item.content ?? []) {
			body.append(el('p', { class: 'text', text: part.text ?? '' }))
			const sources = (part.annotations ?? []).map((annotation) =>
				renderSource(annotation.source ?? {})
			)
			if (sources.length) body.append(el('ol', { class: 'sources' }, sources))
		}
		if (!ui.pending) body.append(feedbackButtons(ui))
	},
	client_tool_call(item, body, ui) {
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
			try {
				ui.onToolOutput(JSON.parse(output.value))
			} catch {
				problem.textContent = 'Not valid JSON'
			}
		}
		body.append(output, el('button', { type: 'button', text: 'Send output', onclick: submit }), problem)
	},
	widget(item, body, ui) {
		body.append(renderWidget(item.widget, ui.onAction))
	},
	generated_image(item, body) {
		const url = item.image?.url
		const src = imageUrl(url)
		const placeholder = url ? `Image (not loaded here): ${url}` : 'Generating image…'
		body.append(
			src
				? el('img', { src, alt: 'Generated image' })
				: el('div', { class: 'label', text: placeholder })
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
		body.append(el('ul', {}, renderTask(item.task ?? {})))
	},
	end_of_turn() {}
}

function renderSource(source) {
	const href = source.type === 'url' ? linkUrl(source.url) : null
	const label = source.title || source.url || source.filename || source.id || 'source'
	return el(
		'li',
		{},
		href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer', text: label }) : label
	)
}

function renderTask(task) {
	const mark = { complete: '✓', loading: '…' }[task.status_indicator] ?? '•'
	const node = el('li', { class: 'task', text: `${mark} ${task.title ?? task.title_query ?? task.type}` })
	const detail = task.content ?? (task.queries?.length ? task.queries.join(', ') : null)
	if (detail) node.append(el('div', { class: 'caption', text: detail }))
	return node
}

function feedbackButtons(ui) {
	const send = (kind) => async (event) => {
		if (await ui.onFeedback(kind)) event.target.classList.add('sent')
	}
	return el(
		'div',
		{ class: 'feedback' },
		el('button', { type: 'button', title: 'Good response', text: '+1', onclick: send('positive') }),
		el('button', { type: 'button', title: 'Bad response', text: '-1', onclick: send('negative') })
	)
}

function renderStructuredInput(item, body, ui) {
	const form = el('form', { class: 'structured' })
	for (const input of item.inputs ?? []) {
		const field = el('fieldset', {}, el('legend', { text: input.question }))
		if (input.type === 'multiple_choice')
			for (const option of input.options ?? []) {
				const type = input.multiple ? 'checkbox' : 'radio'
				field.append(
					el(
						'label',
						{},
						el('input', { type, name: input.id, value: option.value }),
						` ${option.value}`
					)
				)
			}
		else {
			if (input.description) field.append(el('div', { class: 'caption', text: input.description }))
			field.append(el('textarea', { name: input.id, rows: 2, 'aria-label': input.question }))
		}
		if (input.answer) {
			const answer = input.answer.skipped ? 'Skipped' : `Answer: ${input.answer.values.join(', ')}`
			field.append(el('div', { class: 'answer', text: answer }))
		}
		form.append(field)
	}
	if (item.status === 'pending') {
		form.addEventListener('submit', (event) => {
			event.preventDefault()
			ui.onStructuredInput('answered', collectAnswers(form, item.inputs))
		})
		const skip = () => ui.onStructuredInput('skipped', {})
		form.append(
			el('button', { type: 'submit', text: 'Answer' }),
			el('button', { type: 'button', text: 'Skip', onclick: skip })
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
