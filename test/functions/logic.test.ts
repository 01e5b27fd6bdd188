import { describe, it, expect } from 'vitest';
import { logicFunctions } from '../../src/eval/functions/logic.js';
import { TemplateEvalError, type FunctionContext } from '../../src/eval/functions/types.js';
import { PartialString, Unknown, containsUnknown, fromJson, type Value } from '../../src/eval/value.js';

const ctx: FunctionContext = { callLambda: () => null };

function def(name: string) {
  const found = logicFunctions.find((d) => d.name.toLowerCase() === name.toLowerCase());
  if (!found) throw new Error(`no function ${name}`);
  return found;
}

/** Calls a function as the evaluator does: thunks for lazy ones, the strict-unknown rule for the rest. */
function call(name: string, ...args: Value[]): Value {
  const d = def(name);
  if (args.length < d.minArgs || args.length > d.maxArgs) throw new Error(`${name}: wrong argument count`);
  if (d.lazy) return d.lazy(args.map((a) => () => a), ctx);
  if (d.unknowns !== 'custom' && args.some(containsUnknown)) return Unknown.derived(d.name, args);
  return d.impl!(args, ctx);
}

function callLazy(name: string, ...thunks: (() => Value)[]): Value {
  return def(name).lazy!(thunks, ctx);
}

const u = Unknown.parameter('p');
const v = Unknown.parameter('q');
const fail = (): Value => {
  throw new TemplateEvalError("the object has no property 'x'");
};

describe('equals', () => {
  it('compares ints and floats numerically (case 14)', () => {
    expect(call('equals', 1, fromJson(JSON.parse('1.0')))).toBe(true);
    expect(call('equals', 1, 1.5)).toBe(false);
  });
  it('compares strings case-sensitively', () => {
    expect(call('equals', 'A', 'a')).toBe(false);
    expect(call('equals', 'a', 'a')).toBe(true);
  });
  it('compares objects and arrays deeply, ignoring key order', () => {
    expect(call('equals', fromJson({ a: 1, b: [1, { c: 'x' }] }), fromJson({ b: [1, { c: 'x' }], a: 1 }))).toBe(true);
    expect(call('equals', fromJson({ a: 1 }), fromJson({ a: 1, b: 2 }))).toBe(false);
    expect(call('equals', [1, 2], [2, 1])).toBe(false);
    expect(call('equals', null, null)).toBe(true);
    expect(call('equals', '1', 1)).toBe(false);
  });
  it('treats unknowns built the same way as equal', () => {
    expect(call('equals', u, Unknown.parameter('P'))).toBe(true);
    expect(call('equals', [u], [Unknown.parameter('p')])).toBe(true);
  });
  it('cannot tell different unknowns apart', () => {
    const r = call('equals', u, v);
    expect(r).toBeInstanceOf(Unknown);
    expect((r as Unknown).key).toBe("equals(⟨parameters('p')⟩,⟨parameters('q')⟩)");
    expect(call('equals', u, 'x')).toBeInstanceOf(Unknown);
  });
  it('decides structurally when unknown leaves cannot matter', () => {
    expect(call('equals', [u, 1], [u, 2])).toBe(false);
    expect(call('equals', [u], [u, 1])).toBe(false);
    expect(call('equals', fromJson({ a: 1 }), fromJson({ b: 1 }))).toBe(false);
    expect(call('equals', [u, 1], [v, 1])).toBeInstanceOf(Unknown);
  });
  it('tells a string with holes from a string that contradicts its known text', () => {
    const url = PartialString.of(['https://', u, '.vault.azure.net/keys/', v]) as PartialString;
    expect(call('equals', url, 'http://kv.vault.azure.net/keys/k')).toBe(false);
    expect(call('equals', 'https://kv.blob.core.windows.net/', url)).toBe(false);
    expect(call('equals', url, 'https://kv.vault.azure.net/keys/k')).toBeInstanceOf(Unknown);
    expect(call('equals', url, 42)).toBe(false);
    const other = PartialString.of(['http://', v]);
    expect(call('equals', url, other)).toBe(false);
    expect(call('equals', url, PartialString.of(['https://', u, '.vault.azure.net/keys/', v]))).toBe(true);
    expect(call('equals', PartialString.of([u, '/x']), 'a/y')).toBe(false);
  });
});

describe('less, lessOrEquals, greater, greaterOrEquals', () => {
  it('compares numbers numerically', () => {
    expect(call('less', 1, 2)).toBe(true);
    expect(call('less', 2, 1.5)).toBe(false);
    expect(call('lessOrEquals', 2, 2)).toBe(true);
    expect(call('greater', 3, 2)).toBe(true);
    expect(call('greaterOrEquals', 2, 3)).toBe(false);
    expect(call('greaterOrEquals', 3, 3)).toBe(true);
  });
  it('compares strings by culture, not ordinal (case 14)', () => {
    expect(call('less', 'a', 'B')).toBe(true);
    expect(call('greater', 'b', 'A')).toBe(true);
    expect(call('less', 'abc', 'abd')).toBe(true);
    expect(call('lessOrEquals', 'x', 'x')).toBe(true);
  });
  it('rejects a string against a number', () => {
    expect(() => call('less', 'a', 1)).toThrow(/less: expected two numbers or two strings, got string and int/);
    expect(() => call('greater', true, false)).toThrow(TemplateEvalError);
  });
  it('is unknown with an unknown argument', () => {
    expect(call('less', u, 1)).toBeInstanceOf(Unknown);
  });
});

describe('coalesce', () => {
  it('returns the first non-null argument (case 13)', () => {
    expect(call('coalesce', null, '', 'x')).toBe('');
    expect(call('coalesce', null, [], 1)).toEqual([]);
    expect(call('coalesce', null, null)).toBe(null);
  });
  it('is unknown when an unknown comes before the first known non-null', () => {
    expect(call('coalesce', null, u, 'x')).toBeInstanceOf(Unknown);
    expect(call('coalesce', u, null)).toBeInstanceOf(Unknown);
  });
  it('ignores unknowns after the first known non-null', () => {
    expect(call('coalesce', 'x', u)).toBe('x');
    expect(call('coalesce', null, PartialString.of(['a', u]))).toBeInstanceOf(PartialString);
  });
  it('does not evaluate arguments after the answer', () => {
    expect(callLazy('coalesce', () => 'a', fail)).toBe('a');
  });
});

describe('and, or, not', () => {
  it('computes boolean logic', () => {
    expect(call('and', true, true, true)).toBe(true);
    expect(call('and', true, false)).toBe(false);
    expect(call('or', false, false)).toBe(false);
    expect(call('or', false, true)).toBe(true);
    expect(call('not', true)).toBe(false);
  });
  it('decides on a known false (and) or true (or) despite unknowns', () => {
    expect(call('and', u, false)).toBe(false);
    expect(call('or', u, true)).toBe(true);
  });
  it('is unknown when no known argument decides', () => {
    expect(call('and', u, true)).toBeInstanceOf(Unknown);
    expect(call('or', false, u)).toBeInstanceOf(Unknown);
    expect(call('not', u)).toBeInstanceOf(Unknown);
  });
  it('stops at a known deciding argument', () => {
    expect(callLazy('and', () => false, fail)).toBe(false);
    expect(callLazy('or', () => true, fail)).toBe(true);
  });
  it('requires booleans', () => {
    expect(() => call('and', true, 'true')).toThrow(/and: expected a boolean, got string/);
    expect(() => call('or', false, 1)).toThrow(/or: expected a boolean, got int/);
    expect(() => call('not', null)).toThrow(/not: expected a boolean, got null/);
  });
});

describe('true, false, bool', () => {
  it('returns constants', () => {
    expect(call('true')).toBe(true);
    expect(call('false')).toBe(false);
  });
  it('converts booleans, strings and integers', () => {
    expect(call('bool', true)).toBe(true);
    expect(call('bool', 'True')).toBe(true);
    expect(call('bool', 'false')).toBe(false);
    expect(call('bool', 1)).toBe(true);
    expect(call('bool', 0)).toBe(false);
  });
  it('rejects other values', () => {
    expect(() => call('bool', 'yes')).toThrow(/bool: expected a boolean, an integer or the string 'true' or 'false', got string 'yes'/);
    expect(() => call('bool', [])).toThrow(TemplateEvalError);
  });
});

describe('if', () => {
  it('evaluates only the chosen branch (case 12)', () => {
    let evaluated = false;
    const cond = (): Value => call('equals', 1, 2);
    expect(callLazy('if', cond, () => ((evaluated = true), fail()), () => 'ok')).toBe('ok');
    expect(evaluated).toBe(false);
    expect(callLazy('if', () => true, () => 'yes', fail)).toBe('yes');
  });
  it('requires a boolean condition', () => {
    expect(() => call('if', 'true', 1, 2)).toThrow(/if: the condition must be a boolean, got string/);
  });
  it('with an unknown condition, is an unknown over both branches, errors included', () => {
    const r = callLazy('if', () => u, () => 'a', fail);
    expect(r).toBeInstanceOf(Unknown);
    const key = (r as Unknown).key;
    expect(key.startsWith(`if(⟨parameters('p')⟩,"a",`)).toBe(true);
    expect(key).toContain("error(the object has no property 'x')");
    expect((r as Unknown).origins.map((o) => o.kind)).toEqual(['parameter', 'error']);
  });
  it('with an unknown condition, is known when both branches agree', () => {
    expect(call('if', u, 'same', 'same')).toBe('same');
  });
  it('does not swallow programming errors', () => {
    expect(() =>
      callLazy('if', () => u, () => 1, () => {
        throw new TypeError('bug');
      }),
    ).toThrow(TypeError);
  });
});

describe('add, sub, mul, div, mod', () => {
  it('computes integer arithmetic', () => {
    expect(call('add', 2, 3)).toBe(5);
    expect(call('sub', 2, 3)).toBe(-1);
    expect(call('mul', -4, 3)).toBe(-12);
    expect(call('div', 7, 2)).toBe(3);
    expect(call('mod', 7, 3)).toBe(1);
  });
  it('truncates division toward zero; mod takes the dividend sign', () => {
    expect(call('div', -7, 2)).toBe(-3);
    expect(call('div', 7, -2)).toBe(-3);
    expect(call('mod', -7, 2)).toBe(-1);
    expect(call('mod', 7, -2)).toBe(1);
  });
  it('rejects division by zero', () => {
    expect(() => call('div', 1, 0)).toThrow(/div: division by zero/);
    expect(() => call('mod', 1, 0)).toThrow(/mod: division by zero/);
  });
  it('reports overflow instead of losing precision', () => {
    expect(() => call('mul', 2 ** 40, 2 ** 40)).toThrow(/mul: the result 1208925819614629174706176 overflows a 64-bit integer/);
    expect(() => call('add', Number.MAX_SAFE_INTEGER, 1)).toThrow(/add: the result 9007199254740992 is outside/);
    expect(() => call('add', 2 ** 60, 1)).toThrow(/add: the first operand .* is outside/);
    expect(call('sub', -Number.MAX_SAFE_INTEGER, 0)).toBe(-Number.MAX_SAFE_INTEGER);
  });
  it('requires integers', () => {
    expect(() => call('add', 1.5, 1)).toThrow(/add: the first operand must be an integer, got float 1.5/);
    expect(() => call('sub', 1, '2')).toThrow(/sub: the second operand must be an integer, got string/);
  });
  it('is unknown with an unknown operand', () => {
    expect(call('add', u, 1)).toBeInstanceOf(Unknown);
  });
});

describe('int, float', () => {
  it('converts integers and integer strings', () => {
    expect(call('int', 4)).toBe(4);
    expect(call('int', '-42')).toBe(-42);
    expect(call('int', ' 7 ')).toBe(7);
  });
  it('rejects other values', () => {
    expect(() => call('int', '4.5')).toThrow(/int: expected an integer or a string of decimal digits, got string '4.5'/);
    expect(() => call('int', 4.5)).toThrow(/int: the value must be an integer, got float 4.5/);
    expect(() => call('int', '99999999999999999999')).toThrow(/overflows a 64-bit integer/);
    expect(() => call('int', true)).toThrow(TemplateEvalError);
  });
  it('converts to float', () => {
    expect(call('float', 3)).toBe(3);
    expect(call('float', '1.5')).toBe(1.5);
    expect(call('float', '-2e3')).toBe(-2000);
    expect(() => call('float', 'abc')).toThrow(/float: expected a number or a numeric string, got string 'abc'/);
  });
});
