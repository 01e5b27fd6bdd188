import { forEachCmkVault, nameOf } from '../src/cmk-rules.js';
import type { EvaluatedResource, JsonPath } from '../src/eval/template.js';
import { displayPart, idKey } from '../src/eval/ids.js';
import { Unknown, describeOrigins, getProperty, isObject, isUnknown, type Value } from '../src/eval/value.js';
import { isModelled, type CmkLink, type ScanGraph } from '../src/graph.js';
import {
  KEY_ACCESS_ROLES,
  OTHER_KEY_VAULT_ROLES,
  accessPolicyGrants,
  identityRefOf,
  principalOf,
  roleGrants,
  roleGuid,
  samePrincipal,
  type AccessPolicyGrant,
  type RoleGrant,
} from '../src/grants.js';
import { defineMeta } from '../src/meta.js';
import { asBoolean, display, equalsIgnoreCase, read, type RuleContext, type Rule } from '../src/rule-api.js';
import { attachedIdentities, identityLabel, looksLikeResourceId } from './ACR005.js';

const meta = defineMeta({
  id: 'ACR010',
  name: 'registry-cmk-key-access',
  level: 'error',
  shortDescription: "The registry's CMK identity must be granted get, wrapKey and unwrapKey on the CMK vault, through the permission model the vault uses.",
  fullDescription:
    "ACR reads, wraps and unwraps its data encryption key with the identity named in encryption.keyVaultProperties.identity. The vault must grant that identity's principal id get, wrapKey and unwrapKey: with an access policy when the vault uses access policies, or with a role assignment (Key Vault Crypto Service Encryption User, Crypto User, Crypto Officer or Administrator at the vault, key, resource group or subscription) when it uses Azure RBAC. enableRbacAuthorization decides the model; when it is absent, API versions from 2026-02-01 create RBAC vaults and older ones access-policy vaults. A grant through the other model is ignored by the vault.",
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

const NEEDED = ['get', 'wrapKey', 'unwrapKey'];
const roleHint = (who: string) => `assign the Key Vault Crypto Service Encryption User role (e147488a-f6f5-4113-8e2d-b22465e65bf6) at the vault to the principalId of ${who}`;
const policyHint = (who: string) => `add an access policy whose objectId is the principalId of ${who}, with keys permissions get, wrapKey and unwrapKey`;

/** Built-in roles that carry no key data actions (besides the Key Vault ones in grants.ts). */
const NON_KEY_ROLES: Record<string, string> = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': 'Reader',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': 'User Access Administrator',
  // grants.ts lists Key Vault Reader with a wrong GUID; this is the one in domain.md.
  '21090545-7ca7-4776-b22c-e363652d74d2': 'Key Vault Reader',
  ...OTHER_KEY_VAULT_ROLES,
};

// ------------------------------------------------------------------------------------------------ the principal

/** Who must be granted access: the principal id of the identity the registry names for its key. */
export interface CmkPrincipal {
  /** The value grants must name (a principal id), when it can be told. */
  principal?: Value;
  /** The identity resource (user-assigned identity, or the registry for 'system'). */
  target?: Value;
  system: boolean;
  /** For messages: "identity 'acr-cmk-id'". */
  label: string;
  /** Why the principal cannot be told, when it cannot ("because ..."). */
  unknown?: string;
  /** Path of the identity value in the registry. */
  path: JsonPath;
}

/** The principal behind `encryption.keyVaultProperties.identity`; undefined when the registry names no identity. */
export function cmkPrincipal(graph: ScanGraph, registry: EvaluatedResource): CmkPrincipal | undefined {
  const identity = read(registry, ['properties', 'encryption', 'keyVaultProperties', 'identity']);
  if (identity.state === 'missing') return undefined;
  const path = identity.path;
  const value = identity.value;
  const ref = identityRefOf(value);
  if (ref) {
    const label = ref.system ? `the system-assigned identity of ${identityLabel(graph, ref.target)}` : `identity ${identityLabel(graph, ref.target)}`;
    return { principal: principalOf(ref), target: ref.target, system: ref.system, label, path };
  }
  // reference(x, v, 'full').id or a resource id string: the identity is still recognisable (ACR005 fails the form).
  const fullId = value instanceof Unknown && value.ref && value.ref.path.length === 1 && value.ref.path[0]!.toLowerCase() === 'id' ? value.ref.target : undefined;
  if (fullId !== undefined || looksLikeResourceId(value)) {
    const target = fullId ?? value;
    return { principal: principalOf({ target, property: 'clientId', system: false }), target, system: false, label: `identity ${identityLabel(graph, target)}`, path };
  }
  if (typeof value === 'string' && equalsIgnoreCase(value, 'system')) {
    return {
      principal: principalOf({ target: registry.id, property: 'clientId', system: true }),
      target: registry.id,
      system: true,
      label: `the system-assigned identity of registry '${nameOf(registry)}'`,
      path,
    };
  }
  if (typeof value === 'string') {
    // Exported templates list the attached identities' ids: a literal client id can then be matched.
    const lower = value.toLowerCase();
    for (const a of attachedIdentities(registry).list) {
      const label = `identity '${displayPart(a.id).split('/').pop()}'`;
      if (typeof a.clientId === 'string' && a.clientId.toLowerCase() === lower && typeof a.principalId === 'string') return { principal: a.principalId, system: false, label, path };
      if (typeof a.principalId === 'string' && a.principalId.toLowerCase() === lower) return { principal: a.principalId, system: false, label, path };
    }
    return {
      system: false,
      label: `the identity '${value}'`,
      unknown: `the encryption identity is the literal '${value}', and cmkguard cannot tell which principal it belongs to: write reference(<identity id>).clientId instead`,
      path,
    };
  }
  return { system: false, label: 'the encryption identity', unknown: describeOrigins(value), path };
}

// ------------------------------------------------------------------------------------------------ the grants

type Tri = boolean | undefined;

function and(...xs: Tri[]): Tri {
  if (xs.some((x) => x === false)) return false;
  return xs.every((x) => x === true) ? true : undefined;
}

/** One grant on the CMK vault, judged for one principal. */
export interface GrantCheck {
  grant: AccessPolicyGrant | RoleGrant;
  model: 'rbac' | 'accessPolicy';
  /** Names the principal. */
  principal: Tri;
  /** Names the identity by its client id instead of its principal id (the classic trap). */
  clientIdInstead: boolean;
  /** The permissions (access policy) or role (role assignment) cover get, wrapKey and unwrapKey. */
  permission: Tri;
  /** What is missing, for messages: permission names, or the role's name. */
  lacking: string;
  /** The assignment applies to the CMK key (a role assigned on another key of the vault does not). */
  scope: Tri;
  /** An access policy with applicationId is a compound identity: it does not grant the identity alone. */
  compound: Tri;
  ok: Tri;
  /** Where this grant is decided, in `grant.resource`: the defect when ok is false, the unknown when undefined. */
  path: JsonPath;
  /** The unknown value behind an undefined `ok`. */
  unknownValue?: Value;
  /** For messages. */
  label: string;
}

function knownPrincipalMatch(grantPrincipal: Value, principal: Value): Tri {
  if (grantPrincipal === null || typeof grantPrincipal === 'boolean' || typeof grantPrincipal === 'number' || Array.isArray(grantPrincipal) || isObject(grantPrincipal)) return false;
  return samePrincipal(grantPrincipal, principal);
}

function namesClientIdOf(grantPrincipal: Value, target: Value | undefined): boolean {
  const ref = identityRefOf(grantPrincipal);
  return !!ref && target !== undefined && !ref.system && ref.property.toLowerCase() === 'clientid' && idKey(ref.target) === idKey(target);
}

function keyPermissions(v: Value): { ok: Tri; missing: string[] } {
  if (isUnknown(v)) return { ok: undefined, missing: [] };
  if (!Array.isArray(v)) return { ok: false, missing: NEEDED };
  const known = v.filter((p): p is string => typeof p === 'string').map((p) => p.toLowerCase());
  if (known.includes('all')) return { ok: true, missing: [] };
  const missing = NEEDED.filter((n) => !known.includes(n.toLowerCase()));
  if (missing.length === 0) return { ok: true, missing };
  return { ok: v.some(isUnknown) ? undefined : false, missing };
}

const KEY_DATA_ACTIONS = ['Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/wrap/action', 'Microsoft.KeyVault/vaults/keys/unwrap/action'];

function actionMatches(pattern: Value, action: string): Tri {
  if (isUnknown(pattern)) return undefined;
  if (typeof pattern !== 'string') return false;
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(action);
}

/** Three-valued: do the data actions of a custom role defined in the scan cover key read, wrap and unwrap? */
function customRoleCovers(def: EvaluatedResource): Tri {
  // A scan keeps the contents of modelled resource types only (src/graph.ts isModelled): without them, say nothing.
  if (!isModelled(def.type)) return undefined;
  const perms = read(def, ['properties', 'permissions']);
  if (perms.state === 'unknown') return undefined;
  if (perms.state === 'missing' || !Array.isArray(perms.value)) return false;
  const results = KEY_DATA_ACTIONS.map((action) => {
    let best: Tri = false;
    for (const block of perms.value as Value[]) {
      if (isUnknown(block)) {
        if (best === false) best = undefined;
        continue;
      }
      if (!isObject(block)) continue;
      const allow = getProperty(block, 'dataActions');
      const deny = getProperty(block, 'notDataActions');
      const list = (x: typeof allow): Value[] | undefined => (x.found ? (Array.isArray(x.value) ? x.value : undefined) : []);
      const allows = list(allow);
      const denies = list(deny);
      if (allows === undefined || denies === undefined) {
        if (best === false) best = undefined;
        continue;
      }
      const allowed: Tri = allows.some((p) => actionMatches(p, action) === true) ? true : allows.some((p) => actionMatches(p, action) === undefined) ? undefined : false;
      const denied: Tri = denies.some((p) => actionMatches(p, action) === true) ? true : denies.some((p) => actionMatches(p, action) === undefined) ? undefined : false;
      const here = and(allowed, denied === undefined ? undefined : !denied);
      if (here === true) best = true;
      else if (here === undefined && best === false) best = undefined;
    }
    return best;
  });
  return and(...results);
}

function roleCovers(graph: ScanGraph, roleDefinitionId: Value): { ok: Tri; name: string } {
  const guid = roleGuid(roleDefinitionId);
  if (guid && KEY_ACCESS_ROLES[guid]) return { ok: true, name: KEY_ACCESS_ROLES[guid]! };
  if (guid && NON_KEY_ROLES[guid]) return { ok: false, name: NON_KEY_ROLES[guid]! };
  // A custom role defined in the scan: judge its data actions.
  const k = idKey(roleDefinitionId);
  const def = graph.declared('Microsoft.Authorization/roleDefinitions').find((d) => d.deployed !== false && k.endsWith(`/${idKey(d.name)}`));
  if (def) return { ok: customRoleCovers(def), name: `custom role '${nameOf(def)}'` };
  if (guid) return { ok: undefined, name: `role ${guid}` };
  return { ok: undefined, name: 'the assigned role' };
}

/** The CMK key's resource id key, when it can be told. */
function cmkKeyIdKey(link: CmkLink, vault: EvaluatedResource): string | undefined {
  if (link.key) return idKey(link.key.id);
  const keyName = link.keyIdentifier.keyName;
  return typeof keyName === 'string' ? `${idKey(vault.id)}/keys/${keyName.toLowerCase()}` : undefined;
}

function roleLabel(g: RoleGrant, vault: EvaluatedResource, roleName: string): string {
  const sym = g.resource.symbolicName ? ` '${g.resource.symbolicName}'` : '';
  const on =
    g.level === 'vault'
      ? `on vault '${nameOf(vault)}'`
      : g.level === 'key'
        ? `on key '${displayPart(g.resource.scope).split('/').pop()}'`
        : g.level === 'resourceGroup'
          ? "on the vault's resource group"
          : "on the vault's subscription";
  return `the ${roleName} role assignment${sym} ${on}`;
}

/** Every grant on `vault` (both models), judged for `principal`. */
export function checkGrants(graph: ScanGraph, vault: EvaluatedResource, link: CmkLink, p: CmkPrincipal): GrantCheck[] {
  const out: GrantCheck[] = [];
  const principal = p.principal!;
  for (const g of accessPolicyGrants(graph, vault)) {
    const who = knownPrincipalMatch(g.objectId, principal);
    const perms = keyPermissions(g.keyPermissions);
    const entry = read(g.resource, g.path);
    const app = entry.state === 'known' && isObject(entry.value) ? getProperty(entry.value, 'applicationId') : { found: false as const };
    const compound: Tri = !app.found || app.value === null || app.value === '' ? false : isUnknown(app.value) ? undefined : true;
    const ok = and(who, perms.ok, compound === undefined ? undefined : !compound);
    const where = g.resource === vault ? `the access policy of vault '${nameOf(vault)}'` : `the access policy in '${nameOf(g.resource)}'`;
    let path: JsonPath = g.path;
    let unknownValue: Value | undefined;
    if (who === false || (who === undefined && ok !== false)) {
      path = [...g.path, 'objectId'];
      if (who === undefined) unknownValue = g.objectId;
    } else if (perms.ok === false || (perms.ok === undefined && ok !== false)) {
      path = [...g.path, 'permissions', 'keys'];
      if (perms.ok === undefined) unknownValue = g.keyPermissions;
    } else if (compound !== false) {
      path = [...g.path, 'applicationId'];
      if (compound === undefined) unknownValue = app.found ? app.value : null;
    }
    out.push({
      grant: g,
      model: 'accessPolicy',
      principal: who,
      clientIdInstead: namesClientIdOf(g.objectId, p.target),
      permission: perms.ok,
      lacking: perms.missing.join(', '),
      scope: true,
      compound,
      ok,
      path,
      unknownValue,
      label: where,
    });
  }
  const keyIdKey = cmkKeyIdKey(link, vault);
  for (const g of roleGrants(graph, vault)) {
    const who = knownPrincipalMatch(g.principalId, principal);
    const role = roleCovers(graph, g.roleDefinitionId);
    const scope: Tri = g.level !== 'key' ? true : keyIdKey === undefined ? undefined : idKey(g.resource.scope) === keyIdKey;
    const ok = and(who, role.ok, scope);
    let path: JsonPath = [];
    let unknownValue: Value | undefined;
    if (who === false || (who === undefined && ok !== false)) {
      path = read(g.resource, ['properties', 'principalId']).path;
      if (who === undefined) unknownValue = g.principalId;
    } else if (role.ok === false || (role.ok === undefined && ok !== false)) {
      path = read(g.resource, ['properties', 'roleDefinitionId']).path;
      if (role.ok === undefined) unknownValue = g.roleDefinitionId;
    } else if (scope !== true) path = ['scope'];
    out.push({
      grant: g,
      model: 'rbac',
      principal: who,
      clientIdInstead: namesClientIdOf(g.principalId, p.target),
      permission: role.ok,
      lacking: role.name,
      scope,
      compound: false,
      ok,
      path,
      unknownValue,
      label: roleLabel(g, vault, role.name),
    });
  }
  return out;
}

/** The vault's permission model, why, and the path that decides it. */
export function vaultModel(vault: EvaluatedResource): { rbac: Tri; why: string; path: JsonPath; value?: Value } {
  const flag = read(vault, ['properties', 'enableRbacAuthorization']);
  if (flag.state === 'known') {
    const b = asBoolean(flag.value);
    return { rbac: b, why: b === undefined ? `enableRbacAuthorization is ${display(flag.value)}` : `enableRbacAuthorization is ${b}`, path: flag.path, value: flag.value };
  }
  if (flag.state === 'unknown') return { rbac: undefined, why: 'enableRbacAuthorization is not known', path: flag.path, value: flag.value };
  if (!/^\d{4}-\d{2}-\d{2}/.test(vault.apiVersion)) return { rbac: undefined, why: 'enableRbacAuthorization is not set and the API version is not known', path: ['apiVersion'] };
  const rbac = vault.apiVersion >= '2026-02-01';
  return {
    rbac,
    why: rbac
      ? `enableRbacAuthorization is not set, and API version ${vault.apiVersion} creates vaults with Azure RBAC by default`
      : `enableRbacAuthorization is not set, and before API version 2026-02-01 vaults are created with access policies`,
    path: flag.path,
  };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function anyOk(checks: GrantCheck[]): Tri {
  if (checks.some((c) => c.ok === true)) return true;
  return checks.some((c) => c.ok === undefined) ? undefined : false;
}

// ------------------------------------------------------------------------------------------------ the rule

function checkLink(ctx: RuleContext, vault: EvaluatedResource, link: CmkLink): void {
  const registry = link.registry;
  const reg = nameOf(registry);
  const kv = nameOf(vault);
  const p = cmkPrincipal(ctx.graph, registry);
  if (!p) return; // ACR005 reports a registry that names no identity.
  if (p.unknown !== undefined) {
    ctx.report({ resource: registry, path: p.path, verdict: 'undetermined', message: `Cannot tell whether the CMK identity of registry '${reg}' may use its key in vault '${kv}', because ${p.unknown}.` });
    return;
  }
  const model = vaultModel(vault);
  const checks = checkGrants(ctx.graph, vault, link, p);
  const rbac = checks.filter((c) => c.model === 'rbac');
  const policies = checks.filter((c) => c.model === 'accessPolicy');
  const okRbac = anyOk(rbac);
  const okPolicies = anyOk(policies);
  const subject = `${p.label} (encryption identity of registry '${reg}')`;

  if (model.rbac === undefined) {
    if (okRbac === true && okPolicies === true) {
      ctx.report({ resource: vault, path: model.path, verdict: 'pass', message: `Vault '${kv}' grants ${subject} key access under both permission models.` });
      return;
    }
    if (okRbac === false && okPolicies === false) {
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
      message: `Cannot tell whether vault '${kv}' lets ${subject} use its key, because its permission model is not known (${model.why}${model.value !== undefined && isUnknown(model.value) ? `: ${describeOrigins(model.value)}` : ''}) and only one model grants access.`,
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
      message: `Cannot tell whether ${c.label} grants ${subject} get, wrapKey and unwrapKey on vault '${kv}', because ${c.unknownValue !== undefined ? describeOrigins(c.unknownValue) : 'part of it is not known before deployment'}.`,
    });
    return;
  }
  const otherOk = other.find((c) => c.ok === true);
  const ignored = otherOk
    ? ` ${otherOk.label} grants it access, but vault '${kv}' uses ${modelName} (${model.why}), so ${model.rbac ? 'access policies are ignored' : 'data-plane role assignments are ignored'}.`
    : '';
  // 1. A grant to the right principal, in the right model, that falls short.
  const partial = right.find((c) => c.principal === true);
  if (partial) {
    const why =
      partial.permission === false
        ? partial.model === 'accessPolicy'
          ? `its keys permissions lack ${partial.lacking}`
          : `${partial.lacking} does not allow key read, wrap and unwrap`
        : partial.scope === false
          ? 'it is assigned on another key of the vault, not the CMK key'
          : 'it has an applicationId, so it only grants that application acting for the identity (a compound identity), not the identity itself';
    const fix = partial.permission === false && partial.model === 'accessPolicy' ? 'add get, wrapKey and unwrapKey to its keys permissions' : partial.permission === false ? 'assign Key Vault Crypto Service Encryption User (e147488a-f6f5-4113-8e2d-b22465e65bf6) instead' : partial.scope === false ? 'assign it at the vault or at the CMK key' : 'remove applicationId';
    ctx.report({
      resource: partial.grant.resource,
      path: partial.path,
      verdict: 'fail',
      message: `${cap(partial.label)} does not let ${subject} use its key in vault '${kv}': ${why}. ACR needs get, wrapKey and unwrapKey, and registry creation fails without them: ${fix}.${ignored}`,
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
      message: `Vault '${kv}' uses ${modelName} (${model.why}), so ${otherOk.label}, which grants ${subject} access to the key, does not count: ${model.rbac ? 'Azure RBAC vaults ignore access policies' : 'access-policy vaults ignore data-plane role assignments'}. Either ${hint}, or switch the vault to ${model.rbac ? 'access policies' : 'Azure RBAC'} (enableRbacAuthorization: ${!model.rbac}), which drops the grants of its current model.`,
    });
    return;
  }
  // 4. Nothing at all.
  ctx.report({
    resource: registry,
    path: p.path,
    verdict: 'fail',
    message: `Nothing grants ${subject} get, wrapKey and unwrapKey on vault '${kv}', which uses ${modelName} (${model.why}): the registry cannot use its key and its creation fails. ${hint[0]!.toUpperCase()}${hint.slice(1)}.`,
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
