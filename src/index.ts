export * from './chatkit'
export * from './config'
export * from './engine'
export {
	type Refusal,
	type RequestEndArgs,
	type RequestEndHook,
	type RequestOutcome,
	reportRefusal,
	requestEndHook,
	withRefusalCode
} from './lifecycle'
export {
	type NeedsBeforeIt,
	type NeedsContext,
	needs,
	type PluginDependencies,
	type PluginNeeds
} from './needs'
export * from './protocol'
export * from './protocol/serialize'
export * from './respond'
export * from './running'
export * from './store'
export * from './tracing'
export * from './widgets'
