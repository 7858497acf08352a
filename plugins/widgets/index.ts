import type * as W from '../../src/protocol/widgets'
import { widgets } from './builders'

export { accumulateText, diffWidget, streamWidget, widgetToJSON } from '../../src/widgets'
export * from './actions'
export { type CardProps, type WidgetBuilders, widgets } from './builders'
export * from './items'

/*
 * The builders for widgets that send no server action (their action props accept only
 * `handler: 'client'` actions). Each name is also the component's type.
 */
export const {
	Card,
	ListView,
	Basic,
	ListViewItem,
	Box,
	Row,
	Col,
	Form,
	Transition,
	Table,
	TableRow,
	TableCell,
	Spacer,
	Divider,
	Text,
	Title,
	Caption,
	Markdown,
	Badge,
	Icon,
	Image,
	Chart,
	Button,
	Select,
	DatePicker,
	Checkbox,
	RadioGroup,
	Input,
	Textarea,
	Label
} = widgets()

export type Card = W.Card
export type ListView = W.ListView
export type Basic = W.BasicRoot
export type ListViewItem = W.ListViewItem
export type Box = W.Box
export type Row = W.Row
export type Col = W.Col
export type Form = W.Form
export type Transition = W.Transition
export type Table = W.Table
export type TableRow = W.TableRow
export type TableCell = W.TableCell
export type Spacer = W.Spacer
export type Divider = W.Divider
export type Text = W.Text
export type Title = W.Title
export type Caption = W.Caption
export type Markdown = W.Markdown
export type Badge = W.Badge
export type Icon = W.Icon
export type Image = W.Image
export type Chart = W.Chart
export type Button = W.Button
export type Select = W.Select
export type DatePicker = W.DatePicker
export type Checkbox = W.Checkbox
export type RadioGroup = W.RadioGroup
export type Input = W.Input
export type Textarea = W.Textarea
export type Label = W.Label
export type { ActionConfig, WidgetComponent, WidgetRoot } from '../../src/protocol/widgets'
