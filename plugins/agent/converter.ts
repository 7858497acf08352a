import type { Annotation } from '../../src/protocol/items'

/** A citation as the Responses API (or a Chat Completions provider) sends it. */
export type RawAnnotation = Record<string, unknown> & { type?: string }

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
const int = (value: unknown): number | undefined =>
	typeof value === 'number' && Number.isInteger(value) ? value : undefined

/** Chat Completions nests citations (`{ type: 'url_citation', url_citation: {...} }`); the Responses API does not. */
const flatten = (annotation: RawAnnotation): RawAnnotation => {
	const nested = annotation.type ? annotation[annotation.type] : undefined
	return nested && typeof nested === 'object' && !Array.isArray(nested)
		? { ...(nested as RawAnnotation), type: annotation.type }
		: annotation
}

/**
 * How model output becomes ChatKit content: citations → annotations, generated images → URLs.
 * Subclass it and override a method to change one conversion.
 *
 * @example
 * class MyConverter extends ResponseStreamConverter {
 *   override async base64ImageToUrl(imageId: string, base64: string) {
 *     return uploadToBucket(imageId, base64) // a public URL instead of a data URL
 *   }
 * }
 */
export class ResponseStreamConverter {
	/** How many partial images the image tool sends; turns a partial image index into progress. */
	readonly partialImages?: number

	constructor(options: { partialImages?: number } = {}) {
		this.partialImages = options.partialImages
	}

	/** The URL of a generated image. `partialIndex` is set for the partial images streamed before the final one. */
	async base64ImageToUrl(_imageId: string, base64: string, _partialIndex?: number): Promise<string> {
		return `data:image/png;base64,${base64}`
	}

	/** Progress (0 to 1) of a partial image; 0 when `partialImages` is unset. */
	partialImageIndexToProgress(partialIndex: number): number {
		if (!this.partialImages || this.partialImages <= 0) return 0
		return Math.min(1, partialIndex / this.partialImages)
	}

	fileCitationToAnnotation(citation: RawAnnotation): Annotation | null {
		const filename = text(citation.filename)
		if (!filename) return null
		return {
			type: 'annotation',
			source: { type: 'file', filename, title: filename },
			index: int(citation.index)
		}
	}

	containerFileCitationToAnnotation(citation: RawAnnotation): Annotation | null {
		const filename = text(citation.filename)
		if (!filename) return null
		return {
			type: 'annotation',
			source: { type: 'file', filename, title: filename },
			index: int(citation.end_index)
		}
	}

	urlCitationToAnnotation(citation: RawAnnotation): Annotation | null {
		const url = text(citation.url)
		if (!url) return null
		return {
			type: 'annotation',
			source: { type: 'url', url, title: text(citation.title) ?? url },
			index: int(citation.end_index)
		}
	}

	/** Any raw annotation → a ChatKit annotation, or `null` to drop it (e.g. `file_path`). */
	convertAnnotation(raw: unknown): Annotation | null {
		if (!raw || typeof raw !== 'object') return null
		const annotation = flatten(raw as RawAnnotation)
		switch (annotation.type) {
			case 'file_citation':
				return this.fileCitationToAnnotation(annotation)
			case 'container_file_citation':
				return this.containerFileCitationToAnnotation(annotation)
			case 'url_citation':
				return this.urlCitationToAnnotation(annotation)
			default:
				return null
		}
	}
}
