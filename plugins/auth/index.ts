export {
	type AuthLogger,
	type AuthOutcome,
	type AuthPlugin,
	type AuthUser,
	type UnauthorizedBody,
	AuthConfigError
} from './core'
export { type DevUserOptions, devUser } from './dev'
export { type AuthEnv, type AuthFromEnvOptions, type AuthMode, authFromEnv, authModeFromEnv } from './env'
export {
	type JWTPayload,
	type JwtAlgorithm,
	type JwtAuthOptions,
	type MapUserContext,
	jwtAlgorithms,
	jwtAuth,
	userFromClaims
} from './jwt'
export { type SessionAuthOptions, sessionAuth, signCookieValue, verifyCookieValue } from './session'
