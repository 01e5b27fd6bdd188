import type { Lambda, Value } from '../value.js';

/** An error in a template expression: wrong arguments, bad types, out-of-range index... Becomes TPL002. */
export class TemplateEvalError extends Error {
  override name = 'TemplateEvalError';

  constructor(
    message: string,
    /** A sentence that helps fix it (" Did you mean 'x'?"), told after where the error happened. */
    readonly hint = '',
  ) {
    super(message);
  }
}

/** `message`, followed by the hint of `err` when it has one. */
export function withHint(err: unknown, message: string): string {
  const hint = err instanceof TemplateEvalError ? err.hint : '';
  return hint ? `${message}.${hint}` : message;
}

/** What a function may ask of the evaluator that calls it. */
export interface FunctionContext {
  /** Invokes a lambda argument (filter/map/reduce/...) with the given lambda variables. */
  callLambda(fn: Lambda, args: Value[]): Value;
}

/**
 * One ARM template function.
 *
 * `unknowns: 'strict'` (the default): when any argument contains an unknown anywhere, the evaluator returns
 * `Unknown.derived(name, args)` without calling `impl`, so `impl` only ever sees known values.
 * `unknowns: 'custom'`: `impl` receives unknowns and decides itself (concat keeps known parts, length of an array
 * with unknown elements is known, ...).
 * `lazy`: arguments arrive as thunks, evaluated only when asked for (if, and, or, coalesce).
 */
export interface FunctionDef {
  /** Canonical spelling; lookup is case-insensitive. */
  name: string;
  minArgs: number;
  maxArgs: number;
  unknowns?: 'strict' | 'custom';
  /** Takes lambdas: a `lambda(...)` written directly as one of its arguments is passed as a Lambda (and only there). */
  takesLambdas?: boolean;
  impl?: (args: Value[], ctx: FunctionContext) => Value;
  lazy?: (args: (() => Value)[], ctx: FunctionContext) => Value;
}
