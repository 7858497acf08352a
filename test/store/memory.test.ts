import { setDefaultTimeout } from 'bun:test'
import { MemoryStore } from '../../src/store/memory'
import { storeContract } from '../../testing/store-contract'

// The preload's default timeout reaches only the first file of a multi-file run (Bun 1.4.5).
setDefaultTimeout(20_000)

storeContract('memory', { open: () => new MemoryStore() })
