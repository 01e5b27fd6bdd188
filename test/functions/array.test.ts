import { describe, it, expect } from 'vitest';
import { arrayFunctions } from '../../src/eval/functions/array.js';
import { TemplateEvalError, type FunctionContext } from '../../src/eval/functions/types.js';
import { PartialString, Unknown, containsUnknown, fromJson, objectFrom, toDisplayJson, valueKey, type Value } from '../../src/eval/value.js';

const ctx: FunctionContext = { callLambda: () => null };

/** Calls a function as the evaluator does: the strict-unknown rule unless the function handles unknowns. */
function call(name: string, ...args: Value[]): Value {
  const d = arrayFunctions.find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (!d) throw new Error(`no function ${name}`);
  if (args.length < d.minArgs || args.length > d.maxArgs) throw new Error(`${name}: wrong argument count`);
  if (d.lazy) return d.lazy(args.map((a) => () => a), ctx);
  if (d.unknowns !== 'custom' && args.some(containsUnknown)) return Unknown.derived(d.name, args);
  return d.impl!(args, ctx);
}

const obj = (o: object): Value => fromJson(o);
/** An object holding unknowns, which fromJson cannot build. */
const mk = (o: Record<string, Value>): Value => objectFrom(Object.entries(o));
const json = (v: Value): unknown => toDisplayJson(v);
const u = Unknown.parameter('p');
const v = Unknown.parameter('q');

describe('array', () => {
  it('wraps non-arrays and passes arrays through', () => {
    expect(call('array', 1)).toEqual([1]);
    expect(call('array', 'x')).toEqual(['x']);
    expect(call('array', [1, 2])).toEqual([1, 2]);
    expect(json(call('array', obj({ a: 1 })))).toEqual([{ a: 1 }]);
    expect(call('array', [u])).toEqual([u]);
  });
  it('is unknown for an unknown value', () => {
    expect(call('array', u)).toBeInstanceOf(Unknown);
  });
});

describe('concat', () => {
  it('concatenates strings, integers and booleans, skipping nulls', () => {
    expect(call('concat', "it's", ' ok')).toBe("it's ok");
    expect(call('concat', 'a', 1, true, null, false)).toBe('a1TrueFalse');
  });
  it('concatenates arrays one level deep', () => {
    expect(call('concat', [1], [2, [3]], null)).toEqual([1, 2, [3]]);
  });
  it('rejects arrays mixed with scalars, and objects', () => {
    expect(() => call('concat', [1], 'a')).toThrow(/concat: cannot mix arrays and strings/);
    expect(() => call('concat', 1, [1])).toThrow(/concat: cannot mix arrays and ints/);
    expect(() => call('concat', 'a', obj({}))).toThrow(/concat: cannot concatenate object/);
  });
  it('keeps known text around unknown parts', () => {
    const r = call('concat', 'https://', u, '/keys/', 'k');
    expect(r).toBeInstanceOf(PartialString);
    expect((r as PartialString).prefix).toBe('https://');
    expect((r as PartialString).suffix).toBe('/keys/k');
    expect(call('concat', PartialString.of(['a', u]), 'b')).toBeInstanceOf(PartialString);
  });
  it('keeps unknown elements of arrays', () => {
    expect(call('concat', [u], [1])).toEqual([u, 1]);
  });
  it('is unknown when an unknown argument could be an array', () => {
    expect(call('concat', u, [1])).toBeInstanceOf(Unknown);
    const r = call('concat', u, v);
    expect(r).toBeInstanceOf(Unknown);
    expect((r as Unknown).key).toBe("concat(⟨parameters('p')⟩,⟨parameters('q')⟩)");
  });
});

describe('contains', () => {
  it('searches strings case-sensitively (case 9)', () => {
    expect(call('contains', 'FOOBAR', 'foo')).toBe(false);
    expect(call('contains', 'FOOBAR', 'OBA')).toBe(true);
    expect(call('contains', 'a12', 1)).toBe(true);
  });
  it('looks up object keys case-insensitively (case 9)', () => {
    expect(call('contains', obj({ Key: 1 }), 'KEY')).toBe(true);
    expect(call('contains', obj({ Key: 1 }), 'other')).toBe(false);
  });
  it('searches arrays by deep, case-sensitive equality', () => {
    expect(call('contains', ['FOO'], 'foo')).toBe(false);
    expect(call('contains', [obj({ a: [1] })], obj({ a: [1] }))).toBe(true);
    expect(call('contains', [1, 2], '1')).toBe(false);
  });
  it('finds an unknown by how it is built', () => {
    expect(call('contains', [1, u], Unknown.parameter('p'))).toBe(true);
    expect(call('contains', [u, 'x'], 'x')).toBe(true);
  });
  it('is unknown when an unknown element might match', () => {
    expect(call('contains', [u, 'y'], 'x')).toBeInstanceOf(Unknown);
    expect(call('contains', [1], u)).toBeInstanceOf(Unknown);
    expect(call('contains', u, 'x')).toBeInstanceOf(Unknown);
    expect(call('contains', obj({ a: 1 }), u)).toBeInstanceOf(Unknown);
  });
  it('finds text in the known parts of a string with holes', () => {
    const s = PartialString.of(['https://', u, '.vault.azure.net']);
    expect(call('contains', s, 'vault')).toBe(true);
    expect(call('contains', s, 'blob')).toBeInstanceOf(Unknown);
  });
  it('rejects other containers', () => {
    expect(() => call('contains', 1, 1)).toThrow(/contains: expected an array, an object or a string to search, got int/);
    expect(() => call('contains', obj({}), 1)).toThrow(TemplateEvalError);
  });
});

describe('createArray', () => {
  it('builds arrays, keeping unknown elements', () => {
    expect(call('createArray')).toEqual([]);
    expect(call('createArray', 1, 'a', null)).toEqual([1, 'a', null]);
    expect(call('createArray', u, 2)).toEqual([u, 2]);
  });
});

describe('empty', () => {
  it('is true for null, empty string, array and object (case 13)', () => {
    expect(call('empty', null)).toBe(true);
    expect(call('empty', '')).toBe(true);
    expect(call('empty', [])).toBe(true);
    expect(call('empty', obj({}))).toBe(true);
    expect(call('empty', 'a')).toBe(false);
    expect(call('empty', obj({ a: null }))).toBe(false);
  });
  it('decides for containers of unknowns and strings with known text', () => {
    expect(call('empty', [u])).toBe(false);
    expect(call('empty', PartialString.of(['a', u]))).toBe(false);
    expect(call('empty', u)).toBeInstanceOf(Unknown);
  });
  it('rejects numbers', () => {
    expect(() => call('empty', 1)).toThrow(/empty: expected null, a string, an array or an object, got int/);
  });
});

describe('first, last', () => {
  it('returns ends of arrays and strings', () => {
    expect(call('first', [1, 2, 3])).toBe(1);
    expect(call('last', [1, 2, 3])).toBe(3);
    expect(call('first', [])).toBe(null);
    expect(call('last', [])).toBe(null);
    expect(call('first', 'abc')).toBe('a');
    expect(call('last', 'abc')).toBe('c');
    expect(call('first', '')).toBe('');
  });
  it('returns known ends despite unknowns', () => {
    expect(call('first', [u, 1])).toBe(u);
    expect(call('last', PartialString.of([u, 'xy']))).toBe('y');
    expect(call('first', PartialString.of([u, 'xy']))).toBeInstanceOf(Unknown);
    expect(call('first', u)).toBeInstanceOf(Unknown);
  });
  it('rejects other values', () => {
    expect(() => call('first', 1)).toThrow(/first: expected an array or a string, got int/);
  });
});

describe('indexOf, lastIndexOf', () => {
  it('searches strings case-insensitively (case 9)', () => {
    expect(call('indexOf', 'FOOBAR', 'bar')).toBe(3);
    expect(call('indexOf', 'abc', 'z')).toBe(-1);
    expect(call('lastIndexOf', 'abcABC', 'bc')).toBe(4);
  });
  it('searches arrays case-sensitively by deep equality (case 9)', () => {
    expect(call('indexOf', ['FOO', 'BAR'], 'foo')).toBe(-1);
    expect(call('indexOf', ['a', obj({ x: 1 }), obj({ x: 1 })], obj({ x: 1 }))).toBe(1);
    expect(call('lastIndexOf', ['a', obj({ x: 1 }), obj({ x: 1 })], obj({ x: 1 }))).toBe(2);
    expect(call('lastIndexOf', [1, 2], 3)).toBe(-1);
  });
  it('handles unknown elements', () => {
    expect(call('indexOf', [u, 'a'], u)).toBe(0);
    expect(call('lastIndexOf', ['a', u], u)).toBe(1);
    // 'a' comes first and the unknown may be 'a', so the first index is not known.
    expect(call('indexOf', ['a', u], u)).toBeInstanceOf(Unknown);
    expect(call('indexOf', ['a', u, 'b'], 'a')).toBe(0);
    expect(call('indexOf', ['a', u, 'b'], 'b')).toBeInstanceOf(Unknown);
    expect(call('indexOf', 'abc', u)).toBeInstanceOf(Unknown);
  });
  it('rejects other values', () => {
    expect(() => call('indexOf', 1, 1)).toThrow(/indexOf: expected an array or a string to search, got int/);
  });
});

describe('intersection', () => {
  it('keeps distinct elements present in every array', () => {
    expect(call('intersection', [1, 2, 2, 3], [2, 3, 4], [3, 2])).toEqual([2, 3]);
  });
  it('keeps key-value pairs present in every object', () => {
    expect(json(call('intersection', obj({ a: 1, b: 2, c: [1] }), obj({ A: 1, b: 3, c: [1] })))).toEqual({ a: 1, c: [1] });
  });
  it('rejects mixed types', () => {
    expect(() => call('intersection', [1], obj({}))).toThrow(/intersection: expected all arrays or all objects, got array, object/);
  });
  it('is unknown with an unknown argument', () => {
    expect(call('intersection', [u], [1])).toBeInstanceOf(Unknown);
  });
});

describe('length', () => {
  it('counts characters, elements and keys; null is 0 (case 13)', () => {
    expect(call('length', 'abc')).toBe(3);
    expect(call('length', [1, 2])).toBe(2);
    expect(call('length', obj({ a: 1, b: 2 }))).toBe(2);
    expect(call('length', null)).toBe(0);
  });
  it('is known for containers of unknowns', () => {
    expect(call('length', [u, v])).toBe(2);
    expect(call('length', obj({ a: u }))).toBe(1);
    expect(call('length', u)).toBeInstanceOf(Unknown);
    expect(call('length', PartialString.of(['a', u]))).toBeInstanceOf(Unknown);
  });
  it('rejects numbers', () => {
    expect(() => call('length', 5)).toThrow(/length: expected a string, an array or an object, got int/);
  });
});

describe('min, max', () => {
  it('takes integers or one array of integers', () => {
    expect(call('min', 3, 1, 2)).toBe(1);
    expect(call('max', [3, 7, 2])).toBe(7);
    expect(call('max', 5)).toBe(5);
    expect(call('min', 1, 0.5)).toBe(0.5);
  });
  it('rejects empty arrays and non-numbers', () => {
    expect(() => call('min', [])).toThrow(/min: the array is empty/);
    expect(() => call('max', 1, 'a')).toThrow(/max: expected integers or one array of integers, got string/);
    expect(() => call('max', [1], [2])).toThrow(TemplateEvalError);
  });
});

describe('range', () => {
  it('counts from start', () => {
    expect(call('range', 1, 3)).toEqual([1, 2, 3]);
    expect(call('range', -2, 2)).toEqual([-2, -1]);
    expect(call('range', 5, 0)).toEqual([]);
    expect(call('range', 0, 10000)).toHaveLength(10000);
  });
  it('rejects counts outside 0..10000 and ends past 2^31-1', () => {
    expect(() => call('range', 0, 10001)).toThrow(/range: the count must be between 0 and 10000, got 10001/);
    expect(() => call('range', 0, -1)).toThrow(/range: the count must be between 0 and 10000, got -1/);
    expect(() => call('range', 2147483647, 2)).toThrow(/range: start \+ count - 1 must not exceed 2147483647/);
    expect(call('range', 2147483647, 1)).toEqual([2147483647]);
    expect(() => call('range', 'a', 1)).toThrow(/range: the start index must be an integer, got string/);
  });
});

describe('skip, take', () => {
  it('slices arrays and strings, clamping the count', () => {
    expect(call('skip', [1, 2, 3], 1)).toEqual([2, 3]);
    expect(call('take', [1, 2, 3], 2)).toEqual([1, 2]);
    expect(call('skip', 'abc', 5)).toBe('');
    expect(call('take', 'abc', -1)).toBe('');
    expect(call('skip', 'abc', -3)).toBe('abc');
    expect(call('take', 'abc', 10)).toBe('abc');
  });
  it('keeps unknown elements', () => {
    expect(call('take', [u, v, 1], 2)).toEqual([u, v]);
    expect(call('skip', u, 1)).toBeInstanceOf(Unknown);
  });
  it('rejects other values', () => {
    expect(() => call('take', 1, 1)).toThrow(/take: expected an array or a string, got int/);
    expect(() => call('skip', [1], '1')).toThrow(/skip: the count must be an integer, got string/);
  });
});

describe('union', () => {
  it('merges arrays without duplicates, in order (case 11)', () => {
    expect(call('union', [1, 2], [2, 3])).toEqual([1, 2, 3]);
    expect(call('union', [1, 1], [obj({ a: 1 })], [obj({ a: 1 })])).toHaveLength(2);
  });
  it('merges nested objects, replaces nested arrays (case 11)', () => {
    const r = call('union', obj({ a: { x: 1, arr: [1] } }), obj({ a: { y: 2, arr: [2] } }));
    expect(json(r)).toEqual({ a: { x: 1, arr: [2], y: 2 } });
    expect(Object.keys((r as { a: object }).a)).toEqual(['x', 'arr', 'y']);
  });
  it('lets later objects win, with case-insensitive keys', () => {
    expect(json(call('union', obj({ a: 1, B: 1 }), obj({ b: 2 }), obj({ c: 3 })))).toEqual({ a: 1, B: 2, c: 3 });
    expect(json(call('union', obj({ a: { x: 1 } }), obj({ A: 'flat' })))).toEqual({ a: 'flat' });
  });
  it('keeps unknown leaves when the keys are known', () => {
    const r = call('union', obj({ a: 1, n: { x: 1 } }), mk({ b: u, n: mk({ y: v }) }));
    expect(json(r)).toEqual({ a: 1, n: { x: 1, y: json(v) }, b: json(u) });
  });
  it('is unknown at a key where an unknown may have to be merged', () => {
    const r = call('union', obj({ n: { x: 1 } }), mk({ n: u })) as { n: Value };
    expect(r.n).toBeInstanceOf(Unknown);
    const replaced = call('union', mk({ n: u }), obj({ n: 'text' })) as { n: Value };
    expect(replaced.n).toBe('text');
  });
  it('is unknown for unknown arguments, or when an element with unknowns may duplicate another', () => {
    expect(call('union', u, obj({}))).toBeInstanceOf(Unknown);
    expect(call('union', [u], [1])).toBeInstanceOf(Unknown);
  });
  it('keeps elements with unknowns that are provably distinct, and drops one built the same way', () => {
    const id = (name: string) => PartialString.of(['/subscriptions/', Unknown.context('subscription().subscriptionId'), `/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`]);
    const keys = (r: Value) => (r as Value[]).map(valueKey);
    expect(keys(call('union', [], [id('a')]))).toEqual([valueKey(id('a'))]);
    expect(keys(call('union', [id('a')], [id('b'), id('a')]))).toEqual([valueKey(id('a')), valueKey(id('b'))]);
    // A wholly unknown element may be any of them.
    expect(call('union', [id('a')], [u])).toBeInstanceOf(Unknown);
  });
  it('rejects mixed types', () => {
    expect(() => call('union', [1], obj({}))).toThrow(/union: expected all arrays or all objects, got array, object/);
  });
});

describe('flatten', () => {
  it('flattens one level', () => {
    expect(call('flatten', [[1, 2], [], [3, [4]]])).toEqual([1, 2, 3, [4]]);
  });
  it('rejects non-array elements', () => {
    expect(() => call('flatten', [[1], 2])).toThrow(/flatten: every element must be an array, element 1 is int/);
    expect(() => call('flatten', 'a')).toThrow(/flatten: the argument must be an array, got string/);
  });
  it('is unknown when an element is unknown', () => {
    expect(call('flatten', [[1], u])).toBeInstanceOf(Unknown);
    expect(call('flatten', [[u]])).toEqual([u]);
  });
});

describe('indexFromEnd, tryIndexFromEnd', () => {
  it('reads from the end', () => {
    expect(call('indexFromEnd', [1, 2, 3], 1)).toBe(3);
    expect(call('indexFromEnd', [1, 2, 3], 3)).toBe(1);
    expect(call('tryIndexFromEnd', [1, 2, 3], 2)).toBe(2);
  });
  it('is an error (indexFromEnd) or null (tryIndexFromEnd) out of range', () => {
    expect(() => call('indexFromEnd', [1, 2, 3], 4)).toThrow(/indexFromEnd: index 4 from the end is out of range: the array has 3 elements/);
    expect(() => call('indexFromEnd', [1], 0)).toThrow(TemplateEvalError);
    expect(call('tryIndexFromEnd', [1, 2, 3], 4)).toBe(null);
    expect(call('tryIndexFromEnd', [], 1)).toBe(null);
  });
  it('returns unknown elements and is unknown for unknown arrays', () => {
    expect(call('indexFromEnd', [1, u], 1)).toBe(u);
    expect(call('tryIndexFromEnd', u, 1)).toBeInstanceOf(Unknown);
  });
});

describe('distinct', () => {
  it('keeps the first of equal elements, deep equality, case-sensitive', () => {
    expect(call('distinct', ['a', 'b', 'a', 'c', 'b'])).toEqual(['a', 'b', 'c']);
    expect(call('distinct', [1, 'A', 'a', 1])).toEqual([1, 'A', 'a']);
  });
});
