/**
 * Positions: JSON path → 1-based line/column region in the file's text. Only files with findings are
 * parsed with positions (jsonc-parser's tree); the rest of the scan never pays for it.
 */
import { parseTree, findNodeAtLocation, type Node } from 'jsonc-parser';
import type { Region } from './types.js';

export type JsonPath = (string | number)[];

export function lineStarts(text: string): number[] {
  const starts = [0];
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

/** A file's text with a lazily built position tree. */
export class PositionIndex {
  private tree?: Node | null;
  private starts?: number[];

  constructor(readonly text: string) {}

  private root(): Node | undefined {
    if (this.tree === undefined) {
      try {
        this.tree = parseTree(this.text, [], { allowTrailingComma: true, disallowComments: false }) ?? null;
      } catch {
        this.tree = null;
      }
    }
    return this.tree ?? undefined;
  }

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
  locate(path: JsonPath): { region: Region; exact: boolean } {
    const root = this.root();
    if (!root) return { region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 }, exact: false };
    let node: Node | undefined;
    let depth = path.length;
    for (; depth >= 0; depth--) {
      node = findNodeAtLocation(root, path.slice(0, depth));
      if (node) break;
    }
    if (!node) node = root;
    return { region: this.regionOfNode(node), exact: depth === path.length };
  }

  private regionOfNode(node: Node): Region {
    if ((node.type === 'object' || node.type === 'array') && node.parent?.type === 'property') {
      const key = node.parent.children?.[0];
      if (key) return this.region(key.offset, key.length);
    }
    if (node.type === 'object' || node.type === 'array') return this.region(node.offset, 1);
    return this.region(node.offset, node.length);
  }
}
