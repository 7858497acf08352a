/**
 * Build level 2: an OpenAI Agents SDK agent whose replies stream token by token; the thread's history is
 * loaded from the store on every turn. What `bun run dev` serves, without the demo widgets.
 * Run: bun run examples/agent.ts (OPENAI_API_KEY for a real model, else the offline model answers;
 * DATABASE_URL for the store, else the SQLite file .data/chatkit.db)
 */
import { Elysia } from 'elysia'
import { chatkit, serverConfigFromEnv } from 'elysia-chatkit'
import { agent, currentTime, modelFromEnv } from 'elysia-chatkit/plugins/agent'
import { chatkitCors } from 'elysia-chatkit/plugins/cors'
import { drizzleStore } from 'elysia-chatkit/plugins/store'

export const app = new Elysia()
	.use(chatkitCors())
	.use(drizzleStore({ url: process.env.DATABASE_URL }))
	.use(agent({ instructions: 'You help customers.', model: modelFromEnv(), tools: [currentTime] }))
	.use(chatkit())

if (import.meta.main) {
	const { host, port, path } = serverConfigFromEnv()
	app.listen({ hostname: host, port })
	console.log(`ChatKit agent on http://${host}:${app.server?.port}${path}`)
}
