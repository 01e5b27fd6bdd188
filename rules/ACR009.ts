import { nameOf } from '../src/cmk-rules.js';
import type { EvaluatedResource } from '../src/eval/template.js';
import { idAt, idKey } from '../src/eval/ids.js';
import { describeOrigins, newObject } from '../src/eval/value.js';
import { VAULT, type CmkLink, type ScanGraph } from '../src/graph.js';
import { ACCESS_POLICIES, ROLE_ASSIGNMENT, checkGrants, vaultModel, type GrantCheck } from '../src/grants.js';
import { IDENTITY, cmkPrincipal, isAttached } from '../src/identity.js';
import { defineMeta } from '../src/meta.js';
import type { Rule, RuleContext, RuleReport } from '../src/rule-api.js';

const meta = defineMeta({
  id: 'ACR009',
  name: 'registry-cmk-depends-on-access',
  level: 'error',
  shortDescription: 'A CMK registry must depend on its identity and on the grant that lets the identity use the key.',
  fullDescription:
    'ACR checks that its identity can read, wrap and unwrap the key when it creates the registry. When the template that deploys the registry also deploys the user-assigned identity and its key grant (an access policy or a role assignment), the registry must depend on both; otherwise ARM may create them in parallel and registry creation fails intermittently.',
  help: [
    'List the identity and the grant in the registry\'s `dependsOn`:',
    '```json',
    '"dependsOn": [',
    '  "[variables(\'identityId\')]",',
    '  "[extensionResourceId(variables(\'vaultId\'), \'Microsoft.Authorization/roleAssignments\', guid(variables(\'vaultId\'), variables(\'identityId\'), variables(\'role\')))]"',
    ']',
    '```',
    'In Bicep, `dependsOn: [ uami, kvRoleAssignment ]`. For an access policy written inside the vault, depend on the vault; for a `vaults/accessPolicies` resource, depend on that resource.',
  ].join('\n'),
  tags: ['security', 'acr', 'cmk', 'deployment'],
  precision: 'high',
  securitySeverity: '4.0',
});

function label(r: EvaluatedResource): string {
  return r.symbolicName ? `'${r.symbolicName}'` : `'${nameOf(r)}'`;
}

/**
 * The vault a key identifier names when no scanned template declares it, but the registry's own template
 * grants on it (a `<vault>/add` access policy, a role assignment on the vault): a stand-in with its id only,
 * so that the race between the registry and that grant is still seen. The Microsoft tutorial template for
 * ACR CMK has exactly this shape.
 */
function standInVault(graph: ScanGraph, link: CmkLink, name = link.keyIdentifier.vaultName): EvaluatedResource | undefined {
  if (typeof name !== 'string') return undefined;
  const registry = link.registry;
  const local = (r: EvaluatedResource) => r.unit === registry.unit;
  const policy = graph.deployed(ACCESS_POLICIES).find((r) => local(r) && typeof r.name === 'string' && r.name.toLowerCase().startsWith(`${name.toLowerCase()}/`));
  const vaultId = policy
    ? idAt(policy.scope, VAULT, [name])
    : graph.deployed(ROLE_ASSIGNMENT).find((r) => local(r) && idKey(r.scope).endsWith(`/providers/microsoft.keyvault/vaults/${name.toLowerCase()}`))?.scope;
  if (vaultId === undefined) return undefined;
  const from = policy ?? registry;
  return { ...from, key: `${registry.key}#vault:${name}`, type: VAULT, name, id: vaultId, existing: false, deployed: false, body: newObject(), raw: {}, dependsOn: [], copy: undefined, symbolicName: undefined };
}

/**
 * When the key identifier does not say which vault holds the key: the vaults the registry's own template
 * deploys, and those its access policies and vault-scoped role assignments name (stand-ins, as above). Any of
 * them may be the CMK vault, and then the registry races its grant there.
 */
function candidateVaults(graph: ScanGraph, link: CmkLink): EvaluatedResource[] {
  const local = (r: EvaluatedResource) => r.unit === link.registry.unit && r.deployed !== false && !r.existing;
  const vaults = graph.deployed(VAULT).filter(local);
  const known = new Set(vaults.map((v) => (typeof v.name === 'string' ? v.name.toLowerCase() : undefined)));
  const named = new Set<string>();
  for (const policy of graph.deployed(ACCESS_POLICIES).filter(local)) {
    if (typeof policy.name === 'string') named.add(policy.name.split('/')[0]!.toLowerCase());
  }
  for (const ra of graph.deployed(ROLE_ASSIGNMENT).filter(local)) {
    const m = /\/providers\/microsoft\.keyvault\/vaults\/([^/]+)$/.exec(idKey(ra.scope));
    if (m && !m[1]!.includes('⟨')) named.add(m[1]!);
  }
  const standIns = [...named].filter((n) => !known.has(n)).map((n) => standInVault(graph, link, n));
  return [...vaults, ...standIns.filter((v): v is EvaluatedResource => v !== undefined)];
}

/**
 * The verdict for a key identifier that does not name its vault: undetermined when the registry would race
 * its grant on one of the vaults it may name (each judged as if it were the CMK vault), else nothing.
 */
function checkUnknownVault(ctx: RuleContext, link: CmkLink): void {
  const registry = link.registry;
  for (const vault of candidateVaults(ctx.graph, link)) {
    const caught: RuleReport[] = [];
    check(Object.assign(Object.create(ctx) as RuleContext, { report: (r: RuleReport) => void caught.push(r) }), link, vault, vault.deployed === false);
    const doubt = caught.find((r) => r.verdict === 'fail') ?? caught.find((r) => r.verdict === 'undetermined');
    if (!doubt) continue;
    ctx.report({
      resource: registry,
      path: ['dependsOn'],
      verdict: 'undetermined',
      message: `Cannot tell whether registry '${nameOf(registry)}' depends on the grant that lets its CMK identity use the key, because the key identifier does not say which vault holds the key: ${describeOrigins(link.keyIdentifier.value)}. If it is vault '${nameOf(vault)}': ${doubt.message}`,
    });
    return;
  }
}

function check(ctx: RuleContext, link: CmkLink, vault: EvaluatedResource, standIn = false): void {
  const graph = ctx.graph;
  const registry = link.registry;
  const reg = nameOf(registry);
  const at = { resource: registry, path: ['dependsOn'] };
  const p = cmkPrincipal(graph, registry);
  if (!p || p.system) return; // The system-assigned identity is created with the registry: nothing to order.
  if (p.detached) return; // ACR005 fails an identity the registry does not attach: there is no grant of the registry's to order.
  if (p.unknown !== undefined || p.target === undefined) {
    // Only open when this template deploys an identity that may be the one.
    const local = graph.deployed(IDENTITY).filter((i) => i.unit === registry.unit && isAttached(registry, i.id) !== false);
    if (local.length === 0) return;
    ctx.report({
      ...at,
      verdict: 'undetermined',
      message: `Cannot tell whether registry '${reg}' depends on its CMK identity and its key grant, because it is not known which identity it uses: ${p.unknown ?? 'the identity is not named by a resource'}.`,
    });
    return;
  }
  const targetKey = idKey(p.target);
  const identity = graph.deployed(IDENTITY).find((i) => i.unit === registry.unit && idKey(i.id) === targetKey);
  if (!identity) return; // Deployed elsewhere (or declared existing): no race inside this deployment.

  const model = vaultModel(vault);
  const modelKnown = vault.deployed !== false && model.rbac !== undefined;
  const modelWhy = standIn ? 'no scanned template declares the vault' : vault.existing ? 'it is declared existing' : vault.deployed === false ? 'its declaration has a false condition' : model.why;
  const counts = (c: GrantCheck): boolean => !modelKnown || (c.model === 'rbac') === model.rbac;
  const local = checkGrants(graph, vault, link, p).filter((c) => c.grant.resource.unit === registry.unit && c.grant.resource.deployed !== false && !c.grant.resource.existing && counts(c));
  const certain = local.filter((c) => c.ok === true && modelKnown);
  const maybe = local.filter((c) => !certain.includes(c) && c.ok !== false);
  if (certain.length === 0 && maybe.length === 0) return; // The grant is not in this template (ACR010 judges the access).

  const after = graph.deployedAfter(registry);
  const identityOk = after.has(identity.key);
  const certainDone = certain.some((c) => after.has(c.grant.resource.key));
  const maybeDone = maybe.some((c) => after.has(c.grant.resource.key));
  // Depending on every candidate is safe whichever of them turns out to be the grant.
  const allDone = certain.length === 0 && maybe.every((c) => after.has(c.grant.resource.key));
  const grantOk: boolean | undefined = certainDone || allDone ? true : maybeDone ? undefined : certain.length ? false : undefined;

  const nested = registry.deploymentPath.length
    ? ` The registry is deployed by nested deployment '${registry.deploymentPath.join('/')}': make the registry, or that deployment, depend on what is missing.`
    : '';
  const grantWhat = (c: GrantCheck) => (c.grant.resource.type.toLowerCase() === 'microsoft.keyvault/vaults' ? `vault ${label(c.grant.resource)}, whose access policy grants the key` : c.label);

  if (identityOk && grantOk === true) {
    ctx.report({ ...at, verdict: 'pass', message: `Registry '${reg}' depends on identity ${label(identity)} and on its key grant.` });
    return;
  }
  if (grantOk === false || (!identityOk && certain.length > 0)) {
    const missing: string[] = [];
    if (!identityOk) missing.push(`identity ${label(identity)}`);
    if (grantOk === false) missing.push(grantWhat(certain[0]!));
    ctx.report({
      ...at,
      verdict: 'fail',
      message: `Registry '${reg}' does not depend on ${missing.join(' or on ')}, although the same deployment creates ${missing.length > 1 ? 'them' : 'it'}: ACR checks its access to the key when it creates the registry, so ARM may create the registry first and the deployment fails intermittently. Add ${missing.length > 1 ? 'both' : 'it'} to the registry's dependsOn.${nested}`,
    });
    return;
  }
  const open = maybe.find((c) => c.ok === undefined) ?? maybe[0]!;
  if (!modelKnown && open.ok === true && !after.has(open.grant.resource.key)) {
    // The grant is right for one permission model; only the vault's model, unknown here, says if it counts.
    ctx.report({
      ...at,
      verdict: 'undetermined',
      message: `Registry '${reg}' does not depend on ${grantWhat(open)}, which grants identity ${label(identity)} its key: if vault '${nameOf(vault)}' uses ${open.model === 'rbac' ? 'Azure RBAC' : 'access policies'}, ARM may create the registry first and its creation fails intermittently; cannot tell, because its permission model is not known (${modelWhy}). Add it to the registry's dependsOn.${identityOk ? '' : ` It does not depend on identity ${label(identity)} either.`}${nested}`,
    });
    return;
  }
  ctx.report({
    ...at,
    verdict: 'undetermined',
    message: `Cannot tell whether registry '${reg}' depends on the grant that lets identity ${label(identity)} use its key, because ${
      !modelKnown ? `the permission model of vault '${nameOf(vault)}' is not known (${modelWhy})` : `it is not known whether ${open.label} is that grant: ${open.unknownValue !== undefined ? describeOrigins(open.unknownValue) : 'part of it is not known before deployment'}`
    }.${identityOk ? '' : ` It does not depend on identity ${label(identity)} either.`}`,
  });
}

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const link of ctx.graph.cmkLinks()) {
      if (link.vault) check(ctx, link, link.vault);
      else if (link.keyIdentifier.status === 'unknown' && typeof link.keyIdentifier.vaultName !== 'string') checkUnknownVault(ctx, link);
      else {
        const standIn = standInVault(ctx.graph, link);
        if (standIn) check(ctx, link, standIn, true);
      }
    }
  },
};
