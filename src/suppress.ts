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
 * Applies the first matching suppression to the finding: a valid one marks it suppressed; an expired one or
 * one without a reason leaves it reported and says why in the message.
 */
export function applyInSource(finding: Finding, meta: RuleMeta | undefined, entries: SuppressionEntry[], date = today()): Finding {
  const entry = entries.find((e) => ruleMatches(meta, finding.ruleId, e.rule));
  if (!entry) return finding;
  const reason = typeof entry.reason === 'string' ? entry.reason.trim() : '';
  if (!reason) return { ...finding, message: `${finding.message} (A suppression for ${finding.ruleId} has no reason and is ignored: add "reason".)` };
  if (entry.expires !== undefined) {
    if (typeof entry.expires !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(entry.expires)) {
      return { ...finding, message: `${finding.message} (A suppression for ${finding.ruleId} has an invalid "expires" date ${JSON.stringify(entry.expires)}; use YYYY-MM-DD.)` };
    }
    if (entry.expires < date) return { ...finding, message: `${finding.message} (The suppression for ${finding.ruleId} expired on ${entry.expires}: fix the problem or renew the suppression.)` };
  }
  return { ...finding, suppression: { kind: 'inSource', justification: reason } };
}

export function applyConfig(finding: Finding, meta: RuleMeta | undefined, entries: ConfigSuppression[], date = today()): Finding {
  if (finding.suppression) return finding;
  const entry = entries.find(
    (e) =>
      ruleMatches(meta, finding.ruleId, e.rule) &&
      (e.resource === undefined || (finding.resource !== undefined && wildcard(e.resource).test(finding.resource.fullyQualifiedName))) &&
      (e.file === undefined || glob(e.file).test(finding.uri)),
  );
  if (!entry) return finding;
  if (entry.expires !== undefined && entry.expires < date) {
    return { ...finding, message: `${finding.message} (The configured suppression for ${finding.ruleId} expired on ${entry.expires}: fix the problem or renew the suppression.)` };
  }
  return { ...finding, suppression: { kind: 'external', justification: entry.reason } };
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
}
