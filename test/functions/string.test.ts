import { describe, it, expect } from 'vitest';
import { stringFunctions } from '../../src/eval/functions/string.js';
import { TemplateEvalError, type FunctionDef } from '../../src/eval/functions/types.js';
import { PartialString, Unknown, containsUnknown, fromJson, newObject, objectFrom, type Value } from '../../src/eval/value.js';

const noLambdas = {
  callLambda(): Value {
    throw new Error('no lambdas here');
  },
};

/** Calls a string function the way the evaluator does, including the strict-unknown rule and arity. */
function call(name: string, ...args: Value[]): Value {
  const def = stringFunctions.find((d: FunctionDef) => d.name.toLowerCase() === name.toLowerCase());
  if (!def) throw new Error(`no function ${name}`);
  if (args.length < def.minArgs || args.length > def.maxArgs) throw new TemplateEvalError(`${name}: wrong number of arguments`);
  if (def.unknowns !== 'custom' && args.some(containsUnknown)) return Unknown.derived(def.name, args);
  return def.impl!(args, noLambdas);
}

const obj = (o: Record<string, unknown>): Value => fromJson(o);
const json = (v: Value): unknown => JSON.parse(JSON.stringify(v));
const unknownParam = (n: string): Unknown => Unknown.parameter(n);

describe('function table', () => {
  it('has every function it owns, once', () => {
    const names = stringFunctions.map((d) => d.name);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    for (const n of [
      'base64',
      'base64ToString',
      'base64ToJson',
      'dataUri',
      'dataUriToString',
      'endsWith',
      'startsWith',
      'format',
      'guid',
      'join',
      'padLeft',
      'replace',
      'split',
      'string',
      'substring',
      'toLower',
      'toUpper',
      'trim',
      'uniqueString',
      'uri',
      'uriComponent',
      'uriComponentToString',
      'like',
      'parseUri',
      'buildUri',
    ]) {
      expect(names).toContain(n);
    }
  });
});

describe('base64', () => {
  it('round-trips UTF-8 text', () => {
    expect(call('base64', 'one, two, three')).toBe('b25lLCB0d28sIHRocmVl');
    expect(call('base64ToString', 'b25lLCB0d28sIHRocmVl')).toBe('one, two, three');
    expect(call('base64ToString', call('base64', 'abc'))).toBe('abc');
    expect(call('base64ToString', call('base64', 'héllo €'))).toBe('héllo €');
  });

  it('rejects text that is not base64', () => {
    expect(() => call('base64ToString', 'not base64!')).toThrow(TemplateEvalError);
    expect(() => call('base64ToString', 'abc')).toThrow(/base64/);
    expect(() => call('base64', 12)).toThrow(/must be a string/);
  });

  it('base64ToJson parses JSON, including the single-quoted form ARM accepts', () => {
    expect(json(call('base64ToJson', call('base64', '{"hi": "there"}')))).toEqual({ hi: 'there' });
    expect(json(call('base64ToJson', call('base64', "{'one': 'a', 'two': 'b'}")))).toEqual({ one: 'a', two: 'b' });
    expect(call('base64ToJson', call('base64', '[1, true, null, "x", 2.5]'))).toEqual([1, true, null, 'x', 2.5]);
    expect(call('base64ToJson', call('base64', 'null'))).toBe(null);
    expect(() => call('base64ToJson', call('base64', '{"a": '))).toThrow(/not valid JSON/);
  });

  it('base64ToJson makes null-prototype objects', () => {
    const o = call('base64ToJson', call('base64', '{"__proto__": {"x": 1}}')) as Record<string, Value>;
    expect(Object.getPrototypeOf(o)).toBe(null);
    expect(Object.keys(o)).toEqual(['__proto__']);
  });
});

describe('dataUri', () => {
  it('encodes strings as text/plain and JSON values as application/json', () => {
    expect(call('dataUri', 'Hello')).toBe('data:text/plain;charset=utf8;base64,SGVsbG8=');
    const o = call('dataUri', obj({ a: 'b' })) as string;
    expect(o.startsWith('data:application/json;charset=utf8;base64,')).toBe(true);
    expect(Buffer.from(o.split(',')[1]!, 'base64').toString()).toBe('{"a":"b"}');
    expect(call('dataUri', fromJson([1, 2]))).toBe(`data:application/json;charset=utf8;base64,${Buffer.from('[1,2]').toString('base64')}`);
  });

  it('decodes base64 and percent-encoded data URIs', () => {
    expect(call('dataUriToString', 'data:;base64,SGVsbG8sIFdvcmxkIQ==')).toBe('Hello, World!');
    expect(call('dataUriToString', call('dataUri', 'abc'))).toBe('abc');
    expect(call('dataUriToString', 'data:text/plain,a%20b%2Cc')).toBe('a b,c');
    expect(call('dataUriToString', 'DATA:text/plain;charset=utf-8;base64,SGk=')).toBe('Hi');
  });

  it('rejects what is not a utf-8 data URI', () => {
    expect(() => call('dataUriToString', 'http://x')).toThrow(/not a data URI/);
    expect(() => call('dataUriToString', 'data:text/plain;base64')).toThrow(/no ','/);
    expect(() => call('dataUriToString', 'data:text/plain;charset=utf-16;base64,AAA=')).toThrow(/utf-8/);
  });
});

describe('startsWith / endsWith', () => {
  it('compare case-insensitively', () => {
    expect(call('startsWith', 'abc', 'A')).toBe(true);
    expect(call('startsWith', 'abcdef', 'ab')).toBe(true);
    expect(call('startsWith', 'abcdef', 'e')).toBe(false);
    expect(call('endsWith', 'abcdef', 'F')).toBe(true);
    expect(call('endsWith', 'abcdef', 'ef')).toBe(true);
    expect(call('endsWith', 'abcdef', 'e')).toBe(false);
    expect(call('endsWith', 'foo', 'o')).toBe(true);
    expect(call('startsWith', 'abc', '')).toBe(true);
  });

  it('need strings', () => {
    expect(() => call('startsWith', 'abc', 1)).toThrow(TemplateEvalError);
  });
});

describe('format', () => {
  it('formats the spec vectors', () => {
    expect(call('format', '>{0}<>{1}<>{2}<', false, obj({ a: 'b', '!c': 2 }), fromJson([true, 2893, 'abc']))).toBe(
      ">False<>{'a':'b','!c':2}<>[true,2893,'abc']<",
    );
    expect(call('format', '{0:N0}', 8175133)).toBe('8,175,133');
    expect(call('format', '{{0}}')).toBe('{0}');
    expect(call('format', '->{0}<-', 123)).toBe('->123<-');
    expect(call('format', '{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133)).toBe('Hello, User. Formatted number: 8,175,133');
    expect(call('format', 'objectToFormat: {0}', obj({ prop: 'value' }))).toBe("objectToFormat: {'prop':'value'}");
  });

  it('prints null as nothing and booleans as True/False', () => {
    expect(call('format', '[{0}][{1}][{2}]', null, true, false)).toBe('[][True][False]');
  });

  it('reuses and reorders arguments, ignores extra ones', () => {
    expect(call('format', '{1}-{0}-{1}', 'a', 'b', 'unused')).toBe('b-a-b');
    expect(call('format', 'no items', 'x')).toBe('no items');
  });

  it('aligns', () => {
    expect(call('format', '[{0,5}]', 'ab')).toBe('[   ab]');
    expect(call('format', '[{0,-5}]', 'ab')).toBe('[ab   ]');
    expect(call('format', '[{0, -4:D2}]', 7)).toBe('[07  ]');
    expect(call('format', '[{0,2}]', 'abcd')).toBe('[abcd]');
  });

  it('supports the standard numeric formats', () => {
    expect(call('format', '{0:N}', 1234.5)).toBe('1,234.50');
    expect(call('format', '{0:N2}', -1234567.891)).toBe('-1,234,567.89');
    expect(call('format', '{0:n1}', 0.05)).toBe('0.1');
    expect(call('format', '{0:D}', 42)).toBe('42');
    expect(call('format', '{0:D5}', 42)).toBe('00042');
    expect(call('format', '{0:D3}', -7)).toBe('-007');
    expect(call('format', '{0:X}', 255)).toBe('FF');
    expect(call('format', '{0:x4}', 255)).toBe('00ff');
    expect(call('format', '{0:X}', -1)).toBe('FFFFFFFFFFFFFFFF');
    expect(call('format', '{0:F2}', 3)).toBe('3.00');
    expect(call('format', '{0:F}', 2.5)).toBe('2.50');
    expect(call('format', '{0:F0}', 2.5)).toBe('3');
    expect(call('format', '{0:F2}', 0.125)).toBe('0.13');
    expect(call('format', '{0:F2}', 2.675)).toBe('2.67'); // 2.675 is 2.67499999... as a double
    expect(call('format', '{0:P}', 0.5)).toBe('50.00 %');
    expect(call('format', '{0:P0}', 0.256)).toBe('26 %');
    expect(call('format', '{0:P1}', 12)).toBe('1,200.0 %');
    expect(call('format', '{0:E}', 1234.5678)).toBe('1.234568E+003');
    expect(call('format', '{0:e2}', 0.000123)).toBe('1.23e-004');
    expect(call('format', '{0:G}', 1234)).toBe('1234');
    expect(call('format', '{0:G2}', 12345)).toBe('1.2E+04');
    expect(call('format', '{0:G3}', 1.5)).toBe('1.5');
    expect(call('format', '{0:R}', 0.1)).toBe('0.1');
    expect(call('format', '{0:C}', 3)).toBe('¤3.00');
    expect(call('format', '{0}', 1.5)).toBe('1.5');
    expect(call('format', '{0}', 1e21)).toBe('1E+21');
    expect(call('format', '{0}', 0.00001)).toBe('1E-05');
    expect(call('format', '{0}', 0.0001)).toBe('0.0001');
    expect(call('format', '{0:G2}', 0.00001234)).toBe('1.2E-05');
  });

  it('supports custom numeric formats', () => {
    expect(call('format', 'vm{0:000}', 7)).toBe('vm007');
    expect(call('format', '{0:00}', 123)).toBe('123');
    expect(call('format', '{0:#,##0.00}', 1234567.891)).toBe('1,234,567.89');
    expect(call('format', '{0:0.##}', 1.5)).toBe('1.5');
    expect(call('format', '{0:0.##}', 2)).toBe('2');
    expect(call('format', '{0:#.#}', 0.5)).toBe('.5');
    expect(call('format', '{0:0%}', 0.25)).toBe('25%');
    expect(call('format', '{0:(###) ###-####}', 5551234567)).toBe('(555) 123-4567');
    expect(call('format', "{0:0;'minus '0;'zero'}", -3)).toBe('minus 3');
    expect(call('format', "{0:0;'minus '0;'zero'}", 0)).toBe('zero');
    expect(call('format', '{0:0}', -3)).toBe('-3');
    expect(call('format', '{0:#,#}', 1234567)).toBe('1,234,567');
    expect(call('format', '{0:0,,}', 5000000)).toBe('5');
    expect(call('format', '{0:.00}', 1.5)).toBe('1.50');
    expect(call('format', '{0:.00}', 0.5)).toBe('.50');
    expect(call('format', '{0:#}', 0)).toBe('');
    expect(call('format', '{0:x-0}', 7)).toBe('x-7');
  });

  it('ignores a numeric format on strings, booleans and null', () => {
    expect(call('format', '{0:N2}', 'abc')).toBe('abc');
    expect(call('format', '{0:D3}', true)).toBe('True');
    expect(call('format', '{0:D3}', null)).toBe('');
  });

  it('rejects malformed format strings and missing arguments', () => {
    expect(() => call('format', '{0', 'a')).toThrow(/not closed/);
    expect(() => call('format', 'a}b')).toThrow(/unmatched '}'/);
    expect(() => call('format', '{x}', 'a')).toThrow(/argument number/);
    expect(() => call('format', '{1}', 'a')).toThrow(/refers to argument \{1\}/);
    expect(() => call('format', '{0:D}', 1.5)).toThrow(/only applies to integers/);
    expect(() => call('format', '{0:Z}', 1)).toThrow(/not a valid numeric format/);
    expect(() => call('format', '{0:F100}', 1)).toThrow(/precision/);
    expect(() => call('format', 1)).toThrow(/format string must be a string/);
  });

  it('keeps the known text around unknown string arguments', () => {
    const vault = Unknown.resource('kv', ['vaultUri']);
    const out = call('format', '{0}keys/{1}', vault, 'cmk');
    expect(out).toBeInstanceOf(PartialString);
    const ps = out as PartialString;
    expect(ps.parts).toEqual([vault, 'keys/cmk']);
    expect(ps.suffix).toBe('keys/cmk');
    const nested = call('format', 'https://{0}/x', call('format', '{0}.vault', unknownParam('kv')));
    expect((nested as PartialString).prefix).toBe('https://');
    expect((nested as PartialString).key).toBe("https://⟨parameters('kv')⟩.vault/x");
  });

  it('is unknown as a whole when an unknown argument needs formatting or is not a string', () => {
    expect(call('format', '{0:D3}', unknownParam('n'))).toBeInstanceOf(Unknown);
    expect(call('format', '{0,5}', unknownParam('n'))).toBeInstanceOf(Unknown);
    expect(call('format', '{0}', [unknownParam('x')])).toBeInstanceOf(Unknown);
    expect(call('format', unknownParam('f'), 'a')).toBeInstanceOf(Unknown);
  });

  it('ignores unknown arguments it does not use, and is equal for equal inputs', () => {
    expect(call('format', '{0}', 'a', unknownParam('x'))).toBe('a');
    const a = call('format', 'st{0}', unknownParam('s')) as PartialString;
    const b = call('format', 'st{0}', unknownParam('S')) as PartialString;
    expect(a.key).toBe(b.key);
  });
});

describe('guid / uniqueString', () => {
  it('match the engine vectors', () => {
    expect(call('guid', 'asdf')).toBe('228d27cc-6fdb-5934-b7ac-1efccebade04');
    expect(call('uniqueString', 'asd', 'asdf', 'asdf')).toBe('iizpqit7ih3cc');
    expect(call('uniqueString', 'test')).toBe('rbgf3xv4ufgzg');
    expect(call('guid', 'a', 'b')).toBe(call('guid', 'a-b'));
  });

  it('need at least one string and only strings', () => {
    expect(() => call('guid')).toThrow(TemplateEvalError);
    expect(() => call('uniqueString')).toThrow(TemplateEvalError);
    expect(() => call('guid', 'a', 1)).toThrow(/argument 2 must be a string/);
    expect(() => call('uniqueString', null)).toThrow(/must be a string/);
  });

  it('are unknown with the same key for the same unknown inputs', () => {
    const rg = Unknown.context('resourceGroup().id');
    const a = call('guid', rg, 'Reader');
    const b = call('guid', Unknown.context('resourceGroup().id'), 'Reader');
    expect(a).toBeInstanceOf(Unknown);
    expect((a as Unknown).key).toBe((b as Unknown).key);
    expect((call('guid', rg, 'Owner') as Unknown).key).not.toBe((a as Unknown).key);
    expect(call('uniqueString', PartialString.of(['/subscriptions/', rg]))).toBeInstanceOf(Unknown);
  });
});

describe('join', () => {
  it('joins strings', () => {
    expect(call('join', fromJson(['abc', 'def', 'ghi']), '/')).toBe('abc/def/ghi');
    expect(call('join', fromJson(['one', 'two', 'three']), ';')).toBe('one;two;three');
    expect(call('join', [], ',')).toBe('');
    expect(call('join', fromJson(['a', 1, true]), '-')).toBe('a-1-True');
  });

  it('rejects what is not an array of strings', () => {
    expect(() => call('join', 'abc', ',')).toThrow(/array of strings/);
    expect(() => call('join', fromJson([['a']]), ',')).toThrow(/element 0/);
    expect(() => call('join', fromJson(['a']), 1)).toThrow(/delimiter must be a string/);
  });

  it('keeps unknown elements as holes', () => {
    const out = call('join', ['a', unknownParam('b'), 'c'], '/') as PartialString;
    expect(out).toBeInstanceOf(PartialString);
    expect(out.prefix).toBe('a/');
    expect(out.suffix).toBe('/c');
    expect(call('join', unknownParam('arr'), '/')).toBeInstanceOf(Unknown);
    expect(call('join', [objectFrom([['x', unknownParam('q')]])], '/')).toBeInstanceOf(Unknown);
  });
});

describe('padLeft', () => {
  it('pads strings and integers', () => {
    expect(call('padLeft', 13, 5)).toBe('   13');
    expect(call('padLeft', '123', 10, '0')).toBe('0000000123');
    expect(call('padLeft', 'abc', 2)).toBe('abc');
  });

  it('rejects bad arguments', () => {
    expect(() => call('padLeft', 'a', 5, 'xy')).toThrow(/single character/);
    expect(() => call('padLeft', 'a', -1)).toThrow(/negative/);
    expect(() => call('padLeft', true, 3)).toThrow(/string or an integer/);
    expect(() => call('padLeft', 'a', 'b')).toThrow(/integer/);
  });
});

describe('replace', () => {
  it('replaces every occurrence, case-sensitively', () => {
    expect(call('replace', 'abc', 'b', '/')).toBe('a/c');
    expect(call('replace', '123-123-1234', '-', '')).toBe('1231231234');
    expect(call('replace', 'aAa', 'a', 'x')).toBe('xAx');
  });

  it('rejects an empty search string', () => {
    expect(() => call('replace', 'abc', '', 'x')).toThrow(/must not be empty/);
  });
});

describe('split', () => {
  it('splits on a string and keeps empty entries', () => {
    expect(call('split', 'a/b/c', '/')).toEqual(['a', 'b', 'c']);
    expect(call('split', 'a,,b', ',')).toEqual(['a', '', 'b']);
    expect(call('split', ',a,', ',')).toEqual(['', 'a', '']);
    expect(call('split', '', ',')).toEqual(['']);
    expect(call('split', 'a::b', '::')).toEqual(['a', 'b']);
  });

  it('splits on any of several delimiters', () => {
    expect(call('split', 'one;two,three', fromJson([',', ';']))).toEqual(['one', 'two', 'three']);
    expect(call('split', 'abc', fromJson(['']))).toEqual(['abc']);
  });

  it('rejects other delimiter types', () => {
    expect(() => call('split', 'abc', 1)).toThrow(/delimiter/);
    expect(() => call('split', 'abc', fromJson([1]))).toThrow(/delimiter 1/);
  });

  it("splits a resource id whose subscription and resource group are unknown into its segments, since neither can hold a '/'", () => {
    const sub = Unknown.context('subscription().subscriptionId');
    const rg = Unknown.context('resourceGroup().name');
    const id = PartialString.of(['/subscriptions/', sub, '/resourceGroups/', rg, '/providers/Microsoft.KeyVault/vaults/kv-', Unknown.derived('uniqueString', [rg])]);
    const parts = call('split', id, '/') as Value[];
    expect(parts).toHaveLength(9);
    expect(parts.slice(0, 2)).toEqual(['', 'subscriptions']);
    // The very unknowns the id was built from, so ids rebuilt from the pieces still match the original.
    expect(parts[2]).toBe(sub);
    expect(parts[4]).toBe(rg);
    expect(parts.slice(5, 8)).toEqual(['providers', 'Microsoft.KeyVault', 'vaults']);
    expect(parts[8]).toBeInstanceOf(PartialString);
    expect((parts[8] as PartialString).key).toBe('kv-⟨uniquestring(⟨resourceGroup().name⟩)⟩');
  });

  it('keeps the result unknown when a hole could hold a delimiter', () => {
    // A parameter may hold '/'; a GUID holds '-'; a resource group name may hold '.'.
    expect(call('split', PartialString.of(['a/', unknownParam('x'), '/b']), '/')).toBeInstanceOf(Unknown);
    expect(call('split', PartialString.of(['a-', Unknown.context('subscription().subscriptionId')]), '-')).toBeInstanceOf(Unknown);
    expect(call('split', PartialString.of(['a.', Unknown.context('resourceGroup().name')]), fromJson(['/', '.']))).toBeInstanceOf(Unknown);
    expect(call('split', 'a/b', unknownParam('d'))).toBeInstanceOf(Unknown);
    // A hole that is a whole string splits to itself when it cannot hold the delimiter.
    expect(call('split', Unknown.context('resourceGroup().name'), '/')).toEqual([Unknown.context('resourceGroup().name')]);
  });
});

describe('string', () => {
  it('converts values as the engine prints them', () => {
    expect(call('string', 'asdf')).toBe('asdf');
    expect(call('string', 123)).toBe('123');
    expect(call('string', -5)).toBe('-5');
    expect(call('string', 1.5)).toBe('1.5');
    expect(call('string', true)).toBe('True');
    expect(call('string', false)).toBe('False');
    expect(call('string', null)).toBe('');
    expect(call('string', obj({ a: 'b' }))).toBe('{"a":"b"}');
    expect(call('string', fromJson(['a', 1, { b: null }]))).toBe('["a",1,{"b":null}]');
  });

  it('keeps a string with holes, and is unknown for other unknowns', () => {
    const ps = PartialString.of(['https://', unknownParam('h')]);
    expect(call('string', ps)).toBe(ps);
    expect(call('string', unknownParam('x'))).toBeInstanceOf(Unknown);
    expect(call('string', [unknownParam('x')])).toBeInstanceOf(Unknown);
  });
});

describe('substring', () => {
  it('takes the rest or a given length', () => {
    expect(call('substring', 'asdfasf', 3)).toBe('fasf');
    expect(call('substring', 'hello world', 6, 5)).toBe('world');
    expect(call('substring', 'ab', 2)).toBe('');
    expect(call('substring', 'ab', 0, 0)).toBe('');
  });

  it('is an error out of range', () => {
    expect(() => call('substring', 'ab', 1, 5)).toThrow(TemplateEvalError);
    expect(() => call('substring', 'ab', 3)).toThrow(/outside the string/);
    expect(() => call('substring', 'ab', -1)).toThrow(/outside the string/);
    expect(() => call('substring', 'ab', 0, -1)).toThrow(/past the end/);
  });
});

describe('toLower / toUpper / trim', () => {
  it('change case', () => {
    expect(call('toLower', 'AiKInIniIN')).toBe('aikininiin');
    expect(call('toUpper', 'AiKInIniIN')).toBe('AIKININIIN');
    expect(call('toUpper', 'straße')).toBe('STRAßE');
  });

  it('trims white space at both ends only', () => {
    expect(call('trim', '  adf asdf  ')).toBe('adf asdf');
    expect(call('trim', '\t\r\n x \u00a0')).toBe('x');
    expect(call('trim', '\uFEFFx')).toBe('\uFEFFx');
  });
});

describe('uri', () => {
  it('resolves a relative URI as the docs show', () => {
    expect(call('uri', 'https://github.com', 'Azure/bicep')).toBe('https://github.com/Azure/bicep');
    expect(call('uri', 'http://contoso.org/firstpath', 'myscript.sh')).toBe('http://contoso.org/myscript.sh');
    expect(call('uri', 'http://contoso.org/firstpath/', 'myscript.sh')).toBe('http://contoso.org/firstpath/myscript.sh');
    expect(call('uri', 'http://contoso.org/firstpath/azuredeploy.json', 'myscript.sh')).toBe('http://contoso.org/firstpath/myscript.sh');
    expect(call('uri', 'http://contoso.org/firstpath/azuredeploy.json/', 'myscript.sh')).toBe('http://contoso.org/firstpath/azuredeploy.json/myscript.sh');
    expect(call('uri', 'http://contoso.com/resources/azuredeploy.json', 'nested/azuredeploy.json')).toBe(
      'http://contoso.com/resources/nested/azuredeploy.json',
    );
  });

  it('needs an absolute base', () => {
    expect(() => call('uri', 'contoso.org/x', 'y')).toThrow(/not an absolute URI/);
  });

  it('is unknown when the base is', () => {
    expect(call('uri', unknownParam('_artifactsLocation'), 'nested/x.json')).toBeInstanceOf(Unknown);
  });
});

describe('uriComponent / uriComponentToString', () => {
  it('escape strictly', () => {
    expect(call('uriComponent', 'UB*8h 0+=_)9h9n')).toBe('UB%2A8h%200%2B%3D_%299h9n');
    expect(call('uriComponent', 'http://contoso.com/resources/nested/azuredeploy.json')).toBe(
      'http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json',
    );
    expect(call('uriComponent', "a-b_c.d~e!'()")).toBe('a-b_c.d~e%21%27%28%29');
    expect(call('uriComponent', 'é')).toBe('%C3%A9');
  });

  it('decode as form data', () => {
    expect(call('uriComponentToString', '%20%25%20')).toBe(' % ');
    expect(call('uriComponentToString', 'a+b')).toBe('a b');
    expect(call('uriComponentToString', 'http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json')).toBe(
      'http://contoso.com/resources/nested/azuredeploy.json',
    );
    expect(call('uriComponentToString', '%C3%A9%zz')).toBe('é%zz');
    expect(call('uriComponentToString', call('uriComponent', 'a b+c/é'))).toBe('a b+c/é');
  });
});

describe('like', () => {
  it('matches * wildcards case-insensitively over the whole string', () => {
    expect(call('like', 'Microsoft.KeyVault/vaults', 'microsoft.keyvault/*')).toBe(true);
    expect(call('like', 'abc', 'a*c')).toBe(true);
    expect(call('like', 'abc', '*')).toBe(true);
    expect(call('like', 'abc', 'b*')).toBe(false);
    expect(call('like', 'a.c', 'a.c')).toBe(true);
    expect(call('like', 'abc', 'a.c')).toBe(false);
    expect(call('like', 'a(b)[c]', 'a(b)[*]')).toBe(true);
    expect(call('like', '', '*')).toBe(true);
    expect(call('like', '', '')).toBe(true);
    expect(call('like', 'abcbc', '*bc')).toBe(true);
    expect(call('like', 'ab', 'a**b*')).toBe(true);
  });

  it('does not backtrack exponentially', () => {
    const start = Date.now();
    expect(call('like', 'a'.repeat(5000), `${'*a'.repeat(50)}*b`)).toBe(false);
    expect(Date.now() - start).toBeLessThan(2_000);
  });
});

describe('parseUri / buildUri', () => {
  it('parse a URI into its parts', () => {
    expect(json(call('parseUri', 'https://mystorage.blob.core.windows.net/templates/nestedTemplate.json?st=2025-05-09'))).toEqual({
      absoluteUri: 'https://mystorage.blob.core.windows.net/templates/nestedTemplate.json?st=2025-05-09',
      scheme: 'https',
      host: 'mystorage.blob.core.windows.net',
      port: 443,
      path: '/templates/nestedTemplate.json',
      query: '?st=2025-05-09',
    });
    expect(json(call('parseUri', 'http://example.com:8080'))).toMatchObject({ port: 8080, path: '/', query: '' });
    expect(() => call('parseUri', 'not a uri')).toThrow(/not an absolute URI/);
  });

  it('build a URI from parts', () => {
    const parts = objectFrom([
      ['scheme', 'https'],
      ['host', 'mystorage.blob.core.windows.net'],
      ['port', 8080],
      ['path', '/templates/nestedTemplate.json'],
      ['query', '?st=2025-05-09'],
    ]);
    expect(call('buildUri', parts)).toBe('https://mystorage.blob.core.windows.net:8080/templates/nestedTemplate.json?st=2025-05-09');
    const defaults = objectFrom([
      ['scheme', 'https'],
      ['host', 'example.com'],
      ['port', 443],
      ['path', 'a/b'],
      ['query', 'x=1'],
    ]);
    expect(call('buildUri', defaults)).toBe('https://example.com/a/b?x=1');
    const minimal = newObject();
    minimal['Scheme'] = 'http';
    minimal['HOST'] = 'h';
    expect(call('buildUri', minimal)).toBe('http://h/');
  });

  it('round-trip', () => {
    const u = 'https://example.com:8443/p/q?a=b';
    expect(call('buildUri', call('parseUri', u))).toBe(u);
  });

  it('reject incomplete parts', () => {
    expect(() => call('buildUri', objectFrom([['host', 'h']]))).toThrow(/no 'scheme'/);
    expect(() => call('buildUri', 'https://x')).toThrow(/must be an object/);
    expect(() =>
      call(
        'buildUri',
        objectFrom([
          ['scheme', 'https'],
          ['host', 'h'],
          ['port', 'x'],
        ]),
      ),
    ).toThrow(/integer/);
  });
});

describe('large inputs', () => {
  it('parse big JSON payloads in linear time', () => {
    const big = JSON.stringify(Array.from({ length: 50_000 }, (_, n) => ({ key: `k${n}`, value: n, on: n % 2 === 0 })));
    const start = Date.now();
    const out = call('base64ToJson', call('base64', big)) as Value[];
    expect(out.length).toBe(50_000);
    expect(Date.now() - start).toBeLessThan(5_000);
  });
});
