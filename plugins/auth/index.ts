export {
	AuthConfigError,
	type AuthLogger,
	type AuthOutcome,
	type AuthPlugin,
	type AuthUser,
	type UnauthorizedBody
} from './core'
export { type DevUserOptions, devUser } from './dev'
export { type AuthEnv, type AuthFromEnvOptions, type AuthMode, authFromEnv, authModeFromEnv } from './env'
export {
	type JWTPayload,
	type JwtAlgorithm,
	type JwtAuthOptions,
	jwtAlgorithms,
	jwtAuth,
	type MapUserContext,
	userFromClaims
} from './jwt'
export { type SessionAuthOptions, sessionAuth, signCookieValue, verifyCookieValue } from './session'
