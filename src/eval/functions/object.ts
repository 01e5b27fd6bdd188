/**
 * Object template functions (arm-evaluator.md §2.5) and the lambda functions (§2.6).
 *
 * Lambda functions take their array or object with unknown elements: each element goes through the
 * lambda, and only an unknown the function must decide on (a filter verdict, a sort order, a key)
 * makes the whole result unknown.
 */
import { Lambda, PartialString, Unknown, fromJson, getProperty, holeKeysOf, isObject, isUnknown, keyValue, newObject, objectFrom, propertyNameOf, unknownRest, valueKey, withHoleKeys, type Value, type ValueObject } from '../value.js';
import { TemplateEvalError, type FunctionContext, type FunctionDef } from './types.js';
import { parseJsonText } from './string.js';
import { expectArray, expectObject, shallow } from './array.js';
import { expectInt, kindOf } from './logic.js';

/** .NET OrdinalIgnoreCase: compare upper-cased UTF-16 units. */
function compareKeys(a: string, b: string): number {
  const x = a.toUpperCase();
  const y = b.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function sortedKeys(obj: ValueObject): string[] {
  // Array.prototype.sort is stable, so keys equal but for case keep their order (abcKey before ABCKey).
  return Object.keys(obj).sort(compareKeys);
}

function createObject(args: Value[]): Value {
  if (args.length % 2 !== 0) throw new TemplateEvalError(`createObject: expected key-value pairs, got an odd number of arguments (${args.length})`);
  const out = newObject();
  const holes: [string, PartialString][] = [];
  for (let i = 0; i < args.length; i += 2) {
    const arg = args[i]!;
    // A partly known key (a resource id with an unknown subscription) is named as expression property names
    // are; a wholly unknown one may be any name, so the object is unknown.
    if (arg instanceof Unknown) return Unknown.derived('createObject', args);
    const key = arg instanceof PartialString ? propertyNameOf(arg) : arg;
    if (arg instanceof PartialString) holes.push([key as string, arg]);
    if (typeof key !== 'string') throw new TemplateEvalError(`createObject: argument ${i + 1} is a key and must be a string, got ${kindOf(key)}`);
    if (getProperty(out, key).found) throw new TemplateEvalError(`createObject: duplicate key '${key}' (keys are case-insensitive)`);
    out[key] = args[i + 1]!;
  }
  return keepingHoleKeys(out, holes);
}

function shallowMerge([list]: Value[]): Value {
  const objects = expectArray('shallowMerge', list!);
  if (objects.some(isUnknown)) return Unknown.derived('shallowMerge', [list!]);
  const out = newObject();
  const holes: [string, PartialString | Unknown][] = [];
  objects.forEach((o, i) => {
    const obj = expectObject('shallowMerge', o, `element ${i}`);
    holes.push(...holeKeysOf(obj));
    for (const k of Object.keys(obj)) {
      const hit = getProperty(out, k);
      out[hit.found ? hit.key : k] = obj[k]!;
    }
  });
  return keepingHoleKeys(out, holes);
}

/** `v.?k1.k2`: only a missing first key or a null along the way gives null; later keys must exist. */
function tryGet(args: Value[]): Value {
  let current: Value = args[0]!;
  for (let i = 1; i < args.length; i++) {
    if (current === null) return null;
    const key = args[i]!;
    if (isUnknown(current) || isUnknown(key)) return Unknown.derived('tryGet', args);
    const lenient = i === 1;
    if (isObject(current)) {
      if (typeof key !== 'string') throw new TemplateEvalError(`tryGet: an object property name must be a string, got ${kindOf(key)}`);
      const hit = getProperty(current, key);
      if (!hit.found) {
        const rest = unknownRest(current, key);
        if (rest !== undefined) return Unknown.derived('tryGet', [rest, ...args.slice(i + 1)]);
        if (lenient) return null;
        throw new TemplateEvalError(`tryGet: the object has no property '${key}'`);
      }
      current = hit.value;
    } else if (Array.isArray(current)) {
      // Bicep's `[^n]` inside a safe access compiles to {value: n, fromEnd: true}.
      const fromEnd = isObject(key) && getProperty(key, 'fromEnd').found ? (getProperty(key, 'fromEnd') as { value: Value }).value === true : false;
      const raw = isObject(key) && getProperty(key, 'value').found ? (getProperty(key, 'value') as { value: Value }).value : key;
      const given = expectInt('tryGet', raw, 'array index');
      const index: number = fromEnd ? current.length - given : given;
      if (index < 0 || index >= current.length) {
        if (lenient) return null;
        throw new TemplateEvalError(`tryGet: index ${index} is out of range: the array has ${current.length} elements`);
      }
      current = current[index]!;
    } else {
      throw new TemplateEvalError(`tryGet: cannot read '${key === null || typeof key !== 'object' ? String(key) : valueKey(key)}' of ${kindOf(current)}; expected an object or an array`);
    }
  }
  return current;
}

function json([text]: Value[]): Value {
  if (text === null) return newObject();
  if (typeof text !== 'string') throw new TemplateEvalError(`json: expected a string of JSON text, got ${kindOf(text!)}`);
  try {
    return fromJson(JSON.parse(text));
  } catch {
    // ARM parses with Newtonsoft, which also reads comments, single quotes and numbers such as `.25`.
    return parseJsonText('json', text);
  }
}

/** The unknown result of a lambda function (lambdas have keys of their own, so different lambdas stay apart). */
function lambdaUnknown(fn: string, args: Value[]): Unknown {
  return Unknown.derived(fn, args);
}

/** Thrown inside a lambda function when the result depends on an unknown the function must decide on. */
class Undecidable extends Error {}

function expectLambda(fn: string, v: Value | undefined, params: [number, number], what = 'lambda'): Lambda {
  if (!(v instanceof Lambda)) throw new TemplateEvalError(`${fn}: the ${what} argument must be a lambda, got ${kindOf(v ?? null)}`);
  const [min, max] = params;
  if (v.params.length < min || v.params.length > max) {
    const expected = min === max ? `${min}` : `${min} or ${max}`;
    throw new TemplateEvalError(`${fn}: the ${what} must take ${expected} parameter${expected === '1' ? '' : 's'}, it takes ${v.params.length}`);
  }
  return v;
}

function expectVerdict(fn: string, v: Value): boolean {
  if (v instanceof Unknown) throw new Undecidable();
  if (typeof v !== 'boolean') throw new TemplateEvalError(`${fn}: the lambda must return a boolean, got ${kindOf(v)}`);
  return v;
}

/** A key lambda's result as a property name; a partly known key is named by its canonical text (see createObject). */
function expectKey(fn: string, v: Value, holes: [string, PartialString][]): string {
  if (v instanceof PartialString) {
    const name = propertyNameOf(v);
    holes.push([name, v]);
    return name;
  }
  if (isUnknown(v)) throw new Undecidable();
  if (typeof v !== 'string') throw new TemplateEvalError(`${fn}: the key lambda must return a string, got ${kindOf(v)}`);
  return v;
}

/** An object built from `source`'s partly known keys (or from `holes`) keeps them partly known. */
function keepingHoleKeys(out: ValueObject, holes: Iterable<readonly [string, PartialString | Unknown]>): ValueObject {
  const list = [...holes];
  return list.length ? withHoleKeys(out, list) : out;
}

type LambdaImpl = (args: Value[], ctx: FunctionContext) => Value;

/** A lambda function: its collection must be known as a whole; elements may be unknown. */
function lambdaFunction(name: string, minArgs: number, maxArgs: number, impl: LambdaImpl): FunctionDef {
  return {
    name,
    minArgs,
    maxArgs,
    unknowns: 'custom',
    takesLambdas: true,
    impl: (args, ctx) => {
      if (isUnknown(args[0])) return lambdaUnknown(name, args);
      try {
        return impl(args, ctx);
      } catch (e) {
        if (e instanceof Undecidable) return lambdaUnknown(name, args);
        throw e;
      }
    },
  };
}

/** Stable merge sort; `before(a, b)` true puts a ahead of b, as ARM's sort predicate does. */
function mergeSort(items: Value[], before: (a: Value, b: Value) => boolean): Value[] {
  if (items.length <= 1) return items;
  const mid = items.length >> 1;
  const left = mergeSort(items.slice(0, mid), before);
  const right = mergeSort(items.slice(mid), before);
  const out: Value[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    // Take from the right only when it must come first, so equal elements keep their order.
    if (before(right[j]!, left[i]!)) out.push(right[j++]!);
    else out.push(left[i++]!);
  }
  return out.concat(left.slice(i), right.slice(j));
}

/** Sets `key` in `obj`, reusing the spelling of an existing key that differs only in case. */
function setKey(obj: ValueObject, key: string, value: Value): void {
  const hit = getProperty(obj, key);
  obj[hit.found ? hit.key : key] = value;
}

const filter: LambdaImpl = ([arr, fn], ctx) => {
  const lambda = expectLambda('filter', fn, [1, 2]);
  return expectArray('filter', arr!).filter((x, i) => expectVerdict('filter', ctx.callLambda(lambda, [x, i])));
};

const map: LambdaImpl = ([arr, fn], ctx) => {
  const lambda = expectLambda('map', fn, [1, 2]);
  return expectArray('map', arr!).map((x, i) => ctx.callLambda(lambda, [x, i]));
};

const reduce: LambdaImpl = ([arr, initial, fn], ctx) => {
  const lambda = expectLambda('reduce', fn, [2, 3]);
  return expectArray('reduce', arr!).reduce<Value>((acc, x, i) => ctx.callLambda(lambda, [acc, x, i]), initial!);
};

const sort: LambdaImpl = ([arr, fn], ctx) => {
  const lambda = expectLambda('sort', fn, [2, 2]);
  return mergeSort(expectArray('sort', arr!), (a, b) => expectVerdict('sort', ctx.callLambda(lambda, [a, b])));
};

const toObject: LambdaImpl = ([arr, keyFn, valueFn], ctx) => {
  const keyLambda = expectLambda('toObject', keyFn, [1, 1], 'key lambda');
  const valueLambda = valueFn === undefined ? undefined : expectLambda('toObject', valueFn, [1, 1], 'value lambda');
  const out = newObject();
  const holes: [string, PartialString][] = [];
  for (const x of expectArray('toObject', arr!)) {
    // Duplicate keys: the last one wins (unverified against ARM).
    setKey(out, expectKey('toObject', ctx.callLambda(keyLambda, [x]), holes), valueLambda ? ctx.callLambda(valueLambda, [x]) : x);
  }
  return keepingHoleKeys(out, holes);
};

const mapValues: LambdaImpl = ([obj, fn], ctx) => {
  const lambda = expectLambda('mapValues', fn, [1, 1]);
  const source = expectObject('mapValues', obj!);
  return keepingHoleKeys(objectFrom(Object.keys(source).map((k) => [k, ctx.callLambda(lambda, [source[k]!])] as const)), holeKeysOf(source));
};

const groupBy: LambdaImpl = ([arr, keyFn, valueFn], ctx) => {
  const keyLambda = expectLambda('groupBy', keyFn, [1, 1], 'key lambda');
  const valueLambda = valueFn === undefined ? undefined : expectLambda('groupBy', valueFn, [1, 1], 'value lambda');
  const out = newObject();
  const holes: [string, PartialString][] = [];
  for (const x of expectArray('groupBy', arr!)) {
    const key = expectKey('groupBy', ctx.callLambda(keyLambda, [x]), holes);
    const value = valueLambda ? ctx.callLambda(valueLambda, [x]) : x;
    // Keys that differ only in case share a group, since ARM property names are case-insensitive.
    const hit = getProperty(out, key);
    if (hit.found) (hit.value as Value[]).push(value);
    else out[key] = [value];
  }
  return keepingHoleKeys(out, holes);
};

export const objectFunctions: FunctionDef[] = [
  { name: 'createObject', minArgs: 0, maxArgs: Infinity, unknowns: 'custom', impl: createObject },
  shallow('items', 1, 1, ([obj]) => {
    const o = expectObject('items', obj!);
    return sortedKeys(o).map((k) => objectFrom([['key', keyValue(o, k)], ['value', o[k]!]]));
  }),
  shallow('objectKeys', 1, 1, ([obj]) => {
    const o = expectObject('objectKeys', obj!);
    return sortedKeys(o).map((k) => keyValue(o, k));
  }),
  shallow('shallowMerge', 1, 1, shallowMerge),
  { name: 'null', minArgs: 0, maxArgs: 0, impl: () => null },
  { name: 'tryGet', minArgs: 2, maxArgs: Infinity, unknowns: 'custom', impl: tryGet },
  { name: 'json', minArgs: 1, maxArgs: 1, impl: json },
  lambdaFunction('filter', 2, 2, filter),
  lambdaFunction('map', 2, 2, map),
  lambdaFunction('reduce', 3, 3, reduce),
  lambdaFunction('sort', 2, 2, sort),
  lambdaFunction('toObject', 2, 3, toObject),
  lambdaFunction('mapValues', 2, 2, mapValues),
  lambdaFunction('groupBy', 2, 3, groupBy),
];
