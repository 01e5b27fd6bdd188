import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { lineColumnOf, lineStarts, PositionIndex } from '../src/locate.js';

describe('positions', () => {
  it('count lines the same way for LF, CRLF and lone CR', () => {
    expect(lineStarts('a\nb\nc')).toEqual([0, 2, 4]);
    expect(lineStarts('a\r\nb\r\nc')).toEqual([0, 3, 6]);
    expect(lineStarts('a\rb\r\nc')).toEqual([0, 2, 5]);
    expect(lineColumnOf('ab\r\ncd', 5)).toEqual({ line: 2, column: 2 });
  });

  it('locate one path by seeking and many paths in one pass, with the same answers', () => {
    const text = '{\n  "a": { "b": [1, {"c": "x"}] },\n  // comment\n  "d": "[concat(\'y\')]",\n}\n';
    const paths: (string | number)[][] = [['a', 'b', 1, 'c'], ['d', 'e'], ['a', 'missing'], ['a']];
    const one = paths.map((p) => new PositionIndex(text).locate(p));
    const many = new PositionIndex(text);
    many.prefetch(paths);
    expect(paths.map((p) => many.locate(p))).toEqual(one);
    expect(one[0]).toEqual({ region: { startLine: 2, startColumn: 25, endLine: 2, endColumn: 28 }, exact: true }); // "x" in column 25-27
    expect(one[1]!.exact).toBe(false);
    expect(one[1]!.region.startLine).toBe(4);
    expect(one[3]!.region).toEqual({ startLine: 2, startColumn: 3, endLine: 2, endColumn: 6 });
  });

  it('agree with a full JSONC parse where strings and comments hold brackets, quotes and escapes', () => {
    const text = [
      '\ufeff{',
      '  /* a { comment " with [ brackets */ "skip": { "x": "a \\" } [ {", "y": [1, "]", {"z": "/* not a comment */"}] },',
      '  // "line comment" { [',
      '  "we\\u0069rd": { "k\\"q": ["//", 2.5e3, -1, true, null, { "deep": "\\\\" }] },',
      '  "after": { "list": [ { "v": 1 }, { "v": "two" } ], },',
      '}',
    ].join('\r\n');
    const tree = parseTree(text, [], { allowTrailingComma: true, disallowComments: false })!;
    const paths: (string | number)[][] = [['after', 'list', 1, 'v'], ['weird', 'k"q', 5, 'deep'], ['skip', 'y', 2, 'z'], ['weird', 'k"q', 0], ['after'], ['skip', 'x']];
    const index = new PositionIndex(text);
    index.prefetch(paths);
    for (const p of paths) {
      const node = findNodeAtLocation(tree, p)!;
      const region = index.locate(p).region;
      const expected = lineColumnOf(text, node.type === 'object' || node.type === 'array' ? node.parent!.children![0]!.offset : node.offset);
      expect([p, region.startLine, region.startColumn]).toEqual([p, expected.line, expected.column]);
      expect([p, new PositionIndex(text).locate(p).region]).toEqual([p, region]);
    }
  });

  /** The same path located three ways: seeking (first lookups), the tree (later lookups), one pass (prefetch). */
  function threeWays(text: string, path: (string | number)[]) {
    const seek = new PositionIndex(text).locate(path).region;
    const tree = new PositionIndex(text);
    for (let i = 0; i < 3; i++) tree.locate(['other', i]);
    const many = new PositionIndex(text);
    many.prefetch([path, ['other']]);
    return [seek, tree.locate(path).region, many.locate(path).region];
  }

  it('end a line comment at a lone CR, as the parser does', () => {
    const text = ['{', '  "sku": { "name": // was "Premium"', '    "Standard" },', '  "x": 1', '}'].join('\r');
    for (const region of threeWays(text, ['sku', 'name'])) expect(region).toEqual({ startLine: 3, startColumn: 5, endLine: 3, endColumn: 15 });
  });

  it('point at the last of duplicate keys, the value ARM (and JSON.parse) keeps', () => {
    const text = '{\n  "p": { "days": 30, "n": 1 },\n  "p": { "days": 3 }\n}\n';
    expect(JSON.parse(text).p.days).toBe(3);
    for (const region of threeWays(text, ['p', 'days'])) expect(region).toEqual({ startLine: 3, startColumn: 18, endLine: 3, endColumn: 19 });
  });
});
