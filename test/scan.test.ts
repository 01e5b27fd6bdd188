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

describe('discovery', () => {
  it('finds templates whatever the size and wherever the $schema is: probed from the head, else read in full', async () => {
    const big = { ...cmkStack(), metadata: { padding: 'x'.repeat(10_000) } };
    // A $schema after 10 KB of metadata is past the probe: the file is still read, classified and scanned.
    const late = { metadata: { padding: 'y'.repeat(10_000) }, ...cmkStack() };
    const tiny = { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', resources: [] };
    const notArm = { $schema: 'https://json.schemastore.org/package.json', name: 'x'.repeat(10_000) };
    const dir = writeTree({ 'big.json': text(big), 'late.json': text(late), 'tiny.json': JSON.stringify(tiny), 'other.json': JSON.stringify(notArm) });
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules });
    expect(result.files.map((f) => [f.uri, f.kind])).toEqual([
      ['big.json', 'template'],
      ['late.json', 'template'],
      ['other.json', 'skipped'],
      ['tiny.json', 'template'],
    ]);
    expect(result.findings.filter((f) => f.ruleId === 'TPL001')).toEqual([]);
  });
});

describe('snippets', () => {
  it('keeps a window of a long minified line, not the line, and the text report still underlines the value', async () => {
    const t = cmkStack();
    (t['resources'] as { type: string; sku?: { name: string } }[]).find((x) => x.type === 'Microsoft.ContainerRegistry/registries')!.sku = { name: 'Basic' };
    const minified = JSON.stringify({ metadata: { padding: 'p'.repeat(20_000) }, ...t });
    const dir = writeTree({ 'min.json': minified });
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules });
    const f = result.findings.find((x) => x.ruleId === 'ACR002')!;
    expect(f.region.startLine).toBe(1);
    expect(f.region.startColumn).toBeGreaterThan(20_000);
    expect(f.snippet!.length).toBeLessThanOrEqual(512);
    expect(minified.slice(f.snippetColumn! - 1, f.snippetColumn! - 1 + f.snippet!.length)).toBe(f.snippet);
    const { formatText } = await import('../src/report/text.js');
    const lines = formatText({ ...result, findings: [f] }, { color: false }).split('\n');
    const code = lines.findIndex((l) => l.includes('"Basic"'));
    expect(code).toBeGreaterThan(-1);
    const caret = lines[code + 1]!;
    expect(lines[code]!.slice(caret.indexOf('^'), caret.lastIndexOf('^') + 1)).toBe('"Basic"');
  });
});

describe('isolation', () => {
  it('turns a rule that crashes on one template into an internal error for that template; the others keep their results', async () => {
    const { defineMeta } = await import('../src/meta.js');
    const crashing = {
      meta: defineMeta({ id: 'ACR999', name: 'crashes-on-boom', level: 'error', shortDescription: 'x', fullDescription: 'x', help: 'x', tags: [], precision: 'low' }),
      check(ctx: import('../src/rule-api.js').RuleContext) {
        for (const r of ctx.graph.deployed('Microsoft.ContainerRegistry/registries')) {
          if (r.name === 'boom') throw new Error('rule bug');
          ctx.report({ resource: r, path: [], verdict: 'fail', message: 'seen' });
        }
      },
    };
    const boom = cmkStack();
    (boom['resources'] as { type: string; name: string }[]).find((x) => x.type === 'Microsoft.ContainerRegistry/registries')!.name = 'boom';
    const dir = writeTree({ 'a.json': text(boom), 'b.json': text(cmkStack()) });
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules: [crashing] });
    expect(result.internalErrors).toHaveLength(1);
    expect(result.internalErrors[0]).toMatch(/^a\.json: rule ACR999 failed: Error: rule bug/);
    expect(result.findings.filter((f) => f.ruleId === 'ACR999').map((f) => f.uri)).toEqual(['b.json']);
  });
});
