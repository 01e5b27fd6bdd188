/**
 * Comparison, logical and numeric template functions (arm-evaluator.md §2.2, §2.3).
 *
 * Also the shared helpers the array and object functions need: three-valued equality over values that
 * may hold unknowns, and integer argument checks.
 */
import { PartialString, Unknown, isObject, typeName, valueKey, type Value } from '../value.js';
import { TemplateEvalError, type FunctionDef } from './types.js';

/** The ARM type of a value for messages; a string with holes is still a string. */
export function kindOf(v: Value): string {
  return v instanceof PartialString ? 'string' : typeName(v);
}

/** A comparison whose answer may not be known before deployment: `undefined` means "cannot tell". */
export type Maybe = boolean | undefined;

/**
 * Deep equality as ARM's `equals` does it (object key order irrelevant, strings case-sensitive), decided
 * as far as the unknowns allow: values built the same way are equal, and a string with holes can
 * still be told apart from a string whose text contradicts its known parts.
 */
export function equalsMaybe(a: Value, b: Value): Maybe {
  if (a instanceof Unknown || b instanceof Unknown) {
    return a instanceof Unknown && b instanceof Unknown && a.key === b.key ? true : undefined;
  }
  if (a instanceof PartialString || b instanceof PartialString) return partialEquals(a, b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return allMaybe(a.length, (i) => equalsMaybe(a[i]!, b[i]!));
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    if (!keys.every((k) => Object.prototype.hasOwnProperty.call(b, k))) return false;
    return allMaybe(keys.length, (i) => equalsMaybe(a[keys[i]!]!, b[keys[i]!]!));
  }
  return a === b;
}

/** Conjunction of `count` maybes; a definite false wins over any "cannot tell". */
function allMaybe(count: number, at: (i: number) => Maybe): Maybe {
  let answer: Maybe = true;
  for (let i = 0; i < count; i++) {
    const r = at(i);
    if (r === false) return false;
    if (r === undefined) answer = undefined;
  }
  return answer;
}

function partialEquals(a: Value, b: Value): Maybe {
  if (a instanceof PartialString && b instanceof PartialString) {
    if (a.key === b.key) return true;
    const prefixesAgree = a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix);
    const suffixesAgree = a.suffix.endsWith(b.suffix) || b.suffix.endsWith(a.suffix);
    return prefixesAgree && suffixesAgree ? undefined : false;
  }
  const [partial, other] = a instanceof PartialString ? [a, b] : [b as PartialString, a];
  if (typeof other !== 'string') return false;
  return couldMatch(partial, other) ? undefined : false;
}

/** Whether some filling of the holes (each possibly empty) turns the partial string into `s`. */
export function couldMatch(partial: PartialString, s: string): boolean {
  const parts = partial.parts;
  const first = parts[0];
  const last = parts[parts.length - 1];
  let pos = 0;
  let end = s.length;
  if (typeof first === 'string') {
    if (!s.startsWith(first)) return false;
    pos = first.length;
  }
  if (typeof last === 'string') {
    if (!s.endsWith(last) || s.length - last.length < pos) return false;
    end = s.length - last.length;
  }
  // Leftmost matching of the inner known parts is enough: holes can absorb any text between them.
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i];
    if (typeof part !== 'string') continue;
    const at = s.indexOf(part, pos);
    if (at < 0 || at + part.length > end) return false;
    pos = at + part.length;
  }
  return true;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** An integer argument; ARM ints are 64-bit, but only ±2^53−1 is exact in a JS number. */
export function expectInt(fn: string, v: Value, what = 'argument'): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TemplateEvalError(`${fn}: the ${what} must be an integer, got ${kindOf(v)}${typeof v === 'number' ? ` ${v}` : ''}`);
  }
  if (!Number.isSafeInteger(v)) {
    throw new TemplateEvalError(`${fn}: the ${what} ${v} is outside ±${Number.MAX_SAFE_INTEGER}, the integer range this evaluator represents exactly`);
  }
  return v;
}

function intResult(fn: string, r: bigint): number {
  if (r > INT64_MAX || r < INT64_MIN) throw new TemplateEvalError(`${fn}: the result ${r} overflows a 64-bit integer`);
  if (r > MAX_SAFE || r < -MAX_SAFE) {
    throw new TemplateEvalError(`${fn}: the result ${r} is outside ±${Number.MAX_SAFE_INTEGER}, the integer range this evaluator represents exactly`);
  }
  return Number(r);
}

function arithmetic(name: string, op: (a: bigint, b: bigint) => bigint, needsDivisor = false): FunctionDef {
  return {
    name,
    minArgs: 2,
    maxArgs: 2,
    impl: ([a, b]) => {
      const x = BigInt(expectInt(name, a!, 'first operand'));
      const y = BigInt(expectInt(name, b!, 'second operand'));
      if (needsDivisor && y === 0n) throw new TemplateEvalError(`${name}: division by zero`);
      return intResult(name, op(x, y));
    },
  };
}

// .NET InvariantCulture order, not ordinal: less('a', 'B') is true. Made on first use: creating a collator
// loads ICU data (~10 ms), which most scans never need.
let collator: Intl.Collator | undefined;

function compare(fn: string, a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return (collator ??= new Intl.Collator('en-US')).compare(a, b);
  throw new TemplateEvalError(`${fn}: expected two numbers or two strings, got ${kindOf(a)} and ${kindOf(b)}`);
}

function comparison(name: string, holds: (order: number) => boolean): FunctionDef {
  return { name, minArgs: 2, maxArgs: 2, impl: ([a, b]) => holds(compare(name, a!, b!)) };
}

function expectBool(fn: string, v: Value): boolean {
  if (typeof v !== 'boolean') throw new TemplateEvalError(`${fn}: expected a boolean, got ${kindOf(v)}`);
  return v;
}

/**
 * Evaluates an `if` branch whose result may never be used: an expression error there must not fail
 * the template, so it becomes an unknown that says what went wrong. Budget exhaustion still stops.
 */
function settle(thunk: () => Value): Value {
  try {
    return thunk();
  } catch (e) {
    if (e instanceof TemplateEvalError && e.name !== 'BudgetExceeded') return Unknown.error(e.message);
    throw e;
  }
}

/** and/or: stop at the first known deciding value; unknowns only decide when nothing else does. */
function junction(name: string, decisive: boolean): FunctionDef {
  return {
    name,
    minArgs: 2,
    maxArgs: Infinity,
    lazy: (thunks) => {
      const seen: Value[] = [];
      let unknown = false;
      for (const thunk of thunks) {
        const v = thunk();
        seen.push(v);
        if (v instanceof Unknown) unknown = true;
        else if (expectBool(name, v) === decisive) return decisive;
      }
      return unknown ? Unknown.derived(name, seen) : !decisive;
    },
  };
}

const INT_TEXT = /^\s*[+-]?\d+\s*$/;
const FLOAT_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

export const logicFunctions: FunctionDef[] = [
  {
    name: 'equals',
    minArgs: 2,
    maxArgs: 2,
    unknowns: 'custom',
    impl: ([a, b]) => equalsMaybe(a!, b!) ?? Unknown.derived('equals', [a!, b!]),
  },
  comparison('less', (o) => o < 0),
  comparison('lessOrEquals', (o) => o <= 0),
  comparison('greater', (o) => o > 0),
  comparison('greaterOrEquals', (o) => o >= 0),
  {
    // The first non-null argument; an unknown before it could be null or not, so the answer is unknown.
    name: 'coalesce',
    minArgs: 1,
    maxArgs: Infinity,
    lazy: (thunks) => {
      const seen: Value[] = [];
      for (const thunk of thunks) {
        const v = thunk();
        seen.push(v);
        if (v instanceof Unknown) continue;
        if (v !== null) break;
      }
      const undecided = seen.some((s) => s instanceof Unknown);
      if (undecided) return Unknown.derived('coalesce', seen);
      return seen[seen.length - 1] ?? null;
    },
  },
  junction('and', false),
  junction('or', true),
  { name: 'not', minArgs: 1, maxArgs: 1, impl: ([b]) => !expectBool('not', b!) },
  { name: 'true', minArgs: 0, maxArgs: 0, impl: () => true },
  { name: 'false', minArgs: 0, maxArgs: 0, impl: () => false },
  {
    name: 'bool',
    minArgs: 1,
    maxArgs: 1,
    impl: ([x]) => {
      if (typeof x === 'boolean') return x;
      if (typeof x === 'number' && Number.isInteger(x)) return x !== 0;
      if (typeof x === 'string') {
        const t = x.trim().toLowerCase();
        if (t === 'true' || t === 'false') return t === 'true';
      }
      throw new TemplateEvalError(`bool: expected a boolean, an integer or the string 'true' or 'false', got ${kindOf(x!)}${typeof x === 'string' ? ` '${x}'` : ''}`);
    },
  },
  {
    name: 'if',
    minArgs: 3,
    maxArgs: 3,
    lazy: ([cond, whenTrue, whenFalse]) => {
      const c = cond!();
      if (typeof c === 'boolean') return c ? whenTrue!() : whenFalse!();
      if (!(c instanceof Unknown)) throw new TemplateEvalError(`if: the condition must be a boolean, got ${kindOf(c)}`);
      const a = settle(whenTrue!);
      const b = settle(whenFalse!);
      // Both branches agree: the condition does not matter.
      if (valueKey(a) === valueKey(b)) return a;
      return Unknown.derived('if', [c, a, b]);
    },
  },
  arithmetic('add', (a, b) => a + b),
  arithmetic('sub', (a, b) => a - b),
  arithmetic('mul', (a, b) => a * b),
  // BigInt division truncates toward zero and % takes the dividend's sign, as .NET's long does.
  arithmetic('div', (a, b) => a / b, true),
  arithmetic('mod', (a, b) => a % b, true),
  {
    name: 'int',
    minArgs: 1,
    maxArgs: 1,
    impl: ([x]) => {
      if (typeof x === 'number') return expectInt('int', x, 'value');
      if (typeof x === 'string' && INT_TEXT.test(x)) return intResult('int', BigInt(x.trim()));
      throw new TemplateEvalError(`int: expected an integer or a string of decimal digits, got ${kindOf(x!)}${typeof x === 'string' ? ` '${x}'` : ''}`);
    },
  },
  {
    name: 'float',
    minArgs: 1,
    maxArgs: 1,
    impl: ([x]) => {
      if (typeof x === 'number') return x;
      if (typeof x === 'string' && FLOAT_TEXT.test(x)) return Number(x.trim());
      throw new TemplateEvalError(`float: expected a number or a numeric string, got ${kindOf(x!)}${typeof x === 'string' ? ` '${x}'` : ''}`);
    },
  },
];
