/**
 * Where the value behind a finding is written, when it is not in the template itself: a finding at
 * `[parameters('sku')]`, `[variables('cfg').sku]` or `[concat('acr', parameters('env'))]` in a module or a
 * template with a parameter file is fixed where the parameter's value is written, by a parameter file or a
 * calling deployment, followed up through callers that pass their own parameters on.
 *
 * Works on the raw template text only (the expressions as written and the raw `variables`), never on
 * evaluated values, so it costs nothing unless a finding asks.
 */
import type { JsonPath, ParameterOrigin } from './eval/template.js';
import { isExpression, parseExpression, type Expr } from './eval/parser.js';
import { fieldOf, findKey, isRecord } from './json.js';

/** A parameter value written outside the template, and where in it the finding's value sits. */
export interface TracedOrigin {
  parameter: string;
  origin: ParameterOrigin;
  /** `origin.path` plus the property and index accesses the expression applies to the parameter. */
  path: JsonPath;
}

interface Scope {
  origins: ReadonlyMap<string, ParameterOrigin>;
  variables: unknown;
  /** The copy index of the resource the value belongs to, for `parameters('regions')[copyIndex()]`. */
  copyIndex?: number;
  /** Instance indexes of the named copy loops the value is in (lower-case name), for `copyIndex('policies')`. */
  loops?: ReadonlyMap<string, number>;
}

/** Variables followed through each other before giving up (a chain, not a cycle, since ARM refuses cycles). */
const MAX_HOPS = 32;
/** String leaves of a variable's object or array value read for expressions. */
const MAX_LEAVES = 64;

export interface OriginTrace {
  /** The parameters whose written values make the finding's value. */
  origins: TracedOrigin[];
  /** True when the value is exactly one parameter's value (or part of it), not computed from it. */
  direct: boolean;
}

/** Traces `raw` (the JSON value a finding points at) to the parameter values written elsewhere that make it. */
export function traceOrigins(raw: unknown, origins: ReadonlyMap<string, ParameterOrigin> | undefined, variables: unknown, copyIndex?: number, loops?: ReadonlyMap<string, number>): OriginTrace {
  if (!origins?.size || typeof raw !== 'string' || !isExpression(raw)) return { origins: [], direct: false };
  const found: TracedOrigin[] = [];
  const direct = trace(raw, { origins, variables, copyIndex, loops }, found, 0);
  const distinct = found.filter((o, i) => found.findIndex((p) => p.origin === o.origin && samePath(p.path, o.path)) === i);
  // A part of a value that is itself an origin adds nothing: `cmk` covers `cmk.keyName`.
  const unique = distinct.filter((o) => !distinct.some((p) => p !== o && p.origin === o.origin && p.path.length < o.path.length && samePath(p.path, o.path.slice(0, p.path.length))));
  return { origins: unique, direct: direct && unique.length === 1 };
}

/**
 * Adds the origins of expression `text` to `out`; true when the expression is a bare reference to one.
 * `suffix`: accesses still to apply to the value (`variables('cfg').sku` where cfg is `[parameters('p')]`).
 */
function trace(text: string, scope: Scope, out: TracedOrigin[], hops: number, suffix: JsonPath = []): boolean {
  let expr: Expr;
  try {
    expr = parseExpression(text);
  } catch {
    return false;
  }
  return visit(expr, scope, out, hops, suffix);
}

/** `suffix` is undefined below the top of the expression: there the value is computed, not passed through. */
function visit(expr: Expr, scope: Scope, out: TracedOrigin[], hops: number, suffix: JsonPath | undefined): boolean {
  const { base, access } = accessChain(expr, scope);
  const bareAccess = suffix !== undefined && access.complete ? [...access.known, ...suffix] : undefined;
  if (base.t === 'call' && base.args.length === 1 && base.args[0]!.t === 'str') {
    const fn = base.name.toLowerCase();
    const name = base.args[0]!.v;
    if (fn === 'parameters') {
      const origin = scope.origins.get(name.toLowerCase());
      if (!origin) return false;
      // Inside a computed value, a complete access chain is still exactly that part of the parameter: follow it up too.
      const exact = bareAccess ?? (access.complete ? access.known : undefined);
      out.push(...followUp({ parameter: name, origin, path: [...origin.path, ...(bareAccess ?? access.known)] }, exact, hops));
      return bareAccess !== undefined;
    }
    if (fn === 'variables') {
      const definition = fieldOf(scope.variables, name);
      if (definition === undefined || hops >= MAX_HOPS) return false;
      // A variable's own copyIndex() counts its variable copy loop, not the resource's.
      const inner = { ...scope, copyIndex: undefined, loops: undefined };
      const { value, rest } = descend(definition, bareAccess ?? access.known);
      if (typeof value === 'string' && isExpression(value)) return trace(value, inner, out, hops + 1, bareAccess === undefined ? undefined : rest) && bareAccess !== undefined;
      for (const leaf of leaves(value)) trace(leaf, inner, out, hops + 1, undefined);
      return false;
    }
  }
  for (const child of children(base)) visit(child, scope, out, hops, undefined);
  for (const index of access.indexExprs) visit(index, scope, out, hops, undefined);
  return false;
}

/**
 * A caller that passes its own `[parameters('x')]` (or a variable made of one) on: the value is written further
 * up. Only a bare reference in the caller is followed, with the accesses applied on the way, so the path stays exact.
 */
function followUp(found: TracedOrigin, access: JsonPath | undefined, hops: number): TracedOrigin[] {
  const { origin } = found;
  if (!origin.outer?.size || access === undefined || hops >= MAX_HOPS) return [found];
  const outerRaw = descend(origin.raw, access);
  if (typeof outerRaw.value !== 'string' || !isExpression(outerRaw.value)) return [found];
  const further: TracedOrigin[] = [];
  const bare = trace(outerRaw.value, { origins: origin.outer, variables: origin.variables }, further, hops + 1, outerRaw.rest);
  return bare && further.length === 1 ? further : [found];
}

/**
 * `x.a[0].b` (or `tryGet(x, 'a', 0).b`) → base `x` and the accesses as far as they are literal (or `copyIndex()`
 * with a known index).
 */
function accessChain(expr: Expr, scope: Scope): { base: Expr; access: { known: JsonPath; complete: boolean; indexExprs: Expr[] } } {
  const steps: (string | number | undefined)[] = [];
  const indexExprs: Expr[] = [];
  let base = expr;
  for (;;) {
    if (base.t === 'prop') {
      steps.push(base.name);
      base = base.obj;
    } else if (base.t === 'index') {
      steps.push(literalIndex(base.index, scope));
      indexExprs.push(base.index);
      base = base.obj;
    } else if (base.t === 'call' && base.name.toLowerCase() === 'tryget' && base.args.length >= 2) {
      // Bicep's `x.?a.b` compiles to tryGet(x, 'a', 'b'): the same accesses, null where a step is missing.
      const keys = base.args.slice(1);
      for (let i = keys.length - 1; i >= 0; i--) {
        steps.push(literalIndex(keys[i]!, scope));
        indexExprs.push(keys[i]!);
      }
      base = base.args[0]!;
    } else break;
  }
  steps.reverse();
  const cut = steps.indexOf(undefined);
  const known = (cut < 0 ? steps : steps.slice(0, cut)) as JsonPath;
  return { base, access: { known, complete: cut < 0, indexExprs } };
}

function literalIndex(index: Expr, scope: Scope): string | number | undefined {
  if (index.t === 'num') return index.v;
  if (index.t === 'str') return index.v;
  if (index.t === 'call' && index.name.toLowerCase() === 'copyindex') {
    const [first, second] = index.args;
    // copyIndex(), copyIndex(offset), copyIndex('loop') and copyIndex('loop', offset).
    const base = first?.t === 'str' ? scope.loops?.get(first.v.toLowerCase()) : scope.copyIndex;
    const offset = first?.t === 'str' ? second : first;
    if (base === undefined || index.args.length > (first?.t === 'str' ? 2 : 1)) return undefined;
    if (offset === undefined) return base;
    if (offset.t === 'num') return base + offset.v;
  }
  return undefined;
}

function children(expr: Expr): Expr[] {
  if (expr.t === 'call') return expr.args;
  if (expr.t === 'prop') return [expr.obj];
  if (expr.t === 'index') return [expr.obj, expr.index];
  return [];
}

/**
 * The raw JSON at `path` under `value`, keys matched case-insensitively as ARM does; `rest` is the part of
 * the path below a value that is not plain JSON (an expression string, which applies it at deploy time).
 */
function descend(value: unknown, path: JsonPath): { value: unknown; rest: JsonPath } {
  let v = value;
  for (let i = 0; i < path.length; i++) {
    const step = path[i]!;
    if (typeof step === 'number' && Array.isArray(v) && step >= 0 && step < v.length) v = v[step];
    else if (typeof step === 'string' && isRecord(v)) {
      const key = findKey(v, step);
      if (key === undefined) return { value: undefined, rest: [] };
      v = v[key];
    } else return typeof v === 'string' ? { value: v, rest: path.slice(i) } : { value: undefined, rest: [] };
  }
  return { value: v, rest: [] };
}


function leaves(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (out.length >= MAX_LEAVES) return;
    if (typeof v === 'string') {
      if (isExpression(v)) out.push(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (isRecord(v)) Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}


function samePath(a: JsonPath, b: JsonPath): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/**
 * " The value is passed by deployment 'acr' at main.json:20:29." for a value passed through, " The value is
 * computed from parameter 'env' (set in the parameter file at ...)." for one built from it; '' without origins.
 */
export function describeTrace(trace: OriginTrace, where: (o: TracedOrigin) => string): string {
  const { origins, direct } = trace;
  if (!origins.length) return '';
  if (direct) {
    const o = origins[0]!;
    return o.origin.deployment ? ` The value is passed by deployment '${o.origin.deployment}' at ${where(o)}.` : ` The value comes from the parameter file at ${where(o)}.`;
  }
  // Several parts of one parameter written at one place (a caller's expression) read as one origin.
  const labels = [...new Set(origins.map((o) => `'${o.parameter}' (${o.origin.deployment ? `passed by deployment '${o.origin.deployment}' at` : 'set in the parameter file at'} ${where(o)})`))];
  const shown = labels.slice(0, 3);
  const more = labels.length > 3 ? ` and ${labels.length - 3} more` : '';
  const list = shown.length > 1 && !more ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}` : `${shown.join(', ')}${more}`;
  return ` The value is computed from parameter${labels.length > 1 ? 's' : ''} ${list}.`;
}
