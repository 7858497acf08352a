/**
 * Build level 1: a responder that streams a fixed reply, with the in-memory store.
 * Run: bun run examples/hello-world.ts, then POST ChatKit requests to http://127.0.0.1:8000/chatkit
 */
import { Elysia } from 'elysia'
import { chatkit, MemoryStore, type Responder, serverConfigFromEnv, streamText } from 'elysia-chatkit'
import { chatkitCors } from 'elysia-chatkit/plugins/cors'

const greet: Responder = async function* (args) {
	const said = args.input?.content.find((part) => part.type === 'input_text')?.text ?? ''
	yield* streamText(args, ['Hello', ', ', 'world', '! ', `You said: ${said}`])
}

export const app = new Elysia().use(chatkitCors()).use(chatkit({ store: new MemoryStore(), respond: greet }))

if (import.meta.main) {
	const { host, port, path } = serverConfigFromEnv()
	app.listen({ hostname: host, port })
	console.log(`ChatKit hello world on http://${host}:${app.server?.port}${path}`)
}
