import { ConfigError } from 'elysia-chatkit'
import { createServer, describeServer } from './server'
import { shutdown } from './shutdown'

try {
	const { app, config, turns } = createServer()
	const { host, port, path, idleTimeout } = config.server
	app.listen({ hostname: host, port, idleTimeout })
	console.log(`elysia-chatkit on http://${host}:${app.server?.port}${path}`)
	console.log(describeServer(config))
	let stopping = false
	const stop = async (signal: string) => {
		if (stopping) return
		stopping = true
		console.log(
			`${signal}: no new connections; ${turns.size} running turn(s) get up to ${config.shutdownTimeoutMs} ms`
		)
		const cancelled = await shutdown(app, { turns, timeoutMs: config.shutdownTimeoutMs })
		console.log(cancelled ? `stopped (${cancelled} turn(s) cancelled, their text saved)` : 'stopped')
		process.exit(0)
	}
	process.on('SIGTERM', stop)
	process.on('SIGINT', stop)
} catch (error) {
	if (!(error instanceof ConfigError)) throw error
	console.error(error.message)
	process.exit(1)
}
