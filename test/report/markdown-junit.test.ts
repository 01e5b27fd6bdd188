import { describe, expect, it } from 'vitest';
import { formatJunit } from '../../src/report/junit.js';
import { formatMarkdown } from '../../src/report/markdown.js';
import type { Finding, ScanResult } from '../../src/types.js';

const region = { startLine: 7, startColumn: 3, endLine: 7, endColumn: 9 };
const f = (over: Partial<Finding>): Finding => ({ ruleId: 'KV001', level: 'error', kind: 'fail', message: 'Vault <kv> lacks "purge" | protection.', file: '/r/a.json', uri: 'a.json', region, resource: { fullyQualifiedName: 'Microsoft.KeyVault/vaults/kv', type: 'Microsoft.KeyVault/vaults', name: 'kv' }, ...over });
const result = (findings: Finding[]): ScanResult => ({
  toolVersion: '0',
  repoRoot: '/r',
  rules: [],
  files: [
    { path: '/r/a.json', uri: 'a.json', kind: 'template' },
    { path: '/r/b.json', uri: 'b.json', kind: 'template' },
  ],
  findings,
  internalErrors: [],
});

describe('markdown format', () => {
  it('has a summary table and per-file tables, undetermined findings folded away', () => {
    const out = formatMarkdown(result([f({}), f({ ruleId: 'KV003', kind: 'open', level: 'note', message: 'Cannot tell.' }), f({ ruleId: 'ACR012', suppression: { kind: 'external', justification: 'x' } })]));
    expect(out).toContain('| 1 | 0 | 0 | 1 | 1 | 2 |');
    expect(out).toContain('### `a.json`');
    // <kv> would be taken for an HTML tag (GitHub drops it): it is written as entities.
    expect(out).toContain('| error | KV001 | 7:3 | Microsoft.KeyVault/vaults/kv | Vault &lt;kv&gt; lacks "purge" \\| protection. |');
    expect(out).toMatch(/<details><summary>Undetermined[^]*\*\*KV003\*\* 7:3: Cannot tell\./);
    expect(out).not.toContain('ACR012');
  });

  it('says so when there is nothing to report', () => {
    expect(formatMarkdown(result([]))).toContain('No problems found in 2 templates.');
  });

  it('never says "No problems found" for an incomplete run, and lists each error as its own quote', () => {
    const out = formatMarkdown({ ...result([]), inputErrors: ['path not found: infra/old', 'path not found: <x>'], internalErrors: ['boom\n  at x'] });
    expect(out).not.toContain('No problems found');
    expect(out).toContain('**Incomplete scan:** 2 input errors, 1 internal error; 2 templates scanned.');
    expect(out).toContain('> **Error:** path not found: infra/old\n\n> **Error:** path not found: &lt;x&gt;\n\n> **Internal error:** boom');
  });
});

describe('junit format', () => {
  it('has one suite per template, failures for findings, skipped cases for undetermined ones, escaped XML', () => {
    const out = formatJunit(result([f({}), f({ ruleId: 'KV003', kind: 'open', level: 'note' }), f({ ruleId: 'ACR013', level: 'note' })]));
    expect(out).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="cmkguard" tests="3" failures="1" errors="0">/);
    expect(out).toContain('<testsuite name="a.json" tests="2" failures="1" skipped="1" errors="0">');
    expect(out).toContain('<failure type="error" message="Vault &lt;kv&gt; lacks &quot;purge&quot; | protection.">a.json:7:3 Vault');
    expect(out).toContain('<testsuite name="b.json" tests="1" failures="0" skipped="0" errors="0">');
    expect(out).not.toContain('ACR013');
  });

  it('shows an incomplete run as errors: inputs that could not be read, internal errors', () => {
    const out = formatJunit({ ...result([]), inputErrors: ['path not found: infra/old'], internalErrors: ['boom\n  at x'] });
    expect(out).toContain('<testsuites name="cmkguard" tests="4" failures="0" errors="2">');
    expect(out).toContain('<testsuite name="cmkguard" tests="2" failures="0" skipped="0" errors="2">');
    expect(out).toContain('<error message="path not found: infra/old"/>');
    expect(out).toContain('<error message="internal error: boom"/>');
  });
});
