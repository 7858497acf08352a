// Widgets (PROTOCOL.md §8), rendered simply: layout as flex boxes, text as text, controls as native
// form controls. Unknown components show their type and their children.

import { el, imageUrl } from './dom.js'

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

/** Applies a `widget.*` item update; returns the new root. */
export function applyWidgetUpdate(widget, update) {
	if (update.type === 'widget.root.updated') return update.widget
	if (update.type === 'widget.component.updated')
		return replaceComponent(widget, update.component_id, update.component)
	if (update.type === 'widget.streaming_text.value_delta') {
		const component = findComponent(widget, update.component_id)
		if (component) component.value = (component.value ?? '') + update.delta
	}
	return widget
}

/** Values of a form's named controls; dotted names nest (`todo.title` → `{ todo: { title } }`). */
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

/**
 * Renders a widget root. `onAction(action, values)` runs for every server action a control fires;
 * `values` are the enclosing form's field values, or null outside a form.
 */
export function renderWidget(root, onAction) {
	const fire = (action, control) => () => {
		const form = control.closest('form')
		if (form && !form.reportValidity()) return
		onAction(action, form ? formValues(form) : null)
	}
	const children = (node) => childrenOf(node).map(render).filter(Boolean)
	const box = (tag) => (node) =>
		el(tag, { class: node.direction === 'row' ? 'box row' : 'box' }, children(node))
	const text = (tag, className) => (node) => el(tag, { class: className, text: node.value ?? '' })
	const onChange = (node, control) => {
		if (node.onChangeAction) control.addEventListener('change', fire(node.onChangeAction, control))
		return control
	}

	const renderers = {
		Card(node) {
			const out = el(node.asForm ? 'form' : 'div', { class: 'card' })
			if (node.status?.text) out.append(el('div', { class: 'caption', text: node.status.text }))
			out.append(...children(node))
			const choices = [node.cancel, node.confirm].filter((choice) => choice?.action)
			const buttons = choices.map((choice) => {
				const button = el('button', { type: 'button', text: choice.label ?? choice.action.type })
				button.addEventListener('click', fire(choice.action, button))
				return button
			})
			if (buttons.length) out.append(el('div', { class: 'box row' }, buttons))
			if (node.asForm) out.addEventListener('submit', (event) => event.preventDefault())
			return out
		},
		ListView: box('div'),
		ListViewItem(node) {
			const out = el('div', { class: 'box row list-item' }, children(node))
			if (node.onClickAction) {
				out.classList.add('clickable')
				out.tabIndex = 0
				out.addEventListener('click', fire(node.onClickAction, out))
			}
			return out
		},
		Basic: box('div'),
		Box: box('div'),
		Col: box('div'),
		Row: (node) => el('div', { class: 'box row' }, children(node)),
		Transition: box('div'),
		Form(node) {
			const out = box('form')(node)
			out.addEventListener('submit', (event) => {
				event.preventDefault()
				if (node.onSubmitAction) onAction(node.onSubmitAction, formValues(out))
			})
			return out
		},
		Text: text('p'),
		Title: text('h3'),
		Caption: text('p', 'caption'),
		Markdown: text('div', 'markdown'),
		Label: text('label'),
		Badge(node) {
			const out = el('span', { class: 'badge', text: node.label ?? '' })
			if (node.color) out.dataset.color = node.color
			return out
		},
		Button(node) {
			const label = [node.iconStart, node.label, node.iconEnd].filter(Boolean).join(' ')
			const type = node.submit && !node.onClickAction ? 'submit' : 'button'
			const button = el('button', { type, text: label, disabled: node.disabled })
			if (node.style) button.dataset.style = node.style
			if (node.onClickAction) button.addEventListener('click', fire(node.onClickAction, button))
			return button
		},
		Divider: () => el('hr'),
		Spacer: () => el('div', { class: 'spacer' }),
		Image(node) {
			const src = imageUrl(node.src)
			const size = (value) => (typeof value === 'number' ? value : undefined)
			if (src)
				return el('img', {
					src,
					alt: node.alt ?? '',
					width: size(node.width),
					height: size(node.height)
				})
			return el('span', { class: 'caption', text: `Image: ${node.alt || node.src}` })
		},
		Icon: (node) => el('span', { class: 'icon', text: node.name ?? '' }),
		Input: (node) =>
			el('input', {
				name: node.name,
				type: ['number', 'email', 'password', 'tel', 'url'].includes(node.inputType)
					? node.inputType
					: 'text',
				value: node.defaultValue,
				placeholder: node.placeholder,
				pattern: node.pattern,
				required: node.required,
				disabled: node.disabled
			}),
		Textarea: (node) =>
			el(
				'textarea',
				{
					name: node.name,
					rows: node.rows ?? 3,
					placeholder: node.placeholder,
					required: node.required
				},
				node.defaultValue ?? ''
			),
		Select(node) {
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
			return onChange(node, select)
		},
		Checkbox(node) {
			const box = el('input', {
				type: 'checkbox',
				name: node.name,
				checked: node.defaultChecked,
				disabled: node.disabled
			})
			return el('label', {}, onChange(node, box), ` ${node.label ?? ''}`)
		},
		RadioGroup(node) {
			const out = el('div', { class: 'box row', role: 'radiogroup', 'aria-label': node.ariaLabel })
			for (const option of node.options ?? []) {
				const checked = option.value === node.defaultValue
				const radio = el('input', { type: 'radio', name: node.name, value: option.value, checked })
				out.append(el('label', {}, onChange(node, radio), ` ${option.label ?? option.value}`))
			}
			return out
		},
		DatePicker: (node) =>
			onChange(
				node,
				el('input', { type: 'date', name: node.name, value: node.defaultValue?.slice(0, 10) })
			),
		Chart(node) {
			const series = (node.series ?? []).map((entry) => entry.label ?? entry.dataKey).join(', ')
			return el('div', {
				class: 'unknown',
				text: `Chart (${node.data?.length ?? 0} points): ${series}`
			})
		},
		Table: (node) => el('table', {}, el('tbody', {}, children(node))),
		'Table.Row': (node) => el('tr', {}, children(node)),
		'Table.Cell': (node) => el('td', {}, children(node))
	}

	function render(node) {
		if (!node || typeof node !== 'object') return null
		const type = String(node.type)
		const renderer = Object.hasOwn(renderers, type) ? renderers[type] : null
		const out = renderer
			? renderer(node)
			: el('div', { class: 'unknown' }, el('span', { text: type }), children(node))
		out.dataset.widget = type
		if (typeof node.id === 'string') out.dataset.componentId = node.id
		return out
	}

	return render(root)
}
