/**
 * A third-party plugin, written against the public API only: it adds a typed `quota` to the request
 * context, meters the assistant's output through an event hook, and warns the user with a notice when
 * the quota runs low. docs/plugins.md walks through it.
 */
import { Elysia } from 'elysia'
import { type ChatKitUser, type EventHook, eventHook, needs } from 'elysia-chatkit'

export interface QuotaOptions {
	/**
	 * Characters of assistant output each user may receive.
	 * @default 10_000
	 */
	limit?: number
	/**
	 * Send a warning notice when less than this share of the quota is left.
	 * @default 0.1
	 */
	warnBelow?: number
}

/** Per-user usage. A real plugin keeps it in a database shared by every instance. */
export class QuotaLedger {
	private readonly used = new Map<string, number>()
	constructor(readonly limit: number) {}

	private key(user: ChatKitUser) {
		return `${user.tenantId ?? ''}:${user.id}`
	}

	spend(user: ChatKitUser, amount: number) {
		const used = (this.used.get(this.key(user)) ?? 0) + amount
		this.used.set(this.key(user), Math.min(this.limit, used))
	}

	remaining(user: ChatKitUser) {
		return Math.max(0, this.limit - (this.used.get(this.key(user)) ?? 0))
	}
}

/** The plugin reads `user`, which an auth plugin used before it adds. */
const dependencies = needs<{ user: ChatKitUser }>()('example/quota', {
	user: 'an auth plugin: devUser(), jwtAuth() or sessionAuth()'
})

export const quota = (options: QuotaOptions = {}) => {
	const { limit = 10_000, warnBelow = 0.1 } = options
	const ledger = new QuotaLedger(limit)

	const meterOutput: EventHook<{ user: ChatKitUser }> = (event, { context }) => {
		if (
			event.type !== 'thread.item.updated' ||
			event.update.type !== 'assistant_message.content_part.text_delta'
		)
			return
		const before = ledger.remaining(context.user)
		ledger.spend(context.user, event.update.delta.length)
		const after = ledger.remaining(context.user)
		if (before >= limit * warnBelow && after < limit * warnBelow)
			return [
				event,
				{ type: 'notice', level: 'warning', message: `You have ${after} characters of quota left.` }
			]
	}

	return dependencies.plugin(
		new Elysia({ name: 'example/quota', seed: options })
			.use(dependencies.context)
			.decorate(eventHook('quota', meterOutput))
			.derive({ as: 'scoped' }, function deriveQuota({ user }) {
				return { quota: { remaining: () => ledger.remaining(user), limit } }
			})
	)
}
