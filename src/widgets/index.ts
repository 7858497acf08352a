export {
	diffWidget,
	type WidgetDiff,
	type WidgetRootUpdated,
	type WidgetStreamingTextValueDelta
} from './diff'
export { widgetToJSON } from './serialize'
export {
	accumulateText,
	isWidgetStream,
	widgetItemOf,
	streamWidget,
	type StreamWidgetOptions,
	widgetUpdates
} from './stream'
