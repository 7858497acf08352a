export { DEFAULT_CHECKPOINT_INTERVAL_MS, INTERRUPTED_NOTE } from './checkpoints'
export * from './engine'
export * from './errors'
export {
	LOG_LEVELS,
	type LogFields,
	type LogLevel,
	logError,
	logger,
	logRequest
} from './log'
export { CANCELLED_NOTE, defaultHandleStreamCancelled } from './pipeline'
export { answerStructuredInput } from './turns'
export * from './types'
