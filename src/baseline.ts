/**
 * Baselines: a previous JSON or SARIF report. A finding is old when the baseline has one with the same rule,
 * file and resource (and parameter file), regardless of line, so edits elsewhere do not resurface it.
 * Findings without a resource (template diagnostics) match by message instead.
 */
import { readFileSync } from 'node:fs';
import { finishSentence } from './findings.js';
import type { Finding } from './types.js';

export class BaselineError extends Error {
  override name = 'BaselineError';
}

function keyOf(ruleId: string, uri: string, resource: string | undefined, parameterFile: string | undefined, message: string): string {
  // The SARIF report ends every message with a period (the JSON report keeps the message as it is), so a
  // message matches with or without the final period.
  return [ruleId, uri, resource ?? `message:${finishSentence(message.trimEnd())}`, parameterFile ?? ''].join('|');
}

/** A SARIF artifact URI back to the repository-relative path: every segment is percent-encoded (spaces, `+`, `#`, `,` ...). */
function pathOfUri(uri: string): string {
  return uri
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

export function findingKey(f: Finding): string {
  return keyOf(f.ruleId, f.uri, f.resource?.fullyQualifiedName, f.parameterFile, f.message);
}

/** Multiset of finding keys in a baseline file (cmkguard JSON or SARIF). */
export function readBaseline(file: string): Map<string, number> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BaselineError(`--baseline ${file}: cannot read it as JSON (${(err as Error).message})`);
  }
  const counts = new Map<string, number>();
  const add = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  const d = doc as { findings?: unknown; runs?: unknown };
  if (Array.isArray(d.findings)) {
    for (const f of d.findings as { ruleId: string; file: string; resource?: { fullyQualifiedName: string }; parameterFile?: string; message: string }[]) {
      add(keyOf(f.ruleId, f.file, f.resource?.fullyQualifiedName, f.parameterFile, f.message));
    }
  } else if (Array.isArray(d.runs)) {
    for (const run of d.runs as { results?: unknown[] }[]) {
      for (const r of (run.results ?? []) as SarifResult[]) {
        const loc = r.locations?.[0];
        const uri = pathOfUri(loc?.physicalLocation?.artifactLocation?.uri ?? '');
        add(keyOf(r.ruleId ?? '', uri, loc?.logicalLocations?.[0]?.fullyQualifiedName, r.properties?.parameterFile, r.message?.text ?? ''));
      }
    }
  } else throw new BaselineError(`--baseline ${file}: neither a cmkguard JSON report nor a SARIF log`);
  return counts;
}

interface SarifResult {
  ruleId?: string;
  message?: { text?: string };
  properties?: { parameterFile?: string };
  locations?: { physicalLocation?: { artifactLocation?: { uri?: string } }; logicalLocations?: { fullyQualifiedName?: string }[] }[];
}

/** The findings that the baseline does not already contain. */
export function newFindings(findings: Finding[], baseline: Map<string, number>): Finding[] {
  const left = new Map(baseline);
  return findings.filter((f) => {
    const k = findingKey(f);
    const n = left.get(k) ?? 0;
    if (n === 0) return true;
    left.set(k, n - 1);
    return false;
  });
}
