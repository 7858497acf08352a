export {
	diffWidget,
	type WidgetDiff,
	type WidgetRootUpdated,
	type WidgetStreamingTextValueDelta
} from './diff'
export { widgetToJSON } from './serialize'
export { accumulateText, streamWidget, type StreamWidgetOptions } from './stream'
