/**
 * Date template functions (arm-evaluator.md §2.7): dateTimeAdd, dateTimeFromEpoch, dateTimeToEpoch.
 *
 * Times are kept as 100-ns ticks on the value's own clock (the engine is .NET, whose DateTime has tick
 * precision and the range 0001-9999) together with the zone the text carried: `Z`, an offset, or none.
 * Without a format, dateTimeAdd prints its result in the layout of its input (the docs: "if not provided,
 * the format of the base value is used"; the engine turns `2023-03-31T01:00:38Z` + P1D into
 * `2023-04-01T01:00:38Z`). Formats are .NET standard or custom date/time formats, invariant culture.
 * utcNow()/newGuid() are deploy-time values and belong to the evaluator; `formatDateTime` is exported for it.
 */
import { TemplateEvalError, type FunctionDef } from './types.js';
import { typeName, type Value } from '../value.js';

const TICKS_PER_MS = 10_000n;
const TICKS_PER_SECOND = 10_000_000n;
const TICKS_PER_MINUTE = 60n * TICKS_PER_SECOND;
const TICKS_PER_HOUR = 60n * TICKS_PER_MINUTE;
const TICKS_PER_DAY = 24n * TICKS_PER_HOUR;

/** Milliseconds from 1970 to 0001-01-01T00:00:00 and to the end of 9999-12-31. */
const MIN_MS = -62_135_596_800_000;
const MAX_MS = 253_402_300_800_000;
const MIN_TICKS = BigInt(MIN_MS) * TICKS_PER_MS;
const MAX_TICKS = BigInt(MAX_MS) * TICKS_PER_MS - 1n;

/** How the input text was written, so the result can be written the same way. */
export interface DateLayout {
  dateSep: string;
  /** Undefined for a date without a time. */
  timeSep?: string;
  /** 'T', 't' or ' '. */
  tSep: string;
  hasSeconds: boolean;
  fracSep: string;
  fracDigits: number;
  /** 'Z' / 'z', an offset written as '+hh:mm', '+hhmm' or '+hh', or '' for none. */
  zoneStyle: '' | 'Z' | 'z' | 'hh:mm' | 'hhmm' | 'hh';
}

/** A date-time: ticks since 1970 on its own clock, and its zone. */
export interface DateTimeValue {
  ticks: bigint;
  /** Offset from UTC in minutes; undefined when the text had no zone (read as UTC where it matters). */
  offset?: number;
  /** True when the text said `Z`. */
  utc: boolean;
}

interface Fields {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Ticks within the second (0 to 9,999,999). */
  fraction: number;
  /** 0 = Sunday. */
  weekday: number;
}

/** Division rounding down, for a positive divisor. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

function daysInMonth(year: number, month: number): number {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function toFields(ticks: bigint): Fields {
  const ms = floorDiv(ticks, TICKS_PER_MS);
  const d = new Date(Number(ms));
  const fraction = Number(ticks - floorDiv(ticks, TICKS_PER_SECOND) * TICKS_PER_SECOND);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    fraction,
    weekday: d.getUTCDay(),
  };
}

function fromFields(f: Omit<Fields, 'weekday'>): bigint {
  const d = new Date(0);
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  d.setUTCHours(f.hour, f.minute, f.second, 0);
  return BigInt(d.getTime()) * TICKS_PER_MS + BigInt(f.fraction);
}

function checkRange(fn: string, ticks: bigint): bigint {
  if (ticks < MIN_TICKS || ticks > MAX_TICKS) throw new TemplateEvalError(`${fn}: the result is outside the supported dates (years 1 to 9999)`);
  return ticks;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

const DATE_TIME = /^(\d{4})(-?)(\d{2})\2(\d{2})(?:([Tt ])(\d{2})(:?)(\d{2})(?:\7(\d{2})(?:([.,])(\d+))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Reads an ISO 8601 date-time (`2020-04-07T14:53:14Z`, `2020-04-07 14:53:14Z`, `20190305T175318Z`, offsets...). */
export function parseDateTime(fn: string, text: string): { value: DateTimeValue; layout: DateLayout } {
  const m = DATE_TIME.exec(text.trim());
  const bad = (why: string): never => {
    throw new TemplateEvalError(`${fn}: '${text}' is not an ISO 8601 date-time (${why}); expected e.g. '2023-03-31T01:00:38Z'`);
  };
  if (!m) return bad('unrecognised layout');
  const [, y, dateSep, mo, d, tSep, hh, timeSep, mi, ss, fracSep, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1) bad('year 0');
  if (month < 1 || month > 12) bad(`month ${mo}`);
  if (day < 1 || day > daysInMonth(year, month)) bad(`day ${d}`);
  const hour = hh === undefined ? 0 : Number(hh);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = ss === undefined ? 0 : Number(ss);
  if (hour > 23) bad(`hour ${hh}`);
  if (minute > 59) bad(`minute ${mi}`);
  if (second > 59) bad(`second ${ss}`);
  const fraction = frac === undefined ? 0 : Number(frac.slice(0, 7).padEnd(7, '0'));
  let offset: number | undefined;
  let zoneStyle: DateLayout['zoneStyle'] = '';
  if (zone === 'Z' || zone === 'z') {
    offset = 0;
    zoneStyle = zone;
  } else if (zone !== undefined) {
    const z = /^([+-])(\d{2})(:?)(\d{2})?$/.exec(zone)!;
    const hours = Number(z[2]);
    const minutes = z[4] === undefined ? 0 : Number(z[4]);
    if (hours > 14 || minutes > 59) bad(`offset ${zone}`);
    offset = (z[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
    zoneStyle = z[4] === undefined ? 'hh' : z[3] ? 'hh:mm' : 'hhmm';
  }
  const ticks = fromFields({ year, month, day, hour, minute, second, fraction });
  const layout: DateLayout = {
    dateSep: dateSep!,
    tSep: tSep ?? 'T',
    hasSeconds: ss !== undefined,
    fracSep: fracSep ?? '.',
    fracDigits: frac === undefined ? 0 : Math.min(frac.length, 7),
    zoneStyle,
  };
  if (hh !== undefined) layout.timeSep = timeSep!;
  return { value: offset === undefined ? { ticks, utc: false } : { ticks, offset, utc: zoneStyle === 'Z' || zoneStyle === 'z' }, layout };
}

/** Ticks of an ISO 8601 duration component such as `1.5` hours (fractions kept to the tick). */
function componentTicks(text: string, unit: bigint): bigint {
  const [int, frac = ''] = text.split(/[.,]/);
  const scale = 10n ** BigInt(frac.length);
  const scaled = BigInt(int!) * scale + (frac ? BigInt(frac) : 0n);
  const num = scaled * unit;
  return (num + scale / 2n) / scale;
}

interface Duration {
  sign: 1 | -1;
  years: number;
  months: number;
  /** Weeks, days and time, in ticks. */
  ticks: bigint;
}

const NUM = '(\\d+(?:[.,]\\d+)?)';
const DURATION = new RegExp(`^([-+])?P(?:${NUM}Y)?(?:${NUM}M)?(?:${NUM}W)?(?:${NUM}D)?(?:T(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?$`, 'i');

/** Reads an ISO 8601 duration (`P1D`, `-P9D`, `PT1H30M`, `P1Y2M3DT4H5M6.5S`, `P2W`). */
export function parseDuration(fn: string, text: string): Duration {
  const m = DURATION.exec(text.trim());
  const bad = (why: string): never => {
    throw new TemplateEvalError(`${fn}: '${text}' is not an ISO 8601 duration (${why}); expected e.g. 'P1D', 'PT1H' or '-P1Y2M'`);
  };
  if (!m || /T$/i.test(text.trim()) || !m.slice(2).some((c) => c !== undefined)) return bad('no components');
  const [, sign, y, mo, w, d, h, mi, s] = m;
  if ((y && /[.,]/.test(y)) || (mo && /[.,]/.test(mo))) bad('years and months must be whole numbers');
  let ticks = 0n;
  if (w) ticks += componentTicks(w, 7n * TICKS_PER_DAY);
  if (d) ticks += componentTicks(d, TICKS_PER_DAY);
  if (h) ticks += componentTicks(h, TICKS_PER_HOUR);
  if (mi) ticks += componentTicks(mi, TICKS_PER_MINUTE);
  if (s) ticks += componentTicks(s, TICKS_PER_SECOND);
  const years = y ? Number(y) : 0;
  const months = mo ? Number(mo) : 0;
  if (years > 10_000 || months > 120_000) bad('too large');
  return { sign: sign === '-' ? -1 : 1, years, months, ticks };
}

/** .NET AddMonths: the day is clamped to the length of the target month. */
function addMonths(fn: string, ticks: bigint, months: number): bigint {
  if (months === 0) return ticks;
  const f = toFields(ticks);
  const total = f.year * 12 + (f.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  if (year < 1 || year > 9999) throw new TemplateEvalError(`${fn}: the result is outside the supported dates (years 1 to 9999)`);
  return fromFields({ ...f, year, month, day: Math.min(f.day, daysInMonth(year, month)) });
}

export function addDuration(fn: string, value: DateTimeValue, duration: Duration): DateTimeValue {
  let ticks = addMonths(fn, value.ticks, duration.sign * duration.years * 12);
  ticks = addMonths(fn, ticks, duration.sign * duration.months);
  ticks = checkRange(fn, ticks + BigInt(duration.sign) * duration.ticks);
  return { ...value, ticks };
}

// ---------------------------------------------------------------------------------------------------------
// Printing

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function offsetText(minutes: number, style: 'hh:mm' | 'hhmm' | 'hh'): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const hh = pad(Math.floor(abs / 60), 2);
  const mm = pad(abs % 60, 2);
  return style === 'hh:mm' ? `${sign}${hh}:${mm}` : style === 'hhmm' ? `${sign}${hh}${mm}` : `${sign}${hh}`;
}

/** Prints a value in the layout its input had. */
export function formatLikeInput(value: DateTimeValue, layout: DateLayout): string {
  const f = toFields(value.ticks);
  let out = `${pad(f.year, 4)}${layout.dateSep}${pad(f.month, 2)}${layout.dateSep}${pad(f.day, 2)}`;
  if (layout.timeSep !== undefined) {
    out += `${layout.tSep}${pad(f.hour, 2)}${layout.timeSep}${pad(f.minute, 2)}`;
    if (layout.hasSeconds) {
      out += `${layout.timeSep}${pad(f.second, 2)}`;
      if (layout.fracDigits > 0) out += layout.fracSep + pad(f.fraction, 7).slice(0, layout.fracDigits);
    }
  }
  if (layout.zoneStyle === 'Z' || layout.zoneStyle === 'z') out += layout.zoneStyle;
  else if (layout.zoneStyle !== '') out += offsetText(value.offset ?? 0, layout.zoneStyle);
  return out;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** .NET standard date/time formats with the invariant culture, as custom patterns. */
const STANDARD: Record<string, string> = {
  d: 'MM/dd/yyyy',
  D: 'dddd, dd MMMM yyyy',
  f: 'dddd, dd MMMM yyyy HH:mm',
  F: 'dddd, dd MMMM yyyy HH:mm:ss',
  g: 'MM/dd/yyyy HH:mm',
  G: 'MM/dd/yyyy HH:mm:ss',
  m: 'MMMM dd',
  M: 'MMMM dd',
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  t: 'HH:mm',
  T: 'HH:mm:ss',
  u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  U: 'dddd, dd MMMM yyyy HH:mm:ss',
  y: 'yyyy MMMM',
  Y: 'yyyy MMMM',
};

/** The value on the UTC clock (a value without a zone is taken as UTC, the engine's own zone). */
function toUtc(value: DateTimeValue): DateTimeValue {
  return { ticks: value.ticks - BigInt(value.offset ?? 0) * TICKS_PER_MINUTE, offset: 0, utc: true };
}

/**
 * Prints a value with a .NET date/time format: one of the standard one-letter formats (`d`, `o`, `u`, `s`...)
 * or a custom pattern (`yyyy-MM-dd`, `MMM d, yyyy h:mm tt`, `yyyyMMddTHHmmssZ`).
 */
export function formatDateTime(fn: string, value: DateTimeValue, format: string): string {
  let pattern = format;
  if (format.length === 1) {
    const std = STANDARD[format];
    if (std === undefined)
      throw new TemplateEvalError(`${fn}: '${format}' is not a standard date format (use d, D, f, F, g, G, M, o, r, s, t, T, u, U, Y or a custom pattern)`);
    pattern = std;
    if ('rRuU'.includes(format)) value = toUtc(value);
  }
  const f = toFields(value.ticks);
  let out = '';
  let i = 0;
  const run = (c: string): number => {
    let n = 1;
    while (pattern[i + n] === c) n++;
    return n;
  };
  const offset = value.offset ?? 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    let n = 1;
    switch (c) {
      case 'd':
        n = run(c);
        out += n === 1 ? String(f.day) : n === 2 ? pad(f.day, 2) : n === 3 ? DAYS[f.weekday]!.slice(0, 3) : DAYS[f.weekday]!;
        break;
      case 'f':
      case 'F': {
        n = run(c);
        if (n > 7) throw new TemplateEvalError(`${fn}: the format '${format}' has more than 7 '${c}' characters`);
        let digits = pad(f.fraction, 7).slice(0, n);
        if (c === 'F') {
          digits = digits.replace(/0+$/, '');
          if (digits === '' && out.endsWith('.')) out = out.slice(0, -1);
        }
        out += digits;
        break;
      }
      case 'g':
        n = run(c);
        out += 'A.D.';
        break;
      case 'h':
        n = run(c);
        out += n === 1 ? String(f.hour % 12 || 12) : pad(f.hour % 12 || 12, 2);
        break;
      case 'H':
        n = run(c);
        out += n === 1 ? String(f.hour) : pad(f.hour, 2);
        break;
      case 'K':
        out += value.utc ? 'Z' : value.offset === undefined ? '' : offsetText(offset, 'hh:mm');
        break;
      case 'm':
        n = run(c);
        out += n === 1 ? String(f.minute) : pad(f.minute, 2);
        break;
      case 'M':
        n = run(c);
        out += n === 1 ? String(f.month) : n === 2 ? pad(f.month, 2) : n === 3 ? MONTHS[f.month - 1]!.slice(0, 3) : MONTHS[f.month - 1]!;
        break;
      case 's':
        n = run(c);
        out += n === 1 ? String(f.second) : pad(f.second, 2);
        break;
      case 't':
        n = run(c);
        out += (f.hour < 12 ? 'AM' : 'PM').slice(0, n === 1 ? 1 : 2);
        break;
      case 'y':
        n = run(c);
        out += n === 1 ? String(f.year % 100) : n === 2 ? pad(f.year % 100, 2) : pad(f.year, n);
        break;
      case 'z': {
        n = run(c);
        const sign = offset < 0 ? '-' : '+';
        const abs = Math.abs(offset);
        out += n === 1 ? `${sign}${Math.floor(abs / 60)}` : n === 2 ? `${sign}${pad(Math.floor(abs / 60), 2)}` : offsetText(offset, 'hh:mm');
        break;
      }
      case '"':
      case "'": {
        const end = pattern.indexOf(c, i + 1);
        if (end < 0) throw new TemplateEvalError(`${fn}: the format '${format}' has an unclosed quote`);
        out += pattern.slice(i + 1, end);
        n = end - i + 1;
        break;
      }
      case '\\':
        if (i + 1 >= pattern.length) throw new TemplateEvalError(`${fn}: the format '${format}' ends with a lone '\\'`);
        out += pattern[i + 1];
        n = 2;
        break;
      case '%':
        // `%d` is the custom specifier d on its own; the '%' itself prints nothing.
        break;
      default:
        out += c;
    }
    i += n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------

function expectString(fn: string, v: Value, what: string): string {
  if (typeof v !== 'string') throw new TemplateEvalError(`${fn}: the ${what} must be a string, got ${typeName(v)}`);
  return v;
}

function dateTimeAdd(args: Value[]): string {
  const base = expectString('dateTimeAdd', args[0]!, 'base date-time');
  const duration = parseDuration('dateTimeAdd', expectString('dateTimeAdd', args[1]!, 'duration'));
  const { value, layout } = parseDateTime('dateTimeAdd', base);
  const result = addDuration('dateTimeAdd', value, duration);
  if (args.length > 2) return formatDateTime('dateTimeAdd', result, expectString('dateTimeAdd', args[2]!, 'format'));
  return formatLikeInput(result, layout);
}

function dateTimeFromEpoch(v: Value): string {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new TemplateEvalError(`dateTimeFromEpoch: the argument must be an integer number of seconds, got ${typeName(v)}`);
  const ms = v * 1000;
  if (ms < MIN_MS || ms >= MAX_MS) throw new TemplateEvalError(`dateTimeFromEpoch: ${v} seconds is outside the supported dates (years 1 to 9999)`);
  return formatDateTime('dateTimeFromEpoch', { ticks: BigInt(v) * TICKS_PER_SECOND, offset: 0, utc: true }, "yyyy-MM-dd'T'HH:mm:ss'Z'");
}

function dateTimeToEpoch(v: Value): number {
  const { value } = parseDateTime('dateTimeToEpoch', expectString('dateTimeToEpoch', v, 'argument'));
  return Number(floorDiv(toUtc(value).ticks, TICKS_PER_SECOND));
}

export const dateFunctions: FunctionDef[] = [
  { name: 'dateTimeAdd', minArgs: 2, maxArgs: 3, impl: dateTimeAdd },
  { name: 'dateTimeFromEpoch', minArgs: 1, maxArgs: 1, impl: ([v]) => dateTimeFromEpoch(v!) },
  { name: 'dateTimeToEpoch', minArgs: 1, maxArgs: 1, impl: ([v]) => dateTimeToEpoch(v!) },
];
