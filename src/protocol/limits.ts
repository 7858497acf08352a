/**
 * Ceilings the core enforces on every request, whatever plugins are used: values above them are refused
 * with `422 invalid_request` (pages are clamped), before anything is read or written. They are far above
 * what the ChatKit UI sends; tighter, configurable limits are the limits plugin's (`plugins/limits`).
 */
export const PROTOCOL_LIMITS = {
	/** Largest page of `threads.list` and `items.list`; a larger `limit` is served as this many, with `has_more`. */
	maxPageSize: 100,
	/** Characters of a `mime_type` (`attachments.create`, `input.transcribe`). */
	maxMimeTypeChars: 255,
	/** Content parts (text and tags) of one user message. */
	maxContentParts: 1_000,
	/** Characters of a model name or tool choice id in `inference_options`. */
	maxOptionChars: 255,
	/** Keys of a request's `metadata`. */
	maxMetadataKeys: 64,
	/** A request's `metadata` as JSON, in UTF-8 bytes. */
	maxMetadataBytes: 16 * 1024,
	/** Characters of a client value (an id, a type) quoted in an error message; longer ones are cut. */
	maxQuotedChars: 64
} as const

/** `value` for an error message: as it is when short, else its first characters and `…`. */
export const clip = (value: string, max: number = PROTOCOL_LIMITS.maxQuotedChars): string =>
	value.length > max ? `${value.slice(0, max)}…` : value
