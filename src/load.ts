/**
 * Loading: bytes → text → JSON, and what kind of ARM file it is. The fast path is `JSON.parse`; JSON with
 * comments or trailing commas falls back to jsonc-parser, and real syntax errors become TPL001 with the
 * position of the first error.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { parse, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { setOwn } from './json.js';
import { lineColumnOf } from './locate.js';

export type FileKind = 'template' | 'parameters' | 'other';

export interface LoadedFile {
  path: string;
  text: string;
  json: unknown;
  kind: FileKind;
}

export interface LoadError {
  path: string;
  message: string;
  line: number;
  column: number;
  /** Text, when it could be decoded, so the report can show the line. */
  text?: string;
}

export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

const TEMPLATE_SCHEMA = /deploymenttemplate\.json/i;
const PARAMETERS_SCHEMA = /deploymentparameters\.json/i;

const UTF32 = 'the file is UTF-32 text, which ARM does not read: save it as UTF-8';

/**
 * Decodes bytes: UTF-8 (BOM removed), UTF-16 LE/BE with a BOM, or without one when the first two characters
 * are ASCII (how RFC 4627 tells JSON's encoding). Invalid UTF-8 and UTF-32 are errors, not mojibake.
 */
export function decode(bytes: Buffer): string | { error: string } {
  const [b0, b1, b2, b3] = bytes;
  if (bytes.length >= 4 && ((b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) || (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff))) return { error: UTF32 };
  if (bytes.length >= 2 && b0 === 0xff && b1 === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && b0 === 0xfe && b1 === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.length >= 4 && b0 !== 0 && b1 === 0 && b2 !== 0 && b3 === 0) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes.length >= 4 && b0 === 0 && b1 !== 0 && b2 === 0 && b3 !== 0) return new TextDecoder('utf-16be').decode(bytes);
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
  } catch {
    return { error: 'the file is not valid UTF-8 text' };
  }
}

/** Parses JSON text, accepting comments and trailing commas. */
export function parseJsonText(text: string): { json: unknown } | { error: string; offset: number } {
  try {
    return { json: JSON.parse(text) };
  } catch {
    // Fall through: comments, trailing commas, or a real error.
  }
  const errors: ParseError[] = [];
  let json: unknown;
  try {
    json = parseJsonc(text, errors);
  } catch (err) {
    if (err instanceof RangeError) return { error: 'the JSON nests too deeply to read', offset: 0 };
    throw err;
  }
  if (errors.length > 0) {
    const e = errors[0]!;
    const code = printParseErrorCode(e.error);
    const multiLine = code === 'UnexpectedEndOfString' || code === 'InvalidCharacter' ? parseWithLineBreaksInStrings(text) : undefined;
    if (multiLine && 'json' in multiLine) return { json: multiLine.json };
    // A text whose strings span lines and that has an error elsewhere: that error, not the line break, which is
    // allowed. A string that never closes is still shown where it starts.
    const shown = multiLine && printParseErrorCode(multiLine.error.error) !== 'UnexpectedEndOfString' ? multiLine.error : e;
    return { error: `${describeParseError(printParseErrorCode(shown.error))}`, offset: shown.offset };
  }
  return { json };
}

/**
 * ARM's extended JSON, like comments: a string may span lines ("You can break a string into multiple lines";
 * Azure CLI with --handle-extended-json-format and Azure PowerShell deploy it), and the line break is part of
 * the string. Each raw control character inside a string stands in for a private-use character of the same
 * length while parsing, so every offset stays where it is, and is put back in the parsed strings; an error of
 * that parse is at the same offset in the text. A text that already holds one of those stand-ins is left to
 * fail as it is.
 */
function parseWithLineBreaksInStrings(text: string): { json: unknown } | { error: ParseError } | undefined {
  if (STAND_INS.test(text)) return undefined;
  let out = '';
  let from = 0;
  let replaced = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      // A line comment ends at a line break (CR alone too).
      while (i < text.length && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === 0x22) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d < 0x20) {
          out += text.slice(from, i) + String.fromCharCode(STAND_IN_BASE + d);
          from = i + 1;
          replaced = true;
        }
      }
    }
  }
  if (!replaced) return undefined;
  const errors: ParseError[] = [];
  const json = parseJsonc(out + text.slice(from), errors);
  return errors.length ? { error: errors[0]! } : { json: restoreControlCharacters(json) };
}

const STAND_IN_BASE = 0xe000;
const STAND_INS = /[\ue000-\ue01f]/;
const STAND_INS_ALL = /[\ue000-\ue01f]/g;

/**
 * JSON with comments and trailing commas. jsonc-parser assigns keys to plain objects, where a key `__proto__`
 * would replace the object's prototype instead of being a key as in JSON.parse: a text that has one is built
 * from its syntax tree instead (slower, so only then).
 */
function parseJsonc(text: string, errors: ParseError[]): unknown {
  // `\u` too: a key may spell `__proto__` with escapes.
  if (!text.includes('__proto__') && !text.includes('\\u')) return parse(text, errors, JSONC_OPTIONS);
  const root = parseTree(text, errors, JSONC_OPTIONS);
  return root === undefined ? undefined : valueOfNode(root);
}

const JSONC_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false };

function valueOfNode(node: Node): unknown {
  if (node.type === 'array') return (node.children ?? []).map(valueOfNode);
  if (node.type !== 'object') return node.value;
  const o: Record<string, unknown> = {};
  for (const prop of node.children ?? []) {
    const [key, value] = prop.children ?? [];
    if (key && value) setOwn(o, key.value as string, valueOfNode(value));
  }
  return o;
}

function restoreControlCharacters(v: unknown): unknown {
  if (typeof v === 'string') return STAND_INS.test(v) ? v.replace(STAND_INS_ALL, (ch) => String.fromCharCode(ch.charCodeAt(0) - STAND_IN_BASE)) : v;
  if (Array.isArray(v)) return v.map(restoreControlCharacters);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) setOwn(o, restoreControlCharacters(k) as string, restoreControlCharacters(x));
    return o;
  }
  return v;
}

function describeParseError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'a property name (in double quotes) is expected',
    ValueExpected: 'a value is expected',
    ColonExpected: "':' is expected",
    CommaExpected: "',' is expected",
    CloseBraceExpected: "'}' is expected",
    CloseBracketExpected: "']' is expected",
    EndOfFileExpected: 'nothing may follow the top-level value',
    InvalidCommentToken: 'invalid comment',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character in string',
  };
  return words[code] ?? code;
}

export function classify(json: unknown): FileKind {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'other';
  const schema = (json as Record<string, unknown>)['$schema'];
  if (typeof schema !== 'string') return 'other';
  if (TEMPLATE_SCHEMA.test(schema)) return 'template';
  if (PARAMETERS_SCHEMA.test(schema)) return 'parameters';
  return 'other';
}

/** Cheap pre-check on raw text: a file that never mentions a deployment schema is not read further. */
export function mayBeArm(text: string): boolean {
  return /deployment(template|parameters)\.json/i.test(text);
}

/**
 * A file's bytes, or why they are not read: only regular files are, since reading a FIFO blocks until
 * someone writes to it and a device such as /dev/zero never ends.
 */
export function readRegularFile(path: string, maxBytes: number): Buffer | { error: string } {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return { error: `it is not a regular file (${stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a named pipe' : stat.isSocket() ? 'a socket' : 'a device'}); cmkguard reads only regular files` };
    if (stat.size > maxBytes) return { error: `the file is ${stat.size} bytes; the limit is ${maxBytes} (raise it with --max-file-size)` };
    return readFileSync(path);
  } catch (err) {
    return { error: `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
}

export function loadFile(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): LoadedFile | LoadError | null {
  const bytes = readRegularFile(path, maxBytes);
  if (!Buffer.isBuffer(bytes)) return { path, message: bytes.error, line: 1, column: 1 };
  const text = decode(bytes);
  if (typeof text !== 'string') {
    // A file that is not text cannot be an ARM template unless it claims to be one.
    return claimsArm(bytes, text.error === UTF32 ? 4 : 1) ? { path, message: text.error, line: 1, column: 1 } : null;
  }
  if (!mayBeArm(text)) return null;
  const parsed = parseJsonText(text);
  if ('error' in parsed) {
    const { line, column } = lineColumnOf(text, parsed.offset);
    return { path, message: `invalid JSON: ${parsed.error}`, line, column, text };
  }
  const kind = classify(parsed.json);
  if (kind === 'other') return null;
  return { path, text, json: parsed.json, kind };
}

/**
 * Whether undecodable bytes name a deployment schema, as ASCII (one byte per character) or as UTF-32 (four, either
 * byte order): only such a file is reported, any other (a UTF-32 `package.json`) is skipped like any non-ARM file.
 */
function claimsArm(bytes: Buffer, width: 1 | 4): boolean {
  return ['deploymentTemplate.json', 'deploymentParameters.json'].some((name) => {
    if (width === 1) return bytes.includes(name);
    const le = Buffer.alloc(name.length * 4);
    for (let i = 0; i < name.length; i++) le[i * 4] = name.charCodeAt(i);
    const be = Buffer.alloc(name.length * 4);
    for (let i = 0; i < name.length; i++) be[i * 4 + 3] = name.charCodeAt(i);
    return bytes.includes(le) || bytes.includes(be);
  });
}

const PROBE_BYTES = 4096;

/**
 * A cheap look at a file: 'template' when the `$schema` near its start names a deployment template (the file is
 * parsed later, when it is evaluated, so large scans never hold every tree at once); otherwise undefined and the
 * caller loads the file fully.
 */
export function probeTemplate(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): boolean {
  let fd: number | undefined;
  try {
    const stat = statSync(path);
    if (!stat.isFile() || stat.size > maxBytes) return false;
    // Only the head is read: every file of a scan is probed, and templates are read in full once, later.
    fd = openSync(path, 'r');
    const head = Buffer.alloc(PROBE_BYTES);
    const n = readSync(fd, head, 0, PROBE_BYTES, 0);
    const m = /"\$schema"\s*:\s*"([^"]*)"/.exec(head.subarray(0, n).toString('utf8'));
    return m !== null && TEMPLATE_SCHEMA.test(m[1]!);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function isLoadError(x: LoadedFile | LoadError | null): x is LoadError {
  return x !== null && 'message' in x;
}
