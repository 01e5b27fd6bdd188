import { forEachCmkVault, nameOf } from '../src/cmk-rules.js';
import type { EvaluatedResource } from '../src/eval/template.js';
import { describeOrigins } from '../src/eval/value.js';
import type { CmkLink } from '../src/graph.js';
import { checkGrants, vaultModel, type GrantCheck } from '../src/grants.js';
import { cmkPrincipal, type CmkPrincipal } from '../src/identity.js';
import { defineMeta } from '../src/meta.js';
import { display, or3, read, type RuleContext, type Rule, type Tri } from '../src/rule-api.js';
import { setting, whyNotKnown } from '../src/settings.js';

const meta = defineMeta({
  id: 'ACR010',
  name: 'registry-cmk-key-access',
  level: 'error',
  shortDescription: "The registry's CMK identity must be granted get, wrapKey and unwrapKey on the CMK vault, through the permission model the vault uses.",
  fullDescription:
    "ACR reads, wraps and unwraps its data encryption key with the identity named in encryption.keyVaultProperties.identity. The vault must grant that identity's principal id get, wrapKey and unwrapKey: with an access policy when the vault uses access policies, or with a role assignment (Key Vault Crypto Service Encryption User, Crypto User, Crypto Officer or Administrator at the vault, key, resource group or subscription) when it uses Azure RBAC. enableRbacAuthorization decides the model (API versions before 2019-09-01 ignore it); when it is absent or ignored, API versions from 2026-02-01 create RBAC vaults and older ones access-policy vaults. A grant through the other model is ignored by the vault.",
  help: [
    'Azure RBAC vault: assign Key Vault Crypto Service Encryption User to the identity\'s principal id at the vault:',
    '```json',
    '{',
    '  "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",',
    '  "name": "[guid(variables(\'vaultId\'), variables(\'identityId\'), \'e147488a-f6f5-4113-8e2d-b22465e65bf6\')]",',
    '  "scope": "[variables(\'vaultId\')]",',
    '  "properties": {',
    '    "roleDefinitionId": "[subscriptionResourceId(\'Microsoft.Authorization/roleDefinitions\', \'e147488a-f6f5-4113-8e2d-b22465e65bf6\')]",',
    '    "principalId": "[reference(variables(\'identityId\'), \'2023-01-31\').principalId]",',
    '    "principalType": "ServicePrincipal"',
    '  }',
    '}',
    '```',
    'Access-policy vault: add `{ "tenantId": "[subscription().tenantId]", "objectId": "[reference(variables(\'identityId\'), \'2023-01-31\').principalId]", "permissions": { "keys": ["get", "wrapKey", "unwrapKey"] } }` to the vault\'s `accessPolicies` (or a `Microsoft.KeyVault/vaults/accessPolicies` `add` resource).',
  ].join('\n'),
  tags: ['security', 'acr', 'cmk', 'keyvault', 'identity'],
  precision: 'high',
  securitySeverity: '7.0',
});

const roleHint = (who: string) => `assign the Key Vault Crypto Service Encryption User role (e147488a-f6f5-4113-8e2d-b22465e65bf6) at the vault to the principalId of ${who}`;
const policyHint = (who: string) => `add an access policy whose objectId is the principalId of ${who}, with keys permissions get, wrapKey and unwrapKey`;

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function anyOk(checks: GrantCheck[]): Tri {
  return or3(...checks.map((c) => c.ok));
}

const NEEDS = 'ACR needs get, wrapKey and unwrapKey, and registry creation fails without them';

/** Why a grant to the right principal, in the vault's model, falls short, why that matters, and what to do about it. */
function shortfall(c: GrantCheck, p: CmkPrincipal): { why: string; matters: string; fix: string } {
  if (c.principalType === false && c.grant.kind === 'role') {
    return {
      why: `its principalType is ${display(c.grant.principalType ?? null)}, but ${p.label} is a managed identity, whose type is 'ServicePrincipal'`,
      matters: 'ARM refuses such an assignment (UnmatchedPrincipalType), so the deployment fails',
      fix: "set principalType to 'ServicePrincipal'",
    };
  }
  const matters = NEEDS;
  if (c.permission === false) {
    return c.model === 'accessPolicy'
      ? { why: `its keys permissions lack ${c.lacking}`, matters, fix: 'add get, wrapKey and unwrapKey to its keys permissions' }
      : { why: `${c.lacking} does not allow key read, wrap and unwrap`, matters, fix: 'assign Key Vault Crypto Service Encryption User (e147488a-f6f5-4113-8e2d-b22465e65bf6) instead' };
  }
  if (c.scope === false) return { why: 'it is assigned on another key of the vault, not the CMK key', matters, fix: 'assign it at the vault or at the CMK key' };
  if (c.tenant === false) {
    return {
      why: `its tenantId ${display(c.tenants!.entry)} is not the vault's tenantId ${display(c.tenants!.vault)}, and a vault honours only access policies of its own tenant`,
      matters,
      fix: "set its tenantId to the vault's ([subscription().tenantId] on both, say)",
    };
  }
  return { why: 'it has an applicationId, so it only grants that application acting for the identity (a compound identity), not the identity itself', matters, fix: 'remove applicationId' };
}

function checkLink(outer: RuleContext, vault: EvaluatedResource, link: CmkLink): void {
  const registry = link.registry;
  // Every verdict here is about this registry's chain, also those that point at a grant.
  const ctx: RuleContext = { ...outer, report: (r) => outer.report({ chainMember: registry, ...r }) };
  const reg = nameOf(registry);
  const kv = nameOf(vault);
  const p = cmkPrincipal(ctx.graph, registry);
  // ACR005 reports a registry that names no identity, or one it does not attach: no grant to that is the registry's.
  if (!p || p.detached) return;
  if (p.unknown !== undefined) {
    ctx.report({ resource: registry, path: p.path, verdict: 'undetermined', message: `Cannot tell whether the CMK identity of registry '${reg}' may use its key in vault '${kv}', because ${p.unknown}.` });
    return;
  }
  const model = vaultModel(vault);
  const checks = checkGrants(ctx.graph, vault, link, p);
  // Live mode read the vault but not its role assignments: a missing grant proves nothing.
  const rolesGap = model.rbac !== false ? ctx.graph.liveGap(vault, 'roles') : undefined;
  const rolesUnread = (): void =>
    ctx.report({ resource: vault, path: model.path, verdict: 'undetermined', message: `Cannot tell whether vault '${kv}' lets ${p.label} (encryption identity of registry '${reg}') use its key, because live mode could not list its role assignments: ${rolesGap}.` });
  const rbac = checks.filter((c) => c.model === 'rbac');
  const policies = checks.filter((c) => c.model === 'accessPolicy');
  const okRbac = anyOk(rbac);
  const okPolicies = anyOk(policies);
  const subject = `${p.label} (encryption identity of registry '${reg}')`;
  // Access policies the template does not show (a recovered vault keeps its earlier ones) may grant what the scan does not.
  const listed = setting(vault, ['properties', 'accessPolicies']);
  const policiesHidden = okPolicies === false && listed.state === 'unknown';
  const hidden = (): void =>
    ctx.report({
      resource: vault,
      path: listed.path,
      verdict: 'undetermined',
      message: `Cannot tell whether vault '${kv}' lets ${subject} use its key: no grant in the scanned templates does, but its access policies are not known, because ${whyNotKnown(listed)}.`,
    });

  if (model.rbac === undefined) {
    if (okRbac === true && okPolicies === true) {
      ctx.report({ resource: vault, path: model.path, verdict: 'pass', message: `Vault '${kv}' grants ${subject} key access under both permission models.` });
      return;
    }
    if (policiesHidden && okRbac !== true) return hidden();
    if (okRbac === false && okPolicies === false) {
      if (rolesGap) return rolesUnread();
      ctx.report({
        resource: registry,
        path: p.path,
        verdict: 'fail',
        message: `Neither an access policy nor a role assignment grants ${subject} get, wrapKey and unwrapKey on vault '${kv}', so the registry cannot use its key and its creation fails: ${roleHint(p.label)} (Azure RBAC vault), or ${policyHint(p.label)} (access-policy vault).`,
      });
      return;
    }
    ctx.report({
      resource: vault,
      path: model.path,
      verdict: 'undetermined',
      message: `Cannot tell whether vault '${kv}' lets ${subject} use its key, because its permission model is not known (${model.why}) and only one model grants access.`,
    });
    return;
  }

  const modelName = model.rbac ? 'Azure RBAC' : 'access policies';
  const right = model.rbac ? rbac : policies;
  const other = model.rbac ? policies : rbac;
  const hint = model.rbac ? roleHint(p.label) : policyHint(p.label);
  const ok = anyOk(right);
  if (ok === true) {
    const c = right.find((x) => x.ok === true)!;
    ctx.report({ resource: c.grant.resource, path: c.path, verdict: 'pass', message: `${c.label} grants ${subject} key access on vault '${kv}'.` });
    return;
  }
  if (ok === undefined) {
    const c = right.find((x) => x.ok === undefined)!;
    ctx.report({
      resource: c.grant.resource,
      path: c.path,
      verdict: 'undetermined',
      message: `Cannot tell whether ${c.label} grants ${subject} get, wrapKey and unwrapKey on vault '${kv}', because ${c.conditional ? 'it is deployed only when its condition holds, and ' : ''}${c.unknownValue !== undefined ? describeOrigins(c.unknownValue) : 'part of it is not known before deployment'}.`,
    });
    return;
  }
  if (!model.rbac && policiesHidden) return hidden();
  if (rolesGap) return rolesUnread();
  const otherOk = other.find((c) => c.ok === true);
  const ignored = otherOk
    ? ` ${otherOk.label} grants it access, but vault '${kv}' uses ${modelName} (${model.why}), so ${model.rbac ? 'access policies are ignored' : 'data-plane role assignments are ignored'}.`
    : '';
  // 1. A grant to the right principal, in the right model, that falls short.
  // Several (the instances of a property copy loop, say) are one finding that says what each lacks.
  const partials = right.filter((c) => c.principal === true);
  if (partials.length > 0) {
    const partial = partials[0]!;
    const { why, matters, fix } = shortfall(partial, p);
    const fixes = [...new Set(partials.map((c) => shortfall(c, p).fix))];
    ctx.report({
      resource: partial.grant.resource,
      path: partial.path,
      verdict: 'fail',
      message:
        partials.length === 1
          ? `${cap(partial.label)} does not let ${subject} use its key in vault '${kv}': ${why}. ${matters}: ${fix}.${ignored}`
          : `None of the ${partials.length} grants to ${subject} on vault '${kv}' lets it use its key: ${partials.map((c) => `${c.label}: ${shortfall(c, p).why}`).join('; ')}. ${matters}: in one of them, ${fixes.join(', and ')}.${ignored}`,
    });
    return;
  }
  // 2. A grant that names the identity's client id where the principal id belongs.
  const trap = right.find((c) => c.clientIdInstead && c.permission !== false);
  if (trap) {
    const field = trap.model === 'accessPolicy' ? 'objectId' : 'principalId';
    ctx.report({
      resource: trap.grant.resource,
      path: trap.path,
      verdict: 'fail',
      message: `${cap(trap.label)} names ${p.label} by its clientId, but ${field} must be the principal (object) id, so ${subject} gets no access to its key in vault '${kv}': use reference(...).principalId (Bicep: <identity>.properties.principalId).`,
    });
    return;
  }
  // 3. A grant through the model the vault ignores.
  if (otherOk) {
    const vaultFlag = read(vault, ['properties', 'enableRbacAuthorization']);
    ctx.report({
      resource: vault,
      path: vaultFlag.state === 'missing' ? vaultFlag.path : model.path,
      verdict: 'fail',
      message: `Vault '${kv}' uses ${modelName} (${model.why}), so ${otherOk.label}, which grants ${subject} access to the key, does not count: ${model.rbac ? 'Azure RBAC vaults ignore access policies' : 'access-policy vaults ignore data-plane role assignments'}. Either ${hint}, or switch the vault to ${model.rbac ? 'access policies' : 'Azure RBAC'} (enableRbacAuthorization: ${!model.rbac}${model.ignored ? ', with an apiVersion from 2019-09-01 on' : ''}), which drops the grants of its current model.`,
    });
    return;
  }
  // 4. Nothing at all.
  ctx.report({
    resource: registry,
    path: p.path,
    verdict: 'fail',
    message: `Nothing grants ${subject} get, wrapKey and unwrapKey on vault '${kv}', which uses ${modelName} (${model.why}): the registry cannot use its key and its creation fails. ${cap(hint)}.`,
  });
}

export const rule: Rule = {
  meta,
  check(ctx) {
    forEachCmkVault(ctx, "the registry's CMK identity may use its key", (vault, links) => {
      for (const link of links) checkLink(ctx, vault, link);
    });
  },
};
