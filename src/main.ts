import { AuthConfigError } from '../plugins/auth'
import { ConfigError, loadConfig } from './config'
import { createServer, describeServer } from './server'

try {
	const config = loadConfig()
	const { app } = createServer(config)
	app.listen({ hostname: config.HOST, port: config.PORT })
	console.log(`elysia-chatkit on http://${config.HOST}:${app.server?.port}${config.CHATKIT_PATH}`)
	console.log(describeServer(config))
} catch (error) {
	if (!(error instanceof ConfigError) && !(error instanceof AuthConfigError)) throw error
	console.error(error.message)
	process.exit(1)
}
