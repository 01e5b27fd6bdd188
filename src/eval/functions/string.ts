/**
 * String template functions (arm-evaluator.md §2.4): encoding, format(), guid()/uniqueString(), URIs.
 *
 * The engine is .NET, so the details follow .NET: format() is composite formatting with the invariant
 * culture, booleans print as True/False, trim() uses .NET's notion of white space, substring() out of range
 * is an error rather than a clamp. Functions that build strings from pieces (format, join, string) keep
 * unknown pieces as holes of a PartialString, and split() keeps holes that cannot hold its delimiter; the
 * rest make their result unknown when an argument is.
 */
import { PartialString, Unknown, containsUnknown, fromJson, getProperty, isObject, isUnknown, objectFrom, typeName, unknownExcludes, type Value } from '../value.js';
import { TemplateEvalError, type FunctionDef } from './types.js';
import { armGuid, armUniqueString } from './hash.js';

/** Longest string a padding or alignment may ask for; .NET itself stops alignments at 1,000,000. */
const MAX_PAD = 1_000_000;

// ---------------------------------------------------------------------------------------------------------
// Argument helpers

function kind(v: Value): string {
  return v instanceof PartialString ? 'string' : typeName(v);
}

function expectString(fn: string, v: Value, what = 'argument'): string {
  if (typeof v !== 'string') throw new TemplateEvalError(`${fn}: the ${what} must be a string, got ${kind(v)}`);
  return v;
}

function expectInt(fn: string, v: Value, what = 'argument'): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TemplateEvalError(`${fn}: the ${what} must be an integer, got ${kind(v)}`);
  return v;
}

/** Strings that hash or join: every argument must be a string. */
function expectStrings(fn: string, args: Value[]): string[] {
  return args.map((a, i) => expectString(fn, a, `argument ${i + 1}`));
}

/** Compact JSON of a known value, as Newtonsoft writes it (`{"a":"b"}`). */
export function toJsonText(v: Value): string {
  return JSON.stringify(v);
}

/** Replaces unpaired UTF-16 surrogates with U+FFFD, as .NET's UTF-8 encoder does. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function utf8(s: string): Buffer {
  return Buffer.from(wellFormed(s), 'utf8');
}

/** Case folding per UTF-16 unit (ordinal ignore-case), so lengths and indexes stay the same. */
function fold(s: string): string {
  let out = '';
  for (const unit of s.split('')) {
    const upper = unit.toUpperCase();
    out += upper.length === 1 ? upper : unit;
  }
  return out;
}

/** Maps each code point, keeping it when the mapping would change the length (.NET invariant casing is 1:1). */
function mapCase(s: string, upper: boolean): string {
  let out = '';
  for (const ch of s) {
    const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += [...mapped].length === 1 ? mapped : ch;
  }
  return out;
}

/** Functions whose results are lower case already: lower-casing them changes nothing. */
const LOWER_CASE_RESULTS = new Set(['uniquestring', 'guid']);

/**
 * toLower/toUpper map each character on its own, so a string with holes keeps its known text (mapped) and
 * each unknown part becomes the mapped unknown: `toLower(concat('KV-', uniqueString(x)))` is
 * 'kv-' followed by uniqueString(x), as useful for names and ids as before the call.
 */
function changeCase(fn: string, v: Value, upper: boolean): Value {
  const mapUnknown = (u: Unknown): Unknown => (!upper && u.recipe && 'fn' in u.recipe && LOWER_CASE_RESULTS.has(u.recipe.fn.toLowerCase()) ? u : Unknown.derived(fn, [u]));
  if (v instanceof PartialString) return PartialString.of(v.parts.map((p) => (typeof p === 'string' ? mapCase(p, upper) : mapUnknown(p))));
  if (v instanceof Unknown) return mapUnknown(v);
  return mapCase(expectString(fn, v), upper);
}

/** .NET `Char.IsWhiteSpace`: JavaScript's \s without U+FEFF, plus U+0085. */
const NET_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const TRIM = new RegExp(`^[${NET_SPACE}]+|[${NET_SPACE}]+$`, 'g');

// ---------------------------------------------------------------------------------------------------------
// Base64, JSON text, data URIs

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(fn: string, text: string): Buffer {
  const compact = text.replace(/[ \t\r\n]/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) throw new TemplateEvalError(`${fn}: '${clip(text)}' is not valid base64 text`);
  return Buffer.from(compact, 'base64');
}

function clip(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

const NAME = /[A-Za-z0-9_$]+/y;
const NUMBER = /[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/y;
const WORD = /[A-Za-z]+/y;

/**
 * Parses JSON text the way Newtonsoft's JToken.Parse reads it: single-quoted strings, unquoted property names,
 * comments and trailing commas are accepted (`base64ToJson(base64("{'one': 'a'}"))` works in ARM).
 */
export function parseJsonText(fn: string, text: string): Value {
  let i = 0;
  const fail = (what: string): never => {
    throw new TemplateEvalError(`${fn}: the text is not valid JSON (${what} at position ${i}): '${clip(text)}'`);
  };
  /** The match of a sticky pattern at the current position, consumed; undefined when it does not match. */
  const at = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };
  const skip = (): void => {
    for (;;) {
      const c = text[i];
      if (c === undefined) return;
      if (/\s/.test(c)) i++;
      else if (c === '/' && text[i + 1] === '/') {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (c === '/' && text[i + 1] === '*') {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) fail('unterminated comment');
        i = end + 2;
      } else return;
    }
  };
  const str = (): string => {
    const quote = text[i++];
    let out = '';
    for (;;) {
      const c = text[i++];
      if (c === undefined) return fail('unterminated string');
      if (c === quote) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = text[i++];
      switch (e) {
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = text.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        case undefined:
          return fail('unterminated string');
        default:
          out += e;
      }
    }
  };
  const value = (depth: number): Value => {
    if (depth > 512) fail('nesting too deep');
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, Value][] = [];
      for (;;) {
        skip();
        if (text[i] === '}') {
          i++;
          break;
        }
        let key: string;
        if (text[i] === '"' || text[i] === "'") key = str();
        else {
          const m = at(NAME);
          if (!m) return fail('expected a property name');
          key = m;
        }
        skip();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        entries.push([key, value(depth + 1)]);
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          break;
        }
        fail("expected ',' or '}'");
      }
      return objectFrom(entries);
    }
    if (c === '[') {
      i++;
      const items: Value[] = [];
      for (;;) {
        skip();
        if (text[i] === ']') {
          i++;
          break;
        }
        items.push(value(depth + 1));
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          break;
        }
        fail("expected ',' or ']'");
      }
      return items;
    }
    if (c === '"' || c === "'") return str();
    const num = at(NUMBER);
    if (num) return Number(num);
    const word = at(WORD);
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null' || word === 'undefined') return null;
    return fail('unexpected text');
  };
  const out = value(0);
  skip();
  if (i < text.length) fail('unexpected text after the value');
  return fromJson(out);
}

function dataUri(v: Value): string {
  if (typeof v === 'string') return `data:text/plain;charset=utf8;base64,${utf8(v).toString('base64')}`;
  return `data:application/json;charset=utf8;base64,${utf8(toJsonText(v)).toString('base64')}`;
}

/** Percent-decoding to bytes; `plus` also turns '+' into a space (form decoding). Bad escapes stay as text. */
function percentDecode(s: string, plus: boolean): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '+' && plus) bytes.push(0x20);
    else {
      const code = s.codePointAt(i)!;
      if (code > 0xffff) i++;
      bytes.push(...utf8(String.fromCodePoint(code)));
    }
  }
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
}

function dataUriToString(fn: string, uri: string): string {
  if (!/^data:/i.test(uri)) throw new TemplateEvalError(`${fn}: '${clip(uri)}' is not a data URI (expected 'data:[<media type>][;base64],<data>')`);
  const comma = uri.indexOf(',');
  if (comma < 0) throw new TemplateEvalError(`${fn}: the data URI '${clip(uri)}' has no ',' before its data`);
  const params = uri
    .slice(5, comma)
    .split(';')
    .map((p) => p.trim());
  const isBase64 = params.length > 1 && params[params.length - 1]!.toLowerCase() === 'base64';
  for (const p of params) {
    const m = /^charset=(.*)$/i.exec(p);
    if (m && !/^(utf-?8|us-ascii)$/i.test(m[1]!.replace(/"/g, ''))) {
      throw new TemplateEvalError(`${fn}: charset '${m[1]}' is not supported; only utf-8 data URIs can be decoded`);
    }
  }
  const data = uri.slice(comma + 1);
  if (isBase64) return new TextDecoder('utf-8').decode(decodeBase64(fn, percentDecode(data, false)));
  return percentDecode(data, false);
}

// ---------------------------------------------------------------------------------------------------------
// Numbers as .NET prints them (invariant culture)

/** A non-negative decimal: `digits × 10^-scale`, exact. */
interface Dec {
  digits: bigint;
  scale: number;
}

const TEN = 10n;

/** The exact decimal value of |x| (every double is a finite decimal). */
function exactDecimal(x: number): Dec {
  x = Math.abs(x);
  if (Number.isInteger(x)) return { digits: BigInt(x), scale: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (exponentBits === 0) exp = -1074;
  else {
    mantissa |= 1n << 52n;
    exp = exponentBits - 1075;
  }
  // x = mantissa × 2^exp with exp < 0 here; 2^-k = 5^k / 10^k.
  return { digits: mantissa * 5n ** BigInt(-exp), scale: -exp };
}

/** Rounds to `frac` digits after the point (negative: to tens, hundreds...), half away from zero. */
function roundDec(d: Dec, frac: number): Dec {
  if (d.scale <= frac) return { digits: d.digits * TEN ** BigInt(frac - d.scale), scale: frac };
  const div = TEN ** BigInt(d.scale - frac);
  let q = d.digits / div;
  if ((d.digits % div) * 2n >= div) q += 1n;
  return { digits: q, scale: frac };
}

/** Decimal exponent of the leading digit (d ≠ 0): 123.4 → 2. */
function decExponent(d: Dec): number {
  return d.digits.toString().length - 1 - d.scale;
}

/** Rounds to `sig` significant digits. */
function roundSignificant(d: Dec, sig: number): Dec {
  if (d.digits === 0n) return d;
  return roundDec(d, sig - 1 - decExponent(d));
}

/** Integer and fraction digit strings of a decimal rounded to `frac` ≥ 0 places. */
function fixedParts(d: Dec, frac: number): { int: string; frac: string } {
  const r = roundDec(d, frac);
  const s = r.digits.toString().padStart(frac + 1, '0');
  return { int: s.slice(0, s.length - frac), frac: s.slice(s.length - frac) };
}

function group(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function isZero(parts: { int: string; frac: string }): boolean {
  return /^0*$/.test(parts.int + parts.frac);
}

/** `d.dddE+xxx` from significant digits and exponent. */
function scientific(digits: string, exp: number, letter: string, minExpDigits: number, keepZeros: boolean): string {
  let mant = digits.slice(1);
  if (!keepZeros) mant = mant.replace(/0+$/, '');
  const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(minExpDigits, '0')}`;
  return `${digits[0]}${mant ? `.${mant}` : ''}${letter}${e}`;
}

/** Integers print as Int64 does; the value model cannot tell `2` from `2.0`, so whole numbers in range are ints. */
function isInt64(x: number): boolean {
  return Number.isInteger(x) && Math.abs(x) < 2 ** 63;
}

/** Shortest round-trip text of a double as .NET Core prints it (`1.5`, `1E+15`, `1E-05`). */
export function netDouble(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(Math.abs(x).toExponential());
  if (!m) return String(x);
  const digits = m[1]! + (m[2] ?? '');
  const exp = Number(m[3]);
  const sign = x < 0 ? '-' : '';
  if (exp >= 15 || exp < -4) return sign + scientific(digits, exp, 'E', 2, false);
  return sign + placeDigits(digits, exp);
}

/** Plain notation of significant digits with the leading digit at 10^exp. */
function placeDigits(digits: string, exp: number): string {
  if (exp < 0) return `0.${'0'.repeat(-exp - 1)}${digits.replace(/0+$/, '')}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1).replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

/** `G`/`g` with a precision: scientific when the exponent is ≥ precision or < -4, trailing zeros dropped. */
function general(x: number, precision: number, letter: string): string {
  const d = roundSignificant(exactDecimal(x), precision);
  if (d.digits === 0n) return '0';
  const exp = decExponent(d);
  const digits = d.digits.toString().replace(/0+$/, '') || '0';
  const sign = x < 0 ? '-' : '';
  if (exp >= precision || exp < -4) return sign + scientific(digits, exp, letter === 'g' ? 'e' : 'E', 2, false);
  return sign + placeDigits(digits, exp);
}

/** A .NET standard numeric format (`N0`, `D5`, `X`, `F2`, `P`, `E3`, `G`, `C`, `R`) or undefined when `spec` is custom. */
function standardNumber(x: number, spec: string): string | undefined {
  const m = /^([A-Za-z])(\d{0,9})$/.exec(spec);
  if (!m) return undefined;
  const letter = m[1]!;
  const precision = m[2] === '' ? undefined : Number(m[2]);
  if (precision !== undefined && precision > 99) throw new TemplateEvalError(`format: the precision in '${spec}' is too large (at most 99)`);
  const isInt = Number.isInteger(x);
  const neg = x < 0;
  switch (letter.toUpperCase()) {
    case 'D': {
      if (!isInt) throw new TemplateEvalError(`format: the format '${spec}' only applies to integers, got ${x}`);
      const digits = BigInt(Math.abs(x))
        .toString()
        .padStart(precision ?? 0, '0');
      return (neg ? '-' : '') + digits;
    }
    case 'X': {
      if (!isInt) throw new TemplateEvalError(`format: the format '${spec}' only applies to integers, got ${x}`);
      const v = BigInt.asUintN(64, BigInt(x));
      const hex = v.toString(16).padStart(precision ?? 0, '0');
      return letter === 'X' ? hex.toUpperCase() : hex;
    }
    case 'F':
    case 'N': {
      const p = fixedParts(exactDecimal(x), precision ?? 2);
      const int = letter.toUpperCase() === 'N' ? group(p.int) : p.int;
      return (neg && !isZero(p) ? '-' : '') + int + (p.frac ? `.${p.frac}` : '');
    }
    case 'P': {
      const d = exactDecimal(x);
      const p = fixedParts({ digits: d.digits * 100n, scale: d.scale }, precision ?? 2);
      return `${neg && !isZero(p) ? '-' : ''}${group(p.int)}${p.frac ? `.${p.frac}` : ''} %`;
    }
    case 'C': {
      const p = fixedParts(exactDecimal(x), precision ?? 2);
      const body = `¤${group(p.int)}${p.frac ? `.${p.frac}` : ''}`;
      return neg && !isZero(p) ? `(${body})` : body;
    }
    case 'E': {
      const d = roundSignificant(exactDecimal(x), (precision ?? 6) + 1);
      const digits =
        d.digits === 0n
          ? '0'.repeat((precision ?? 6) + 1)
          : d.digits
              .toString()
              .slice(0, (precision ?? 6) + 1)
              .padEnd((precision ?? 6) + 1, '0');
      const exp = d.digits === 0n ? 0 : decExponent(d);
      return (neg ? '-' : '') + scientific(digits, exp, letter === 'e' ? 'e' : 'E', 3, true);
    }
    case 'G':
      if (precision === undefined || precision === 0) return isInt64(x) ? BigInt(x).toString() : netDouble(x);
      return general(x, precision, letter);
    case 'R':
      return isInt64(x) ? BigInt(x).toString() : netDouble(x);
    default:
      throw new TemplateEvalError(`format: '${spec}' is not a valid numeric format`);
  }
}

interface CustomSection {
  /** '0' / '#' digit placeholders (before or after the point), the decimal point, literal text. */
  parts: ({ t: 'digit'; zero: boolean; frac: boolean } | { t: 'point' } | { t: 'lit'; v: string })[];
  grouping: boolean;
  scale: number;
  percent: number;
}

/** Splits a custom format into its sections (`positive;negative;zero`), honouring quotes and escapes. */
function customSections(spec: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === '\\' && i + 1 < spec.length) {
      cur += c + spec[++i];
    } else if (c === '"' || c === "'") {
      const end = spec.indexOf(c, i + 1);
      const stop = end < 0 ? spec.length : end;
      cur += spec.slice(i, stop + 1);
      i = stop;
    } else if (c === ';') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.slice(0, 3);
}

function parseCustom(section: string): CustomSection {
  const parts: CustomSection['parts'] = [];
  let seenPoint = false;
  let grouping = false;
  let scale = 0;
  let percent = 0;
  let pendingCommas = 0;
  const lit = (v: string): void => {
    const last = parts[parts.length - 1];
    if (last && last.t === 'lit') last.v += v;
    else parts.push({ t: 'lit', v });
  };
  for (let i = 0; i < section.length; i++) {
    const c = section[i]!;
    if (c === '0' || c === '#') {
      if (pendingCommas > 0 && !seenPoint && parts.some((p) => p.t === 'digit')) grouping = true;
      pendingCommas = 0;
      parts.push({ t: 'digit', zero: c === '0', frac: seenPoint });
    } else if (c === '.') {
      if (!seenPoint) {
        scale += pendingCommas;
        pendingCommas = 0;
        seenPoint = true;
        parts.push({ t: 'point' });
      }
    } else if (c === ',') {
      if (!seenPoint) pendingCommas++;
    } else if (c === '%') {
      percent += 2;
      lit('%');
    } else if (c === '\u2030') {
      percent += 3;
      lit('\u2030');
    } else if (c === '\\' && i + 1 < section.length) {
      lit(section[++i]!);
    } else if (c === '"' || c === "'") {
      const end = section.indexOf(c, i + 1);
      const stop = end < 0 ? section.length : end;
      lit(section.slice(i + 1, stop));
      i = stop;
    } else lit(c);
  }
  if (!seenPoint) scale += pendingCommas;
  return { parts, grouping, scale, percent };
}

/** A .NET custom numeric format such as `000`, `#,##0.00`, `0.#%` or `'n='0;'neg'0`. */
function customNumber(x: number, spec: string): string {
  const sections = customSections(spec);
  let section = sections[0]!;
  let sign = x < 0 ? '-' : '';
  if (x < 0 && sections.length > 1 && sections[1] !== '') {
    section = sections[1]!;
    sign = '';
  } else if (x === 0 && sections.length > 2 && sections[2] !== '') section = sections[2]!;
  const f = parseCustom(section);
  const digitParts = f.parts.filter((p): p is { t: 'digit'; zero: boolean; frac: boolean } => p.t === 'digit');
  if (digitParts.length === 0) return sign + f.parts.map((p) => (p.t === 'lit' ? p.v : '')).join('');
  const fracPlaces = digitParts.filter((p) => p.frac);
  const minFrac = fracPlaces.reduce((n, p, i) => (p.zero ? i + 1 : n), 0);
  const d0 = exactDecimal(x);
  const shift = f.percent - 3 * f.scale;
  const d: Dec = shift >= 0 ? { digits: d0.digits * TEN ** BigInt(shift), scale: d0.scale } : { digits: d0.digits, scale: d0.scale - shift };
  const parts = fixedParts(d, fracPlaces.length);
  let frac = parts.frac;
  while (frac.length > minFrac && frac.endsWith('0')) frac = frac.slice(0, -1);
  const intPlaces = digitParts.filter((p) => !p.frac);
  const firstZero = intPlaces.findIndex((p) => p.zero);
  const minInt = firstZero < 0 ? 0 : intPlaces.length - firstZero;
  let int = parts.int.replace(/^0+/, '');
  int = int.padStart(minInt, '0');
  if (isZero(parts) && sign === '-') sign = '';
  // Digits fill the integer placeholders from the right; the first placeholder takes any extra digits.
  const extra = int.length - intPlaces.length;
  let out = '';
  let intSlot = 0;
  let fracSlot = 0;
  for (const p of f.parts) {
    // With no integer placeholders (`.00`), the integer digits still come before the point.
    if (intPlaces.length === 0 && intSlot === 0 && (p.t === 'point' || p.t === 'digit')) {
      out += f.grouping ? group(int) : int;
      intSlot++;
    }
    if (p.t === 'lit') out += p.v;
    else if (p.t === 'point') out += frac.length > 0 ? '.' : '';
    else if (!p.frac) {
      if (f.grouping) {
        if (intSlot === 0) out += group(int);
      } else {
        if (intSlot === 0 && extra > 0) out += int.slice(0, extra);
        const at = extra + intSlot;
        if (at >= 0) out += int[at]!;
      }
      intSlot++;
    } else {
      if (fracSlot < frac.length) out += frac[fracSlot]!;
      fracSlot++;
    }
  }
  return sign + out;
}

function formatNumber(x: number, spec: string): string {
  if (spec === '') return isInt64(x) ? BigInt(x).toString() : netDouble(x);
  return standardNumber(x, spec) ?? customNumber(x, spec);
}

// ---------------------------------------------------------------------------------------------------------
// format() and string()

/** The text format() puts in for a known argument. */
function formatArg(v: Value, spec: string): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return formatNumber(v, spec);
  if (Array.isArray(v) || isObject(v)) return toJsonText(v).replace(/"/g, "'");
  throw new TemplateEvalError(`format: cannot format a ${kind(v)}`);
}

interface FormatItem {
  index: number;
  align: number;
  spec: string;
}

/** Splits a composite format string into literal text and format items, as .NET's parser does. */
function parseComposite(fmt: string): (string | FormatItem)[] {
  const out: (string | FormatItem)[] = [];
  let text = '';
  const bad = (why: string): never => {
    throw new TemplateEvalError(`format: the format string '${clip(fmt)}' is invalid: ${why} (use '{{' and '}}' for literal braces)`);
  };
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c === '}') {
      if (fmt[i + 1] === '}') {
        text += '}';
        i += 2;
        continue;
      }
      bad(`unmatched '}' at position ${i}`);
    }
    if (c !== '{') {
      text += c;
      i++;
      continue;
    }
    if (fmt[i + 1] === '{') {
      text += '{';
      i += 2;
      continue;
    }
    const start = i;
    i++;
    const idx = /^\d+/.exec(fmt.slice(i));
    if (!idx) bad(`expected an argument number after '{' at position ${start}`);
    i += idx![0].length;
    const index = Number(idx![0]);
    if (index >= 1_000_000) bad(`argument number ${idx![0]} is too large`);
    while (fmt[i] === ' ') i++;
    let align = 0;
    if (fmt[i] === ',') {
      i++;
      while (fmt[i] === ' ') i++;
      const al = /^-?\d+/.exec(fmt.slice(i));
      if (!al) bad(`expected an alignment after ',' at position ${i}`);
      i += al![0].length;
      align = Number(al![0]);
      if (Math.abs(align) >= MAX_PAD) bad(`alignment ${align} is too large`);
      while (fmt[i] === ' ') i++;
    }
    let spec = '';
    if (fmt[i] === ':') {
      i++;
      while (i < fmt.length && fmt[i] !== '}') {
        if (fmt[i] === '{') {
          if (fmt[i + 1] === '{') {
            spec += '{';
            i += 2;
            continue;
          }
          bad(`unexpected '{' in the format of item ${index}`);
        }
        spec += fmt[i];
        i++;
      }
    }
    if (fmt[i] !== '}') bad(`format item at position ${start} is not closed with '}'`);
    i++;
    if (text) out.push(text);
    text = '';
    out.push({ index, align, spec });
  }
  if (text) out.push(text);
  return out;
}

function align(text: string, width: number): string {
  if (width > 0) return text.padStart(width, ' ');
  if (width < 0) return text.padEnd(-width, ' ');
  return text;
}

function format(args: Value[]): Value {
  const [fmt, ...rest] = args;
  if (isUnknown(fmt!)) return Unknown.derived('format', args);
  const text = expectString('format', fmt!, 'format string');
  const pieces: (string | Unknown | PartialString)[] = [];
  let unknownWhole = false;
  for (const item of parseComposite(text)) {
    if (typeof item === 'string') {
      pieces.push(item);
      continue;
    }
    if (item.index >= rest.length) {
      throw new TemplateEvalError(
        `format: the format string refers to argument {${item.index}} but only ${rest.length} argument${rest.length === 1 ? ' was' : 's were'} given after it`,
      );
    }
    const arg = rest[item.index]!;
    if (arg instanceof Unknown || arg instanceof PartialString) {
      if (item.align === 0 && item.spec === '') pieces.push(arg);
      else unknownWhole = true;
    } else if (containsUnknown(arg)) unknownWhole = true;
    else pieces.push(align(formatArg(arg, item.spec), item.align));
  }
  if (unknownWhole) return Unknown.derived('format', args);
  return PartialString.of(pieces);
}

/** `string(x)`: the text of a value; objects and arrays as compact JSON. */
function stringOf(v: Value): Value {
  if (v instanceof PartialString) return v;
  if (containsUnknown(v)) return Unknown.derived('string', [v]);
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return formatNumber(v, '');
  if (Array.isArray(v) || isObject(v)) return toJsonText(v);
  throw new TemplateEvalError(`string: cannot convert a ${kind(v)} to a string`);
}

// ---------------------------------------------------------------------------------------------------------
// Other string functions

/** Text join() puts in for an element: strings, integers and booleans. */
function joinText(v: Value, position: number): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v, '');
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  throw new TemplateEvalError(`join: element ${position} of the array must be a string, got ${kind(v)}`);
}

function join(args: Value[]): Value {
  const [arr, delim] = args;
  if (isUnknown(arr!)) return Unknown.derived('join', args);
  if (!Array.isArray(arr)) throw new TemplateEvalError(`join: the first argument must be an array of strings, got ${kind(arr!)}`);
  if (!(delim instanceof Unknown || delim instanceof PartialString)) expectString('join', delim!, 'delimiter');
  const pieces: (string | Unknown | PartialString)[] = [];
  for (let n = 0; n < arr.length; n++) {
    const el = arr[n]!;
    if (n > 0) pieces.push(delim as string | Unknown | PartialString);
    if (el instanceof Unknown || el instanceof PartialString) pieces.push(el);
    else if (containsUnknown(el)) return Unknown.derived('join', args);
    else pieces.push(joinText(el, n));
  }
  return PartialString.of(pieces);
}

/** .NET `String.Split(string[], None)`: at each position the first delimiter (in the given order) that matches wins. */
function split(s: string, delims: string[]): string[] {
  const active = delims.filter((d) => d.length > 0);
  if (active.length === 0) return [s];
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < s.length) {
    const hit = active.find((d) => s.startsWith(d, i));
    if (hit === undefined) {
      i++;
      continue;
    }
    out.push(s.slice(start, i));
    i += hit.length;
    start = i;
  }
  out.push(s.slice(start));
  return out;
}

/**
 * split() of a string with holes, when no hole can hold a delimiter character (a subscription id or resource
 * group name inside a resource id, split at '/'): the holes stay inside their elements, so
 * `split(resourceId(...), '/')[2]` is the subscription itself. Undefined when a hole might hold a delimiter.
 */
function splitWithHoles(s: PartialString | Unknown, delims: string[]): Value[] | undefined {
  const active = delims.filter((d) => d.length > 0);
  const parts = s instanceof PartialString ? s.parts : [s];
  if (!parts.every((p) => typeof p === 'string' || unknownExcludes(p, active.join('')))) return undefined;
  const out: Value[] = [];
  let current: (string | Unknown)[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') {
      current.push(part);
      continue;
    }
    const [first, ...rest] = split(part, active);
    current.push(first!);
    for (const piece of rest) {
      out.push(PartialString.of(current));
      current = [piece];
    }
  }
  out.push(PartialString.of(current));
  return out;
}

function substring(args: Value[]): string {
  const s = expectString('substring', args[0]!, 'string');
  const start = expectInt('substring', args[1]!, 'start index');
  if (start < 0 || start > s.length) {
    throw new TemplateEvalError(
      `substring: the start index ${start} is outside the string '${clip(s)}' (length ${s.length}); it must be between 0 and ${s.length}`,
    );
  }
  if (args.length < 3) return s.slice(start);
  const len = expectInt('substring', args[2]!, 'length');
  if (len < 0 || start + len > s.length) {
    throw new TemplateEvalError(`substring: start index ${start} plus length ${len} goes past the end of the string '${clip(s)}' (length ${s.length})`);
  }
  return s.slice(start, start + len);
}

function padLeft(args: Value[]): string {
  const [v, total, ch] = args;
  let text: string;
  if (typeof v === 'string') text = v;
  else if (typeof v === 'number' && Number.isInteger(v)) text = formatNumber(v, '');
  else throw new TemplateEvalError(`padLeft: the value to pad must be a string or an integer, got ${kind(v!)}`);
  const width = expectInt('padLeft', total!, 'total length');
  if (width < 0) throw new TemplateEvalError(`padLeft: the total length must not be negative, got ${width}`);
  if (width > MAX_PAD) throw new TemplateEvalError(`padLeft: the total length ${width} is too large (at most ${MAX_PAD})`);
  let pad = ' ';
  if (ch !== undefined) {
    pad = expectString('padLeft', ch, 'padding character');
    if (pad.length !== 1) throw new TemplateEvalError(`padLeft: the padding character must be a single character, got '${clip(pad)}'`);
  }
  return text.padStart(width, pad);
}

function replace(args: Value[]): string {
  const s = expectString('replace', args[0]!, 'string');
  const from = expectString('replace', args[1]!, 'old string');
  const to = expectString('replace', args[2]!, 'new string');
  if (from === '') throw new TemplateEvalError('replace: the string to replace must not be empty');
  return s.split(from).join(to);
}

/** `like(s, pattern)`: whole-string match, `*` matches any run of characters, case-insensitive. Linear-time. */
function like(text: string, pattern: string): boolean {
  const s = fold(text);
  const p = fold(pattern);
  let si = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = si;
    } else if (pi < p.length && p[pi] === s[si]) {
      si++;
      pi++;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else return false;
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/** RFC 3986 strict escaping: only `A-Za-z0-9-._~` stay as they are. */
function uriComponent(s: string): string {
  return encodeURIComponent(wellFormed(s)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `uri(base, relative)`: RFC 3986 §5 resolution against an absolute base. */
function uri(base: string, rel: string): string {
  let baseUrl: URL;
  try {
    baseUrl = new URL(base);
  } catch {
    throw new TemplateEvalError(`uri: the base URI '${clip(base)}' is not an absolute URI (expected something like 'https://host/path/')`);
  }
  try {
    return new URL(rel, baseUrl).href;
  } catch {
    throw new TemplateEvalError(`uri: cannot combine '${clip(base)}' with '${clip(rel)}'`);
  }
}

/** Ports .NET's Uri knows for a scheme. */
const DEFAULT_PORTS: Record<string, number> = {
  http: 80,
  https: 443,
  ws: 80,
  wss: 443,
  ftp: 21,
  gopher: 70,
  nntp: 119,
  news: 119,
  mailto: 25,
  ldap: 389,
  'net.tcp': 808,
};

function parseUri(s: string): Value {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new TemplateEvalError(`parseUri: '${clip(s)}' is not an absolute URI`);
  }
  const scheme = u.protocol.replace(/:$/, '');
  const port = u.port !== '' ? Number(u.port) : (DEFAULT_PORTS[scheme.toLowerCase()] ?? null);
  return objectFrom([
    ['absoluteUri', u.href],
    ['scheme', scheme],
    ['host', u.hostname],
    ['port', port],
    ['path', u.pathname],
    ['query', u.search],
  ]);
}

function buildUri(v: Value): string {
  if (!isObject(v)) throw new TemplateEvalError(`buildUri: the argument must be an object with scheme, host, port, path and query, got ${kind(v)}`);
  const field = (name: string, required: boolean): string => {
    const hit = getProperty(v, name);
    if (!hit.found || hit.value === null) {
      if (required) throw new TemplateEvalError(`buildUri: the object has no '${name}'`);
      return '';
    }
    return expectString('buildUri', hit.value, `'${name}' property`);
  };
  const scheme = field('scheme', true);
  let host = field('host', true);
  const portHit = getProperty(v, 'port');
  let port: number | null = null;
  if (portHit.found && portHit.value !== null) {
    port = expectInt('buildUri', portHit.value, "'port' property");
    if (port < -1 || port > 65535) throw new TemplateEvalError(`buildUri: the port ${port} is outside 0-65535`);
    if (port === -1) port = null;
  }
  let path = field('path', false);
  let query = field('query', false);
  if (!/^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme)) throw new TemplateEvalError(`buildUri: '${scheme}' is not a valid URI scheme`);
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  if (path !== '' && !path.startsWith('/')) path = `/${path}`;
  if (query !== '' && !query.startsWith('?')) query = `?${query}`;
  const showPort = port !== null && port !== DEFAULT_PORTS[scheme.toLowerCase()];
  const text = `${scheme}://${host}${showPort ? `:${port}` : ''}${path || '/'}${query}`;
  try {
    return new URL(text).href;
  } catch {
    throw new TemplateEvalError(`buildUri: the parts do not make a valid URI ('${clip(text)}')`);
  }
}

// ---------------------------------------------------------------------------------------------------------

function str1(name: string, impl: (s: string) => Value, what = 'argument'): FunctionDef {
  return { name, minArgs: 1, maxArgs: 1, impl: ([s]) => impl(expectString(name, s!, what)) };
}

function str2(name: string, impl: (a: string, b: string) => Value, whatA: string, whatB: string): FunctionDef {
  return { name, minArgs: 2, maxArgs: 2, impl: ([a, b]) => impl(expectString(name, a!, whatA), expectString(name, b!, whatB)) };
}

export const stringFunctions: FunctionDef[] = [
  str1('base64', (s) => utf8(s).toString('base64')),
  str1('base64ToString', (s) => new TextDecoder('utf-8').decode(decodeBase64('base64ToString', s))),
  str1('base64ToJson', (s) => parseJsonText('base64ToJson', new TextDecoder('utf-8').decode(decodeBase64('base64ToJson', s)))),
  { name: 'dataUri', minArgs: 1, maxArgs: 1, impl: ([v]) => dataUri(v!) },
  str1('dataUriToString', (s) => dataUriToString('dataUriToString', s)),
  str2('endsWith', (s, v) => fold(s).endsWith(fold(v)), 'string to search', 'value to find'),
  str2('startsWith', (s, v) => fold(s).startsWith(fold(v)), 'string to search', 'value to find'),
  { name: 'format', minArgs: 1, maxArgs: Infinity, unknowns: 'custom', impl: format },
  { name: 'guid', minArgs: 1, maxArgs: Infinity, impl: (args) => armGuid(expectStrings('guid', args)) },
  { name: 'uniqueString', minArgs: 1, maxArgs: Infinity, impl: (args) => armUniqueString(expectStrings('uniqueString', args)) },
  { name: 'join', minArgs: 2, maxArgs: 2, unknowns: 'custom', impl: join },
  { name: 'padLeft', minArgs: 2, maxArgs: 3, impl: padLeft },
  { name: 'replace', minArgs: 3, maxArgs: 3, impl: replace },
  {
    name: 'split',
    minArgs: 2,
    maxArgs: 2,
    unknowns: 'custom',
    impl: ([s, d]) => {
      if (isUnknown(d!) || (Array.isArray(d) && d.some(containsUnknown))) return Unknown.derived('split', [s!, d!]);
      const delims = typeof d === 'string' ? [d] : Array.isArray(d) ? d.map((x, n) => expectString('split', x, `delimiter ${n + 1}`)) : undefined;
      if (delims === undefined) throw new TemplateEvalError(`split: the delimiter must be a string or an array of strings, got ${kind(d!)}`);
      if (s instanceof PartialString || s instanceof Unknown) return splitWithHoles(s, delims) ?? Unknown.derived('split', [s, d!]);
      return split(expectString('split', s!, 'string'), delims);
    },
  },
  { name: 'string', minArgs: 1, maxArgs: 1, unknowns: 'custom', impl: ([v]) => stringOf(v!) },
  { name: 'substring', minArgs: 2, maxArgs: 3, impl: substring },
  { name: 'toLower', minArgs: 1, maxArgs: 1, unknowns: 'custom', impl: ([s]) => changeCase('toLower', s!, false) },
  { name: 'toUpper', minArgs: 1, maxArgs: 1, unknowns: 'custom', impl: ([s]) => changeCase('toUpper', s!, true) },
  str1('trim', (s) => s.replace(TRIM, '')),
  str2('uri', uri, 'base URI', 'relative URI'),
  str1('uriComponent', uriComponent),
  str1('uriComponentToString', (s) => percentDecode(s, true)),
  str2('like', like, 'string', 'pattern'),
  str1('parseUri', parseUri),
  { name: 'buildUri', minArgs: 1, maxArgs: 1, impl: ([v]) => buildUri(v!) },
];
