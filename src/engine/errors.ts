/**
 * A request the server refuses before anything is written: answered with an HTTP status and a
 * JSON body `{ code, message }`.
 */
export class ChatKitError extends Error {
	readonly status: number
	readonly code: string
	readonly details?: unknown
	constructor(status: number, code: string, message: string, details?: unknown) {
		super(message)
		this.name = 'ChatKitError'
		this.status = status
		this.code = code
		this.details = details
	}

	toJSON() {
		return this.details === undefined
			? { code: this.code, message: this.message }
			: { code: this.code, message: this.message, details: this.details }
	}
}

/** Throw from a responder or action to show the user `message` (an `error` event with code `custom`). */
export class CustomStreamError extends Error {
	readonly allowRetry: boolean
	constructor(message: string, options: { allowRetry?: boolean } = {}) {
		super(message)
		this.name = 'CustomStreamError'
		this.allowRetry = options.allowRetry ?? false
	}
}

/** Throw from a responder or action to send an `error` event with a code the client localizes. */
export class StreamError extends Error {
	readonly code: string
	readonly allowRetry: boolean
	constructor(code = 'stream.error', options: { allowRetry?: boolean } = {}) {
		super(code)
		this.name = 'StreamError'
		this.code = code
		this.allowRetry = options.allowRetry ?? code === 'stream.error'
	}
}
