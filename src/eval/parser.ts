/**
 * ARM template expression language: when a JSON string is an expression, and its parser.
 * Grammar (arm-evaluator.md §1): calls `name(args)` with case-insensitive names, `ns.member(args)` for user
 * functions, single-quoted strings with `''` escapes, integers, and accessors `.prop`, `[expr]` after any
 * primary. Whitespace between tokens is insignificant.
 */
import { TemplateEvalError } from './functions/types.js';

export type Expr =
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'call'; name: string; args: Expr[] }
  | { t: 'prop'; obj: Expr; name: string }
  | { t: 'index'; obj: Expr; index: Expr };

/** ARM's documented maximum expression length. */
export const MAX_EXPRESSION_LENGTH = 24576;
/** Default limit on how deeply calls and accessors nest in one expression (a budget, see SECURITY.md). */
export const DEFAULT_MAX_NESTING = 256;

/** True when the JSON string is an expression: `[...]`, not the `[[` escape. */
export function isExpression(s: string): boolean {
  return s.length >= 2 && s.charCodeAt(0) === 91 && s.charCodeAt(s.length - 1) === 93 && s.charCodeAt(1) !== 91;
}

/** A literal string that starts with the `[[` escape loses exactly one bracket. */
export function unescapeLiteral(s: string): string {
  return s.length >= 2 && s.startsWith('[[') && s.endsWith(']') ? s.slice(1) : s;
}

const cache = new Map<string, Expr>();
/** Characters of expression text in the cache. Bounded by size, not count: some templates hold KQL queries of kilobytes. */
let cachedChars = 0;
const MAX_CACHED_CHARS = 2_000_000;

/** Parses the text of an expression string (with its brackets). Results are cached: templates repeat them. */
export function parseExpression(text: string, maxNesting = DEFAULT_MAX_NESTING): Expr {
  const key = maxNesting === DEFAULT_MAX_NESTING ? text : `${maxNesting}\u0000${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new TemplateEvalError(`expression is ${text.length} characters long; ARM allows at most ${MAX_EXPRESSION_LENGTH}`);
  }
  const expr = new Parser(text.slice(1, -1), maxNesting).parseRoot();
  if (cachedChars + key.length > MAX_CACHED_CHARS) {
    cache.clear();
    cachedChars = 0;
  }
  cache.set(key, expr);
  cachedChars += key.length;
  return expr;
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(
    private readonly src: string,
    private readonly maxNesting: number,
  ) {}

  parseRoot(): Expr {
    this.skipSpace();
    if (this.pos >= this.src.length) throw this.error('empty expression');
    const e = this.parseValue();
    this.skipSpace();
    if (this.pos < this.src.length) throw this.error(`unexpected '${this.src[this.pos]}'`);
    return e;
  }

  private parseValue(): Expr {
    if (++this.depth > this.maxNesting) throw this.error(`expression nests deeper than ${this.maxNesting} levels`);
    let e = this.parsePrimary();
    for (;;) {
      this.skipSpace();
      const c = this.src[this.pos];
      if (c === '.') {
        this.pos++;
        this.skipSpace();
        const name = this.readIdentifier();
        if (!name) throw this.error('expected a property name after "."');
        e = { t: 'prop', obj: e, name };
      } else if (c === '[') {
        this.pos++;
        this.skipSpace();
        const index = this.parseValue();
        this.skipSpace();
        this.expect(']');
        e = { t: 'index', obj: e, index };
      } else break;
    }
    this.depth--;
    return e;
  }

  private parsePrimary(): Expr {
    this.skipSpace();
    const c = this.src[this.pos];
    if (c === undefined) throw this.error('unexpected end of expression');
    if (c === "'") return { t: 'str', v: this.readString() };
    if (c === '-' || (c >= '0' && c <= '9')) return { t: 'num', v: this.readNumber() };
    const name = this.readIdentifier();
    if (!name) throw this.error(`unexpected '${c}'`);
    this.skipSpace();
    let fullName = name;
    // `ns.member(` is a user-defined function; `.prop` after a call is handled by the accessor loop.
    if (this.src[this.pos] === '.') {
      const save = this.pos;
      this.pos++;
      this.skipSpace();
      const member = this.readIdentifier();
      this.skipSpace();
      if (member && this.src[this.pos] === '(') fullName = `${name}.${member}`;
      else this.pos = save;
    }
    if (this.src[this.pos] !== '(') throw this.error(`'${name}' must be a function call (ARM has no bare identifiers)`);
    this.pos++;
    const args: Expr[] = [];
    this.skipSpace();
    if (this.src[this.pos] === ')') {
      this.pos++;
      return { t: 'call', name: fullName, args };
    }
    for (;;) {
      args.push(this.parseValue());
      this.skipSpace();
      const sep = this.src[this.pos];
      if (sep === ',') {
        this.pos++;
        continue;
      }
      if (sep === ')') {
        this.pos++;
        return { t: 'call', name: fullName, args };
      }
      throw this.error(sep === undefined ? `missing ')' to close ${fullName}(` : `expected ',' or ')' but found '${sep}'`);
    }
  }

  private readIdentifier(): string {
    const start = this.pos;
    while (this.pos < this.src.length) {
      const ch = this.src.charCodeAt(this.pos);
      const ok = (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || ch === 95 || ch === 36 || (this.pos > start && ch >= 48 && ch <= 57);
      if (!ok) break;
      this.pos++;
    }
    return this.src.slice(start, this.pos);
  }

  private readString(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const end = this.src.indexOf("'", this.pos);
      if (end < 0) throw this.error('unterminated string literal');
      out += this.src.slice(this.pos, end);
      if (this.src[end + 1] === "'") {
        out += "'";
        this.pos = end + 2;
      } else {
        this.pos = end + 1;
        return out;
      }
    }
  }

  private readNumber(): number {
    const m = /^-?\d+(\.\d+)?/.exec(this.src.slice(this.pos));
    if (!m) throw this.error('malformed number');
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  private expect(ch: string): void {
    if (this.src[this.pos] !== ch) throw this.error(`expected '${ch}'`);
    this.pos++;
  }

  private error(message: string): TemplateEvalError {
    return new TemplateEvalError(`syntax error at character ${this.pos + 2}: ${message}`);
  }
}
