/** The files of a new project (`init` in an empty folder), beside the chat module and its test. */
export const newProjectFiles = (name: string): Record<string, string> => ({
	'package.json': `${JSON.stringify(
		{
			name,
			version: '0.1.0',
			private: true,
			type: 'module',
			scripts: {
				dev: 'bun run --watch src/index.ts',
				start: 'bun run src/index.ts',
				test: 'bun test',
				typecheck: 'tsc --noEmit'
			},
			dependencies: {},
			devDependencies: {}
		},
		null,
		'\t'
	)}\n`,
	'tsconfig.json': `${JSON.stringify(
		{
			compilerOptions: {
				lib: ['ESNext'],
				target: 'ESNext',
				module: 'Preserve',
				moduleDetection: 'force',
				jsx: 'react-jsx',
				allowJs: true,
				moduleResolution: 'bundler',
				allowImportingTsExtensions: true,
				verbatimModuleSyntax: true,
				noEmit: true,
				strict: true,
				skipLibCheck: true,
				noFallthroughCasesInSwitch: true,
				noUncheckedIndexedAccess: true,
				noImplicitOverride: true,
				types: ['bun']
			}
		},
		null,
		'\t'
	)}\n`,
	'src/index.ts': [
		"import { Elysia } from 'elysia'",
		"import { createChat } from './chatkit'",
		'',
		'const port = Number(process.env.PORT) || 3000',
		'',
		'export const app = new Elysia()',
		"\t.get('/', () => 'ok')",
		'\t.use(createChat())',
		'\t.listen(port)',
		'',
		'console.log(`ChatKit on http://localhost:${app.server?.port}/chatkit`)',
		''
	].join('\n'),
	'.gitignore': ['node_modules', '.data', '.env', ''].join('\n')
})
