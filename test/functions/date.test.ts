import { describe, it, expect } from 'vitest';
import { dateFunctions, formatDateTime, parseDateTime, parseDuration } from '../../src/eval/functions/date.js';
import { TemplateEvalError, type FunctionDef } from '../../src/eval/functions/types.js';
import { Unknown, containsUnknown, type Value } from '../../src/eval/value.js';

const noLambdas = {
  callLambda(): Value {
    throw new Error('no lambdas here');
  },
};

/** Calls a date function the way the evaluator does, including the strict-unknown rule and arity. */
function call(name: string, ...args: Value[]): Value {
  const def = dateFunctions.find((d: FunctionDef) => d.name.toLowerCase() === name.toLowerCase());
  if (!def) throw new Error(`no function ${name}`);
  if (args.length < def.minArgs || args.length > def.maxArgs) throw new TemplateEvalError(`${name}: wrong number of arguments`);
  if (def.unknowns !== 'custom' && args.some(containsUnknown)) return Unknown.derived(def.name, args);
  return def.impl!(args, noLambdas);
}

describe('spec vectors', () => {
  it('dateTimeAdd(dateTimeFromEpoch(1680224438), P1D)', () => {
    expect(call('dateTimeFromEpoch', 1680224438)).toBe('2023-03-31T01:00:38Z');
    expect(call('dateTimeAdd', call('dateTimeFromEpoch', 1680224438), 'P1D')).toBe('2023-04-01T01:00:38Z');
  });

  it('dateTimeToEpoch(dateTimeFromEpoch(n)) = n', () => {
    expect(call('dateTimeToEpoch', call('dateTimeFromEpoch', 1680224438))).toBe(1680224438);
    for (const n of [0, -1, 1, 951782400, -62135596800, 253402300799]) {
      expect(call('dateTimeToEpoch', call('dateTimeFromEpoch', n))).toBe(n);
    }
  });
});

describe('dateTimeAdd', () => {
  it('adds the docs examples in the layout of the base', () => {
    const base = '2020-04-07 14:53:14Z';
    expect(call('dateTimeAdd', base, 'P3Y')).toBe('2023-04-07 14:53:14Z');
    expect(call('dateTimeAdd', base, '-P9D')).toBe('2020-03-29 14:53:14Z');
    expect(call('dateTimeAdd', base, 'PT1H')).toBe('2020-04-07 15:53:14Z');
    expect(call('dateTimeAdd', '20190305T175318Z', 'PT1H')).toBe('20190305T185318Z');
  });

  it('does calendar arithmetic for years and months', () => {
    expect(call('dateTimeAdd', '2020-01-31T00:00:00Z', 'P1M')).toBe('2020-02-29T00:00:00Z');
    expect(call('dateTimeAdd', '2021-01-31T00:00:00Z', 'P1M')).toBe('2021-02-28T00:00:00Z');
    expect(call('dateTimeAdd', '2020-02-29T00:00:00Z', 'P1Y')).toBe('2021-02-28T00:00:00Z');
    expect(call('dateTimeAdd', '2020-03-31T00:00:00Z', '-P1M')).toBe('2020-02-29T00:00:00Z');
    expect(call('dateTimeAdd', '2020-11-15T00:00:00Z', 'P14M')).toBe('2022-01-15T00:00:00Z');
    expect(call('dateTimeAdd', '2020-01-01T00:00:00Z', '-P1Y2M3DT4H5M6S')).toBe('2018-10-28T19:54:54Z');
  });

  it('adds weeks, days and time across month and year ends', () => {
    expect(call('dateTimeAdd', '2020-12-31T23:30:00Z', 'PT45M')).toBe('2021-01-01T00:15:00Z');
    expect(call('dateTimeAdd', '2020-02-20T00:00:00Z', 'P2W')).toBe('2020-03-05T00:00:00Z');
    expect(call('dateTimeAdd', '2020-01-01T00:00:00Z', 'PT36H')).toBe('2020-01-02T12:00:00Z');
    expect(call('dateTimeAdd', '2020-01-01T00:00:00Z', 'PT1.5S')).toBe('2020-01-01T00:00:01Z');
    expect(call('dateTimeAdd', '2020-01-01T00:00:00.000Z', 'PT1.5S')).toBe('2020-01-01T00:00:01.500Z');
    expect(call('dateTimeAdd', '1969-12-31T23:59:59Z', 'PT2S')).toBe('1970-01-01T00:00:01Z');
  });

  it('keeps offsets and other layouts', () => {
    expect(call('dateTimeAdd', '2020-04-07T14:53:14+02:00', 'PT10H')).toBe('2020-04-08T00:53:14+02:00');
    expect(call('dateTimeAdd', '2020-04-07T14:53:14-0530', 'P1D')).toBe('2020-04-08T14:53:14-0530');
    expect(call('dateTimeAdd', '2020-04-07', 'P1D')).toBe('2020-04-08');
    expect(call('dateTimeAdd', '2020-04-07T14:53', 'PT7M')).toBe('2020-04-07T15:00');
    expect(call('dateTimeAdd', '2020-04-07T14:53:14.1234567Z', 'PT0.0000001S')).toBe('2020-04-07T14:53:14.1234568Z');
  });

  it('formats the result with a .NET format', () => {
    const base = '2020-04-07T14:53:14Z';
    expect(call('dateTimeAdd', base, 'P1D', 'yyyy-MM-dd')).toBe('2020-04-08');
    expect(call('dateTimeAdd', base, 'P1D', 'd')).toBe('04/08/2020');
    expect(call('dateTimeAdd', base, 'P1D', 'u')).toBe('2020-04-08 14:53:14Z');
    expect(call('dateTimeAdd', base, 'P1D', 'o')).toBe('2020-04-08T14:53:14.0000000Z');
    expect(call('dateTimeAdd', base, 'P1D', 's')).toBe('2020-04-08T14:53:14');
    expect(call('dateTimeAdd', base, 'P1D', 'r')).toBe('Wed, 08 Apr 2020 14:53:14 GMT');
    expect(call('dateTimeAdd', base, 'PT0S', 'M/d/yyyy h:mm:ss tt')).toBe('4/7/2020 2:53:14 PM');
    expect(call('dateTimeAdd', base, 'PT0S', 'yyyyMMddTHHmmssZ')).toBe('20200407T145314Z');
    expect(call('dateTimeAdd', base, 'PT0S', 'dddd, MMMM dd')).toBe('Tuesday, April 07');
    expect(call('dateTimeAdd', base, 'PT0S', "'day' d")).toBe('day 7');
  });

  it('rejects bad input', () => {
    expect(() => call('dateTimeAdd', 'yesterday', 'P1D')).toThrow(/not an ISO 8601 date-time/);
    expect(() => call('dateTimeAdd', '2020-02-30T00:00:00Z', 'P1D')).toThrow(/day 30/);
    expect(() => call('dateTimeAdd', '2020-01-01T00:00:00Z', '1 day')).toThrow(/not an ISO 8601 duration/);
    expect(() => call('dateTimeAdd', '2020-01-01T00:00:00Z', 'P')).toThrow(/duration/);
    expect(() => call('dateTimeAdd', '2020-01-01T00:00:00Z', 'PT')).toThrow(/duration/);
    expect(() => call('dateTimeAdd', '2020-01-01T00:00:00Z', 'P1.5Y')).toThrow(/whole numbers/);
    expect(() => call('dateTimeAdd', '9999-12-31T00:00:00Z', 'P1D')).toThrow(/outside the supported dates/);
    expect(() => call('dateTimeAdd', '0001-01-01T00:00:00Z', '-PT1S')).toThrow(/outside the supported dates/);
    expect(() => call('dateTimeAdd', 5, 'P1D')).toThrow(/must be a string/);
    expect(() => call('dateTimeAdd', '2020-01-01T00:00:00Z', 'P1D', 'Q')).toThrow(/standard date format/);
  });

  it('is unknown when the base is (utcNow defaults)', () => {
    expect(call('dateTimeAdd', Unknown.runtime('utcNow', 'p'), 'P1D')).toBeInstanceOf(Unknown);
  });
});

describe('dateTimeFromEpoch / dateTimeToEpoch', () => {
  it('convert seconds', () => {
    expect(call('dateTimeFromEpoch', 0)).toBe('1970-01-01T00:00:00Z');
    expect(call('dateTimeFromEpoch', -1)).toBe('1969-12-31T23:59:59Z');
    expect(call('dateTimeToEpoch', '2023-03-31T01:00:38Z')).toBe(1680224438);
    expect(call('dateTimeToEpoch', '2023-03-31T03:00:38+02:00')).toBe(1680224438);
    expect(call('dateTimeToEpoch', '2023-03-31T01:00:38.999Z')).toBe(1680224438);
    expect(call('dateTimeToEpoch', '1969-12-31T23:59:59.5Z')).toBe(-1);
    expect(call('dateTimeToEpoch', '2023-03-31')).toBe(1680220800);
  });

  it('reject bad input', () => {
    expect(() => call('dateTimeFromEpoch', 1.5)).toThrow(/integer/);
    expect(() => call('dateTimeFromEpoch', '0')).toThrow(/integer/);
    expect(() => call('dateTimeFromEpoch', 253402300800)).toThrow(/outside/);
    expect(() => call('dateTimeToEpoch', 'soon')).toThrow(TemplateEvalError);
  });
});

describe('helpers', () => {
  it('parseDuration reads all components', () => {
    const d = parseDuration('t', 'P1Y2M3W4DT5H6M7.5S');
    expect(d).toMatchObject({ sign: 1, years: 1, months: 2 });
    expect(d.ticks).toBe(((((3n * 7n + 4n) * 24n + 5n) * 60n + 6n) * 60n + 7n) * 10_000_000n + 5_000_000n);
    expect(parseDuration('t', '-PT1M').sign).toBe(-1);
  });

  it('formatDateTime prints the utcNow default and custom specifiers', () => {
    const { value } = parseDateTime('t', '2019-03-05T17:53:18.25Z');
    expect(formatDateTime('t', value, 'yyyyMMddTHHmmssZ')).toBe('20190305T175318Z');
    expect(formatDateTime('t', value, 'M d')).toBe('3 5');
    expect(formatDateTime('t', value, 'd')).toBe('03/05/2019');
    expect(formatDateTime('t', value, 'HH:mm:ss.fff K')).toBe('17:53:18.250 Z');
    expect(formatDateTime('t', value, 'ss.FFF')).toBe('18.25');
    expect(formatDateTime('t', parseDateTime('t', '2019-03-05T17:53:18Z').value, 'ss.FFF')).toBe('18');
    expect(formatDateTime('t', value, 'yy yyy yyyyy')).toBe('19 2019 02019');
    expect(formatDateTime('t', value, 'hh tt, ddd MMM')).toBe('05 PM, Tue Mar');
    expect(formatDateTime('t', value, '%d')).toBe('5');
    expect(formatDateTime('t', value, 'zzz')).toBe('+00:00');
    expect(formatDateTime('t', parseDateTime('t', '2019-03-05T17:53:18-08:00').value, 'zzz|zz|z|K')).toBe('-08:00|-08|-8|-08:00');
    expect(formatDateTime('t', parseDateTime('t', '2019-03-05T17:53:18').value, '%K')).toBe('');
    expect(() => formatDateTime('t', value, 'K')).toThrow(/standard date format/);
    expect(formatDateTime('t', parseDateTime('t', '2019-03-05T17:53:18+02:00').value, 'u')).toBe('2019-03-05 15:53:18Z');
    expect(() => formatDateTime('t', value, "'open")).toThrow(/unclosed quote/);
  });
});
