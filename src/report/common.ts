/** Helpers shared by the report formatters: counting, ordering and ranking findings. */
import { addTo } from '../collections.js';
import type { Finding, Level, ScanResult } from '../types.js';

export interface Summary {
  /** Unsuppressed `fail` findings at level error. */
  errors: number;
  /** Unsuppressed `fail` findings at level warning. */
  warnings: number;
  /** Unsuppressed `fail` findings at level note. */
  notes: number;
  /** Unsuppressed `open` findings (undetermined), whatever their level. */
  undetermined: number;
  /** Suppressed findings of any kind and level. */
  suppressed: number;
  /** Files scanned as templates (`ScannedFile.kind === 'template'`). */
  templates: number;
  /** Distinct files (by uri) with at least one unsuppressed finding. */
  files: number;
}

/**
 * A finding's message for formats without a field for its parameter file: the same template evaluated with
 * two parameter files can fail at the same place for one of them only.
 */
export function messageOf(f: Finding): string {
  return f.parameterFile !== undefined && f.parameterFile !== f.uri ? `${f.message} (with ${f.parameterFile})` : f.message;
}

export function summarize(result: ScanResult): Summary {
  const s: Summary = { errors: 0, warnings: 0, notes: 0, undetermined: 0, suppressed: 0, templates: 0, files: 0 };
  const files = new Set<string>();
  for (const f of result.findings) {
    if (f.suppression) {
      s.suppressed++;
      continue;
    }
    files.add(f.uri);
    if (f.kind === 'open') s.undetermined++;
    else if (f.level === 'error') s.errors++;
    else if (f.level === 'warning') s.warnings++;
    else s.notes++;
  }
  s.files = files.size;
  s.templates = result.files.filter((f) => f.kind === 'template').length;
  return s;
}

/**
 * Templates that were not passed but read as callers of passed modules, with the modules each deploys, in
 * file order: the modules were checked through them.
 */
export function callersOf(result: ScanResult): { file: string; modules: string[] }[] {
  return result.files.filter((f) => f.kind === 'caller').map((f) => ({ file: f.uri, modules: [...(f.callerOf ?? [])] }));
}

/** For people: which passed modules were checked through which callers, or undefined when none were. */
export function callersSentence(result: ScanResult, code: (path: string) => string = (p) => p): string | undefined {
  const callers = callersOf(result);
  if (callers.length === 0) return undefined;
  const byModule = new Map<string, string[]>();
  for (const c of callers) for (const m of c.modules) addTo(byModule, m, code(c.file));
  const through = [...byModule.keys()].sort().map((m) => `${code(m)} through ${byModule.get(m)!.join(', ')}`).join('; ');
  return `Checked through templates that deploy them (not passed; their own findings are not reported): ${through}.`;
}

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Stable report order: file, line, column, rule id, message. Does not modify the input. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (x, y) =>
        cmp(x.f.uri, y.f.uri) ||
        cmp(x.f.region.startLine, y.f.region.startLine) ||
        cmp(x.f.region.startColumn, y.f.region.startColumn) ||
        cmp(x.f.ruleId, y.f.ruleId) ||
        cmp(x.f.message, y.f.message) ||
        x.i - y.i,
    )
    .map((e) => e.f);
}

const LEVEL_RANK: Record<Level, number> = { error: 0, warning: 1, note: 2 };

/**
 * Severity rank for truncation (lower = more severe, kept first): unsuppressed before suppressed,
 * then error > warning > note, then `fail` before `open`.
 */
export function severityRank(f: Finding): number {
  return (f.suppression ? 100 : 0) + LEVEL_RANK[f.level] * 10 + (f.kind === 'open' ? 1 : 0);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
