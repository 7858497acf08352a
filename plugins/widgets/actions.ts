import type { z } from 'zod'
import type { ActionDefinition } from '../actions/definition'
import type { ActionsKey } from '../actions/index'

/**
 * The action definitions behind a type: those an `actions()` plugin registered (or all those of
 * an app that uses such plugins), or a definitions object itself. An app with no `actions()`
 * plugin has none.
 */
export type RegistryOf<P> = P extends { '~Singleton': { decorator: infer Decorators } }
	? Decorators extends Record<ActionsKey, infer D>
		? D
		: {}
	: P

/** A registry that accepts any action `type` with any payload: for handlers written by hand. */
export type AnyActions = Record<string, ActionDefinition<z.ZodType<unknown>, boolean>>

type PayloadOf<Definition> = Definition extends { payload: infer S extends z.ZodType } ? z.input<S> : unknown
type StreamingOf<Definition> = Definition extends { streaming: infer S } ? S : boolean

/** The payload a widget writes when a form supplies the rest: every field optional, at any depth. */
export type FormPayload<T> = T extends readonly unknown[]
	? T
	: T extends object
		? { [K in keyof T]?: FormPayload<T[K]> }
		: T

type PayloadField<P> = undefined extends P ? { payload?: P } : { payload: P }

type StreamingField<S> = [S] extends [false]
	? { streaming: false }
	: [S] extends [true]
		? { streaming?: true | null }
		: { streaming?: boolean | null }

interface ActionConfigBase {
	/** What shows the action is running. @default 'auto' */
	loadingBehavior?: 'auto' | 'none' | 'self' | 'container' | null
}

/**
 * An action the client handles itself (its `widgets.onAction`), registered nowhere on the server:
 * the escape hatch for any `type`.
 */
export interface ClientAction extends ActionConfigBase {
	type: string
	handler: 'client'
	payload?: unknown
	streaming?: boolean | null
}

type ServerAction<D, K extends keyof D, Form extends boolean> = ActionConfigBase & {
	type: K
	handler?: 'server' | null
} & PayloadField<Form extends true ? FormPayload<PayloadOf<D[K]>> : PayloadOf<D[K]>> &
	StreamingField<StreamingOf<D[K]>>

/**
 * An action a widget may send, checked against the registered ones: a registered `type` with a
 * payload of its schema's input type (`streaming: false` for synchronous actions), or a
 * `handler: 'client'` action.
 */
export type TypedAction<D> =
	| { [K in keyof D & string]: ServerAction<D, K, false> }[keyof D & string]
	| ClientAction

/**
 * An action fired inside a form: the client merges the form's field values into its payload, so
 * the widget writes only part of it (the server still validates the whole).
 */
export type TypedFormAction<D> =
	| { [K in keyof D & string]: ServerAction<D, K, true> }[keyof D & string]
	| ClientAction

declare const formBound: unique symbol

/** A form action made by `formAction()`, accepted by any action prop of a control inside a form. */
export type FormAction<D> = TypedFormAction<D> & { readonly [formBound]: true }

/** What an action prop (`onClickAction`, `onChangeAction`) accepts. */
export type ActionProp<D> = TypedAction<D> | FormAction<D>
/** What a form's action prop (`Form.onSubmitAction`, a form Card's `confirm`/`cancel`) accepts. */
export type FormActionProp<D> = TypedFormAction<D> | FormAction<D>
