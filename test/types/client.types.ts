// Type-level tests of the typed client and of context keys across plugins, checked by `tsc --noEmit`.
import { Elysia } from 'elysia'
import { devUser } from '../../plugins/auth'
import { createClient } from '../../src/client'

const client = createClient({ url: 'http://127.0.0.1:8000/chatkit' })

export async function typedResults() {
	const page = await client.threads.list({ limit: 5, order: 'asc' })
	const firstTitle: string | null | undefined = page.data[0]?.title
	const [first] = page.data
	if (first) {
		// @ts-expect-error a page of threads holds threads, not items
		const wrong: 'user_message' = first.type
		void wrong
	}

	const items = await client.items.list({ thread_id: 'thr_1' })
	const [item] = items.data
	if (item?.type === 'assistant_message') {
		const [part] = item.content
		const text: string | undefined = part?.text
		if (part) {
			const own: string = part.text
			void own
		}
		void text
	}

	for await (const event of client.threads.create({ input: 'hi' })) {
		if (
			event.type === 'thread.item.updated' &&
			event.update.type === 'assistant_message.content_part.text_delta'
		) {
			const delta: string = event.update.delta
			void delta
		}
		// @ts-expect-error not an event type of the protocol
		if (event.type === 'thread.deleted') return
	}

	// @ts-expect-error thread_id is required
	await client.threads.getById({})
	// @ts-expect-error order is 'asc' or 'desc'
	await client.threads.list({ order: 'newest' })
	void firstTitle
}

// A key one plugin adds is typed in the next plugin and in routes.
const tenantPlugin = new Elysia({ name: 'tenant' }).derive({ as: 'scoped' }, () => ({
	region: 'eu' as const
}))
new Elysia()
	.use(devUser())
	.use(tenantPlugin)
	.get('/where', ({ region, user }) => {
		const r: 'eu' = region
		const id: string = user.id
		// @ts-expect-error no plugin provides `quota`
		const q = user.quota
		return { r, id, q }
	})
