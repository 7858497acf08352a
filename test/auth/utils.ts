import { exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from 'jose'

export const secret = 'a-test-secret-that-is-long-enough-for-hs256'
export const secretKey = new TextEncoder().encode(secret)

export interface KeyPair {
	privateKey: CryptoKey
	publicKey: CryptoKey
	pem: string
}

export const keyPair = async (alg: 'RS256' | 'ES256' | 'ES384' | 'PS256' | 'EdDSA'): Promise<KeyPair> => {
	const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
	return { privateKey, publicKey, pem: await exportSPKI(publicKey) }
}

const now = () => Math.floor(Date.now() / 1000)

export interface SignOptions {
	alg?: string
	kid?: string
	sub?: string | null
	/** Seconds from now; `null` for no exp claim. */
	exp?: number | null
	/** Seconds from now. */
	nbf?: number
	iss?: string
	aud?: string
}

/** A signed token with `sub` and a one-hour `exp` unless told otherwise. */
export const sign = (claims: JWTPayload, key: CryptoKey | Uint8Array, options: SignOptions = {}) => {
	const { alg = 'HS256', kid, sub = 'user_1', exp = 3600, nbf, iss, aud } = options
	const jwt = new SignJWT(claims).setProtectedHeader(kid ? { alg, kid } : { alg }).setIssuedAt()
	if (sub !== null) jwt.setSubject(sub)
	if (exp !== null) jwt.setExpirationTime(now() + exp)
	if (nbf !== undefined) jwt.setNotBefore(now() + nbf)
	if (iss) jwt.setIssuer(iss)
	if (aud) jwt.setAudience(aud)
	return jwt.sign(key)
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** An unsecured token (`alg: none`, empty signature). */
export const unsecuredToken = (payload: JWTPayload) =>
	`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ exp: now() + 3600, ...payload })}.`

/** The same token with its payload replaced and the original signature kept. */
export const withPayload = (token: string, payload: JWTPayload) => {
	const [header, , signature] = token.split('.')
	return `${header}.${b64(payload)}.${signature}`
}

export const req = (path: string, init: RequestInit = {}) => new Request(`http://localhost${path}`, init)

export const bearer = (token: string, init: RequestInit = {}) =>
	req('/me', {
		...init,
		headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` }
	})

/** A log sink for the plugins' `log` option. */
export const logSink = () => {
	const lines: string[] = []
	return Object.assign((line: string) => void lines.push(line), { lines })
}
