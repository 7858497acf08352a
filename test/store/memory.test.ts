import { MemoryStore } from '../../src/store/memory'
import { storeContract } from './contract'

storeContract('memory', { open: () => new MemoryStore() })
