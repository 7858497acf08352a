import type { Database, Statement } from 'bun:sqlite'

interface QueuedWrite {
	run: () => unknown
	resolve: (value: unknown) => void
	reject: (error: unknown) => void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

/**
 * Group commit for one SQLite connection. Writes asked for during one turn of the event loop run together
 * at its end, in one `BEGIN IMMEDIATE` … `COMMIT`; each caller's promise settles after the commit, with its
 * own result or error. A write that fails is undone alone (SQLite undoes a failed statement, and
 * multi-statement writes use `db.transaction`, which nests as a savepoint), so it never costs the others
 * theirs; if SQLite abandons the whole transaction, the write that caused it fails and the others run again.
 * One write alone runs as its own transaction.
 *
 * A commit costs far more than the statements it carries (WAL appends); concurrent turns share it.
 */
export class SqliteWriteBatcher {
	private queue: QueuedWrite[] = []
	private scheduled = false
	private readonly begin: Statement
	private readonly commit: Statement
	private readonly rollback: Statement

	constructor(private readonly client: Database) {
		this.begin = client.prepare('BEGIN IMMEDIATE')
		this.commit = client.prepare('COMMIT')
		this.rollback = client.prepare('ROLLBACK')
	}

	/** Queue a synchronous write; resolves with its result once it is committed. */
	write<T>(run: () => T): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			this.queue.push({ run, resolve: resolve as (value: unknown) => void, reject })
			if (!this.scheduled) {
				this.scheduled = true
				setImmediate(() => this.flush())
			}
		})
	}

	/** Run and commit everything queued now (also before the connection closes). */
	flush(): void {
		this.scheduled = false
		const batch = this.queue
		const [first] = batch
		if (first === undefined) return
		this.queue = []
		if (batch.length === 1) {
			settle(first, attempt(first.run))
			return
		}
		try {
			this.begin.run()
		} catch (error) {
			for (const write of batch) write.reject(error)
			return
		}
		const outcomes: [QueuedWrite, Outcome][] = []
		for (const [index, write] of batch.entries()) {
			const outcome = attempt(write.run)
			outcomes.push([write, outcome])
			if (!this.client.inTransaction) {
				// SQLite gave up the whole transaction (a full disk, an I/O error, a trigger's ROLLBACK): this
				// write fails, the ones before it are lost and run again with the rest, in a new transaction.
				write.reject(outcome.ok ? new Error('SQLite rolled the transaction back') : outcome.error)
				this.queue = [...batch.slice(0, index), ...batch.slice(index + 1), ...this.queue]
				this.flush()
				return
			}
		}
		try {
			this.commit.run()
		} catch (error) {
			if (this.client.inTransaction) this.rollback.run()
			for (const write of batch) write.reject(error)
			return
		}
		for (const [write, outcome] of outcomes) settle(write, outcome)
	}
}

const attempt = (run: () => unknown): Outcome => {
	try {
		return { ok: true, value: run() }
	} catch (error) {
		return { ok: false, error }
	}
}

const settle = (write: QueuedWrite, outcome: Outcome) => {
	if (outcome.ok) write.resolve(outcome.value)
	else write.reject(outcome.error)
}
