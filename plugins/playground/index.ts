import { readFileSync } from 'node:fs'
import { Elysia } from 'elysia'
import { isProduction } from '../../src/config'

export interface PlaygroundOptions {
	/**
	 * Where the page is served. Its scripts and stylesheet are served under `<path>/_playground/`.
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

const read = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')

/** The page's ES modules, served next to each other so their relative imports resolve. */
const SCRIPTS = ['app.js', 'items.js', 'widgets.js', 'dom.js']

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
		enabled = !isProduction()
	} = options
	const plugin = new Elysia({
		name: 'elysia-chatkit/playground',
		seed: { path, chatkitPath, title, headerNames: Object.keys(headers), enabled }
	})
	if (!enabled) return plugin

	const assets = `${path.endsWith('/') ? path : `${path}/`}_playground/`
	const security = securityHeaders(connectSources(chatkitPath))
	const html = read('page.html')
		.replaceAll('{{title}}', () => escapeHtml(title))
		.replaceAll('{{assets}}', () => escapeHtml(assets))
		.replace('{{config}}', () => scriptJson({ title, chatkitPath, headers }))

	const serve = (body: string, contentType: string) =>
		function servePlayground() {
			return new Response(body, { headers: { 'content-type': contentType, ...security } })
		}

	plugin.get(path, serve(html, 'text/html; charset=utf-8'))
	for (const name of SCRIPTS)
		plugin.get(`${assets}${name}`, serve(read(name), 'text/javascript; charset=utf-8'))
	return plugin.get(`${assets}style.css`, serve(read('style.css'), 'text/css; charset=utf-8'))
}

export default playground
