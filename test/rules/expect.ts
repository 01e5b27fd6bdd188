import { expect } from 'vitest';
import type { Finding } from '../../src/types.js';
import { only, positionOf, scanFiles } from '../helpers/scan.js';
import { text, type Json } from './stack.js';

/** Scans one template (plus optional extra files) and returns the findings of one rule. */
export async function findingsOf(ruleId: string, t: Json | string, extra: Record<string, string | object> = {}, opts: Parameters<typeof scanFiles>[1] = {}): Promise<Finding[]> {
  const { result } = await scanFiles({ 'main.json': typeof t === 'string' ? t : text(t), ...extra }, opts);
  expect(result.internalErrors).toEqual([]);
  return only(result.findings, ruleId);
}

/** Asserts exactly one finding, of the given kind, starting where `needle` starts in the template text. */
export function expectOneAt(findings: Finding[], t: Json | string, needle: string, kind: 'fail' | 'open' = 'fail', occurrence = 1): Finding {
  expect(findings.map((f) => `${f.kind}: ${f.message}`)).toHaveLength(1);
  const f = findings[0]!;
  expect(f.kind).toBe(kind);
  const pos = positionOf(typeof t === 'string' ? t : text(t), needle, occurrence);
  expect({ line: f.region.startLine, column: f.region.startColumn }).toEqual(pos);
  expect(f.uri).toBe('main.json');
  return f;
}
