/** Shared walks for rules about the CMK vault: each vault once, and an undetermined report where it is missing. */
import type { EvaluatedResource } from './eval/template.js';
import type { CmkLink } from './graph.js';
import { VAULT } from './graph.js';
import type { RuleContext } from './rule-api.js';
import { PartialString, describeOrigins } from './eval/value.js';

/**
 * Calls `check` once for every CMK vault found in the scan. For registries whose vault is not in the scan (or
 * only declared `existing`), reports the rule as undetermined at the key identifier, naming the vault.
 */
export function forEachCmkVault(ctx: RuleContext, what: string, check: (vault: EvaluatedResource, links: CmkLink[]) => void): void {
  const seenMissing = new Set<string>();
  for (const link of ctx.graph.cmkLinks()) {
    if (link.keyIdentifier.status === 'unknown') {
      ctx.report({
        resource: link.registry,
        path: link.keyIdentifierPath,
        verdict: 'undetermined',
        message: `Cannot tell whether ${what}, because the key identifier does not say which vault holds the key: ${describeOrigins(link.keyIdentifier.value)}.`,
      });
      continue;
    }
    if (!link.vaultMissing || link.keyIdentifier.status !== 'valid') continue;
    const k = `${link.registry.key}`;
    if (seenMissing.has(k)) continue;
    seenMissing.add(k);
    ctx.report({
      resource: link.registry,
      path: link.keyIdentifierPath,
      verdict: 'undetermined',
      message: `Cannot tell whether ${what}, because ${link.vaultMissing}.`,
      subject: { type: VAULT, name: link.keyIdentifier.vaultName ?? link.vault?.name ?? '{vault}' },
    });
  }
  for (const [vault, links] of ctx.graph.cmkVaults()) {
    if (vault.existing) continue;
    check(vault, links);
  }
}

export function registryNames(links: CmkLink[]): string {
  return links.map((l) => `'${nameOf(l.registry)}'`).join(', ');
}

/** The resource's name for messages; unknown parts show as {…}. */
export function nameOf(r: EvaluatedResource): string {
  if (typeof r.name === 'string') return r.name;
  if (r.name instanceof PartialString) return r.name.parts.map((p) => (typeof p === 'string' ? p : '{…}')).join('');
  return r.symbolicName ?? `{${r.type.split('/').pop()} name}`;
}
