import { action, actions } from 'elysia-chatkit/plugins/actions'
import { currentTime } from 'elysia-chatkit/plugins/agent'
import { clientTool, serverTool } from 'elysia-chatkit/plugins/tools'
import { type Card, widgets } from 'elysia-chatkit/plugins/widgets'
import { z } from 'zod'

/** The demo that `bun run dev` serves: a server tool that shows a widget with an action, and a client tool. */
export const demoActions = actions({
	'demo.like': action({
		payload: z.object({ likes: z.number().int().min(0) }),
		async *handler({ payload, updateSender }) {
			yield* updateSender(demoCard(payload.likes + 1))
		}
	})
})

const ui = widgets<typeof demoActions>()

export const demoCard = (likes: number): Card =>
	ui.Card({
		key: 'demo',
		children: [
			ui.Title({ value: 'elysia-chatkit demo card', size: 'sm' }),
			ui.Text({ value: 'Widgets come from server tools; the button sends a typed action.' }),
			ui.Row({
				children: [
					ui.Badge({ label: `${likes} like${likes === 1 ? '' : 's'}`, color: 'info' }),
					ui.Spacer(),
					ui.Button({ label: 'Like', onClickAction: { type: 'demo.like', payload: { likes } } })
				]
			})
		]
	})

export const showDemoCard = serverTool({
	name: 'demo_card',
	description: 'Show the demo card (a widget with a Like button).',
	parameters: z.object({}),
	title: 'Showing the demo card',
	icon: 'sparkle',
	async execute(_args, { widget }) {
		await widget(demoCard(0))
		return 'The demo card is shown.'
	}
})

export const pickColor = clientTool({
	name: 'pick_color',
	description:
		'Ask the user to pick a color in their browser. Use it when the user wants to choose a color.',
	parameters: z.object({ hint: z.string().describe('What the color is for') })
})

export const demoTools = [showDemoCard, pickColor]
export { currentTime }

export const DEMO_INSTRUCTIONS =
	'You are the elysia-chatkit demo assistant. Answer concisely. Use current_time for the time, ' +
	'demo_card to show the demo card, and pick_color when the user wants to choose a color.'
