/**
 * Evaluation of parsed expressions in an environment. Library functions come from the function tables;
 * functions that need the template (parameters, variables, copyIndex, reference, resourceId, scope...)
 * are asked of the environment's `TemplateHost`.
 */
import { DEFAULT_MAX_NESTING, parseExpression, type Expr } from './parser.js';
import { didYouMean } from '../suggest.js';
import { TemplateEvalError, type FunctionContext, type FunctionDef } from './functions/types.js';
import { arrayFunctions } from './functions/array.js';
import { objectFunctions } from './functions/object.js';
import { logicFunctions } from './functions/logic.js';
import { stringFunctions } from './functions/string.js';
import { dateFunctions } from './functions/date.js';
import { cidrFunctions } from './functions/cidr.js';
import { Lambda, PartialString, Unknown, containsUnknown, getProperty, isObject, typeName, unknownRest, valueKey, type Value, type ValueObject } from './value.js';

/**
 * Where an expression stands in the template; some functions are legal only in some places. `location` is a
 * resource's top-level location; the rest of a resource (properties, sku, tags...) is `body`.
 */
export type Site = 'parameter' | 'variable' | 'name' | 'location' | 'body' | 'output' | 'condition' | 'count' | 'function';

/** The template side of evaluation: implemented by the template evaluator. */
export interface TemplateHost {
  /** Functions that need the template or deployment; undefined when `name` is not one of them. */
  /** `name` is lower case; `written` is the name as the template spells it, for messages. */
  callContextFunction(name: string, args: Value[], env: Env, written?: string): Value | undefined;
  isContextFunction(name: string): boolean;
  /** Names of the context and user-defined functions, as written, for suggestions. */
  functionNames(): string[];
  userFunction(name: string): UserFunction | undefined;
  budget: Budget;
}

export interface UserFunction {
  /** `namespace.member` as the template writes it. */
  name: string;
  params: string[];
  /** Evaluates the function's output in an environment that holds its parameters. */
  body(env: Env): Value;
}

export interface CopyFrame {
  name: string;
  index: Value;
  parent?: CopyFrame;
  /** Property and variable loops answer only `copyIndex('name')`; resource and output loops also `copyIndex()`. */
  namedOnly?: boolean;
  /** A resource copy loop (or a child resource's copied parent): references() is not allowed inside. */
  resource?: boolean;
}

export interface Env {
  host: TemplateHost;
  site: Site;
  copy?: CopyFrame;
  lambdaVars?: Map<string, Value>;
  /** Inside a user-defined function: its own parameters. */
  functionParams?: Map<string, Value>;
  /** In a parameter default: the parameter's name (newGuid()/utcNow() are unique per parameter). */
  paramName?: string;
}

/** Per-file limits that keep hostile templates bounded (evaluation steps, size of computed values). */
export class Budget {
  steps = 0;
  /** Array elements and object members computed so far (shared parts once). */
  built = 0;
  constructor(
    readonly maxSteps = 2_000_000,
    readonly maxStringLength = 4_000_000,
    readonly maxArrayLength = 100_000,
    readonly maxExpressionDepth = DEFAULT_MAX_NESTING,
    readonly maxValueSize = 1_000_000,
    readonly maxBuilt = 5_000_000,
  ) {}

  step(): void {
    if (++this.steps > this.maxSteps) throw new BudgetExceeded(`evaluation took more than ${this.maxSteps} steps`);
  }

  checkSize(v: Value): Value {
    if (typeof v === 'string' && v.length > this.maxStringLength) {
      throw new BudgetExceeded(`a computed string is longer than ${this.maxStringLength} characters`);
    }
    if (Array.isArray(v) && v.length > this.maxArrayLength) {
      throw new BudgetExceeded(`a computed array has more than ${this.maxArrayLength} elements`);
    }
    if (v !== null && typeof v === 'object' && !(v instanceof Unknown) && !(v instanceof PartialString) && !(v instanceof Lambda)) this.checkTree(v);
    return v;
  }

  /**
   * A value may hold the same object many times (`createObject('l', acc, 'r', acc)` in a reduce, a variable
   * that uses the one before twice): cheap to build, but every function that walks it (string(), equals(),
   * union(), the rules) sees it expanded, 2^40 nodes after 40 steps. Its expanded size is bounded, and so is
   * what a template computes in all (a map() of ranges), before either can hang a scan or exhaust memory.
   */
  private checkTree(v: object): void {
    const counter = { fresh: 0 };
    const size = treeSize(v as Value, this.maxValueSize, counter);
    if (size > this.maxValueSize) throw new BudgetExceeded(`a computed value has more than ${this.maxValueSize} elements (counting every repetition of a shared part)`);
    this.built += counter.fresh;
    if (this.built > this.maxBuilt) throw new BudgetExceeded(`the template computes more than ${this.maxBuilt} array elements and object members in all`);
  }
}

/** Expanded sizes of objects and arrays already measured: a shared part is measured once. */
const MEMO_MIN = 32;
const treeSizes = new WeakMap<object, number>();

/** Elements and members of `v`, expanded, up to `cap` (then cap + 1); `counter.fresh` counts those measured now. */
function treeSize(v: Value, cap: number, counter: { fresh: number }): number {
  if (v === null || typeof v !== 'object' || v instanceof Unknown || v instanceof PartialString || v instanceof Lambda) return 1;
  const known = treeSizes.get(v);
  if (known !== undefined) return known;
  let size = 1;
  if (Array.isArray(v)) {
    for (const item of v) {
      counter.fresh++;
      size += treeSize(item, cap, counter);
      if (size > cap) break;
    }
  } else {
    for (const key in v) {
      counter.fresh++;
      size += treeSize((v as ValueObject)[key]!, cap, counter);
      if (size > cap) break;
    }
  }
  if (size > cap) size = cap + 1;
  // Small values are walked again rather than remembered: most results are small, and a WeakMap entry for
  // each cost more than the walk (a DAG still costs at most MEMO_MIN per remembered node).
  if (size >= MEMO_MIN) treeSizes.set(v, size);
  return size;
}

export class BudgetExceeded extends TemplateEvalError {
  override name = 'BudgetExceeded';
}

const library = new Map<string, FunctionDef>();
for (const def of [...arrayFunctions, ...objectFunctions, ...logicFunctions, ...stringFunctions, ...dateFunctions, ...cidrFunctions]) {
  library.set(def.name.toLowerCase(), def);
}

/** The functions that take lambdas, as a list for messages ('filter, map, ... or groupBy'). */
const LAMBDA_FUNCTIONS = ((names: string[]) => `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`)(
  [...library.values()].filter((d) => d.takesLambdas).map((d) => d.name),
);

export function isLibraryFunction(name: string): boolean {
  return library.has(name.toLowerCase());
}

/** Evaluates an expression string (with its brackets). */
export function evaluateExpressionText(text: string, env: Env): Value {
  return evalExpr(parseExpression(text, env.host.budget.maxExpressionDepth), env);
}

export function evalExpr(e: Expr, env: Env): Value {
  env.host.budget.step();
  switch (e.t) {
    case 'str':
    case 'num':
      return e.v;
    case 'prop':
      return member(evalExpr(e.obj, env), e.name);
    case 'index': {
      const index = evalExpr(e.index, env);
      return member(evalExpr(e.obj, env), index);
    }
    case 'call':
      return env.host.budget.checkSize(call(e, env));
  }
}

/** Property or index access; a missing property or index is an error, as in ARM. */
export function member(obj: Value, key: Value): Value {
  if (key instanceof Unknown || key instanceof PartialString) return Unknown.derived('index', [obj, key]);
  if (obj instanceof Unknown) return obj.member(typeof key === 'number' ? key : keyText(key));
  if (obj instanceof PartialString) return Unknown.derived('index', [obj, key]);
  if (Array.isArray(obj)) {
    if (typeof key !== 'number' || !Number.isInteger(key)) throw new TemplateEvalError(`an array index must be an integer, not ${typeName(key)}`);
    if (key < 0 || key >= obj.length) throw new TemplateEvalError(`index ${key} is out of range: the array has ${obj.length} elements`);
    return obj[key]!;
  }
  if (isObject(obj)) {
    if (typeof key !== 'string') throw new TemplateEvalError(`an object property name must be a string, not ${typeName(key)}`);
    const hit = getProperty(obj, key);
    if (!hit.found) {
      const rest = unknownRest(obj, key);
      if (rest !== undefined) return rest;
      const keys = Object.keys(obj);
      throw new TemplateEvalError(`the object has no property '${key}'${keys.length ? ` (it has ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', ...' : ''})` : ''}`);
    }
    return hit.value;
  }
  throw new TemplateEvalError(`cannot read '${keyText(key)}' of ${typeName(obj)}`);
}

/** Text of an accessor key for keys and messages; objects (null prototype) have no String() conversion. */
export function keyText(key: Value): string {
  return key === null || typeof key !== 'object' ? String(key) : valueKey(key);
}

function call(e: Extract<Expr, { t: 'call' }>, env: Env): Value {
  const lname = e.name.toLowerCase();

  switch (lname) {
    case 'parameters':
      if (env.functionParams) {
        const name = evalNameArg(e, env);
        for (const [k, v] of env.functionParams) if (k.toLowerCase() === name.toLowerCase()) return v;
        throw new TemplateEvalError(`user-defined function has no parameter '${name}'`);
      }
      break;
    case 'lambdavariables': {
      const name = evalNameArg(e, env);
      const v = env.lambdaVars?.get(name.toLowerCase());
      if (v === undefined) throw new TemplateEvalError(`lambdaVariables('${name}') is not a variable of an enclosing lambda`);
      return v;
    }
    case 'lambda':
      // Docs: "Lambda function can only be specified directly as function arguments in these functions".
      throw new TemplateEvalError(
        `lambda() can only be written directly as an argument of ${LAMBDA_FUNCTIONS}; ARM refuses it anywhere else`,
        ` Pass the lambda straight to one of these functions`,
      );
  }

  if (lname.includes('.')) return callUserFunction(e, env);

  const def = library.get(lname);
  if (def) return callLibrary(def, e, env);

  if (env.host.isContextFunction(lname)) {
    if ((lname === 'reference' || lname.startsWith('list')) && env.lambdaVars && e.args.some(usesLambdaVariables)) {
      // Docs: "Using lambda variables inside the listKeys function isn't currently supported" (and reference).
      throw new TemplateEvalError(
        `${e.name}() cannot take lambda variables: ARM does not support lambdaVariables() inside reference() or list*() functions`,
        ` Use a copy loop (copyIndex()) instead of the lambda to call ${e.name}() once per item`,
      );
    }
    const args = e.args.map((a) => evalExpr(a, env));
    const out = env.host.callContextFunction(lname, args, env, e.name);
    if (out !== undefined) return out;
  }
  throw new TemplateEvalError(`unknown function '${e.name}'`, didYouMean(e.name, [...[...library.values()].map((d) => d.name), ...env.host.functionNames()]));
}

/** Whether the expression reads a lambda variable anywhere. */
function usesLambdaVariables(e: Expr): boolean {
  switch (e.t) {
    case 'str':
    case 'num':
      return false;
    case 'prop':
      return usesLambdaVariables(e.obj);
    case 'index':
      return usesLambdaVariables(e.obj) || usesLambdaVariables(e.index);
    case 'call':
      return e.name.toLowerCase() === 'lambdavariables' || e.args.some(usesLambdaVariables);
  }
}

function evalNameArg(e: Extract<Expr, { t: 'call' }>, env: Env): string {
  if (e.args.length !== 1) throw new TemplateEvalError(`${e.name} takes 1 argument, got ${e.args.length}`);
  const v = evalExpr(e.args[0]!, env);
  if (typeof v !== 'string') throw new TemplateEvalError(`${e.name} takes a name (string), got ${typeName(v)}`);
  return v;
}

function makeLambda(e: Extract<Expr, { t: 'call' }>, env: Env): Lambda {
  if (e.args.length < 2) throw new TemplateEvalError('lambda needs at least one variable name and a body');
  const params = e.args.slice(0, -1).map((a) => {
    if (a.t !== 'str') throw new TemplateEvalError('lambda variable names must be string literals');
    return a.v;
  });
  const body = e.args[e.args.length - 1]!;
  return new Lambda(params, { expr: body, env }, `lambda(${params.join(',')}):${JSON.stringify(body)}`);
}

function functionContext(): FunctionContext {
  return {
    callLambda(fn: Lambda, args: Value[]): Value {
      const { expr, env } = fn.body as { expr: Expr; env: Env };
      const vars = new Map(env.lambdaVars ?? []);
      fn.params.forEach((p, i) => vars.set(p.toLowerCase(), args[i] ?? null));
      return evalExpr(expr, { ...env, lambdaVars: vars });
    },
  };
}
const fnContext = functionContext();

function checkArity(name: string, count: number, min: number, max: number): void {
  if (count < min || count > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new TemplateEvalError(`${name} takes ${expected} argument${expected === '1' ? '' : 's'}, got ${count}`);
  }
}

function callLibrary(def: FunctionDef, e: Extract<Expr, { t: 'call' }>, env: Env): Value {
  checkArity(def.name, e.args.length, def.minArgs, def.maxArgs);
  if (def.lazy) return def.lazy(e.args.map((a) => () => evalExpr(a, env)), fnContext);
  const args = e.args.map((a) => (def.takesLambdas && a.t === 'call' && a.name.toLowerCase() === 'lambda' ? makeLambda(a, env) : evalExpr(a, env)));
  if (def.unknowns !== 'custom' && args.some(containsUnknown)) return Unknown.derived(def.name, args);
  return def.impl!(args, fnContext);
}

function callUserFunction(e: Extract<Expr, { t: 'call' }>, env: Env): Value {
  const fn = env.host.userFunction(e.name);
  if (!fn) throw new TemplateEvalError(`unknown user-defined function '${e.name}'`, didYouMean(e.name, env.host.functionNames()));
  checkArity(e.name, e.args.length, fn.params.length, fn.params.length);
  const args = e.args.map((a) => evalExpr(a, env));
  const params = new Map<string, Value>();
  fn.params.forEach((p, i) => params.set(p, args[i]!));
  const depth = (env.functionParams?.get('\u0000depth') as number | undefined) ?? 0;
  if (depth > 32) throw new TemplateEvalError(`user-defined function '${e.name}' recurses deeper than 32 calls`);
  params.set('\u0000depth', depth + 1);
  const inner: Env = { host: env.host, site: 'function', functionParams: params };
  return fn.body(inner);
}
