import { existsSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import { STORE_PLUGIN } from '../fixtures'

export type StoreName = 'memory' | 'sqlite' | 'postgres'

export const ALL_STORES: StoreName[] = ['memory', 'sqlite', 'postgres']

export const STORE_LABELS: Record<StoreName, string> = {
	memory: 'ChatKit, memory',
	sqlite: 'ChatKit, SQLite file',
	postgres: 'ChatKit, PostgreSQL'
}

/** The database stores come from plugins/store; without it only the memory store is measured. */
export const databaseStoresAvailable = () => existsSync(STORE_PLUGIN)

/**
 * Hands out a fresh, empty database per call (`memory`, a new SQLite file, a new PostgreSQL database)
 * and removes them all in `cleanup`.
 */
export class Databases {
	private count = 0
	private created: string[] = []
	private admin: postgres.Sql | undefined

	constructor(
		private readonly tmpDir: string,
		/** A PostgreSQL URL whose user may create databases. */
		private readonly adminUrl = process.env.BENCH_POSTGRES_URL ??
			'postgres://postgres@127.0.0.1:5432/postgres'
	) {}

	async url(store: StoreName): Promise<string> {
		const n = ++this.count
		if (store === 'memory') return 'memory'
		if (store === 'sqlite') return `sqlite:${join(this.tmpDir, `bench-${n}.db`)}`
		this.admin ??= postgres(this.adminUrl, { max: 1, onnotice: () => {} })
		const name = `chatkit_bench_${process.pid}_${n}`
		await this.admin.unsafe(`create database ${name}`)
		this.created.push(name)
		const url = new URL(this.adminUrl)
		url.pathname = `/${name}`
		return url.toString()
	}

	async cleanup(): Promise<void> {
		for (const name of this.created)
			await this.admin?.unsafe(`drop database if exists ${name} with (force)`)
		this.created = []
		await this.admin?.end()
		this.admin = undefined
	}
}
