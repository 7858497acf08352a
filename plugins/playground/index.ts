import { readFileSync } from 'node:fs'
import { Elysia } from 'elysia'

export interface PlaygroundOptions {
	/**
	 * Where the page is served. Its script and stylesheet are served next to it
	 * (`<path>/playground.js`, `<path>/playground.css`).
	 *
	 * @default '/'
	 * @example '/playground'
	 */
	path?: string
	/**
	 * The ChatKit endpoint the page talks to: a path on this server, or an absolute URL (its origin is then
	 * added to the page's `connect-src`, and that server must allow this origin with CORS).
	 *
	 * @default '/chatkit'
	 */
	chatkitPath?: string
	/**
	 * The page's title and heading.
	 *
	 * @default 'ChatKit playground'
	 */
	title?: string
	/**
	 * Extra headers the page sends with every ChatKit request. They are written into the page, so anyone who
	 * can open it can read them: use development credentials only.
	 *
	 * @default {}
	 * @example { authorization: `Bearer ${process.env.DEV_TOKEN}` }
	 */
	headers?: Record<string, string>
	/**
	 * Register the routes at all. When false the plugin adds nothing.
	 *
	 * @default process.env.NODE_ENV !== 'production'
	 */
	enabled?: boolean
}

const read = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8')

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

/** JSON that is safe inside a `<script type="application/json">` block. */
const scriptJson = (value: unknown) =>
	JSON.stringify(value).replace(
		/[<>&\u2028\u2029]/g,
		(char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
	)

const connectSources = (chatkitPath: string) => {
	if (!/^https?:\/\//i.test(chatkitPath)) return "'self'"
	return `'self' ${new URL(chatkitPath).origin}`
}

const securityHeaders = (connectSrc: string) => ({
	'content-security-policy': [
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		`connect-src ${connectSrc}`,
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'"
	].join('; '),
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'no-referrer',
	'cache-control': 'no-store'
})

/**
 * A self-contained chat page for trying and debugging a ChatKit server: thread history, streaming replies,
 * widgets with working actions, client tool outputs, structured input, cancellation, rename and delete.
 * Plain HTML, CSS and JavaScript served by the plugin itself (no CDN, no build step), under a strict
 * Content-Security-Policy. Registered only outside production unless `enabled` says otherwise.
 *
 * @example
 * new Elysia()
 *   .use(chatkit({ store: new MemoryStore(), respond }))
 *   .use(playground({ path: '/playground' }))
 *   .listen(8000) // open http://127.0.0.1:8000/playground
 */
export function playground(options: PlaygroundOptions = {}) {
	const {
		path = '/',
		chatkitPath = '/chatkit',
		title = 'ChatKit playground',
		headers = {},
		enabled = process.env.NODE_ENV !== 'production'
	} = options
	const plugin = new Elysia({
		name: 'elysia-chatkit/playground',
		seed: { path, chatkitPath, title, headerNames: Object.keys(headers), enabled }
	})
	if (!enabled) return plugin

	const base = path.endsWith('/') ? path : `${path}/`
	const security = securityHeaders(connectSources(chatkitPath))
	const config = { title, chatkitPath, headers }
	const html = read('./page.html')
		.replaceAll('{{title}}', () => escapeHtml(title))
		.replaceAll('{{base}}', () => escapeHtml(base))
		.replace('{{config}}', () => scriptJson(config))
	const script = read('./app.js')
	const style = read('./style.css')

	const serve = (body: string, contentType: string) =>
		function servePlaygroundFile() {
			return new Response(body, { headers: { 'content-type': contentType, ...security } })
		}

	return plugin
		.get(path, serve(html, 'text/html; charset=utf-8'))
		.get(`${base}playground.js`, serve(script, 'text/javascript; charset=utf-8'))
		.get(`${base}playground.css`, serve(style, 'text/css; charset=utf-8'))
}

export default playground
