/**
 * Array template functions (arm-evaluator.md §2.1); several also accept strings or objects.
 *
 * Functions that only need the outer shape of a value (its length, its elements) take unknowns
 * themselves: an array whose elements are unknown still has a known length and a known first element.
 */
import { PartialString, Unknown, containsUnknown, getProperty, holeKeysOf, isObject, isOpenObject, isUnknown, newObject, valueKey, withHoleKeys, type Value, type ValueObject } from '../value.js';
import { TemplateEvalError, type FunctionContext, type FunctionDef } from './types.js';
import { equalsMaybe, expectInt, kindOf, type Maybe } from './logic.js';

/**
 * A function that needs its arguments' outer shape only: unknown leaves inside arrays and objects pass
 * through, an argument that is unknown as a whole makes the result unknown.
 */
export function shallow(name: string, minArgs: number, maxArgs: number, impl: (args: Value[], ctx: FunctionContext) => Value): FunctionDef {
  return {
    name,
    minArgs,
    maxArgs,
    unknowns: 'custom',
    impl: (args, ctx) => (args.some(isUnknown) ? Unknown.derived(name, args) : impl(args, ctx)),
  };
}

export function expectArray(fn: string, v: Value, what = 'argument'): Value[] {
  if (!Array.isArray(v)) throw new TemplateEvalError(`${fn}: the ${what} must be an array, got ${kindOf(v)}`);
  return v;
}

export function expectObject(fn: string, v: Value, what = 'argument'): ValueObject {
  if (!isObject(v)) throw new TemplateEvalError(`${fn}: the ${what} must be an object, got ${kindOf(v)}`);
  return v;
}

/** Text of a scalar in string concatenation; booleans print as .NET does. */
function scalarText(fn: string, v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  throw new TemplateEvalError(`${fn}: cannot concatenate ${kindOf(v)}; expected all arrays, or strings, integers and booleans`);
}

/** A value searched for in a string: strings and integers. */
function searchText(fn: string, v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  throw new TemplateEvalError(`${fn}: can only search a string for a string or an integer, got ${kindOf(v)}`);
}

/** Lower-cases per UTF-16 unit so that indexes into the folded text are indexes into the original. */
function foldCase(s: string): string {
  const lower = s.toLowerCase();
  if (lower.length === s.length) return lower;
  let out = '';
  for (const unit of s.split('')) {
    const folded = unit.toLowerCase();
    out += folded.length === 1 ? folded : unit;
  }
  return out;
}

function concat(args: Value[]): Value {
  const present = args.filter((a) => a !== null);
  if (present.some(Array.isArray)) {
    const other = present.find((a) => !Array.isArray(a) && !(a instanceof Unknown));
    if (other !== undefined) throw new TemplateEvalError(`concat: cannot mix arrays and ${kindOf(other)}s`);
    // An unknown array has an unknown length, so nothing after it has a known position.
    if (present.some((a) => a instanceof Unknown)) return Unknown.derived('concat', args);
    return present.flatMap((a) => a as Value[]);
  }
  if (present.length > 0 && present.every((a) => a instanceof Unknown)) return Unknown.derived('concat', args);
  return PartialString.of(present.map((a) => (isUnknown(a) ? a : scalarText('concat', a))));
}

/** Index of the first (or last) element equal to `v`; undefined when an unknown element comes first. */
function findIndex(arr: Value[], v: Value, fromEnd: boolean): number | undefined {
  for (let n = 0; n < arr.length; n++) {
    const i = fromEnd ? arr.length - 1 - n : n;
    const r = equalsMaybe(arr[i]!, v);
    if (r === true) return i;
    if (r === undefined) return undefined;
  }
  return -1;
}

function contains(args: Value[]): Value {
  const [c, v] = args as [Value, Value];
  if (c instanceof Unknown) return Unknown.derived('contains', args);
  if (Array.isArray(c)) {
    let answer: Maybe = false;
    for (const item of c) {
      const r = equalsMaybe(item, v);
      if (r === true) return true;
      if (r === undefined) answer = undefined;
    }
    return answer ?? Unknown.derived('contains', args);
  }
  if (isUnknown(v)) return Unknown.derived('contains', args);
  if (isObject(c)) {
    if (typeof v !== 'string') throw new TemplateEvalError(`contains: an object can only be searched for a key (string), got ${kindOf(v)}`);
    return getProperty(c, v).found;
  }
  if (typeof c === 'string') return c.includes(searchText('contains', v));
  if (c instanceof PartialString) {
    const text = searchText('contains', v);
    return c.parts.some((p) => typeof p === 'string' && p.includes(text)) || Unknown.derived('contains', args);
  }
  throw new TemplateEvalError(`contains: expected an array, an object or a string to search, got ${kindOf(c)}`);
}

function indexOf(name: string, fromEnd: boolean): FunctionDef {
  return {
    name,
    minArgs: 2,
    maxArgs: 2,
    unknowns: 'custom',
    impl: (args) => {
      const [c, v] = args as [Value, Value];
      if (Array.isArray(c)) return findIndex(c, v, fromEnd) ?? Unknown.derived(name, args);
      if (isUnknown(c) || isUnknown(v)) return Unknown.derived(name, args);
      if (typeof c !== 'string') throw new TemplateEvalError(`${name}: expected an array or a string to search, got ${kindOf(c)}`);
      // Strings are searched case-insensitively, arrays case-sensitively (verified against ARM).
      const hay = foldCase(c);
      const needle = foldCase(searchText(name, v));
      return fromEnd ? hay.lastIndexOf(needle) : hay.indexOf(needle);
    },
  };
}

function empty([x]: Value[]): Value {
  if (x === null) return true;
  if (typeof x === 'string' || Array.isArray(x)) return x.length === 0;
  if (isObject(x)) return Object.keys(x).length === 0;
  // Holes can be empty, so only known text proves a string non-empty.
  if (x instanceof PartialString && x.parts.some((p) => typeof p === 'string')) return false;
  if (isUnknown(x!)) return Unknown.derived('empty', [x!]);
  throw new TemplateEvalError(`empty: expected null, a string, an array or an object, got ${kindOf(x!)}`);
}

function length([x]: Value[]): Value {
  if (x === null) return 0;
  if (typeof x === 'string' || Array.isArray(x)) return x.length;
  if (isObject(x)) return Object.keys(x).length;
  if (isUnknown(x!)) return Unknown.derived('length', [x!]);
  throw new TemplateEvalError(`length: expected a string, an array or an object, got ${kindOf(x!)}`);
}

/** first/last: an element of an array or a character of a string (a known end of a string with holes). */
function end(name: string, last: boolean): FunctionDef {
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    unknowns: 'custom',
    impl: ([x]) => {
      if (Array.isArray(x)) return x.length === 0 ? null : x[last ? x.length - 1 : 0]!;
      if (typeof x === 'string') return x.length === 0 ? '' : x[last ? x.length - 1 : 0]!;
      if (x instanceof PartialString) {
        const part = last ? x.suffix : x.prefix;
        if (part !== '') return part[last ? part.length - 1 : 0]!;
      }
      if (isUnknown(x!)) return Unknown.derived(name, [x!]);
      throw new TemplateEvalError(`${name}: expected an array or a string, got ${kindOf(x!)}`);
    },
  };
}

function minMax(name: string, pick: (a: number, b: number) => number): FunctionDef {
  return {
    name,
    minArgs: 1,
    maxArgs: Infinity,
    impl: (args) => {
      const values = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
      if (values.length === 0) throw new TemplateEvalError(`${name}: the array is empty`);
      for (const v of values) {
        if (typeof v !== 'number') throw new TemplateEvalError(`${name}: expected integers or one array of integers, got ${kindOf(v)}`);
      }
      return (values as number[]).reduce(pick);
    },
  };
}

const INT32_MAX = 2 ** 31 - 1;

function range([start, count]: Value[]): Value {
  const s = expectInt('range', start!, 'start index');
  const n = expectInt('range', count!, 'count');
  if (n < 0 || n > 10000) throw new TemplateEvalError(`range: the count must be between 0 and 10000, got ${n}`);
  if (s + n - 1 > INT32_MAX) throw new TemplateEvalError(`range: start + count - 1 must not exceed ${INT32_MAX}, got ${s + n - 1}`);
  return Array.from({ length: n }, (_, i) => s + i);
}

/** skip/take: n is clamped to [0, length], as ARM does. */
function slice(name: string, fromStart: boolean): FunctionDef {
  return shallow(name, 2, 2, ([x, count]) => {
    const n = expectInt(name, count!, 'count');
    if (typeof x !== 'string' && !Array.isArray(x)) throw new TemplateEvalError(`${name}: expected an array or a string, got ${kindOf(x!)}`);
    const k = Math.min(Math.max(n, 0), x.length);
    return fromStart ? x.slice(0, k) : x.slice(k);
  });
}

/** Arrays: distinct known values; objects: later arguments win, nested objects merge. */
function union(args: Value[]): Value {
  if (args.some(isUnknown)) return Unknown.derived('union', args);
  if (args.every(Array.isArray)) {
    const all = args.flatMap((a) => a as Value[]);
    if (!all.some(containsUnknown)) return distinct(all);
    // Elements with unknowns are kept while each is provably different from those before it (two ids that
    // differ in their known text); one that may or may not be a duplicate makes the length unknown.
    const kept: Value[] = [];
    for (const v of all) {
      const same = kept.map((k) => equalsMaybe(k, v));
      if (same.includes(true)) continue;
      if (same.includes(undefined)) return Unknown.derived('union', args);
      kept.push(v);
    }
    return kept;
  }
  if (args.every(isObject)) return (args as ValueObject[]).reduce(mergeDeep);
  throw new TemplateEvalError(`union: expected all arrays or all objects, got ${args.map(kindOf).join(', ')}`);
}

function distinct(values: Value[]): Value[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = valueKey(v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Later keys overwrite, keys match case-insensitively, nested objects merge, arrays are replaced. */
function mergeDeep(into: ValueObject, from: ValueObject): ValueObject {
  const out = newObject();
  for (const k of Object.keys(into)) out[k] = into[k]!;
  for (const k of Object.keys(from)) {
    const hit = getProperty(out, k);
    const incoming = from[k]!;
    if (!hit.found) out[k] = incoming;
    else if (isObject(hit.value) && isObject(incoming)) out[hit.key] = mergeDeep(hit.value, incoming);
    // Either side may be an object at deploy time: merge or replace cannot be decided.
    else if ((isObject(hit.value) && incoming instanceof Unknown) || (hit.value instanceof Unknown && isObject(incoming))) {
      out[hit.key] = Unknown.derived('union', [hit.value, incoming]);
    } else out[hit.key] = incoming;
  }
  return isOpenObject(into) || isOpenObject(from) ? withHoleKeys(out, [...holeKeysOf(into), ...holeKeysOf(from)]) : out;
}

function intersection(args: Value[]): Value {
  if (args.every(Array.isArray)) {
    const [first, ...rest] = args as Value[][];
    const others = rest.map((a) => new Set(a.map(valueKey)));
    return distinct(first!.filter((v) => others.every((o) => o.has(valueKey(v)))));
  }
  if (args.every(isObject)) {
    const [first, ...rest] = args as ValueObject[];
    const out = newObject();
    for (const k of Object.keys(first!)) {
      const inAll = rest.every((o) => {
        const hit = getProperty(o, k);
        return hit.found && valueKey(hit.value) === valueKey(first![k]!);
      });
      if (inAll) out[k] = first![k]!;
    }
    return out;
  }
  throw new TemplateEvalError(`intersection: expected all arrays or all objects, got ${args.map(kindOf).join(', ')}`);
}

function flatten([x]: Value[]): Value {
  const arr = expectArray('flatten', x!);
  if (arr.some(isUnknown)) return Unknown.derived('flatten', [arr]);
  return arr.flatMap((item, i) => {
    if (!Array.isArray(item)) throw new TemplateEvalError(`flatten: every element must be an array, element ${i} is ${kindOf(item)}`);
    return item;
  });
}

/** `arr[^n]`: the nth element from the end, n ≥ 1. */
function fromEnd(name: string, safe: boolean): FunctionDef {
  return shallow(name, 2, 2, ([x, index]) => {
    const arr = expectArray(name, x!, 'first argument');
    const n = expectInt(name, index!, 'index');
    if (n >= 1 && n <= arr.length) return arr[arr.length - n]!;
    if (safe) return null;
    throw new TemplateEvalError(`${name}: index ${n} from the end is out of range: the array has ${arr.length} elements (expected 1 to ${arr.length})`);
  });
}

export const arrayFunctions: FunctionDef[] = [
  shallow('array', 1, 1, ([x]) => (Array.isArray(x) ? x : [x!])),
  { name: 'concat', minArgs: 1, maxArgs: Infinity, unknowns: 'custom', impl: concat },
  { name: 'contains', minArgs: 2, maxArgs: 2, unknowns: 'custom', impl: contains },
  { name: 'createArray', minArgs: 0, maxArgs: Infinity, unknowns: 'custom', impl: (args) => [...args] },
  { name: 'empty', minArgs: 1, maxArgs: 1, unknowns: 'custom', impl: empty },
  end('first', false),
  end('last', true),
  indexOf('indexOf', false),
  indexOf('lastIndexOf', true),
  { name: 'intersection', minArgs: 2, maxArgs: Infinity, impl: intersection },
  { name: 'length', minArgs: 1, maxArgs: 1, unknowns: 'custom', impl: length },
  minMax('min', (a, b) => Math.min(a, b)),
  minMax('max', (a, b) => Math.max(a, b)),
  { name: 'range', minArgs: 2, maxArgs: 2, impl: range },
  slice('skip', false),
  slice('take', true),
  { name: 'union', minArgs: 2, maxArgs: Infinity, unknowns: 'custom', impl: union },
  shallow('flatten', 1, 1, flatten),
  // Strict: an unknown element could equal any other, so the result is unknown then.
  { name: 'distinct', minArgs: 1, maxArgs: 1, impl: ([x]) => distinct(expectArray('distinct', x!)) },
  fromEnd('indexFromEnd', false),
  fromEnd('tryIndexFromEnd', true),
];
