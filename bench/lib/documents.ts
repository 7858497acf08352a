import type { AssistantMessageItem, ThreadMetadata } from '../../src/protocol/items'
import type { ChatKitContext } from '../../src/store/types'

/** Documents of the store benchmarks (bench/store*.ts): realistic sizes, timestamps one second apart. */
export const BASE = Date.UTC(2026, 0, 1)
export const iso = (ms: number) => new Date(ms).toISOString()
export const at = (index: number) => iso(BASE + index * 1000)

/** A user of the `bench` tenant. */
export const benchContext = (user: string): ChatKitContext => ({ user: { id: user, tenantId: 'bench' } })

export const threadMeta = (id: string, index: number): ThreadMetadata => ({
	id,
	title: `Conversation ${index}`,
	created_at: at(index),
	status: { type: 'active' },
	allowed_image_domains: null,
	metadata: { last_response_id: `resp_${index}` }
})

/** An assistant reply of about 250 characters. */
export const reply = (threadId: string, id: string, index: number): AssistantMessageItem => ({
	id,
	thread_id: threadId,
	created_at: at(index),
	type: 'assistant_message',
	content: [{ type: 'output_text', text: `Reply number ${index}. `.repeat(12), annotations: [] }]
})
