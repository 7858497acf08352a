/**
 * Added latency of authentication per request: the same route through `app.handle`, without auth and
 * with each auth plugin, sequentially in a loop; prints the median and p99 per request.
 * Run: bun run bench/auth.ts [requests per case, default 20000]
 */
import { Elysia } from 'elysia'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose'
import { devUser, jwtAuth, sessionAuth, signCookieValue, verifyCookieValue } from '../plugins/auth'

const requests = Number(process.argv[2]) || 20_000
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

const cases: {
	name: string
	app: { handle(request: Request): Promise<Response> }
	headers: Record<string, string>
}[] = [
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
	sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]

async function measure(app: (typeof cases)[number]['app'], headers: Record<string, string>) {
	const times: number[] = []
	for (let i = 0; i < requests + 1000; i++) {
		const request = new Request('http://localhost/chatkit', { method: 'POST', headers })
		const start = performance.now()
		const res = await app.handle(request)
		await res.text()
		if (i >= 1000) times.push(performance.now() - start)
		if (res.status !== 200) throw new Error(`unexpected status ${res.status}`)
	}
	return times.sort((a, b) => a - b)
}

const results = []
for (const { name, app, headers } of cases) results.push({ name, times: await measure(app, headers) })
jwks.stop(true)

const base = percentile(results[0].times, 0.5)
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`
console.log(
	`Bun ${Bun.version}, ${requests} sequential requests per case through app.handle (after 1000 warm-up)\n`
)
console.log('| case | median | p99 | added (median) |')
console.log('| --- | ---: | ---: | ---: |')
for (const { name, times } of results) {
	const median = percentile(times, 0.5)
	console.log(
		`| ${name} | ${us(median)} | ${us(percentile(times, 0.99))} | ${name === 'no auth' ? '–' : us(median - base)} |`
	)
}
