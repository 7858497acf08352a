export * from './chatkit'
export * from './config'
export {
	type Refusal,
	type RequestEndArgs,
	type RequestEndHook,
	type RequestOutcome,
	reportRefusal,
	requestEndHook,
	withRefusalCode
} from './lifecycle'
export * from './engine'
export {
	needs,
	type NeedsBeforeIt,
	type NeedsContext,
	type PluginDependencies,
	type PluginNeeds
} from './needs'
export * from './protocol'
export * from './protocol/serialize'
export * from './store'
export * from './respond'
export * from './running'
export * from './widgets'
export * from './tracing'
