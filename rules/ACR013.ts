import { nameOf, reportCmkUnknown } from '../src/cmk-rules.js';
import type { EvaluatedResource } from '../src/eval/template.js';
import type { Value } from '../src/eval/value.js';
import { REGISTRY, type ScanGraph } from '../src/graph.js';
import { defineMeta } from '../src/meta.js';
import { display, read, type Rule } from '../src/rule-api.js';
import { addTo } from '../src/collections.js';

const REPLICATION = 'Microsoft.ContainerRegistry/registries/replications';

const meta = defineMeta({
  id: 'ACR013',
  name: 'registry-geo-replication-key-vault',
  level: 'note',
  shortDescription: 'A geo-replicated CMK registry depends on one Key Vault in every region: plan for its recovery.',
  fullDescription:
    'Replicas of a container registry have no encryption settings of their own: every replica decrypts with the one registry-level key, through the one CMK vault. If that vault or key is unavailable, deleted or purged, every region loses access to the registry content at once, so geo-replication does not protect against it. Give the vault a recovery plan: purge protection and soft delete, a backup of the key, and a tested failover (the regional failover of Key Vault is Microsoft-managed and read-only and does not undo a deletion; switching the registry to a key in another vault needs az acr encryption rotate-key).',
  help: [
    'Keep the replications, and make the single CMK vault recoverable: enable purge protection and soft delete, keep a key backup, and document how to rotate the registry to a key in another vault if the region is lost:',
    '```json',
    '"properties": { "enableSoftDelete": true, "softDeleteRetentionInDays": 90, "enablePurgeProtection": true }',
    '```',
    'When the plan is in place, suppress this note for the registry.',
  ].join('\n'),
  tags: ['acr', 'cmk', 'keyvault', 'geo-replication', 'resilience'],
  precision: 'high',
});

/**
 * Replications of every deployed registry: a replication belongs to a registry when its id lies under the
 * registry's id (graph.childrenOf) or it is declared as the registry's nested child. A replication binds to a
 * matching registry of its own evaluation (template + parameter file) when there is one, and only otherwise to
 * a matching registry of another scanned template, so that ids built from the same unknown deployment context
 * (resourceGroup().id, ...) in unrelated templates do not alias.
 */
function replicationsByRegistry(graph: ScanGraph): Map<EvaluatedResource, EvaluatedResource[]> {
  const registries = graph.deployed(REGISTRY);
  const children = new Map(registries.map((reg) => [reg, new Set(graph.childrenOf(reg, REPLICATION))]));
  const out = new Map<EvaluatedResource, EvaluatedResource[]>();
  for (const replication of graph.deployed(REPLICATION)) {
    const matches = registries.filter((reg) => replication.parentKey === reg.key || children.get(reg)!.has(replication));
    const own = matches.filter((reg) => reg.unit === replication.unit);
    for (const reg of own.length ? own : matches) addTo(out, reg, replication);
  }
  return out;
}

/** The CMK vault's name for messages: the vault found in the scan, else the host of the key identifier. */
function vaultLabel(graph: ScanGraph, registry: EvaluatedResource): string {
  const link = graph.cmkLinks().find((l) => l.registry === registry);
  const name: Value | undefined = link?.vault?.name ?? link?.keyIdentifier.vaultName;
  if (name === undefined) return 'the CMK Key Vault';
  return `Key Vault ${typeof name === 'string' ? `'${name}'` : display(name)}`;
}

function locationOf(r: EvaluatedResource): string | undefined {
  const loc = read(r, ['location']);
  return loc.state === 'known' && typeof loc.value === 'string' ? loc.value : undefined;
}

export const rule: Rule = {
  meta,
  check(ctx) {
    const { graph } = ctx;
    const byRegistry = replicationsByRegistry(graph);
    for (const { registry, cmk } of graph.cmkCandidates()) {
      const replications = byRegistry.get(registry) ?? [];
      if (replications.length === 0) continue;
      // Prefer a replication declared next to the registry for where the note points.
      const ordered = [...replications.filter((r) => r.file === registry.file), ...replications.filter((r) => r.file !== registry.file)];
      const certain = ordered.filter((r) => r.deployed === true);
      const name = nameOf(registry);
      if (cmk === undefined) {
        reportCmkUnknown(ctx, registry, `geo-replicated registry '${name}' depends on a single CMK vault in every region`);
        continue;
      }
      const vault = vaultLabel(graph, registry);
      if (certain.length === 0) {
        const first = ordered[0]!;
        ctx.report({
          resource: first,
          chainMember: registry,
          path: ['condition'],
          verdict: 'undetermined',
          message: `Cannot tell whether CMK registry '${name}' is geo-replicated, because the condition of replication '${nameOf(first)}'${ordered.length > 1 ? ` (and of ${ordered.length - 1} more)` : ''}, or of a deployment that contains it, is not known before deployment; if it is, every replica depends on ${vault}.`,
        });
        continue;
      }
      const first = certain[0]!;
      const regions = certain.map((r) => locationOf(r) ?? nameOf(r).split('/').pop()!);
      const where = certain.length === 1 ? `a replica in ${regions[0]}` : `${certain.length} replicas (${regions.join(', ')})`;
      ctx.report({
        resource: first,
        chainMember: registry,
        path: [],
        verdict: 'fail',
        message: `CMK registry '${name}' has ${where}, but every replica decrypts with the same key in ${vault}: if that vault or key becomes unavailable, is deleted or is purged, all regions lose access together. Plan the vault's recovery: enable purge protection and soft delete, back up the key, and document a failover (for example rotating the registry to a key in a vault in another region).`,
      });
    }
  },
};
