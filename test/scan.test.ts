import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { scan } from '../src/scan.js';
import { writeTree } from './helpers/scan.js';
import { cmkStack, text } from './rules/stack.js';

describe('scan', () => {
  it('reports progress once per template, in a stable order', async () => {
    const dir = writeTree({ 'b.json': text(cmkStack()), 'a.json': text(cmkStack()), 'c.txt': 'x', 'p.json': '{}' });
    const calls: [number, number][] = [];
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules, onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(result.files.map((f) => [f.uri, f.kind])).toEqual([
      ['a.json', 'template'],
      ['b.json', 'template'],
      ['p.json', 'skipped'],
    ]);
  });
});
