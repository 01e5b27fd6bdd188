import { describe, it, expect } from 'vitest';
import { formatJson } from '../../src/report/json.js';
import { F_ACR001, F_KV005, F_OPEN, F_SUPPRESSED, MAIN, SPACED, CLEAN, scanResult } from './fixture.js';

describe('formatJson', () => {
  const text = formatJson(scanResult());
  const report = JSON.parse(text) as Record<string, any>;

  it('has the documented top-level shape, in order', () => {
    expect(Object.keys(report)).toEqual(['version', 'tool', 'summary', 'findings', 'inputErrors', 'internalErrors']);
    expect(report.version).toBe(1);
    expect(report.tool).toEqual({ name: 'cmkguard', version: '0.1.0' });
    expect(report.internalErrors).toEqual([]);
  });

  it('is pretty-printed with 2 spaces and no trailing newline', () => {
    expect(text.startsWith('{\n  "version": 1,\n  "tool": {\n    "name": "cmkguard"')).toBe(true);
    expect(text.endsWith('}')).toBe(true);
  });

  it('summarises unsuppressed findings by level and kind', () => {
    expect(report.summary).toEqual({ errors: 1, warnings: 2, notes: 0, undetermined: 1, suppressed: 1, templates: 3, files: 2 });
  });

  it('lists every finding, suppressed included, sorted by file, line, column', () => {
    const order = report.findings.map((f: any) => `${f.file}:${f.line}:${f.ruleId}`);
    expect(order).toEqual([`${MAIN}:12:ACR001`, `${MAIN}:40:KV005`, `${SPACED}:5:TPL003`, `${SPACED}:21:ACR001`, `${SPACED}:30:ACR013`]);
  });

  it('writes the full finding shape', () => {
    const acr = report.findings[0];
    expect(acr).toEqual({
      ruleId: 'ACR001',
      ruleName: 'registry-cmk-required',
      level: 'error',
      kind: 'fail',
      message: F_ACR001.message,
      file: MAIN,
      line: 12,
      column: F_ACR001.region.startColumn,
      endLine: 12,
      endColumn: F_ACR001.region.endColumn,
      resource: F_ACR001.resource,
    });
    const kv = report.findings[1];
    expect(kv.parameterFile).toBe(F_KV005.parameterFile);
    expect(kv.endLine).toBe(52);
    const open = report.findings[3];
    expect(open.kind).toBe('open');
    expect(open.level).toBe('note');
    expect(open.message).toBe(F_OPEN.message);
    const sup = report.findings[4];
    expect(sup.suppression).toEqual(F_SUPPRESSED.suppression);
    expect(sup.ruleName).toBe('registry-geo-replication-key-vault');
  });

  it('omits absent optional fields instead of writing null', () => {
    const tpl = report.findings[2];
    expect(Object.keys(tpl)).toEqual(['ruleId', 'ruleName', 'level', 'kind', 'message', 'file', 'line', 'column', 'endLine', 'endColumn']);
    expect(text).not.toContain('null');
  });

  it('keeps the file path as plain text (no URI encoding) and no absolute path or snippet', () => {
    expect(report.findings[2].file).toBe('infra/my templates/acr.json');
    expect(text).not.toContain('/home/runner');
    expect(text).not.toContain('snippet');
  });

  it('falls back to the rule id when the rule is not in the catalogue', () => {
    const r = JSON.parse(formatJson(scanResult({ findings: [{ ...F_ACR001, ruleId: 'XYZ999' }] })));
    expect(r.findings[0].ruleName).toBe('XYZ999');
  });

  it('reports a clean scan and internal errors', () => {
    const r = JSON.parse(formatJson({ ...CLEAN(), internalErrors: ['boom'] }));
    expect(r.findings).toEqual([]);
    expect(r.summary).toEqual({ errors: 0, warnings: 0, notes: 0, undetermined: 0, suppressed: 0, templates: 3, files: 0 });
    expect(r.internalErrors).toEqual(['boom']);
  });
});
