import { describe, it, expect } from 'vitest';
import { objectFunctions } from '../../src/eval/functions/object.js';
import { arrayFunctions } from '../../src/eval/functions/array.js';
import { logicFunctions } from '../../src/eval/functions/logic.js';
import { TemplateEvalError, type FunctionContext } from '../../src/eval/functions/types.js';
import { Lambda, PartialString, Unknown, containsUnknown, fromJson, isObject, objectFrom, toDisplayJson, type Value, type ValueObject } from '../../src/eval/value.js';
import { member } from '../../src/eval/expression.js';

const ctx: FunctionContext = {
  callLambda: (fn, args) => (fn.body as (...a: Value[]) => Value)(...args),
};

const library = [...objectFunctions, ...arrayFunctions, ...logicFunctions];

/** Calls a function as the evaluator does: the strict-unknown rule unless the function handles unknowns. */
function call(name: string, ...args: Value[]): Value {
  const d = library.find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (!d) throw new Error(`no function ${name}`);
  if (args.length < d.minArgs || args.length > d.maxArgs) throw new Error(`${name}: wrong argument count`);
  if (d.lazy) return d.lazy(args.map((a) => () => a), ctx);
  if (d.unknowns !== 'custom' && args.some(containsUnknown)) return Unknown.derived(d.name, args);
  return d.impl!(args, ctx);
}

// The evaluator keys a lambda by its body text; the test keys it by the JavaScript body's source.
const lambda = (params: string[], body: (...a: Value[]) => Value): Lambda => new Lambda(params, body, `lambda(${params.join(',')}):${body.toString()}`);
const obj = (o: object): Value => fromJson(o);
/** An object holding unknowns, which fromJson cannot build. */
const mk = (o: Record<string, Value>): Value => objectFrom(Object.entries(o));
const json = (v: Value): unknown => toDisplayJson(v);
const u = Unknown.parameter('p');
const v = Unknown.parameter('q');

describe('createObject', () => {
  it('builds objects from key-value pairs', () => {
    expect(json(call('createObject', 'a', 1, 'b', obj({ c: [1] })))).toEqual({ a: 1, b: { c: [1] } });
    expect(json(call('createObject'))).toEqual({});
  });
  it('keeps template keys such as __proto__ as data', () => {
    const r = call('createObject', '__proto__', 1);
    expect(Object.keys(r as object)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(r)).toBe(null);
  });
  it('rejects odd argument counts, non-string keys and duplicate keys', () => {
    expect(() => call('createObject', 'a')).toThrow(/createObject: expected key-value pairs, got an odd number of arguments \(1\)/);
    expect(() => call('createObject', 1, 2)).toThrow(/createObject: argument 1 is a key and must be a string, got int/);
    expect(() => call('createObject', 'a', 1, 'A', 2)).toThrow(/createObject: duplicate key 'A'/);
  });
  it('keeps unknown values; an unknown key makes it unknown', () => {
    const r = call('createObject', 'a', u) as Record<string, Value>;
    expect(r['a']).toBe(u);
    expect(call('createObject', u, 1)).toBeInstanceOf(Unknown);
  });
  it('names a partly known key by its canonical text, and reads other keys of it as unknown, also after union()', () => {
    const id = PartialString.of(['/subscriptions/', Unknown.context('subscription().subscriptionId'), '/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id']);
    const r = call('createObject', id, obj({})) as ValueObject;
    expect(Object.keys(r)).toEqual(['/subscriptions/⟨subscription().subscriptionId⟩/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id']);
    // 'x' may be that key at deploy time: unknown, not "no property".
    expect(member(r, 'x')).toBeInstanceOf(Unknown);
    expect(member(call('union', obj({ a: 1 }), r), 'x')).toBeInstanceOf(Unknown);
    expect(() => member(call('union', obj({ a: 1 }), obj({ b: 2 })), 'x')).toThrow(/has no property 'x'/);
  });
});

describe('items, objectKeys', () => {
  const input = obj({ ghiKey: 1, defKey: 2, abcKey: 3, '123Key': 4, GHIKey: 5, DEFKey: 6, ABCKey: 7, '456Key': 8 });
  const order = ['123Key', '456Key', 'abcKey', 'ABCKey', 'defKey', 'DEFKey', 'ghiKey', 'GHIKey'];
  it('sorts by key, case-insensitive ordinal, stable (case 10)', () => {
    const r = call('items', input) as Value[];
    expect(r.map((e) => (e as Record<string, Value>)['key'])).toEqual(order);
    expect(json(r[0]!)).toEqual({ key: '123Key', value: 4 });
    expect(call('objectKeys', input)).toEqual(order);
  });
  it('keeps unknown values', () => {
    expect(json(call('items', mk({ b: u })))).toEqual([{ key: 'b', value: json(u) }]);
    expect(call('objectKeys', u)).toBeInstanceOf(Unknown);
  });
  it('gives a partly known key back as the partly known string it was, through union, mapValues, toObject and shallowMerge', () => {
    const id = PartialString.of(['/subscriptions/', Unknown.context('subscription().subscriptionId'), '/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id']);
    const holed = call('union', obj({ a: 1 }), call('createObject', id, obj({}))) as ValueObject;
    const keys = call('objectKeys', holed) as Value[];
    expect(keys[0]).toBe(id);
    expect(keys[1]).toBe('a');
    expect((call('items', holed) as ValueObject[])[0]!['key']).toBe(id);
    const mapped = call('mapValues', holed, lambda(['v'], (x) => x)) as ValueObject;
    expect(call('objectKeys', mapped)).toEqual(keys);
    const rebuilt = call('toObject', keys, lambda(['k'], (k) => k)) as ValueObject;
    expect((call('objectKeys', rebuilt) as Value[])[0]).toBe(id);
    expect(Object.values(rebuilt)).toEqual([id, 'a']);
    expect((call('objectKeys', call('shallowMerge', [obj({ b: 1 }), holed])) as Value[])[0]).toBe(id);
    // A plain object's keys stay plain strings.
    expect(call('objectKeys', obj({ a: 1 }))).toEqual(['a']);
  });
  it('rejects non-objects', () => {
    expect(() => call('items', [1])).toThrow(/items: the argument must be an object, got array/);
    expect(() => call('objectKeys', 'a')).toThrow(/objectKeys: the argument must be an object, got string/);
  });
});

describe('shallowMerge', () => {
  it('merges top-level keys, last wins', () => {
    const r = call('shallowMerge', [obj({ a: 1, b: { x: 1 } }), obj({ B: { y: 2 }, c: 3 })]);
    expect(json(r)).toEqual({ a: 1, b: { y: 2 }, c: 3 });
    expect(json(call('shallowMerge', []))).toEqual({});
  });
  it('keeps unknown values but not unknown objects', () => {
    expect(json(call('shallowMerge', [obj({ a: 1 }), mk({ a: u })]))).toEqual({ a: json(u) });
    expect(call('shallowMerge', [obj({ a: 1 }), u])).toBeInstanceOf(Unknown);
  });
  it('rejects non-objects', () => {
    expect(() => call('shallowMerge', [obj({}), 1])).toThrow(/shallowMerge: the element 1 must be an object, got int/);
    expect(() => call('shallowMerge', obj({}))).toThrow(/shallowMerge: the argument must be an array, got object/);
  });
});

describe('null', () => {
  it('returns null', () => {
    expect(call('null')).toBe(null);
  });
});

describe('tryGet', () => {
  const o = obj({ a: { b: { c: 1 } }, n: null, list: [10, 20] });
  it('reads present keys case-insensitively', () => {
    expect(call('tryGet', o, 'A', 'B', 'c')).toBe(1);
    expect(call('tryGet', o, 'list', 1)).toBe(20);
    expect(call('tryGet', [1, 2], 0)).toBe(1);
  });
  it('is null for a null value, a missing first key or a null along the way', () => {
    expect(call('tryGet', null, 'a')).toBe(null);
    expect(call('tryGet', o, 'missing', 'x')).toBe(null);
    expect(call('tryGet', o, 'n', 'x')).toBe(null);
    expect(call('tryGet', [1], 5)).toBe(null);
  });
  it('is an error for a missing later key', () => {
    expect(() => call('tryGet', o, 'a', 'missing')).toThrow(/tryGet: the object has no property 'missing'/);
    expect(() => call('tryGet', o, 'list', 5)).toThrow(TemplateEvalError);
    expect(() => call('tryGet', o, 'a', 'b', 'c', 'd')).toThrow(/tryGet: cannot read 'd' of int/);
  });
  it('is unknown through unknowns', () => {
    expect(call('tryGet', u, 'a')).toBeInstanceOf(Unknown);
    expect(call('tryGet', mk({ a: u }), 'a', 'b')).toBeInstanceOf(Unknown);
    expect(call('tryGet', mk({ a: u }), 'a')).toBe(u);
  });
});

describe('json', () => {
  it('parses JSON text into values with null prototypes', () => {
    const r = call('json', '{"a":[1,{"b":null}],"__proto__":{"x":1}}');
    expect(json(r)).toEqual(JSON.parse('{"a":[1,{"b":null}],"__proto__":{"x":1}}'));
    expect(Object.getPrototypeOf(r)).toBe(null);
    expect(isObject((r as Record<string, Value>)['__proto__'])).toBe(true);
    expect(call('json', '1.5')).toBe(1.5);
    expect(call('json', 'null')).toBe(null);
    expect(json(call('json', null))).toEqual({});
  });
  it('rejects invalid JSON and non-strings', () => {
    expect(() => call('json', '{"a": }')).toThrow(/json: the text is not valid JSON/);
    expect(() => call('json', 1)).toThrow(/json: expected a string of JSON text, got int/);
  });
  it('is unknown for unknown text', () => {
    expect(call('json', u)).toBeInstanceOf(Unknown);
  });
});

describe('filter', () => {
  it('keeps elements for which the lambda is true, with the optional index', () => {
    expect(call('filter', [1, 2, 3, 4], lambda(['x'], (x) => (x as number) % 2 === 0))).toEqual([2, 4]);
    expect(call('filter', ['a', 'b', 'c'], lambda(['x', 'i'], (_x, i) => i !== 1))).toEqual(['a', 'c']);
  });
  it('is unknown when a verdict is unknown or the array is unknown', () => {
    const r = call('filter', [1, u], lambda(['x'], (x) => call('equals', x, 1)));
    expect(r).toBeInstanceOf(Unknown);
    expect(call('filter', u, lambda(['x'], () => true))).toBeInstanceOf(Unknown);
  });
  it('rejects non-boolean verdicts and bad lambdas', () => {
    expect(() => call('filter', [1], lambda(['x'], () => 'yes'))).toThrow(/filter: the lambda must return a boolean, got string/);
    expect(() => call('filter', [1], lambda(['a', 'b', 'c'], () => true))).toThrow(/filter: the lambda must take 1 or 2 parameters, it takes 3/);
    expect(() => call('filter', [1], 'x')).toThrow(/filter: the lambda argument must be a lambda, got string/);
    expect(() => call('filter', 'abc', lambda(['x'], () => true))).toThrow(/filter: the argument must be an array, got string/);
  });
});

describe('map', () => {
  it('maps with the optional index (case 19)', () => {
    const greet = lambda(['d', 'i'], (d, i) => `${call('if', call('equals', call('mod', i, 2), 0), 'Hi', 'Ahoy') as string} ${d as string}!`);
    expect(call('map', ['Evie', 'Casper', 'Lady Lechuga'], greet)).toEqual(['Hi Evie!', 'Ahoy Casper!', 'Hi Lady Lechuga!']);
  });
  it('maps unknown elements through the lambda', () => {
    const r = call('map', [u, 2], lambda(['x'], (x) => call('add', x, 1))) as Value[];
    expect(r[0]).toBeInstanceOf(Unknown);
    expect(r[1]).toBe(3);
  });
  it('gives different lambdas over the same unknown array different keys', () => {
    const a = call('map', u, lambda(['x'], (x) => x)) as Unknown;
    const b = call('map', u, lambda(['x'], () => 1)) as Unknown;
    expect(a).toBeInstanceOf(Unknown);
    expect(a.key).not.toBe(b.key);
    expect(a.origins).toEqual([{ kind: 'parameter', name: 'p' }]);
  });
});

describe('reduce', () => {
  it('folds from the initial value (case 18)', () => {
    const join = lambda(['x', 'y'], (x, y) => `${x as string}-${y as string}`);
    expect(call('reduce', ['a', 'b', 'c'], '', join)).toBe('-a-b-c');
    expect(call('reduce', [1, 2, 3], 0, lambda(['acc', 'cur', 'i'], (acc, cur, i) => (acc as number) + (cur as number) * (i as number)))).toBe(8);
    expect(call('reduce', [], 'init', join)).toBe('init');
  });
  it('passes unknowns through the accumulator', () => {
    expect(call('reduce', [1, 2], u, lambda(['acc', 'x'], (acc, x) => call('add', acc, x)))).toBeInstanceOf(Unknown);
  });
});

describe('sort', () => {
  it('orders by the predicate (case 18)', () => {
    const less = lambda(['a', 'b'], (a, b) => call('less', a, b));
    expect(call('sort', ['c', 'd', 'a'], less)).toEqual(['a', 'c', 'd']);
    expect(call('sort', [5, 3, 9, 1, 3], less)).toEqual([1, 3, 3, 5, 9]);
  });
  it('is stable', () => {
    const items = [obj({ k: 2, n: 'a' }), obj({ k: 1, n: 'b' }), obj({ k: 2, n: 'c' }), obj({ k: 1, n: 'd' })];
    const byK = lambda(['a', 'b'], (a, b) => ((a as Record<string, number>)['k'] as number) < ((b as Record<string, number>)['k'] as number));
    const r = call('sort', items, byK) as Record<string, Value>[];
    expect(r.map((e) => e['n'])).toEqual(['b', 'd', 'a', 'c']);
  });
  it('is unknown when an order is unknown', () => {
    expect(call('sort', ['a', u], lambda(['a', 'b'], (a, b) => call('less', a, b)))).toBeInstanceOf(Unknown);
    expect(call('sort', [u], lambda(['a', 'b'], () => true))).toEqual([u]);
  });
  it('requires a two-parameter lambda', () => {
    expect(() => call('sort', [1], lambda(['a'], () => true))).toThrow(/sort: the lambda must take 2 parameters, it takes 1/);
  });
});

describe('toObject', () => {
  it('builds an object from keys and values (case 20)', () => {
    const r = call('toObject', ['a', 'b'], lambda(['k'], (k) => k), lambda(['k'], (k) => `Hi ${k as string}!`));
    expect(json(r)).toEqual({ a: 'Hi a!', b: 'Hi b!' });
    expect(Object.getPrototypeOf(r)).toBe(null);
  });
  it('uses the element as value without a value lambda; the last duplicate wins', () => {
    const items = [obj({ n: 'x', v: 1 }), obj({ n: 'X', v: 2 })];
    expect(json(call('toObject', items, lambda(['e'], (e) => (e as Record<string, Value>)['n']!)))).toEqual({ x: { n: 'X', v: 2 } });
  });
  it('is unknown for an unknown key, keeps unknown values', () => {
    expect(call('toObject', ['a', u], lambda(['k'], (k) => k))).toBeInstanceOf(Unknown);
    const r = call('toObject', ['a'], lambda(['k'], (k) => k), lambda(['k'], () => v)) as Record<string, Value>;
    expect(r['a']).toBe(v);
  });
  it('requires string keys', () => {
    expect(() => call('toObject', [1], lambda(['k'], (k) => k))).toThrow(/toObject: the key lambda must return a string, got int/);
  });
});

describe('mapValues', () => {
  it('maps every value (case 20)', () => {
    expect(json(call('mapValues', obj({ a: 123, b: 456 }), lambda(['v'], (x) => call('mul', x, 2))))).toEqual({ a: 246, b: 912 });
  });
  it('keeps keys when values are unknown', () => {
    const r = call('mapValues', mk({ a: u }), lambda(['v'], (x) => call('mul', x, 2))) as Record<string, Value>;
    expect(Object.keys(r)).toEqual(['a']);
    expect(r['a']).toBeInstanceOf(Unknown);
  });
  it('rejects non-objects', () => {
    expect(() => call('mapValues', [1], lambda(['v'], (x) => x))).toThrow(/mapValues: the argument must be an object, got array/);
  });
});

describe('groupBy', () => {
  const input = [obj({ type: 'a', value: 123 }), obj({ type: 'b', value: 456 }), obj({ type: 'a', value: 789 })];
  const type = lambda(['x'], (x) => (x as Record<string, Value>)['type']!);
  it('groups values by key in input order (case 20)', () => {
    const r = call('groupBy', input, type, lambda(['x'], (x) => (x as Record<string, Value>)['value']!));
    expect(json(r)).toEqual({ a: [123, 789], b: [456] });
  });
  it('groups whole elements without a value lambda', () => {
    expect(json(call('groupBy', ['ab', 'ac', 'b'], lambda(['s'], (s) => (s as string)[0]!)))).toEqual({ a: ['ab', 'ac'], b: ['b'] });
  });
  it('is unknown for an unknown key', () => {
    expect(call('groupBy', [u], lambda(['x'], (x) => x))).toBeInstanceOf(Unknown);
  });
});

describe('json leniency and tryGet from the end', () => {
  it('reads numbers such as .25 the way Newtonsoft does', () => {
    expect(call('json', '.25')).toBe(0.25);
    expect(call('json', "{'a': 1}")).toEqual({ a: 1 });
  });

  it('reads Bicep [^n] index objects', () => {
    expect(call('tryGet', [1, 2, 3], { value: 1, fromEnd: true })).toBe(3);
    expect(call('tryGet', [1, 2, 3], { value: 4, fromEnd: true })).toBe(null);
  });
});
