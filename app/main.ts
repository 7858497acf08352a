import { ConfigError } from 'elysia-chatkit'
import { createServer, describeServer } from './server'

try {
	const { app, config } = createServer()
	const { host, port, path } = config.server
	app.listen({ hostname: host, port })
	console.log(`elysia-chatkit on http://${host}:${app.server?.port}${path}`)
	console.log(describeServer(config))
} catch (error) {
	if (!(error instanceof ConfigError)) throw error
	console.error(error.message)
	process.exit(1)
}
