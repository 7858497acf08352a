/**
 * Build level 3: what a production deployment runs. JWT authentication, PostgreSQL, CORS allow-list,
 * per-user rate limits, an Agents SDK agent with server tools (progress, a widget with an action) and a
 * client tool, all configured from the environment (the variables of the README's configuration table).
 *
 * Run: DATABASE_URL=postgres://… JWT_SECRET=<32+ random bytes> CORS_ORIGINS=https://app.example.com \
 *      NODE_ENV=production bun run examples/production.ts
 * Tokens: HS256 with JWT_SECRET (or JWT_PUBLIC_KEY / JWKS_URL), `sub` = user, `tenant_id` = tenant.
 */
import { Elysia } from 'elysia'
import { ConfigError, chatkit, type Env, serverConfigFromEnv } from 'elysia-chatkit'
import { action, actions } from 'elysia-chatkit/plugins/actions'
import { agent, currentTime, modelFromEnv } from 'elysia-chatkit/plugins/agent'
import { authFromEnv } from 'elysia-chatkit/plugins/auth'
import { chatkitCors } from 'elysia-chatkit/plugins/cors'
import { health } from 'elysia-chatkit/plugins/health'
import { limits } from 'elysia-chatkit/plugins/limits'
import { databaseFromEnv, drizzleStore, PostgresStore } from 'elysia-chatkit/plugins/store'
import { clientTool, serverTool, tools } from 'elysia-chatkit/plugins/tools'
import { type Card, Text, widgets } from 'elysia-chatkit/plugins/widgets'
import { z } from 'zod'

interface Order {
	id: string
	status: 'open' | 'cancelled'
}

/** Widget actions, each with a typed payload; the handler's new card replaces the one clicked (and is saved). */
const orderActions = actions({
	'order.cancel': action({
		payload: z.object({ orderId: z.string() }),
		async *handler({ payload, updateSender }) {
			// Cancel it in your order system here (scoped by `user`), then show the new state.
			yield* updateSender(orderCard({ id: payload.orderId, status: 'cancelled' }))
		}
	})
})

const ui = widgets<typeof orderActions>()

const orderCard = (order: Order): Card =>
	ui.Card({
		children: [
			Text({ value: `Order ${order.id}: ${order.status}` }),
			...(order.status === 'open'
				? [
						ui.Button({
							label: 'Cancel order',
							onClickAction: { type: 'order.cancel', payload: { orderId: order.id } }
						})
					]
				: [])
		]
	})

/** Runs on the server, for the signed-in user, with a status line and a widget. */
const orderStatus = serverTool({
	name: 'order_status',
	description: "Show the status of one of the user's orders, with a button to cancel it.",
	parameters: z.object({ orderId: z.string().describe('The order number') }),
	async execute({ orderId }, { user, progress, widget }) {
		progress('Looking up the order…', 'search')
		// Look the order up in your order system here, for `user.id` in `user.tenantId`.
		await widget(orderCard({ id: orderId, status: 'open' }))
		return `Order ${orderId} of ${user.id} is open; its card is shown to the user.`
	}
})

/** Runs in the browser: the page's `onClientTool` callback answers it. */
const pickColor = clientTool({
	name: 'pick_color',
	description: 'Ask the user to pick a color in their browser.',
	parameters: z.object({ hint: z.string().describe('What the color is for') })
})

/**
 * The production app from an environment, read by the package's own parser of each variable (as the
 * dev server does). Throws a `ConfigError` (`AuthConfigError` is one) naming the variable at fault when
 * the configuration is incomplete or wrong.
 */
export const createApp = (env: Env = process.env) => {
	const server = serverConfigFromEnv(env)
	const database = databaseFromEnv(env)
	if (database.dialect !== 'postgresql')
		throw new ConfigError([
			{ variable: 'DATABASE_URL', message: 'must be a postgres:// URL for the production example' }
		])
	const cors = chatkitCors({ env })
	const auth = authFromEnv({ ...env, AUTH_MODE: 'jwt' })
	const limiter = limits({ env })
	const model = modelFromEnv(env)
	const store = new PostgresStore({ url: database.url })
	const app = new Elysia()
		.use(cors)
		.use(drizzleStore({ store }))
		.use(health({ store }))
		.use(auth)
		.use(limiter)
		.use(orderActions)
		.use(tools([orderStatus, currentTime, pickColor]))
		.use(
			agent({
				instructions:
					'You are a helpful assistant. Use order_status for questions about an order, current_time for the time, ' +
					'and pick_color when the user wants to choose a color.',
				model
			})
		)
		.use(chatkit({ path: server.path, maxBodyBytes: server.maxBodyBytes }))
	return { app, store, server }
}

if (import.meta.main) {
	try {
		const { app, store, server } = createApp()
		app.listen({ hostname: server.host, port: server.port })
		console.log(`ChatKit production server on http://${server.host}:${app.server?.port}${server.path}`)
		const stop = async () => {
			await app.stop()
			await store.close()
			process.exit(0)
		}
		process.on('SIGTERM', stop)
		process.on('SIGINT', stop)
	} catch (error) {
		if (!(error instanceof ConfigError)) throw error
		console.error(error.message)
		process.exit(1)
	}
}
