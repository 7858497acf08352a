import { z } from 'zod'

/** Icon names the ChatKit client knows, plus any `vendor:` or `lucide:` name. */
export const ICON_NAMES = [
	'agent',
	'analytics',
	'atom',
	'batch',
	'bolt',
	'book-open',
	'book-closed',
	'book-clock',
	'bug',
	'calendar',
	'chart',
	'check',
	'check-circle',
	'check-circle-filled',
	'chevron-left',
	'chevron-right',
	'circle-question',
	'clock',
	'compass',
	'confetti',
	'cube',
	'desktop',
	'document',
	'dot',
	'dots-horizontal',
	'dots-vertical',
	'empty-circle',
	'external-link',
	'globe',
	'keys',
	'lab',
	'images',
	'info',
	'lifesaver',
	'lightbulb',
	'mail',
	'map-pin',
	'maps',
	'mobile',
	'name',
	'notebook',
	'notebook-pencil',
	'page-blank',
	'phone',
	'play',
	'plus',
	'profile',
	'profile-card',
	'reload',
	'star',
	'star-filled',
	'search',
	'sparkle',
	'sparkle-double',
	'square-code',
	'square-image',
	'square-text',
	'suitcase',
	'settings-slider',
	'user',
	'wreath',
	'write',
	'write-alt',
	'write-alt2'
] as const

export type LiteralIconName = (typeof ICON_NAMES)[number]
export type IconName = LiteralIconName | `vendor:${string}` | `lucide:${string}`

const literalIcons = new Set<string>(ICON_NAMES)

export const isIconName = (value: string): value is IconName =>
	literalIcons.has(value) || value.startsWith('vendor:') || value.startsWith('lucide:')

export const IconNameSchema = z.custom<IconName>((value) => typeof value === 'string' && isIconName(value), {
	message: 'not a ChatKit icon name'
})
