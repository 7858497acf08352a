import { defineConfig } from 'drizzle-kit'

export default defineConfig({
	dialect: 'postgresql',
	schema: './plugins/store/schema.pg.ts',
	out: './plugins/store/migrations/pg',
	migrations: { table: '__chatkit_store_migrations', schema: 'drizzle' },
	dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' }
})
