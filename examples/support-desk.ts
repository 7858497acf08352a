/**
 * Build level 3: a customer support desk. Signed-in customers (JWT) ask about their orders. The agent
 * looks an order up on the server (the customer watches the step, then gets a card with a "Request a
 * return" button), cancels an order only after the customer approves, and asks the customer's browser
 * for a delivery date. Threads live in the database DATABASE_URL names (SQLite or PostgreSQL), so a
 * paused approval survives a restart and can be answered on any instance.
 *
 * Run: JWT_SECRET=<32+ random bytes> DATABASE_URL=sqlite:.data/desk.db bun run examples/support-desk.ts
 * Tokens: HS256 signed with JWT_SECRET, `sub` = the customer. Without OPENAI_API_KEY the offline
 * model answers, and calls a tool when a message names it ("lookup order").
 */
import { Elysia } from 'elysia'
import { type ChatKitContext, type ChatKitUser, chatkit, serverConfigFromEnv } from 'elysia-chatkit'
import { action, actions } from 'elysia-chatkit/plugins/actions'
import { agent, describeModelFromEnv, type Model, modelFromEnv } from 'elysia-chatkit/plugins/agent'
import { jwtAuth } from 'elysia-chatkit/plugins/auth'
import { chatkitCors } from 'elysia-chatkit/plugins/cors'
import { drizzleStore } from 'elysia-chatkit/plugins/store'
import { clientTool, serverTool, tools } from 'elysia-chatkit/plugins/tools'
import { type Card, widgets } from 'elysia-chatkit/plugins/widgets'
import { z } from 'zod'

export interface Order {
	id: string
	item: string
	total: number
	status: 'processing' | 'delivered' | 'return requested' | 'cancelled'
}

/** The orders of each customer. A real desk reads its order system; here every customer starts with two. */
export class OrderBook {
	private readonly customers = new Map<string, Map<string, Order>>()

	private ordersOf(user: ChatKitUser): Map<string, Order> {
		const key = `${user.tenantId ?? ''}:${user.id}`
		let orders = this.customers.get(key)
		if (!orders) {
			orders = new Map([
				['A-1001', { id: 'A-1001', item: 'Trail running shoes', total: 129, status: 'delivered' }],
				['A-1002', { id: 'A-1002', item: 'Rain jacket', total: 89, status: 'processing' }]
			])
			this.customers.set(key, orders)
		}
		return orders
	}

	ids(user: ChatKitUser): string[] {
		return [...this.ordersOf(user).keys()]
	}

	find(user: ChatKitUser, id: string): Order | undefined {
		const order = this.ordersOf(user).get(id.trim().toUpperCase())
		return order && { ...order }
	}

	setStatus(user: ChatKitUser, id: string, status: Order['status']): Order {
		const order = this.ordersOf(user).get(id)
		if (!order) throw new Error(`No order ${id}`)
		order.status = status
		return { ...order }
	}
}

/** What the desk's tools and actions read from the request context. */
interface DeskContext extends ChatKitContext {
	orders: OrderBook
}

const orderActions = actions.withContext<DeskContext>()({
	'order.return': action({
		payload: z.object({ orderId: z.string() }),
		async *handler({ payload, user, context, updateSender }) {
			const order = context.orders.find(user, payload.orderId)
			if (order?.status !== 'delivered') return
			yield* updateSender(orderCard(context.orders.setStatus(user, order.id, 'return requested')))
		}
	})
})

const ui = widgets<typeof orderActions>()

const orderCard = (order: Order): Card =>
	ui.Card({
		key: `order:${order.id}`,
		children: [
			ui.Row({
				children: [
					ui.Title({ value: order.item, size: 'sm' }),
					ui.Spacer(),
					ui.Badge({ label: order.status, color: order.status === 'cancelled' ? 'danger' : 'info' })
				]
			}),
			ui.Text({ value: `Order ${order.id} · $${order.total}`, color: 'secondary' }),
			...(order.status === 'delivered'
				? [
						ui.Button({
							label: 'Request a return',
							onClickAction: { type: 'order.return', payload: { orderId: order.id } }
						})
					]
				: [])
		]
	})

/** Runs on the server for the signed-in customer: a task while it works, then the order's card. */
const lookupOrder = serverTool<{ orders: OrderBook }>()({
	name: 'lookup_order',
	description: "Look up one of the customer's orders and show it to them as a card.",
	parameters: z.object({ orderId: z.string().describe('The order number, e.g. A-1001') }),
	title: ({ orderId }) => `Looking up order ${orderId}`,
	icon: 'search',
	async execute({ orderId }, { context, user, widget }) {
		const order = context.orders.find(user, orderId)
		if (!order)
			return `No order ${orderId} for this customer. Their orders: ${context.orders.ids(user).join(', ')}.`
		await widget(orderCard(order))
		return order
	}
})

/** Changes an order, so the customer approves each call first. */
const cancelOrder = serverTool<{ orders: OrderBook }>()({
	name: 'cancel_order',
	description: 'Cancel an order that is still processing. The customer is asked to approve it first.',
	parameters: z.object({ orderId: z.string() }),
	title: ({ orderId }) => `Cancelling order ${orderId}`,
	needsApproval: true,
	approval: {
		title: ({ orderId }) => `Cancel order ${orderId}?`,
		description: 'The order is cancelled and refunded in full.',
		approveLabel: 'Cancel the order',
		rejectLabel: 'Keep it'
	},
	async execute({ orderId }, { context, user }) {
		const order = context.orders.find(user, orderId)
		if (!order) throw new Error(`No order ${orderId}`)
		if (order.status !== 'processing')
			throw new Error(`Order ${order.id} is ${order.status}: too late to cancel`)
		return context.orders.setStatus(user, order.id, 'cancelled')
	}
})

/** Runs in the browser: the page's `onClientTool` shows a date picker and returns `{ date }`. */
const pickDeliveryDate = clientTool({
	name: 'pick_delivery_date',
	description: 'Ask the customer to pick a delivery date in their browser.',
	parameters: z.object({ orderId: z.string(), earliest: z.iso.date().describe('YYYY-MM-DD') })
})

export const INSTRUCTIONS =
	'You are the support desk of an outdoor shop. Use lookup_order to find an order, cancel_order to ' +
	'cancel one, and pick_delivery_date when the customer wants to choose a delivery date. Be brief.'

export interface SupportDeskOptions {
	/**
	 * @default modelFromEnv()
	 */
	model?: Model | string
	/**
	 * @default process.env.DATABASE_URL (SQLite at .data/chatkit.db when unset)
	 */
	databaseUrl?: string
	/**
	 * @default process.env.JWT_SECRET
	 */
	jwtSecret?: string
	/**
	 * @default new OrderBook()
	 */
	orders?: OrderBook
}

/** The support desk app. Stopping it closes its store. */
export const createSupportDesk = (options: SupportDeskOptions = {}) =>
	new Elysia()
		.use(chatkitCors())
		.use(jwtAuth({ secret: options.jwtSecret ?? process.env.JWT_SECRET }))
		.decorate('orders', options.orders ?? new OrderBook())
		.use(orderActions)
		.use(tools([lookupOrder, cancelOrder, pickDeliveryDate]))
		.use(agent({ instructions: INSTRUCTIONS, model: options.model ?? modelFromEnv() }))
		.use(drizzleStore({ url: options.databaseUrl ?? process.env.DATABASE_URL }))
		.use(chatkit())

if (import.meta.main) {
	const { host, port, path } = serverConfigFromEnv()
	const app = createSupportDesk().listen({ hostname: host, port })
	console.log(
		`Support desk on http://${host}:${app.server?.port}${path} (model: ${describeModelFromEnv()})`
	)
	const stop = async () => {
		await app.stop()
		process.exit(0)
	}
	process.on('SIGTERM', stop)
	process.on('SIGINT', stop)
}
