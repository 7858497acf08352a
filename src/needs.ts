import { type AnyElysia, Elysia } from 'elysia'

/** The context keys an Elysia app (or plugin) gives its routes and hooks. */
export type ContextOf<A extends AnyElysia> = A['~Singleton']['decorator'] &
	A['~Singleton']['derive'] &
	A['~Singleton']['resolve'] &
	A['~Volatile']['derive'] &
	A['~Volatile']['resolve'] &
	A['~Ephemeral']['derive'] &
	A['~Ephemeral']['resolve']

/** The keys of `Needs` that `Provided` lacks, or provides with another type. */
export type UnmetNeeds<Provided, Needs> = {
	[K in keyof Needs]-?: K extends keyof Provided ? (Provided[K] extends Needs[K] ? never : K) : K
}[keyof Needs]

/**
 * What `.use(plugin)` gives when the app lacks a context key the plugin reads: a compile error that names
 * the plugin, and each key it needs with the plugin that adds it.
 */
export interface PluginNeeds<Plugin extends string, Providers> {
	'needs context keys that a plugin used before it must add': { plugin: Plugin; needs: Providers }
}

/** An Elysia instance whose hooks and routes see `Needs` (a type only: it adds nothing at run time). */
export type NeedsContext<Needs extends Record<string, unknown>> = Elysia<
	'',
	{ decorator: {}; store: {}; derive: Needs; resolve: {} }
>

/** The app `A` once it has used the plugin instance `P` (what `A.use(P)` gives). */
export type UsedBy<A extends AnyElysia, P extends AnyElysia> = Elysia<
	A['~Prefix'],
	{
		decorator: A['~Singleton']['decorator'] & P['~Singleton']['decorator']
		store: A['~Singleton']['store'] & P['~Singleton']['store']
		derive: A['~Singleton']['derive'] & P['~Singleton']['derive']
		resolve: A['~Singleton']['resolve'] & P['~Singleton']['resolve']
	},
	A['~Definitions'] & P['~Definitions'],
	A['~Metadata'] & P['~Metadata'],
	A['~Routes'] & P['~Routes'],
	A['~Ephemeral'],
	A['~Volatile'] & P['~Ephemeral']
>

/**
 * A plugin that reads context keys other plugins add: `.use()` it after them. An app that lacks one gets a
 * compile error whose type names this plugin, and each key it needs with the plugin that adds it.
 */
export type NeedsBeforeIt<Plugin extends string, Providers, Needs, Result = never> = <
	const A extends AnyElysia
>(
	app: A
) => [UnmetNeeds<ContextOf<A>, Needs>] extends [never]
	? [Result] extends [never]
		? A
		: Result extends AnyElysia
			? UsedBy<A, Result>
			: A
	: PluginNeeds<Plugin, Providers>

/** The declared dependencies of one plugin (see `needs`). */
export interface PluginDependencies<
	Needs extends Record<string, unknown>,
	Name extends string,
	Providers extends { [K in keyof Needs]: string }
> {
	/** `.use()` it first in the plugin: the needed keys are then typed (not optional) in its hooks. */
	context: NeedsContext<Needs>
	/**
	 * The plugin as the app uses it: `.use(plugin)` compiles only when the app provides every needed key,
	 * with its type, before it.
	 */
	plugin<const P extends AnyElysia>(instance: P): NeedsBeforeIt<Name, Providers, Needs, P>
}

/**
 * Declares the context keys a plugin reads that other plugins add (`user` from an auth plugin, a
 * `chatkitStore`, another plugin's key), and which plugin adds each. Inside the plugin the keys are typed,
 * without a cast; an app that uses the plugin without providing them first does not compile, and the error
 * names the keys and the plugins to use. (Using the auth plugin *inside* your plugin would not do: its
 * `derive` runs for your plugin's own routes only, never for the app's.)
 *
 * @example
 * const deps = needs<{ user: ChatKitUser }>()('acme/audit', { user: 'an auth plugin: devUser(), jwtAuth() or sessionAuth()' })
 * export const audit = () =>
 *   deps.plugin(
 *     new Elysia({ name: 'acme/audit' })
 *       .use(deps.context)
 *       .derive({ as: 'scoped' }, ({ user }) => ({ auditUser: user.id }))  // user: ChatKitUser
 *   )
 */
export const needs =
	<Needs extends Record<string, unknown>>() =>
	<const Name extends string, const Providers extends { [K in keyof Needs]: string }>(
		name: Name,
		providers: Providers
	): PluginDependencies<Needs, Name, Providers> => {
		void providers
		return {
			context: new Elysia({
				name: 'elysia-chatkit/needs',
				seed: name
			}) as unknown as NeedsContext<Needs>,
			plugin: <const P extends AnyElysia>(instance: P) =>
				((app: AnyElysia) => app.use(instance)) as unknown as NeedsBeforeIt<Name, Providers, Needs, P>
		}
	}
