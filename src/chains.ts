/**
 * The CMK chain of each registry as people read it: registry → identity → grant → vault → key → network, with
 * the verdict of every rule on every link. `cmkguard explain` and the markdown report draw it.
 */
import type { EvaluatedResource } from './eval/template.js';
import type { ScanGraph } from './graph.js';
import { nameOf } from './cmk-rules.js';
import type { RuleReport, Verdict } from './rule-api.js';
import type { Level } from './types.js';
import { addTo } from './collections.js';

export type ChainRole = 'registry' | 'identity' | 'grant' | 'vault' | 'key' | 'network';
export const CHAIN_ROLES: readonly ChainRole[] = ['registry', 'identity', 'grant', 'vault', 'key', 'network'];

/** Which link of the chain each rule judges. */
const ROLE_OF_RULE: Record<string, ChainRole> = {
  ACR001: 'registry', ACR002: 'registry', ACR003: 'registry', ACR004: 'registry', ACR006: 'registry', ACR007: 'registry',
  ACR008: 'registry', ACR012: 'registry', ACR013: 'registry',
  ACR005: 'identity',
  ACR009: 'grant', ACR010: 'grant',
  KV001: 'vault', KV002: 'vault', KV006: 'vault',
  KV004: 'key', KV005: 'key',
  KV003: 'network', KV007: 'network', ACR011: 'network',
};

/** A rule's verdict on a link; `note` is a failed check reported at level note (advice, such as a preview API). */
export type ChainVerdictKind = Verdict | 'note';

export interface ChainVerdict {
  ruleId: string;
  verdict: ChainVerdictKind;
  message: string;
}

export interface ChainLink {
  role: ChainRole;
  label: string;
  /** The worst verdict of its rules: fail over undetermined over note over pass; `none` when no rule judged it. */
  verdict: ChainVerdictKind | 'none';
  verdicts: ChainVerdict[];
}

export interface ChainView {
  registry: string;
  file: string;
  links: ChainLink[];
}

const RANK: Record<ChainVerdictKind | 'none', number> = { none: 0, pass: 1, note: 2, undetermined: 3, fail: 4 };

/** `reports` carry the level each would be reported at (the rule's, a per-report override, or config's). */
export function buildChains(graph: ScanGraph, reports: { ruleId: string; report: RuleReport; level: Level }[], uriOf: (file: string) => string): ChainView[] {
  // Reports by the chain member they judge: each chain reads its own, not every report of the scan.
  const byMember = new Map<EvaluatedResource, number[]>();
  reports.forEach((r, i) => ROLE_OF_RULE[r.ruleId] && addTo(byMember, r.report.chainMember ?? r.report.resource, i));
  return graph.cmkLinks().map((link) => {
    const members = new Set<EvaluatedResource>([link.registry, ...(link.vault ? [link.vault] : []), ...(link.key ? [link.key] : [])]);
    const kid = link.keyIdentifier;
    // An identifier that is not a Key Vault key URI links to nothing: the vault may well be in the scan.
    const unlinked = kid.status === 'invalid' ? ' (not followed: the key identifier is not valid, see ACR003)' : undefined;
    const labels: Record<ChainRole, string> = {
      registry: nameOf(link.registry),
      identity: 'encryption identity',
      grant: 'key access',
      vault: link.vault ? nameOf(link.vault) : `${typeof kid.vaultName === 'string' ? kid.vaultName : 'vault'}${unlinked ?? (typeof kid.vaultName === 'string' ? ' (not in the scan)' : '')}`,
      key: link.key ? nameOf(link.key) : `${typeof kid.keyName === 'string' ? kid.keyName : 'key'}${unlinked ?? ''}`,
      network: 'network',
    };
    const links = CHAIN_ROLES.map((role): ChainLink => ({ role, label: labels[role], verdict: 'none', verdicts: [] }));
    const own = [...members].flatMap((m) => byMember.get(m) ?? []).sort((a, b) => a - b);
    for (const { ruleId, report, level } of own.map((i) => reports[i]!)) {
      const role = ROLE_OF_RULE[ruleId]!;
      // A vault shared by several registries is judged once; its verdicts belong to every chain through it.
      const target = links.find((l) => l.role === role)!;
      const verdict: ChainVerdictKind = report.verdict === 'fail' && level === 'note' ? 'note' : report.verdict;
      target.verdicts.push({ ruleId, verdict, message: report.message });
      if (RANK[verdict] > RANK[target.verdict]) target.verdict = verdict;
    }
    return { registry: nameOf(link.registry), file: uriOf(link.registry.file), links };
  });
}
