import { setDefaultTimeout } from 'bun:test'
import { setTracingDisabled } from '@openai/agents'

setTracingDisabled(true)
setDefaultTimeout(20_000)
