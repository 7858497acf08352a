import { describe, expect, test } from 'bun:test'
import { ICON_NAMES, IconNameSchema, isIconName } from '../../src/protocol/icons'
import { IconSchema, WidgetRootSchema } from '../../src/protocol/widgets'

describe('icon names', () => {
	test('vendor: and lucide: names are valid', () => {
		for (const name of ['vendor:acme-logo', 'vendor:x', 'lucide:calendar-days', 'lucide:zap']) {
			expect(isIconName(name)).toBe(true)
			expect(IconNameSchema.safeParse(name).success).toBe(true)
		}
	})

	test('literal names are valid', () => {
		for (const name of ['book-open', 'phone', 'user', 'clock', 'write-alt2']) {
			expect(IconNameSchema.safeParse(name).success).toBe(true)
		}
		for (const name of ICON_NAMES) expect(isIconName(name)).toBe(true)
	})

	test('unknown names are rejected', () => {
		for (const name of ['invalid-icon', '', 'Vendor:x', 'lucide', 'book_open', 42, null]) {
			expect(IconNameSchema.safeParse(name).success).toBe(false)
		}
	})

	test('an Icon component with an unknown name fails validation, also deep in a widget', () => {
		expect(IconSchema.safeParse({ type: 'Icon', name: 'star' }).success).toBe(true)
		expect(IconSchema.safeParse({ type: 'Icon', name: 'invalid-icon' }).success).toBe(false)

		const result = WidgetRootSchema.safeParse({
			type: 'Card',
			children: [{ type: 'Row', children: [{ type: 'Icon', name: 'invalid-icon' }] }]
		})
		expect(result.success).toBe(false)
		expect(result.error?.issues[0]?.path).toEqual(['children', 0, 'children', 0, 'name'])
	})

	test('icon props of buttons and statuses are checked too', () => {
		const card = (button: object, status: object) =>
			WidgetRootSchema.safeParse({ type: 'Card', status, children: [{ type: 'Button', ...button }] })
				.success
		expect(
			card({ iconStart: 'search', iconEnd: 'lucide:arrow-right' }, { text: 'ok', icon: 'vendor:logo' })
		).toBe(true)
		expect(card({ iconStart: 'magnifier' }, { text: 'ok' })).toBe(false)
		expect(card({}, { text: 'ok', icon: 'invalid-icon' })).toBe(false)
	})
})
