import { z } from 'zod'
import { IconNameSchema } from './icons'

/*
 * Widget components (PROTOCOL.md §8). Widget props and ActionConfig are camelCase on the wire.
 *
 * Every object schema here keeps props it does not know (the JS renderer grows faster than any
 * server), while the inferred types list only the known props, so a misspelt prop does not compile.
 * A component whose `type` is known is validated strictly; any other `type` passes through as a
 * DynamicWidgetComponent.
 */

/** A loose object at runtime, typed as its known props only. */
const props = <S extends z.core.$ZodLooseShape>(shape: S): z.ZodObject<S, z.core.$strip> =>
	z.looseObject(shape) as never
const opt = <T extends z.ZodType>(schema: T) => schema.nullish()

const str = z.string()
const bool = z.boolean()
const num = z.number()
const numOrStr = z.union([z.number(), z.string()])

// Value types

export const ThemeColorSchema = props({ light: str, dark: str })
export const ColorSchema = z.union([str, ThemeColorSchema])
export const SpacingSchema = props({
	top: opt(numOrStr),
	right: opt(numOrStr),
	bottom: opt(numOrStr),
	left: opt(numOrStr),
	x: opt(numOrStr),
	y: opt(numOrStr)
})
const spacingValue = z.union([num, str, SpacingSchema])
export const BorderSchema = props({
	size: num,
	color: opt(ColorSchema),
	style: opt(z.enum(['solid', 'dashed', 'dotted', 'double', 'groove', 'ridge', 'inset', 'outset']))
})
const edge = opt(z.union([num, BorderSchema]))
export const BordersSchema = props({ top: edge, right: edge, bottom: edge, left: edge, x: edge, y: edge })
export const RadiusValueSchema = z.enum([
	'2xs',
	'xs',
	'sm',
	'md',
	'lg',
	'xl',
	'2xl',
	'3xl',
	'4xl',
	'full',
	'100%',
	'none'
])
export const TextAlignSchema = z.enum(['start', 'center', 'end'])
export const TextSizeSchema = z.enum(['xs', 'sm', 'md', 'lg', 'xl'])
export const TitleSizeSchema = z.enum(['sm', 'md', 'lg', 'xl', '2xl', '3xl', '4xl', '5xl'])
export const CaptionSizeSchema = z.enum(['sm', 'md', 'lg'])
export const IconSizeSchema = z.enum(['xs', 'sm', 'md', 'lg', 'xl', '2xl', '3xl'])
export const FontWeightSchema = z.enum(['normal', 'medium', 'semibold', 'bold'])
export const AlignmentSchema = z.enum(['start', 'center', 'end', 'baseline', 'stretch'])
export const JustificationSchema = z.enum([
	'start',
	'center',
	'end',
	'between',
	'around',
	'evenly',
	'stretch'
])
export const ControlVariantSchema = z.enum(['solid', 'soft', 'outline', 'ghost'])
export const ControlSizeSchema = z.enum(['3xs', '2xs', 'xs', 'sm', 'md', 'lg', 'xl', '2xl', '3xl'])
const gutterSize = z.enum(['2xs', 'xs', 'sm', 'md', 'lg', 'xl'])
const direction = z.enum(['row', 'col'])
const theme = z.enum(['light', 'dark'])

/** `{text, favicon?, frame?}` or `{text, icon?}` (no discriminator; modeled as one object). */
export const WidgetStatusSchema = props({
	text: str,
	favicon: opt(str),
	frame: opt(bool),
	icon: opt(IconNameSchema)
})

/**
 * What a widget control does when used. Defaults are applied by the client (`handler: 'server'`,
 * `loadingBehavior: 'auto'`, `streaming: true`), so the server sends only what was written.
 */
export const ActionConfigSchema = props({
	type: str,
	payload: z.unknown().optional(),
	handler: opt(z.enum(['client', 'server'])),
	loadingBehavior: opt(z.enum(['auto', 'none', 'self', 'container'])),
	streaming: opt(bool)
})
export const CardActionSchema = props({ label: str, action: ActionConfigSchema })
export const EditablePropsSchema = props({
	name: str,
	autoFocus: opt(bool),
	autoSelect: opt(bool),
	autoComplete: opt(str),
	allowAutofillExtensions: opt(bool),
	pattern: opt(str),
	placeholder: opt(str),
	required: opt(bool)
})

// Shared prop groups (plain shapes, spread into components)

const identity = { id: opt(str), key: opt(str) }
const sizing = {
	height: opt(numOrStr),
	width: opt(numOrStr),
	size: opt(numOrStr),
	minHeight: opt(numOrStr),
	minWidth: opt(numOrStr),
	minSize: opt(numOrStr),
	maxHeight: opt(numOrStr),
	maxWidth: opt(numOrStr),
	maxSize: opt(numOrStr),
	aspectRatio: opt(numOrStr)
}
const boxBase = {
	...sizing,
	align: opt(AlignmentSchema),
	justify: opt(JustificationSchema),
	wrap: opt(z.enum(['nowrap', 'wrap', 'wrap-reverse'])),
	flex: opt(numOrStr),
	gap: opt(numOrStr),
	padding: opt(spacingValue),
	margin: opt(spacingValue),
	border: opt(z.union([num, BorderSchema, BordersSchema])),
	radius: opt(RadiusValueSchema),
	background: opt(ColorSchema)
}
const textBase = {
	value: str,
	color: opt(ColorSchema),
	weight: opt(FontWeightSchema),
	textAlign: opt(TextAlignSchema),
	truncate: opt(bool),
	maxLines: opt(num)
}
const control = {
	name: str,
	onChangeAction: opt(ActionConfigSchema),
	disabled: opt(bool)
}
const textField = {
	name: str,
	defaultValue: opt(str),
	required: opt(bool),
	pattern: opt(str),
	placeholder: opt(str),
	allowAutofillExtensions: opt(bool),
	autoSelect: opt(bool),
	autoFocus: opt(bool),
	disabled: opt(bool),
	variant: opt(z.enum(['soft', 'outline'])),
	size: opt(ControlSizeSchema),
	gutterSize: opt(gutterSize)
}

// Text and content

export const TextSchema = props({
	type: z.literal('Text'),
	...identity,
	...textBase,
	streaming: opt(bool),
	italic: opt(bool),
	lineThrough: opt(bool),
	width: opt(numOrStr),
	size: opt(TextSizeSchema),
	minLines: opt(num),
	editable: opt(z.union([z.literal(false), EditablePropsSchema]))
})
export const TitleSchema = props({
	type: z.literal('Title'),
	...identity,
	...textBase,
	size: opt(TitleSizeSchema)
})
export const CaptionSchema = props({
	type: z.literal('Caption'),
	...identity,
	...textBase,
	size: opt(CaptionSizeSchema)
})
export const MarkdownSchema = props({
	type: z.literal('Markdown'),
	...identity,
	value: str,
	streaming: opt(bool)
})
export const BadgeSchema = props({
	type: z.literal('Badge'),
	...identity,
	label: str,
	color: opt(z.enum(['secondary', 'success', 'danger', 'warning', 'info', 'discovery'])),
	variant: opt(z.enum(['solid', 'soft', 'outline'])),
	size: opt(z.enum(['sm', 'md', 'lg'])),
	pill: opt(bool)
})
export const DividerSchema = props({
	type: z.literal('Divider'),
	...identity,
	color: opt(ColorSchema),
	size: opt(numOrStr),
	spacing: opt(numOrStr),
	flush: opt(bool)
})
export const IconSchema = props({
	type: z.literal('Icon'),
	...identity,
	name: IconNameSchema,
	color: opt(ColorSchema),
	size: opt(IconSizeSchema)
})
export const ImageSchema = props({
	type: z.literal('Image'),
	...identity,
	...sizing,
	src: str,
	alt: opt(str),
	fit: opt(z.enum(['cover', 'contain', 'fill', 'scale-down', 'none'])),
	position: opt(
		z.enum([
			'top left',
			'top',
			'top right',
			'left',
			'center',
			'right',
			'bottom left',
			'bottom',
			'bottom right'
		])
	),
	radius: opt(RadiusValueSchema),
	frame: opt(bool),
	flush: opt(bool),
	margin: opt(spacingValue),
	background: opt(ColorSchema),
	flex: opt(numOrStr)
})
export const SpacerSchema = props({ type: z.literal('Spacer'), ...identity, minSize: opt(numOrStr) })

// Controls

export const ButtonSchema = props({
	type: z.literal('Button'),
	...identity,
	submit: opt(bool),
	label: opt(str),
	onClickAction: opt(ActionConfigSchema),
	iconStart: opt(IconNameSchema),
	iconEnd: opt(IconNameSchema),
	style: opt(z.enum(['primary', 'secondary'])),
	iconSize: opt(z.enum(['sm', 'md', 'lg', 'xl', '2xl'])),
	color: opt(
		z.enum(['primary', 'secondary', 'info', 'discovery', 'success', 'caution', 'warning', 'danger'])
	),
	variant: opt(ControlVariantSchema),
	size: opt(ControlSizeSchema),
	pill: opt(bool),
	uniform: opt(bool),
	block: opt(bool),
	disabled: opt(bool)
})
export const SelectOptionSchema = props({
	value: str,
	label: str,
	disabled: opt(bool),
	description: opt(str)
})
export const SelectSchema = props({
	type: z.literal('Select'),
	...identity,
	...control,
	options: z.array(SelectOptionSchema),
	placeholder: opt(str),
	defaultValue: opt(str),
	variant: opt(ControlVariantSchema),
	size: opt(ControlSizeSchema),
	pill: opt(bool),
	block: opt(bool),
	clearable: opt(bool),
	searchable: opt(bool)
})
export const DatePickerSchema = props({
	type: z.literal('DatePicker'),
	...identity,
	...control,
	placeholder: opt(str),
	/** ISO datetime. */
	defaultValue: opt(str),
	min: opt(str),
	max: opt(str),
	variant: opt(ControlVariantSchema),
	size: opt(ControlSizeSchema),
	side: opt(z.enum(['top', 'bottom', 'left', 'right'])),
	align: opt(z.enum(['start', 'center', 'end'])),
	pill: opt(bool),
	block: opt(bool),
	clearable: opt(bool)
})
export const CheckboxSchema = props({
	type: z.literal('Checkbox'),
	...identity,
	...control,
	label: opt(str),
	defaultChecked: opt(bool),
	required: opt(bool)
})
export const InputSchema = props({
	type: z.literal('Input'),
	...identity,
	...textField,
	inputType: opt(z.enum(['number', 'email', 'text', 'password', 'tel', 'url'])),
	pill: opt(bool)
})
export const TextareaSchema = props({
	type: z.literal('Textarea'),
	...identity,
	...textField,
	rows: opt(num),
	autoResize: opt(bool),
	maxRows: opt(num)
})
export const LabelSchema = props({
	type: z.literal('Label'),
	...identity,
	value: str,
	fieldName: str,
	size: opt(TextSizeSchema),
	weight: opt(FontWeightSchema),
	textAlign: opt(TextAlignSchema),
	color: opt(ColorSchema)
})
export const RadioOptionSchema = props({ label: str, value: str, disabled: opt(bool) })
export const RadioGroupSchema = props({
	type: z.literal('RadioGroup'),
	...identity,
	...control,
	options: opt(z.array(RadioOptionSchema)),
	ariaLabel: opt(str),
	defaultValue: opt(str),
	direction: opt(direction),
	required: opt(bool)
})

// Chart

export const CurveTypeSchema = z.enum([
	'basis',
	'basisClosed',
	'basisOpen',
	'bumpX',
	'bumpY',
	'bump',
	'linear',
	'linearClosed',
	'natural',
	'monotoneX',
	'monotoneY',
	'monotone',
	'step',
	'stepBefore',
	'stepAfter'
])
const seriesBase = { label: opt(str), dataKey: str, color: opt(ColorSchema) }
export const BarSeriesSchema = props({ type: z.literal('bar'), ...seriesBase, stack: opt(str) })
export const AreaSeriesSchema = props({
	type: z.literal('area'),
	...seriesBase,
	stack: opt(str),
	curveType: opt(CurveTypeSchema)
})
export const LineSeriesSchema = props({
	type: z.literal('line'),
	...seriesBase,
	curveType: opt(CurveTypeSchema)
})
export const SeriesSchema = z.discriminatedUnion('type', [
	BarSeriesSchema,
	AreaSeriesSchema,
	LineSeriesSchema
])
export const XAxisConfigSchema = props({ dataKey: str, hide: opt(bool), labels: opt(z.record(str, str)) })
/** One data point: `dataKey` → value. Free-form: nulls inside are kept on the wire. */
export const ChartDatumSchema = z.record(str, z.union([str, num, bool, z.null()]))
export const ChartSchema = props({
	type: z.literal('Chart'),
	...identity,
	...sizing,
	data: z.array(ChartDatumSchema),
	series: z.array(SeriesSchema),
	xAxis: z.union([str, XAxisConfigSchema]),
	showYAxis: opt(bool),
	showLegend: opt(bool),
	showTooltip: opt(bool),
	barGap: opt(num),
	barCategoryGap: opt(num),
	flex: opt(numOrStr)
})

// Containers (children are validated through WidgetComponentSchema, declared below)

type Child = z.ZodType<WidgetComponent>
type OptionalChildren = z.ZodOptional<z.ZodNullable<z.ZodArray<Child>>>

export const BoxSchema = props({
	type: z.literal('Box'),
	...identity,
	...boxBase,
	direction: opt(direction),
	get children(): OptionalChildren {
		return opt(z.array(WidgetComponentSchema))
	}
})
export const RowSchema = props({
	type: z.literal('Row'),
	...identity,
	...boxBase,
	get children(): OptionalChildren {
		return opt(z.array(WidgetComponentSchema))
	}
})
export const ColSchema = props({
	type: z.literal('Col'),
	...identity,
	...boxBase,
	get children(): OptionalChildren {
		return opt(z.array(WidgetComponentSchema))
	}
})
export const FormSchema = props({
	type: z.literal('Form'),
	...identity,
	...boxBase,
	onSubmitAction: opt(ActionConfigSchema),
	direction: opt(direction),
	get children(): OptionalChildren {
		return opt(z.array(WidgetComponentSchema))
	}
})
export const TransitionSchema = props({
	type: z.literal('Transition'),
	...identity,
	get children(): z.ZodNullable<Child> {
		return WidgetComponentSchema.nullable()
	}
})
export const ListViewItemSchema = props({
	type: z.literal('ListViewItem'),
	...identity,
	onClickAction: opt(ActionConfigSchema),
	gap: opt(numOrStr),
	align: opt(AlignmentSchema),
	get children(): z.ZodArray<Child> {
		return z.array(WidgetComponentSchema)
	}
})
export const TableCellSchema = props({
	type: z.literal('Table.Cell'),
	...identity,
	width: opt(numOrStr),
	padding: opt(spacingValue),
	colSpan: opt(num),
	rowSpan: opt(num),
	align: opt(TextAlignSchema),
	vAlign: opt(TextAlignSchema),
	colSize: opt(z.enum(['xs', 'sm', 'md', 'lg', 'xl'])),
	get children(): OptionalChildren {
		return opt(z.array(WidgetComponentSchema))
	}
})
export const TableRowSchema = props({
	type: z.literal('Table.Row'),
	...identity,
	header: opt(bool),
	children: opt(z.array(TableCellSchema))
})
export const TableSchema = props({
	type: z.literal('Table'),
	...identity,
	children: opt(z.array(TableRowSchema))
})

// Roots

export const CardSchema = props({
	type: z.literal('Card'),
	...identity,
	asForm: opt(bool),
	background: opt(ColorSchema),
	border: opt(z.union([num, BorderSchema, BordersSchema])),
	size: opt(z.enum(['sm', 'md', 'lg', 'full'])),
	padding: opt(spacingValue),
	status: opt(WidgetStatusSchema),
	collapsed: opt(bool),
	confirm: opt(CardActionSchema),
	cancel: opt(CardActionSchema),
	theme: opt(theme),
	get children(): z.ZodArray<Child> {
		return z.array(WidgetComponentSchema)
	}
})
export const ListViewSchema = props({
	type: z.literal('ListView'),
	...identity,
	children: z.array(ListViewItemSchema),
	limit: opt(z.union([num, z.literal('auto')])),
	status: opt(WidgetStatusSchema),
	theme: opt(theme)
})
/** The root used for entity previews; its children may be components or other roots. */
export const BasicRootSchema = props({
	type: z.literal('Basic'),
	...identity,
	theme: opt(theme),
	direction: opt(direction),
	gap: opt(numOrStr),
	padding: opt(spacingValue),
	align: opt(AlignmentSchema),
	justify: opt(JustificationSchema),
	get children(): OptionalChildren {
		return opt(z.array(WidgetComponentSchema))
	}
})

/** A component of a type this server does not model: `type` plus any props, passed through. */
export const DynamicWidgetComponentSchema = z.looseObject({
	type: str,
	...identity,
	get children(): z.ZodOptional<z.ZodNullable<z.ZodUnion<[Child, z.ZodArray<Child>]>>> {
		return opt(z.union([WidgetComponentSchema, z.array(WidgetComponentSchema)]))
	}
})

const componentSchemas = {
	Text: TextSchema,
	Title: TitleSchema,
	Caption: CaptionSchema,
	Chart: ChartSchema,
	Badge: BadgeSchema,
	Markdown: MarkdownSchema,
	Box: BoxSchema,
	Row: RowSchema,
	Col: ColSchema,
	Divider: DividerSchema,
	Icon: IconSchema,
	Image: ImageSchema,
	ListViewItem: ListViewItemSchema,
	Button: ButtonSchema,
	Checkbox: CheckboxSchema,
	Spacer: SpacerSchema,
	Select: SelectSchema,
	DatePicker: DatePickerSchema,
	Form: FormSchema,
	Input: InputSchema,
	Label: LabelSchema,
	RadioGroup: RadioGroupSchema,
	Textarea: TextareaSchema,
	Transition: TransitionSchema,
	Table: TableSchema,
	'Table.Row': TableRowSchema,
	'Table.Cell': TableCellSchema
} satisfies Record<WidgetComponentType, z.ZodType>
const knownSchemas: Record<string, z.ZodType> = {
	...componentSchemas,
	Card: CardSchema,
	ListView: ListViewSchema,
	Basic: BasicRootSchema
}

/** The component and root types validated strictly; any other `type` passes through. */
export const KNOWN_WIDGET_TYPES: ReadonlySet<string> = new Set(Object.keys(knownSchemas))

const isComponentLike = (value: unknown) =>
	typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'

function validateComponent(value: WidgetComponent, ctx: z.core.$RefinementCtx<WidgetComponent>): void {
	const result = (knownSchemas[value.type] ?? DynamicWidgetComponentSchema).safeParse(value)
	if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue })
}

/**
 * Any widget component. A known `type` is validated by its own schema (one lookup, so errors
 * name the exact prop); any other `type` passes through with its props unchanged.
 */
export const WidgetComponentSchema: z.ZodType<WidgetComponent> = z
	.custom<WidgetComponent>(isComponentLike, 'expected a widget component: an object with a string `type`')
	.superRefine(validateComponent)

/** `Card`, `ListView` or `Basic`, with typed props; unknown extra props are kept. */
export const WidgetRootSchema = z.discriminatedUnion('type', [CardSchema, ListViewSchema, BasicRootSchema])

export type ThemeColor = z.infer<typeof ThemeColorSchema>
export type Color = z.infer<typeof ColorSchema>
export type Spacing = z.infer<typeof SpacingSchema>
export type Border = z.infer<typeof BorderSchema>
export type Borders = z.infer<typeof BordersSchema>
export type RadiusValue = z.infer<typeof RadiusValueSchema>
export type TextAlign = z.infer<typeof TextAlignSchema>
export type TextSize = z.infer<typeof TextSizeSchema>
export type TitleSize = z.infer<typeof TitleSizeSchema>
export type CaptionSize = z.infer<typeof CaptionSizeSchema>
export type IconSize = z.infer<typeof IconSizeSchema>
export type FontWeight = z.infer<typeof FontWeightSchema>
export type Alignment = z.infer<typeof AlignmentSchema>
export type Justification = z.infer<typeof JustificationSchema>
export type ControlVariant = z.infer<typeof ControlVariantSchema>
export type ControlSize = z.infer<typeof ControlSizeSchema>
export type WidgetStatus = z.infer<typeof WidgetStatusSchema>
export type ActionConfig = z.infer<typeof ActionConfigSchema>
export type CardAction = z.infer<typeof CardActionSchema>
export type EditableProps = z.infer<typeof EditablePropsSchema>
export type SelectOption = z.infer<typeof SelectOptionSchema>
export type RadioOption = z.infer<typeof RadioOptionSchema>
export type CurveType = z.infer<typeof CurveTypeSchema>
export type BarSeries = z.infer<typeof BarSeriesSchema>
export type AreaSeries = z.infer<typeof AreaSeriesSchema>
export type LineSeries = z.infer<typeof LineSeriesSchema>
export type Series = z.infer<typeof SeriesSchema>
export type XAxisConfig = z.infer<typeof XAxisConfigSchema>
export type ChartDatum = z.infer<typeof ChartDatumSchema>

// Components are interfaces (inferred from their schemas) so that `children` can refer back to
// WidgetComponent without a circular type alias.
export interface Text extends z.infer<typeof TextSchema> {}
export interface Title extends z.infer<typeof TitleSchema> {}
export interface Caption extends z.infer<typeof CaptionSchema> {}
export interface Markdown extends z.infer<typeof MarkdownSchema> {}
export interface Badge extends z.infer<typeof BadgeSchema> {}
export interface Divider extends z.infer<typeof DividerSchema> {}
export interface Icon extends z.infer<typeof IconSchema> {}
export interface Image extends z.infer<typeof ImageSchema> {}
export interface Spacer extends z.infer<typeof SpacerSchema> {}
export interface Button extends z.infer<typeof ButtonSchema> {}
export interface Select extends z.infer<typeof SelectSchema> {}
export interface DatePicker extends z.infer<typeof DatePickerSchema> {}
export interface Checkbox extends z.infer<typeof CheckboxSchema> {}
export interface Input extends z.infer<typeof InputSchema> {}
export interface Textarea extends z.infer<typeof TextareaSchema> {}
export interface Label extends z.infer<typeof LabelSchema> {}
export interface RadioGroup extends z.infer<typeof RadioGroupSchema> {}
export interface Chart extends z.infer<typeof ChartSchema> {}
export interface Box extends z.infer<typeof BoxSchema> {}
export interface Row extends z.infer<typeof RowSchema> {}
export interface Col extends z.infer<typeof ColSchema> {}
export interface Form extends z.infer<typeof FormSchema> {}
export interface Transition extends z.infer<typeof TransitionSchema> {}
export interface ListViewItem extends z.infer<typeof ListViewItemSchema> {}
export interface Table extends z.infer<typeof TableSchema> {}
export interface TableRow extends z.infer<typeof TableRowSchema> {}
export interface TableCell extends z.infer<typeof TableCellSchema> {}
export interface Card extends z.infer<typeof CardSchema> {}
export interface ListView extends z.infer<typeof ListViewSchema> {}
export interface BasicRoot extends z.infer<typeof BasicRootSchema> {}
/** A component of a type this server does not model: `type` plus any props. */
export interface DynamicWidgetComponent extends z.infer<typeof DynamicWidgetComponentSchema> {}

/** The components this server models, discriminated by `type` (roots excluded). */
export type KnownWidgetComponent =
	| Text
	| Title
	| Caption
	| Chart
	| Badge
	| Markdown
	| Box
	| Row
	| Col
	| Divider
	| Icon
	| Image
	| ListViewItem
	| Button
	| Checkbox
	| Spacer
	| Select
	| DatePicker
	| Form
	| Input
	| Label
	| RadioGroup
	| Textarea
	| Transition
	| Table
	| TableRow
	| TableCell
export type WidgetComponentType = KnownWidgetComponent['type']
/**
 * Any component. The specific types (`Text`, `Card`…) and `KnownWidgetComponent` enforce required
 * props; `DynamicWidgetComponent` accepts any `type`.
 */
export type WidgetComponent = KnownWidgetComponent | DynamicWidgetComponent
export type WidgetRoot = Card | ListView | BasicRoot
