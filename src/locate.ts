/**
 * Positions: JSON path → 1-based line/column region in the file's text. Only files with findings are
 * parsed with positions (jsonc-parser's tree); the rest of the scan never pays for it.
 */
import { parseTree, type Node } from 'jsonc-parser';
import type { Region } from './types.js';

export type JsonPath = (string | number)[];

export function lineStarts(text: string): number[] {
  const starts = [0];
  if (!text.includes('\r')) {
    // The common case: native indexOf instead of a character loop (files with findings can be megabytes).
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return starts;
}

function positionIn(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  return positionIn(lineStarts(text), offset);
}

/** A file's text, and the positions of values in it found by seeking, not by building a tree. */
const SEEKS_BEFORE_TREE = 2;

export class PositionIndex {
  private starts?: number[];
  private lookups = 0;
  private tree?: Node | null;

  private fromTree(path: JsonPath): Found | undefined {
    if (this.tree === undefined) this.tree = parseTree(this.text, [], { allowTrailingComma: true, disallowComments: false }) ?? null;
    if (!this.tree) return undefined;
    for (let depth = path.length; depth >= 0; depth--) {
      const node = lastNodeAt(this.tree, path.slice(0, depth));
      if (!node) continue;
      const container = node.type === 'object' || node.type === 'array';
      const keyNode = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
      return { value: { offset: node.offset, length: node.length, container }, key: keyNode && { offset: keyNode.offset, length: keyNode.length }, depth };
    }
    return undefined;
  }

  constructor(readonly text: string) {}

  lineText(line: number): string {
    this.starts ??= lineStarts(this.text);
    const start = this.starts[line - 1] ?? 0;
    const end = this.starts[line] ?? this.text.length;
    return this.text.slice(start, end).replace(/\r?\n$|\r$/, '');
  }

  region(startOffset: number, length: number): Region {
    this.starts ??= lineStarts(this.text);
    const s = positionIn(this.starts, startOffset);
    const e = positionIn(this.starts, startOffset + length);
    return { startLine: s.line, startColumn: s.column, endLine: e.line, endColumn: e.column };
  }

  /**
   * The region of the value at `path`, or of the closest existing ancestor when it is missing.
   * An object or array value is reported by its property name (one line, not the whole block).
   */
  private prefetched = new Map<string, Found | undefined>();

  /** Finds many paths in one pass over the text (a file with many findings); locate() then reads the results. */
  prefetch(paths: JsonPath[]): void {
    const todo = paths.filter((p) => !this.prefetched.has(pathKey(p)));
    if (todo.length < 2) return;
    let found: (Found | undefined)[];
    try {
      found = seekMany(this.text, todo);
    } catch {
      return;
    }
    todo.forEach((p, i) => this.prefetched.set(pathKey(p), found[i]));
  }

  locate(path: JsonPath): { region: Region; exact: boolean } {
    let found: Found | undefined;
    const key = pathKey(path);
    if (this.prefetched.has(key)) return this.regionOf(this.prefetched.get(key), path.length);
    try {
      // Seeking wins for the few findings most files have; many findings in one file share one tree.
      found = ++this.lookups <= SEEKS_BEFORE_TREE ? seek(this.text, path) : this.fromTree(path);
    } catch {
      found = undefined;
    }
    return this.regionOf(found, path.length);
  }

  private regionOf(found: Found | undefined, length: number): { region: Region; exact: boolean } {
    if (!found) return { region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 }, exact: false };
    const { value, key, depth } = found;
    const exact = depth === length;
    if (value.container && key) return { region: this.region(key.offset, key.length), exact };
    if (value.container) return { region: this.region(value.offset, 1), exact };
    return { region: this.region(value.offset, value.length), exact };
  }
}

/** jsonc-parser's findNodeAtLocation, but taking the last of duplicate keys, the one ARM uses. */
function lastNodeAt(root: Node, path: JsonPath): Node | undefined {
  let node: Node | undefined = root;
  for (const seg of path) {
    if (!node?.children) return undefined;
    if (typeof seg === 'string') {
      if (node.type !== 'object') return undefined;
      let found: Node | undefined;
      for (const property of node.children) if (property.children?.[0]?.value === seg) found = property.children[1];
      node = found;
    } else {
      if (node.type !== 'array') return undefined;
      node = node.children[seg];
    }
  }
  return node;
}

interface Span {
  offset: number;
  length: number;
  container: boolean;
}

interface Found {
  value: Span;
  /** The property name that holds the value, when it is an object member. */
  key?: { offset: number; length: number };
  /** How many path segments were matched. */
  depth: number;
}

/**
 * Walks the text along the path with a scanner, skipping the subtrees it does not enter. Allocation-free
 * apart from the scanner, and it stops as soon as the path is found: most findings sit near the top.
 */
function seek(text: string, path: JsonPath): Found | undefined {
  const scanner = new Tokens(text);
  let token = scanner.scan();
  if (token === Tok.EOF) return undefined;
  let current: Found = { value: spanAt(scanner, token), depth: 0 };
  for (let depth = 0; depth < path.length; depth++) {
    const seg = path[depth]!;
    if (token === Tok.OpenBrace) {
      token = scanner.scan();
      let hit: Found | undefined;
      while (token !== Tok.CloseBrace && token !== Tok.EOF) {
        if (token === Tok.Comma) {
          token = scanner.scan();
          continue;
        }
        if (token !== Tok.String) return current;
        const named = scanner.stringIs(String(seg));
        const key = { offset: scanner.offset, length: scanner.length };
        token = scanner.scan();
        if (token !== Tok.Colon) return current;
        token = scanner.scan();
        // ARM (like JSON.parse) keeps the last of duplicate keys, so the search goes on past a match.
        if (named) hit = { value: spanAt(scanner, token), key, depth: depth + 1 };
        token = scanner.skipValue(token);
      }
      if (!hit) return current;
      current = hit;
      if (depth + 1 < path.length) token = scanner.rescanAt(hit.value.offset);
    } else if (token === Tok.OpenBracket) {
      if (typeof seg !== 'number') return current;
      token = scanner.scan();
      let index = 0;
      let hit: Found | undefined;
      while (token !== Tok.CloseBracket && token !== Tok.EOF) {
        if (token === Tok.Comma) {
          token = scanner.scan();
          index++;
          continue;
        }
        if (index === seg) {
          hit = { value: spanAt(scanner, token), depth: depth + 1 };
          break;
        }
        token = scanner.skipValue(token);
      }
      if (!hit) return current;
      current = hit;
    } else return current;
  }
  return current;
}

function pathKey(path: JsonPath): string {
  return JSON.stringify(path);
}

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Indexes of the requested paths that pass through (or end at) this node. */
  paths: number[];
}

/**
 * One pass for many paths: walks only into the members that some path names and skips everything else,
 * recording for each path its deepest match (the closest existing ancestor when it is missing).
 */
function seekMany(text: string, paths: JsonPath[]): (Found | undefined)[] {
  const root: TrieNode = { children: new Map(), paths: paths.map((_, i) => i) };
  paths.forEach((path, i) => {
    let node = root;
    for (const seg of path) {
      const k = typeof seg === 'number' ? `#${seg}` : `.${seg}`;
      let next = node.children.get(k);
      if (!next) node.children.set(k, (next = { children: new Map(), paths: [] }));
      next.paths.push(i);
      node = next;
    }
  });
  const results: (Found | undefined)[] = new Array(paths.length).fill(undefined);
  const scanner = new Tokens(text);
  let token = scanner.scan();
  if (token === Tok.EOF) return results;
  const record = (node: TrieNode, found: Found) => {
    for (const i of node.paths) results[i] = found;
  };
  /** At the start of a value matched by `node`; returns the token after the value. */
  const walk = (node: TrieNode, found: Found): Tok => {
    record(node, found);
    if (node.children.size === 0) return scanner.skipValue(token);
    if (token === Tok.OpenBrace) {
      token = scanner.scan();
      while (token !== Tok.CloseBrace && token !== Tok.EOF) {
        if (token === Tok.Comma) {
          token = scanner.scan();
          continue;
        }
        if (token !== Tok.String) return Tok.EOF;
        const child = node.children.get(`.${scanner.stringValue()}`);
        const key = { offset: scanner.offset, length: scanner.length };
        token = scanner.scan();
        if (token !== Tok.Colon) return Tok.EOF;
        token = scanner.scan();
        token = child ? walk(child, { value: spanAt(scanner, token), key, depth: found.depth + 1 }) : scanner.skipValue(token);
      }
      return scanner.scan();
    }
    if (token === Tok.OpenBracket) {
      token = scanner.scan();
      let index = 0;
      while (token !== Tok.CloseBracket && token !== Tok.EOF) {
        if (token === Tok.Comma) {
          token = scanner.scan();
          index++;
          continue;
        }
        const child = node.children.get(`#${index}`);
        token = child ? walk(child, { value: spanAt(scanner, token), depth: found.depth + 1 }) : scanner.skipValue(token);
      }
      return scanner.scan();
    }
    return scanner.scan();
  };
  walk(root, { value: spanAt(scanner, token), depth: 0 });
  return results;
}

function spanAt(scanner: Tokens, token: Tok): Span {
  return { offset: scanner.offset, length: scanner.length, container: token === Tok.OpenBrace || token === Tok.OpenBracket };
}

const enum Tok {
  OpenBrace,
  CloseBrace,
  OpenBracket,
  CloseBracket,
  Colon,
  Comma,
  String,
  /** A number, true, false, null, or anything else up to the next delimiter. */
  Other,
  EOF,
}

const LINE_BREAK = /[\r\n]/g;

/** The characters that matter while skipping a container: quotes, brackets and comment starts. */
const STRUCTURE = /["{}[\]/]/g;

/**
 * A JSON-with-comments tokenizer for locating values, several times faster than a general scanner: it never
 * builds string values it does not compare, finds the end of a string with indexOf, and skips a whole
 * container by jumping between structural characters. The files it reads have already parsed, so it only
 * needs to stay safe (never loop, never throw) on broken text.
 */
class Tokens {
  private pos = 0;
  offset = 0;
  length = 0;

  constructor(private readonly text: string) {}

  scan(): Tok {
    const t = this.text;
    const n = t.length;
    let i = this.pos;
    for (;;) {
      if (i >= n) {
        this.offset = n;
        this.length = 0;
        this.pos = n;
        return Tok.EOF;
      }
      const c = t.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 11 || c === 12) {
        i++;
        continue;
      }
      if (c === 47) {
        const after = this.afterComment(i);
        if (after !== i) {
          i = after;
          continue;
        }
      }
      break;
    }
    this.offset = i;
    const c = t.charCodeAt(i);
    let tok: Tok;
    switch (c) {
      case 123:
        tok = Tok.OpenBrace;
        break;
      case 125:
        tok = Tok.CloseBrace;
        break;
      case 91:
        tok = Tok.OpenBracket;
        break;
      case 93:
        tok = Tok.CloseBracket;
        break;
      case 58:
        tok = Tok.Colon;
        break;
      case 44:
        tok = Tok.Comma;
        break;
      case 34: {
        const end = stringEnd(t, i);
        this.length = end - i;
        this.pos = end;
        return Tok.String;
      }
      default: {
        let j = i + 1;
        while (j < n) {
          const d = t.charCodeAt(j);
          if (d === 44 || d === 125 || d === 93 || d === 58 || d === 32 || d === 10 || d === 13 || d === 9 || d === 47 || d === 123 || d === 91 || d === 34) break;
          j++;
        }
        this.length = j - i;
        this.pos = j;
        return Tok.Other;
      }
    }
    this.length = 1;
    this.pos = i + 1;
    return tok;
  }

  /** The end of a comment starting at `i`, or `i` when there is none. */
  private afterComment(i: number): number {
    const t = this.text;
    const d = t.charCodeAt(i + 1);
    if (d === 47) {
      // A line comment ends at any line break: CR-only files exist (old Mac editors), and JSON parsers accept them.
      LINE_BREAK.lastIndex = i + 2;
      return LINE_BREAK.test(t) ? LINE_BREAK.lastIndex : t.length;
    }
    if (d === 42) {
      const e = t.indexOf('*/', i + 2);
      return e < 0 ? t.length : e + 2;
    }
    return i;
  }

  /** The current string token's value, unescaped. */
  stringValue(): string {
    const raw = this.text.slice(this.offset + 1, this.offset + this.length - 1);
    if (!raw.includes('\\')) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      return raw;
    }
  }

  /** Whether the current string token's value is `name` (without building the value when it cannot be). */
  stringIs(name: string): boolean {
    const len = this.length - 2;
    if (len === name.length && this.text.startsWith(name, this.offset + 1)) return true;
    return len > name.length && this.stringValue() === name;
  }

  /** Goes back to the token at `offset` (the start of a value seen before). */
  rescanAt(offset: number): Tok {
    this.pos = offset;
    return this.scan();
  }

  /** Skips the value that starts at `token`; returns the token after it. */
  skipValue(token: Tok): Tok {
    if (token !== Tok.OpenBrace && token !== Tok.OpenBracket) return this.scan();
    const t = this.text;
    let depth = 1;
    let i = this.pos;
    while (depth > 0) {
      // test(), not exec(): no match array for every brace and quote. The pattern matches one character, so
      // the match starts just before lastIndex.
      STRUCTURE.lastIndex = i;
      if (!STRUCTURE.test(t)) {
        i = t.length;
        break;
      }
      const j = STRUCTURE.lastIndex - 1;
      const c = t.charCodeAt(j);
      if (c === 34) i = stringEnd(t, j);
      else if (c === 47) {
        const after = this.afterComment(j);
        i = after === j ? j + 1 : after;
      } else {
        depth += c === 123 || c === 91 ? 1 : -1;
        i = j + 1;
      }
    }
    this.pos = i;
    return this.scan();
  }
}

/** The offset after the closing quote of the string that opens at `i` (the end of the text if unterminated). */
function stringEnd(t: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = t.indexOf('"', from);
    if (q < 0) return t.length;
    let backslashes = 0;
    for (let b = q - 1; t.charCodeAt(b) === 92; b--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    from = q + 1;
  }
}
