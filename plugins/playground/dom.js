// DOM helpers. Server data only ever reaches the page through textContent, text nodes, form values and
// attributes set here, never as markup.

/** `el('button', { type: 'button', text: 'Send', onclick }, ...children)`; strings become text nodes. */
export function el(tag, props = {}, ...children) {
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

export const json = (value) => el('pre', { class: 'json', text: JSON.stringify(value, null, 2) })

/** Only web URLs may become a link. */
export const linkUrl = (url) => (typeof url === 'string' && /^https?:/i.test(url) ? url : null)

/** Images the page's Content-Security-Policy lets it load: inline data and this origin. */
export function imageUrl(url) {
	if (typeof url !== 'string') return null
	if (/^data:image\//i.test(url)) return url
	try {
		return new URL(url, location.href).origin === location.origin ? url : null
	} catch {
		return null
	}
}
