/** A deep copy of a JSON document (thread items, threads): several times faster than `structuredClone` in Bun. */
export const jsonCopy = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)))
