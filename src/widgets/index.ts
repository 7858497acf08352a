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
	type StreamWidgetOptions,
	streamWidget,
	widgetItemOf,
	widgetUpdates
} from './stream'
