/**
 * Positions: JSON path → 1-based line/column region in the file's text. Only files with findings are
 * parsed with positions (jsonc-parser's tree); the rest of the scan never pays for it.
 */
import { createScanner, findNodeAtLocation, parseTree, SyntaxKind, type JSONScanner, type Node } from 'jsonc-parser';
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
      const node = findNodeAtLocation(this.tree, path.slice(0, depth));
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
  const scanner = createScanner(text, true);
  let token = scanner.scan();
  if (token === SyntaxKind.EOF) return undefined;
  let current: Found = { value: spanAt(scanner, token), depth: 0 };
  for (let depth = 0; depth < path.length; depth++) {
    const seg = path[depth]!;
    if (token === SyntaxKind.OpenBraceToken) {
      token = scanner.scan();
      let hit: Found | undefined;
      while (token !== SyntaxKind.CloseBraceToken && token !== SyntaxKind.EOF) {
        if (token === SyntaxKind.CommaToken) {
          token = scanner.scan();
          continue;
        }
        if (token !== SyntaxKind.StringLiteral) return current;
        const name = scanner.getTokenValue();
        const key = { offset: scanner.getTokenOffset(), length: scanner.getTokenLength() };
        token = scanner.scan();
        if (token !== SyntaxKind.ColonToken) return current;
        token = scanner.scan();
        if (name === String(seg)) {
          hit = { value: spanAt(scanner, token), key, depth: depth + 1 };
          break;
        }
        token = skipValue(scanner, token);
      }
      if (!hit) return current;
      current = hit;
    } else if (token === SyntaxKind.OpenBracketToken) {
      if (typeof seg !== 'number') return current;
      token = scanner.scan();
      let index = 0;
      let hit: Found | undefined;
      while (token !== SyntaxKind.CloseBracketToken && token !== SyntaxKind.EOF) {
        if (token === SyntaxKind.CommaToken) {
          token = scanner.scan();
          index++;
          continue;
        }
        if (index === seg) {
          hit = { value: spanAt(scanner, token), depth: depth + 1 };
          break;
        }
        token = skipValue(scanner, token);
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
  const scanner = createScanner(text, true);
  let token = scanner.scan();
  if (token === SyntaxKind.EOF) return results;
  const record = (node: TrieNode, found: Found) => {
    for (const i of node.paths) results[i] = found;
  };
  /** At the start of a value matched by `node`; returns the token after the value. */
  const walk = (node: TrieNode, found: Found): SyntaxKind => {
    record(node, found);
    if (node.children.size === 0) return skipValue(scanner, token);
    if (token === SyntaxKind.OpenBraceToken) {
      token = scanner.scan();
      while (token !== SyntaxKind.CloseBraceToken && token !== SyntaxKind.EOF) {
        if (token === SyntaxKind.CommaToken) {
          token = scanner.scan();
          continue;
        }
        if (token !== SyntaxKind.StringLiteral) return SyntaxKind.EOF;
        const child = node.children.get(`.${scanner.getTokenValue()}`);
        const key = { offset: scanner.getTokenOffset(), length: scanner.getTokenLength() };
        token = scanner.scan();
        if (token !== SyntaxKind.ColonToken) return SyntaxKind.EOF;
        token = scanner.scan();
        token = child ? walk(child, { value: spanAt(scanner, token), key, depth: found.depth + 1 }) : skipValue(scanner, token);
      }
      return scanner.scan();
    }
    if (token === SyntaxKind.OpenBracketToken) {
      token = scanner.scan();
      let index = 0;
      while (token !== SyntaxKind.CloseBracketToken && token !== SyntaxKind.EOF) {
        if (token === SyntaxKind.CommaToken) {
          token = scanner.scan();
          index++;
          continue;
        }
        const child = node.children.get(`#${index}`);
        token = child ? walk(child, { value: spanAt(scanner, token), depth: found.depth + 1 }) : skipValue(scanner, token);
      }
      return scanner.scan();
    }
    return scanner.scan();
  };
  walk(root, { value: spanAt(scanner, token), depth: 0 });
  return results;
}

function spanAt(scanner: JSONScanner, token: SyntaxKind): Span {
  const container = token === SyntaxKind.OpenBraceToken || token === SyntaxKind.OpenBracketToken;
  return { offset: scanner.getTokenOffset(), length: scanner.getTokenLength(), container };
}

/** Skips the value that starts at `token`; returns the token after it. */
function skipValue(scanner: JSONScanner, token: SyntaxKind): SyntaxKind {
  if (token !== SyntaxKind.OpenBraceToken && token !== SyntaxKind.OpenBracketToken) return scanner.scan();
  let depth = 0;
  do {
    if (token === SyntaxKind.OpenBraceToken || token === SyntaxKind.OpenBracketToken) depth++;
    else if (token === SyntaxKind.CloseBraceToken || token === SyntaxKind.CloseBracketToken) depth--;
    else if (token === SyntaxKind.EOF) return token;
    token = scanner.scan();
  } while (depth > 0);
  return token;
}
