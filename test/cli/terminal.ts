// The CLI in a real pseudo-terminal (Bun.spawn's `terminal` option): the child sees a TTY on stdin and stdout,
// as when a user runs `bunx elysia-chatkit init` in a shell.
import { join } from 'node:path'

const CLI = join(import.meta.dir, '..', '..', 'cli', 'index.ts')
export const DOWN = '\x1b[B'
export const ENTER = '\r'

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences
const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')

/**
 * Runs the CLI in a pseudo-terminal. `until(text)` waits for `text` in its output; `exited()` waits for the
 * program's end and for the terminal to have given all its output.
 */
export const inTerminal = (args: string[], cwd: string) => {
	let output = ''
	let drained = false
	const decoder = new TextDecoder()
	const child = Bun.spawn(['bun', CLI, ...args], {
		cwd,
		env: { ...process.env, TERM: 'xterm-256color' },
		terminal: {
			cols: 120,
			rows: 50,
			data: (_terminal, data) => {
				output += decoder.decode(data, { stream: true })
			},
			exit: () => {
				drained = true
			}
		}
	})
	const terminal = child.terminal as Bun.Terminal
	return {
		output: () => plain(output),
		until: async (text: string) => {
			while (!plain(output).includes(text)) {
				if (drained)
					throw new Error(`ended without printing ${JSON.stringify(text)}:\n${plain(output)}`)
				await Bun.sleep(20)
			}
		},
		type: (keys: string) => terminal.write(keys),
		exited: async () => {
			const code = await child.exited
			while (!drained) await Bun.sleep(20)
			terminal.close()
			return code
		}
	}
}
