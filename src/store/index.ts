export * from './ids'
export * from './memory'
export * from './types'
