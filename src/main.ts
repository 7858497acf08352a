import { Elysia } from 'elysia'
import { chatkit } from './chatkit'
import { ConfigError, loadConfig } from './config'
import { streamText } from './respond'
import { MemoryStore } from './store/memory'

const start = () => {
	const config = loadConfig()
	const app = new Elysia()
		.get('/health', () => ({ status: 'ok' }))
		.use(
			chatkit({
				path: config.CHATKIT_PATH,
				maxBodyBytes: config.MAX_BODY_BYTES,
				store: new MemoryStore(),
				async *respond(args) {
					yield* streamText(args, ['Hello', ' from', ' elysia-chatkit', '.'])
				}
			})
		)
		.listen({ hostname: config.HOST, port: config.PORT })
	console.log(`elysia-chatkit listening on http://${config.HOST}:${app.server?.port}${config.CHATKIT_PATH}`)
	console.log('  store: memory (nothing is kept across restarts)')
	console.log('  responder: fixed hello-world reply')
	return app
}

try {
	start()
} catch (error) {
	if (!(error instanceof ConfigError)) throw error
	console.error(error.message)
	process.exit(1)
}
