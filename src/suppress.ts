/**
 * Suppressions: in the template (`metadata.cmkguard.suppress` at template or resource level) and in config
 * (by rule, resource and file). A suppression needs a reason; an expired one stops applying, and the finding
 * says so. Suppressed findings stay in the report (SARIF `suppressions`) but do not affect the exit code.
 */
import type { ConfigSuppression } from './config.js';
import { glob } from './glob.js';
import { fieldOf } from './json.js';
import type { Finding, RuleMeta } from './types.js';

export interface SuppressionEntry {
  rule: string;
  reason?: unknown;
  expires?: unknown;
}

/** Reads `metadata.cmkguard.suppress` of a template or resource object; anything malformed is ignored there. */
export function suppressionsIn(obj: unknown): SuppressionEntry[] {
  const metadata = fieldOf(obj, 'metadata');
  const own = fieldOf(fieldOf(metadata, 'cmkguard'), 'suppress');
  if (!Array.isArray(own)) return [];
  return own.filter((e): e is SuppressionEntry => typeof e === 'object' && e !== null && typeof (e as SuppressionEntry).rule === 'string');
}

function ruleMatches(meta: RuleMeta | undefined, ruleId: string, rule: string): boolean {
  const r = rule.toLowerCase();
  return ruleId.toLowerCase() === r || meta?.name === r;
}

/** Today's date as YYYY-MM-DD (UTC): a suppression that expires on a day still applies that day. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * Applies a matching suppression to the finding: a valid one marks it suppressed, wherever it is in the list (a
 * renewed entry next to the expired one it replaces, a template-level entry under a resource-level one without a
 * reason). When every matching entry is expired or lacks a reason, the finding stays reported and its message says
 * why, for the first of them.
 */
export function applyInSource(finding: Finding, meta: RuleMeta | undefined, entries: SuppressionEntry[], date = today()): Finding {
  let problem: string | undefined;
  for (const entry of entries) {
    if (!ruleMatches(meta, finding.ruleId, entry.rule)) continue;
    const why = inSourceProblem(finding.ruleId, entry, date);
    if (why === undefined) return { ...finding, suppression: { kind: 'inSource', justification: (entry.reason as string).trim() } };
    problem ??= why;
  }
  return problem === undefined ? finding : { ...finding, message: `${finding.message} (${problem})` };
}

/** Why an in-template suppression entry does not apply, or undefined when it does. */
function inSourceProblem(ruleId: string, entry: SuppressionEntry, date: string): string | undefined {
  const reason = typeof entry.reason === 'string' ? entry.reason.trim() : '';
  if (!reason) return `A suppression for ${ruleId} has no reason and is ignored: add "reason".`;
  if (entry.expires === undefined) return undefined;
  if (typeof entry.expires !== 'string' || !isDate(entry.expires)) return `A suppression for ${ruleId} has an invalid "expires" date ${JSON.stringify(entry.expires)}; use YYYY-MM-DD.`;
  if (entry.expires < date) return `The suppression for ${ruleId} expired on ${entry.expires}: fix the problem or renew the suppression.`;
  return undefined;
}

/** A calendar date written YYYY-MM-DD (2027-02-30 is none). */
export function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function applyConfig(finding: Finding, meta: RuleMeta | undefined, entries: ConfigSuppression[], date = today()): Finding {
  if (finding.suppression) return finding;
  const matching = entries.filter(
    (e) =>
      ruleMatches(meta, finding.ruleId, e.rule) &&
      (e.resource === undefined || (finding.resource !== undefined && wildcard(e.resource).test(finding.resource.fullyQualifiedName))) &&
      (e.file === undefined || glob(e.file).test(finding.uri)),
  );
  if (!matching.length) return finding;
  const valid = matching.find((e) => e.expires === undefined || e.expires >= date);
  if (valid) return { ...finding, suppression: { kind: 'external', justification: valid.reason } };
  return { ...finding, message: `${finding.message} (The configured suppression for ${finding.ruleId} expired on ${matching[0]!.expires}: fix the problem or renew the suppression.)` };
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
}
