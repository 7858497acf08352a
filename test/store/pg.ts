import postgres from 'postgres'

/** The server's maintenance database; test databases are created from it and dropped afterwards. */
export const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export const admin = () => postgres(ADMIN_URL, { max: 1, connect_timeout: 5, onnotice: () => {} })

/** True when PostgreSQL answers at ADMIN_URL. */
export const postgresReachable = async (): Promise<boolean> => {
	const sql = admin()
	try {
		await sql`select 1`
		return true
	} catch {
		return false
	} finally {
		await sql.end({ timeout: 1 })
	}
}

/** Creates `chatkit_test_<random>` (or `name`) and returns its URL and a function that drops it. */
export const createTestDatabase = async (
	name = `chatkit_test_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`
) => {
	const sql = admin()
	try {
		await sql.unsafe(`create database ${name}`)
	} finally {
		await sql.end({ timeout: 1 })
	}
	const url = new URL(ADMIN_URL)
	url.pathname = `/${name}`
	return {
		name,
		url: url.toString(),
		async drop() {
			const sql = admin()
			try {
				await sql.unsafe(`drop database if exists ${name} with (force)`)
			} finally {
				await sql.end({ timeout: 1 })
			}
		}
	}
}

/** Ends every connection to `database` except the caller's, as a server restart would. */
export const terminateConnections = async (database: string): Promise<number> => {
	const sql = admin()
	try {
		const rows = await sql`
			select pg_terminate_backend(pid) as ended from pg_stat_activity
			where datname = ${database} and pid <> pg_backend_pid()`
		for (let i = 0; i < 50; i++) {
			const [row] =
				await sql`select count(*)::int as n from pg_stat_activity where datname = ${database}`
			if (row?.n === 0) break
			await Bun.sleep(20)
		}
		return rows.length
	} finally {
		await sql.end({ timeout: 1 })
	}
}
