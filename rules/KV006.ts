import { nameOf, registryNames } from '../src/cmk-rules.js';
import { SettingIndex, knownName, scopeIsVault, scopeVaultName } from '../src/diagnostic-settings.js';
import type { EvaluatedResource, JsonPath } from '../src/eval/template.js';
import { PartialString, describeOrigins, type Value } from '../src/eval/value.js';
import { VAULT, type CmkLink } from '../src/graph.js';
import { defineMeta } from '../src/meta.js';
import { recovered } from '../src/settings.js';
import { and3, asBoolean, display as displayValue, isSetTo, or3, read, type Rule, type RuleContext, type Tri } from '../src/rule-api.js';

const meta = defineMeta({
  id: 'KV006',
  name: 'keyvault-audit-logs',
  level: 'warning',
  shortDescription: 'The Key Vault that holds a registry key should send its audit logs somewhere.',
  fullDescription:
    'Key Vault records every use of a key (wrap, unwrap, get, delete, access changes) in its AuditEvent resource log, but keeps it only when a diagnostic setting sends it to a destination. Without it, nobody can tell who disabled, deleted or used the registry key. The CMK vault should have a Microsoft.Insights/diagnosticSettings resource scoped to it (extension resource with scope, or the classic vaults/providers/diagnosticSettings child) whose logs enable the AuditEvent category or the audit or allLogs category group.',
  help: [
    'Attach a diagnostic setting to the vault that enables the audit category group:',
    '```json',
    '{',
    '  "type": "Microsoft.Insights/diagnosticSettings", "apiVersion": "2021-05-01-preview", "name": "kv-audit",',
    '  "scope": "[resourceId(\'Microsoft.KeyVault/vaults\', parameters(\'vaultName\'))]",',
    '  "properties": { "workspaceId": "[parameters(\'workspaceId\')]", "logs": [ { "categoryGroup": "audit", "enabled": true } ] }',
    '}',
    '```',
  ].join('\n'),
  tags: ['security', 'keyvault', 'cmk', 'logging'],
  precision: 'high',
  securitySeverity: '4.0',
});

interface LogsVerdict {
  verdict: Tri;
  path: JsonPath;
  /** The unknown values that leave it open. */
  unknown: Value[];
}

/** Whether a diagnostic setting enables AuditEvent, the audit group or allLogs. */
function auditLogs(setting: EvaluatedResource): LogsVerdict {
  const logs = read(setting, ['properties', 'logs']);
  if (logs.state === 'missing') return { verdict: false, path: logs.path, unknown: [] };
  if (logs.state === 'unknown') return { verdict: undefined, path: logs.path, unknown: [logs.value] };
  if (!Array.isArray(logs.value)) return { verdict: false, path: logs.path, unknown: [] };
  let result: Tri = false;
  const unknown: Value[] = [];
  for (let i = 0; i < logs.value.length; i++) {
    const entry = read(setting, [...logs.path, i]);
    if (entry.state === 'unknown') {
      result = or3(result, undefined);
      unknown.push(entry.value);
      continue;
    }
    const category = read(setting, [...logs.path, i, 'category']);
    const group = read(setting, [...logs.path, i, 'categoryGroup']);
    const enabled = read(setting, [...logs.path, i, 'enabled']);
    const isAuditCategory = isSetTo(category, 'AuditEvent');
    const isAuditGroup = or3(isSetTo(group, 'audit'), isSetTo(group, 'allLogs'));
    const on: Tri = enabled.state === 'missing' ? false : asBoolean(enabled.value) ?? (enabled.state === 'unknown' ? undefined : false);
    const entryResult = and3(or3(isAuditCategory, isAuditGroup), on);
    if (entryResult === true) return { verdict: true, path: entry.path, unknown: [] };
    if (entryResult === undefined) {
      for (const r of [category, group, enabled]) if (r.state === 'unknown') unknown.push(r.value);
    }
    result = or3(result, entryResult);
  }
  return { verdict: result, path: logs.path, unknown };
}

/** Where a diagnostic setting can send logs: one of these must be set, or the logs are kept nowhere. */
const DESTINATIONS = ['workspaceId', 'storageAccountId', 'eventHubAuthorizationRuleId', 'marketplacePartnerId'] as const;

/** Whether a diagnostic setting names a destination: an empty string, null or a missing property is none. */
function destination(setting: EvaluatedResource): { verdict: Tri; unknown: Value[] } {
  let verdict: Tri = false;
  const unknown: Value[] = [];
  for (const key of DESTINATIONS) {
    const r = read(setting, ['properties', key]);
    if (r.state === 'missing') continue;
    if (r.state === 'known') {
      if (typeof r.value === 'string' && r.value.trim() !== '') return { verdict: true, unknown: [] };
      continue;
    }
    // `[concat('/subscriptions/', ...)]` is not empty, whatever the rest is.
    if (r.value instanceof PartialString && r.value.parts.some((p) => typeof p === 'string' && p.trim() !== '')) return { verdict: true, unknown: [] };
    verdict = undefined;
    unknown.push(r.value);
  }
  return { verdict, unknown };
}

/** The CMK vault as far as the scan knows it: a declaration (deployed or `existing`), or only its name. */
interface VaultTarget {
  vault?: EvaluatedResource;
  /** The vault's name when the key identifier or the vault gives one. */
  label?: Value;
  links: CmkLink[];
  /** Why its settings might live outside the scan (vault missing or `existing`). */
  missing?: string;
}

function checkVault(outer: RuleContext, t: VaultTarget, index: SettingIndex): void {
  // Verdicts that point at a diagnostic setting belong to the vault's link of the chain.
  const ctx: RuleContext = { ...outer, report: (r) => outer.report({ chainMember: t.vault, ...r }) };
  const vaultName = t.vault ? knownName(t.vault) : typeof t.label === 'string' ? t.label : undefined;
  const display = t.vault ? `'${nameOf(t.vault)}'` : t.label !== undefined ? displayValue(t.label) : undefined;
  const who = display ? `Key Vault ${display} (CMK vault of ${registryNames(t.links)})` : `the CMK vault of ${registryNames(t.links)}`;
  const subject = t.label === undefined ? undefined : { type: VAULT, name: t.label };
  const attached: EvaluatedResource[] = [];
  const open: { setting: EvaluatedResource; path: JsonPath; reason: string }[] = [];
  for (const s of index.candidates(vaultName)) {
    const scoped = scopeIsVault(s.scope, t.vault?.id, vaultName);
    if (scoped === false || index.belongsElsewhere(s, t.vault)) continue;
    const logs = auditLogs(s);
    const sink = destination(s);
    if (scoped === true && logs.verdict === true && sink.verdict === true && s.deployed === true) {
      ctx.report({ resource: s, path: logs.path, verdict: 'pass', subject, message: `${who} sends audit logs through diagnostic setting '${nameOf(s)}'.` });
      return;
    }
    if (scoped === true) attached.push(s);
    if (logs.verdict === false || sink.verdict === false) continue;
    if (scoped === undefined) {
      const scopeRead = read(s, ['scope']);
      const named = scopeVaultName(s.scope);
      const reason =
        named === undefined
          ? `diagnostic setting '${nameOf(s)}' enables audit logs, but its scope is not known: ${describeOrigins(s.scope)}`
          : `diagnostic setting '${nameOf(s)}' enables audit logs for vault '${named}', which may be this vault: the vault's name is not known (${t.label === undefined ? 'the key identifier does not name it' : describeOrigins(t.label)})`;
      open.push({ setting: s, path: scopeRead.path, reason });
    } else if (logs.verdict === undefined) {
      open.push({ setting: s, path: logs.path, reason: `the logs of diagnostic setting '${nameOf(s)}' are not known: ${describeOrigins(logs.unknown)}` });
    } else if (sink.verdict === undefined) {
      open.push({ setting: s, path: ['properties'], reason: `diagnostic setting '${nameOf(s)}' enables audit logs, but whether it names a destination is not known: ${describeOrigins(sink.unknown)}` });
    } else {
      const condition = typeof s.raw['condition'] === 'string' ? ` (${s.raw['condition']})` : '';
      open.push({ setting: s, path: [], reason: `diagnostic setting '${nameOf(s)}', which enables audit logs, has a condition${condition} that is only known at deployment` });
    }
  }
  const first = open[0];
  if (first) {
    ctx.report({ resource: first.setting, path: first.path, verdict: 'undetermined', subject, message: `Cannot tell whether ${who} sends audit logs, because ${first.reason}.` });
    return;
  }
  const gap = t.vault ? ctx.graph.liveGap(t.vault, 'diagnostics') : undefined;
  if (gap) {
    ctx.report({ resource: t.vault!, path: [], verdict: 'undetermined', subject, message: `Cannot tell whether ${who} sends audit logs, because live mode could not list its diagnostic settings: ${gap}.` });
    return;
  }
  if (t.missing || !t.vault) {
    const link = t.links[0]!;
    ctx.report({
      resource: link.registry,
      path: link.keyIdentifierPath,
      verdict: 'undetermined',
      subject,
      message: `Cannot tell whether the CMK vault${display ? ` ${display}` : ''} sends audit logs, because no scanned template attaches an audit diagnostic setting to it and ${t.missing ?? 'the vault is not in the scanned templates'}.`,
    });
    return;
  }
  const fix = "Add a Microsoft.Insights/diagnosticSettings resource scoped to the vault with logs [{ \"categoryGroup\": \"audit\", \"enabled\": true }] (or category 'AuditEvent').";
  const nowhere = attached.find((s) => auditLogs(s).verdict === true && destination(s).verdict === false);
  if (nowhere) {
    ctx.report({
      resource: nowhere,
      path: ['properties'],
      verdict: 'fail',
      subject,
      message: `${who} has diagnostic setting '${nameOf(nowhere)}', which enables audit logs but names no destination (${DESTINATIONS.join(', ')}), so the logs are kept nowhere. Set workspaceId (a Log Analytics workspace) or storageAccountId.`,
    });
    return;
  }
  const at = attached[0];
  if (at) {
    const logs = auditLogs(at);
    const names = attached.map((s) => `'${nameOf(s)}'`).join(', ');
    ctx.report({
      resource: at,
      path: logs.path,
      verdict: 'fail',
      subject,
      message: `${who} has diagnostic setting${attached.length > 1 ? 's' : ''} ${names}, but none enables the AuditEvent category or the audit/allLogs category group, so uses and deletions of the registry key leave no trace. Enable { "categoryGroup": "audit", "enabled": true } in its logs.`,
    });
    return;
  }
  const recover = recovered(t.vault);
  if (recover.recover !== false) {
    // Diagnostic settings are resources of their own, scoped to the vault's id: the deleted vault's may still be there.
    ctx.report({
      resource: t.vault,
      path: recover.path,
      verdict: 'undetermined',
      subject,
      message: `Cannot tell whether ${who} sends audit logs, because no scanned template attaches a diagnostic setting to it and ${recover.why}, which may include diagnostic settings made for it before.`,
    });
    return;
  }
  ctx.report({
    resource: t.vault,
    path: [],
    verdict: 'fail',
    message: `${who} has no diagnostic setting, so its AuditEvent log (every use, change and deletion of the registry key) is not kept anywhere. ${fix}`,
  });
}

export const rule: Rule = {
  meta,
  check(ctx) {
    const targets = new Map<string, VaultTarget>();
    for (const link of ctx.graph.cmkLinks()) {
      const kid = link.keyIdentifier;
      if (kid.status === 'invalid') continue;
      if (kid.status === 'unknown') {
        ctx.report({
          resource: link.registry,
          path: link.keyIdentifierPath,
          verdict: 'undetermined',
          message: `Cannot tell whether the CMK vault sends audit logs, because the key identifier does not say which vault holds the key: ${describeOrigins(kid.value)}.`,
        });
        continue;
      }
      const label = link.vault?.name ?? kid.vaultName;
      const k = link.vault ? `r:${link.vault.key}` : typeof label === 'string' ? `n:${label.toLowerCase()}` : `l:${link.registry.key}`;
      const known = targets.get(k);
      if (known) {
        known.links.push(link);
        continue;
      }
      targets.set(k, { vault: link.vault, label, links: [link], missing: link.vaultMissing });
    }
    if (targets.size === 0) return;
    const index = new SettingIndex(ctx.graph);
    for (const t of targets.values()) checkVault(ctx, t, index);
  },
};
