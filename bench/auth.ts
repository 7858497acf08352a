/**
 * Added latency per request of authentication, and of the limits plugin: the same route through
 * `app.handle`, without and with each plugin, sequentially in a loop; prints the median and p99 per request.
 * The limiter runs inside `chatkit()` (memory store, development user) with its memory, SQLite (a WAL
 * file) and PostgreSQL backends; PostgreSQL runs in a fresh database `chatkit_bench_<random>` created from
 * BENCH_POSTGRES_URL (default the local maintenance database) and dropped at the end.
 * Run: bun run bench/auth.ts [requests per case, default 20000] [--no-postgres]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Elysia } from 'elysia'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose'
import postgres from 'postgres'
import { devUser, jwtAuth, sessionAuth, signCookieValue, verifyCookieValue } from '../plugins/auth'
import {
	limits,
	MemoryRateLimitBackend,
	PostgresRateLimitBackend,
	type RateLimitBackend,
	SqliteRateLimitBackend
} from '../plugins/limits'
import { SqliteStore } from '../plugins/store'
import { chatkit } from '../src/chatkit'
import type { Responder } from '../src/engine/types'
import { MemoryStore } from '../src/store/memory'
import { at } from './lib/report'

const requests = Number(process.argv[2]) || 20_000
const withPostgres = !process.argv.includes('--no-postgres')
const silent = () => {}
const secret = 'a-benchmark-secret-that-is-long-enough'
const hmacKey = new TextEncoder().encode(secret)

const token = (alg: string, key: CryptoKey | Uint8Array, kid?: string) =>
	new SignJWT({ tenant_id: 'acme', roles: ['member'] })
		.setProtectedHeader(kid ? { alg, kid } : { alg })
		.setSubject('user_1')
		.setIssuer('https://auth.example.com')
		.setAudience('chatkit')
		.setExpirationTime('2h')
		.sign(key)

const rsa = await generateKeyPair('RS256')
const ec = await generateKeyPair('ES256')
const jwks = Bun.serve({
	port: 0,
	hostname: '127.0.0.1',
	fetch: async () =>
		Response.json({ keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256' }] })
})
const claims = { issuer: 'https://auth.example.com', audience: 'chatkit', log: silent }
const route = (app: Elysia<any, any, any, any, any, any, any>) => app.post('/chatkit', () => 'ok')

interface Case {
	name: string
	app: { handle(request: Request): Promise<Response> }
	headers: Record<string, string>
	body?: string
}

const cases: Case[] = [
	{ name: 'no auth', app: route(new Elysia()), headers: {} },
	{ name: 'devUser', app: route(new Elysia().use(devUser({ env: {} }))), headers: {} },
	{
		name: 'jwtAuth HS256',
		app: route(new Elysia().use(jwtAuth({ secret, ...claims }))),
		headers: { authorization: `Bearer ${await token('HS256', hmacKey)}` }
	},
	{
		name: 'jwtAuth RS256 (PEM)',
		app: route(new Elysia().use(jwtAuth({ publicKey: await exportSPKI(rsa.publicKey), ...claims }))),
		headers: { authorization: `Bearer ${await token('RS256', rsa.privateKey)}` }
	},
	{
		name: 'jwtAuth ES256 (PEM)',
		app: route(new Elysia().use(jwtAuth({ publicKey: await exportSPKI(ec.publicKey), ...claims }))),
		headers: { authorization: `Bearer ${await token('ES256', ec.privateKey)}` }
	},
	{
		name: 'jwtAuth RS256 (JWKS, cached)',
		app: route(new Elysia().use(jwtAuth({ jwksUrl: `http://127.0.0.1:${jwks.port}/jwks`, ...claims }))),
		headers: { authorization: `Bearer ${await token('RS256', rsa.privateKey, 'k1')}` }
	},
	{
		name: 'sessionAuth (signed cookie)',
		app: route(
			new Elysia().use(
				sessionAuth({
					log: silent,
					verify: (value) => (verifyCookieValue(value, secret) ? { id: 'user_1' } : null)
				})
			)
		),
		headers: { cookie: `chatkit_session=${signCookieValue('user_1', secret)}` }
	}
]

const percentile = (sorted: number[], p: number) =>
	at(sorted, Math.min(sorted.length - 1, Math.floor(sorted.length * p)))

async function measure({ app, headers, body }: Case) {
	const times: number[] = []
	for (let i = 0; i < requests + 1000; i++) {
		const request = new Request('http://localhost/chatkit', { method: 'POST', headers, body })
		const start = performance.now()
		const res = await app.handle(request)
		const text = await res.text()
		if (i >= 1000) times.push(performance.now() - start)
		if (res.status !== 200 || text.includes('"type":"error"'))
			throw new Error(`unexpected answer ${res.status}: ${text.slice(0, 200)}`)
	}
	return times.sort((a, b) => a - b)
}

const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`
const report = async (title: string, group: Case[]) => {
	const results = []
	for (const entry of group) results.push({ name: entry.name, times: await measure(entry) })
	const base = percentile(at(results, 0).times, 0.5)
	console.log(`\n${title}\n`)
	console.log('| case | median | p99 | added (median) |')
	console.log('| --- | ---: | ---: | ---: |')
	for (const [index, { name, times }] of results.entries()) {
		const median = percentile(times, 0.5)
		console.log(
			`| ${name} | ${us(median)} | ${us(percentile(times, 0.99))} | ${index === 0 ? '–' : us(median - base)} |`
		)
	}
}

console.log(
	`Bun ${Bun.version}, ${requests} sequential requests per case through app.handle (after 1000 warm-up)`
)
await report('Authentication (one POST route)', cases)
jwks.stop(true)

const dir = mkdtempSync(join(tmpdir(), 'chatkit-bench-limits-'))
const sqlite = new SqliteStore({ path: join(dir, 'limits.db') })
const backends: [string, RateLimitBackend][] = [
	['memory', new MemoryRateLimitBackend()],
	['SQLite', new SqliteRateLimitBackend(sqlite.client)]
]
const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const database = `chatkit_bench_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`
let pool: postgres.Sql | undefined
if (withPostgres) {
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
	await admin.unsafe(`create database ${database}`)
	await admin.end()
	const url = new URL(adminUrl)
	url.pathname = `/${database}`
	pool = postgres(url.toString(), { max: 4, onnotice: () => {} })
	const backend = new PostgresRateLimitBackend(pool)
	await backend.ready()
	backends.push(['PostgreSQL', backend])
}

const quiet: Responder = async function* () {}
const limited = (backend?: RateLimitBackend) => {
	const app = new Elysia().use(devUser({ env: {} }))
	const withLimits = backend
		? app.use(limits({ backend, requestsPerMinute: 1e9, maxConcurrentStreams: 1e6, env: {} }))
		: app
	return withLimits.use(chatkit({ store: new MemoryStore(), respond: quiet }))
}
const json = { 'content-type': 'application/json' }
const list = JSON.stringify({ type: 'threads.list', params: { limit: 1 } })
const create = JSON.stringify({
	type: 'threads.create',
	params: {
		input: { content: [{ type: 'input_text', text: 'hi' }], attachments: [], inference_options: {} }
	}
})
try {
	await report(
		'Limits on a JSON request (`threads.list`, memory store): one counted hit',
		[['no limits', undefined] as const, ...backends].map(([name, backend]) => ({
			name: backend ? `limits, ${name} backend` : name,
			app: limited(backend),
			headers: json,
			body: list
		}))
	)
	await report(
		'Limits on a streaming request (`threads.create`, empty reply, memory store): hit, stream slot taken and given back',
		[['no limits', undefined] as const, ...backends].map(([name, backend]) => ({
			name: backend ? `limits, ${name} backend` : name,
			app: limited(backend),
			headers: json,
			body: create
		}))
	)
} finally {
	await sqlite.close()
	rmSync(dir, { recursive: true, force: true })
	if (pool) {
		await pool.end()
		const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
		await admin.unsafe(`drop database if exists ${database} with (force)`)
		await admin.end()
	}
}
