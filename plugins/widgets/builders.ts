import type * as W from '../../src/protocol/widgets'
import type { ActionProp, FormAction, FormActionProp, RegistryOf, TypedFormAction } from './actions'

/** A component's props without `type` (the builder fills it in) and without the listed props. */
type Props<T, K extends keyof T = never> = Omit<T, 'type' | K>

type WithAction<T extends { type: string }, K extends keyof T, A> = Props<T, K> & { [P in K]?: A | null }

interface CardChoice<A> {
	label: string
	action: A
}

/** A Card's props. A form Card (`asForm: true`) sends its field values with `confirm`/`cancel`. */
export type CardProps<D> = Props<W.Card, 'asForm' | 'confirm' | 'cancel'> &
	(
		| {
				asForm: true
				confirm?: CardChoice<FormActionProp<D>> | null
				cancel?: CardChoice<FormActionProp<D>> | null
		  }
		| {
				asForm?: false | null
				confirm?: CardChoice<ActionProp<D>> | null
				cancel?: CardChoice<ActionProp<D>> | null
		  }
	)

/**
 * One builder per widget component: `Text({ value: 'Hi' })` → `{ type: 'Text', value: 'Hi' }`.
 * Props are those of the component's type (a missing required prop or an unknown one does not
 * compile); action props accept only the actions of the registry `D` (see `widgets()`).
 */
export interface WidgetBuilders<D> {
	// Roots
	Card(props: CardProps<D>): W.Card
	ListView(props: Props<W.ListView>): W.ListView
	Basic(props?: Props<W.BasicRoot>): W.BasicRoot
	// Layout
	ListViewItem(props: WithAction<W.ListViewItem, 'onClickAction', ActionProp<D>>): W.ListViewItem
	Box(props?: Props<W.Box>): W.Box
	Row(props?: Props<W.Row>): W.Row
	Col(props?: Props<W.Col>): W.Col
	Form(props: WithAction<W.Form, 'onSubmitAction', FormActionProp<D>>): W.Form
	Transition(props: Props<W.Transition>): W.Transition
	Table(props?: Props<W.Table>): W.Table
	TableRow(props?: Props<W.TableRow>): W.TableRow
	TableCell(props?: Props<W.TableCell>): W.TableCell
	Spacer(props?: Props<W.Spacer>): W.Spacer
	Divider(props?: Props<W.Divider>): W.Divider
	// Content
	Text(props: Props<W.Text>): W.Text
	Title(props: Props<W.Title>): W.Title
	Caption(props: Props<W.Caption>): W.Caption
	Markdown(props: Props<W.Markdown>): W.Markdown
	Badge(props: Props<W.Badge>): W.Badge
	Icon(props: Props<W.Icon>): W.Icon
	Image(props: Props<W.Image>): W.Image
	Chart(props: Props<W.Chart>): W.Chart
	// Controls
	Button(props: WithAction<W.Button, 'onClickAction', ActionProp<D>>): W.Button
	Select(props: WithAction<W.Select, 'onChangeAction', ActionProp<D>>): W.Select
	DatePicker(props: WithAction<W.DatePicker, 'onChangeAction', ActionProp<D>>): W.DatePicker
	Checkbox(props: WithAction<W.Checkbox, 'onChangeAction', ActionProp<D>>): W.Checkbox
	RadioGroup(props: WithAction<W.RadioGroup, 'onChangeAction', ActionProp<D>>): W.RadioGroup
	Input(props: Props<W.Input>): W.Input
	Textarea(props: Props<W.Textarea>): W.Textarea
	Label(props: Props<W.Label>): W.Label
	/**
	 * An action for a control inside a form (a `Button`, a `Select`…): the client merges the form's
	 * field values into its payload, so write only the rest.
	 * @example
	 * ui.Button({ label: 'Save', onClickAction: ui.formAction({ type: 'todo.rename', payload: { id }, streaming: false }) })
	 */
	formAction(action: TypedFormAction<D>): FormAction<D>
}

const component =
	(type: string) =>
	(props: object = {}) =>
		Object.assign({ type }, props, { type })

const builders = {
	formAction: (action: object) => action
} as Record<string, unknown>
for (const type of [
	'Card',
	'ListView',
	'Basic',
	'ListViewItem',
	'Box',
	'Row',
	'Col',
	'Form',
	'Transition',
	'Table',
	'Spacer',
	'Divider',
	'Text',
	'Title',
	'Caption',
	'Markdown',
	'Badge',
	'Icon',
	'Image',
	'Chart',
	'Button',
	'Select',
	'DatePicker',
	'Checkbox',
	'RadioGroup',
	'Input',
	'Textarea',
	'Label'
])
	builders[type] = component(type)
builders.TableRow = component('Table.Row')
builders.TableCell = component('Table.Cell')

/**
 * The widget builders, with action props typed by the actions an app registered: pass an
 * `actions()` plugin, an app that uses such plugins, or a definitions object (its type is enough).
 * A registered `type` needs a payload of its schema's input type (and `streaming: false` when the
 * action is synchronous); any other `type` compiles only as `handler: 'client'`.
 *
 * @example
 * const todoActions = actions({ 'todo.toggle': action({ payload: z.object({ id: z.string() }), async *handler() {} }) })
 * const ui = widgets<typeof todoActions>()
 * ui.Button({ label: 'Done', onClickAction: { type: 'todo.toggle', payload: { id: todo.id } } })
 */
export const widgets = <P = {}>(_registry?: P): WidgetBuilders<RegistryOf<P>> =>
	builders as unknown as WidgetBuilders<RegistryOf<P>>
