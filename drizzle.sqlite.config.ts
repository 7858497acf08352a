import { defineConfig } from 'drizzle-kit'

export default defineConfig({
	dialect: 'sqlite',
	schema: './plugins/store/schema.sqlite.ts',
	out: './plugins/store/migrations/sqlite',
	migrations: { table: '__chatkit_store_migrations' }
})
