// Type-level tests, checked by `tsc --noEmit` (run by test/typecheck.test.ts).
import { Elysia } from 'elysia'
import { z } from 'zod'
import { action, actions } from '../../plugins/actions'
import {
	type AnyActions,
	Button,
	Card,
	Col,
	Divider,
	Form,
	Input,
	ListView,
	ListViewItem,
	Text,
	widgets
} from '../../plugins/widgets'
import { type ChatKitContext, chatkit, MemoryStore } from '../../src'

const todoActions = actions({
	'todo.toggle': action({
		payload: z.object({ id: z.string() }),
		async *handler({ payload, updateSender }) {
			const id: string = payload.id
			yield* updateSender(Card({ children: [Text({ value: id })] }))
		}
	}),
	'todo.rename': action({
		payload: z.object({ id: z.string(), title: z.string(), priority: z.number().default(1) }),
		streaming: false,
		async handler({ payload, updateSender }) {
			const priority: number = payload.priority
			return updateSender(Card({ children: [Text({ value: `${payload.title} ${priority}` })] }))
		}
	}),
	refresh: action({
		async *handler({ payload }) {
			const none: null | undefined = payload
			void none
		}
	})
})
const billingActions = actions({
	'invoice.pay': action({ payload: z.object({ invoiceId: z.string() }), async *handler() {} })
})

// Components: required props and known props only
const text: Text = Text({ value: 'Hi', weight: 'bold' })
// @ts-expect-error a Text needs a value
Text({ weight: 'bold' })
// @ts-expect-error not a prop of Text
Text({ value: 'Hi', colour: 'red' })
// @ts-expect-error a Text's size is a TextSize
Text({ value: 'Hi', size: 'huge' })
// @ts-expect-error a Card needs children
Card({ size: 'md' })
// @ts-expect-error the builder fills in `type`
Col({ type: 'Row' })
// @ts-expect-error ListView children are ListViewItems
ListView({ children: [text] })
const card: Card = Card({
	children: [text, Divider(), Col({ gap: 2, children: [Input({ name: 'title' })] })]
})
void card

// Actions of the plain builders: client actions only
Button({ label: 'Open', onClickAction: { type: 'open_url', handler: 'client', payload: { url: 'x' } } })
// @ts-expect-error no server action is registered for the plain builders
Button({ label: 'Done', onClickAction: { type: 'todo.toggle', payload: { id: '1' } } })

// Actions checked against a registry
const ui = widgets<typeof todoActions>()
ui.Button({ label: 'Done', onClickAction: { type: 'todo.toggle', payload: { id: '1' } } })
ui.Button({ label: 'Reload', onClickAction: { type: 'refresh' } })
ui.ListViewItem({ children: [text], onClickAction: { type: 'todo.toggle', payload: { id: '2' } } })
ui.Button({ label: 'Open', onClickAction: { type: 'open_url', handler: 'client' } })
// @ts-expect-error an action type nobody registered
ui.Button({ label: 'Done', onClickAction: { type: 'todo.delete', payload: { id: '1' } } })
// @ts-expect-error a payload of the wrong shape
ui.Button({ label: 'Done', onClickAction: { type: 'todo.toggle', payload: { id: 1 } } })
// @ts-expect-error the payload is required
ui.Button({ label: 'Done', onClickAction: { type: 'todo.toggle' } })
// @ts-expect-error `refresh` takes no payload
ui.Button({ label: 'Reload', onClickAction: { type: 'refresh', payload: { all: true } } })
// @ts-expect-error a synchronous action must be sent with streaming: false
ui.Button({ label: 'Rename', onClickAction: { type: 'todo.rename', payload: { id: '1', title: 'x' } } })
// @ts-expect-error a streaming action cannot be sent with streaming: false
ui.Button({ label: 'Done', onClickAction: { type: 'todo.toggle', payload: { id: '1' }, streaming: false } })
ui.Button({
	label: 'Rename',
	onClickAction: { type: 'todo.rename', payload: { id: '1', title: 'x' }, streaming: false }
})

// Forms: the widget writes what the form does not supply
ui.Form({
	onSubmitAction: { type: 'todo.rename', payload: { id: '1' }, streaming: false },
	children: [Input({ name: 'title', required: true }), Button({ label: 'Save', submit: true })]
})
ui.Form({
	// @ts-expect-error a field of the wrong type is still an error in a form payload
	onSubmitAction: { type: 'todo.rename', payload: { id: 1 }, streaming: false },
	children: []
})
ui.Card({
	asForm: true,
	confirm: { label: 'Save', action: { type: 'todo.rename', payload: { id: '1' }, streaming: false } },
	children: [Input({ name: 'title' })]
})
// @ts-expect-error a Card that is not a form sends no field values: the payload must be complete
ui.Card({
	confirm: { label: 'Save', action: { type: 'todo.rename', payload: { id: '1' }, streaming: false } },
	children: []
})
ui.Form({
	children: [
		ui.Button({
			label: 'Save',
			onClickAction: ui.formAction({ type: 'todo.rename', payload: { id: '1' }, streaming: false })
		})
	]
})
// @ts-expect-error formAction checks the type and the payload too
ui.formAction({ type: 'todo.rename', payload: { title: 2 }, streaming: false })
void Form

// The registry of an app is every actions() plugin it uses
const app = new Elysia()
	.use(todoActions)
	.use(billingActions)
	.use(chatkit({ store: new MemoryStore(), async *respond() {} }))
const appUi = widgets<typeof app>()
appUi.Button({ label: 'Pay', onClickAction: { type: 'invoice.pay', payload: { invoiceId: 'i' } } })
appUi.Button({ label: 'Done', onClickAction: { type: 'todo.toggle', payload: { id: '1' } } })
// @ts-expect-error still checked
appUi.Button({ label: 'Pay', onClickAction: { type: 'invoice.pay', payload: {} } })
// Passing the value infers the same
widgets(billingActions).Button({
	label: 'Pay',
	onClickAction: { type: 'invoice.pay', payload: { invoiceId: 'i' } }
})

// Hand-written handlers: any type, any payload
widgets<AnyActions>().Button({ label: 'Any', onClickAction: { type: 'whatever', payload: [1, 2] } })

// Handlers: typed payload, user and context
interface AppContext extends ChatKitContext {
	db: { cancel(id: string): Promise<number> }
}
actions.withContext<AppContext>()({
	'order.cancel': action({
		payload: z.object({ orderId: z.string() }),
		async *handler({ payload, context, user }) {
			const count: number = await context.db.cancel(payload.orderId)
			const id: string = user.id
			void count
			void id
		}
	})
})
actions({
	'order.cancel': action({
		payload: z.object({ orderId: z.string() }),
		async *handler({ context }) {
			// @ts-expect-error the default context has no db
			void context.db
		}
	})
})
actions({
	bad: action({
		payload: z.object({ id: z.string() }),
		// @ts-expect-error a streaming action's handler is an async generator
		async handler() {
			return {}
		}
	})
})
actions({
	bad: action({
		payload: z.object({ id: z.string() }),
		async *handler({ payload }) {
			// @ts-expect-error not a field of the payload
			void payload.title
		}
	})
})
actions({
	// @ts-expect-error definitions are made by action()
	plain: { payload: z.object({}), streaming: true, async *handler() {} }
})
void ListViewItem
