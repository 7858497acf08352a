import { z } from 'zod'

// Placeholder: replaced by the full component schemas.
export const WidgetComponentSchema = z.looseObject({
	type: z.string(),
	id: z.string().nullish(),
	key: z.string().nullish()
})
export type WidgetComponent = z.infer<typeof WidgetComponentSchema>
export const WidgetRootSchema = WidgetComponentSchema
export type WidgetRoot = WidgetComponent
