/**
 * Who may use a key: identities and their references, access policies and role assignments on a vault
 * (domain.md §2). Client id vs principal id is the classic trap: ACR names its identity by client id, grants
 * name it by principal (object) id.
 */
import { idKey } from './eval/ids.js';
import type { EvaluatedResource, JsonPath } from './eval/template.js';
import { PartialString, Unknown, getProperty, isObject, valueKey, type Value } from './eval/value.js';
import type { ScanGraph } from './graph.js';
import { asBoolean, read } from './rule-api.js';

export const IDENTITY = 'Microsoft.ManagedIdentity/userAssignedIdentities';
export const ROLE_ASSIGNMENT = 'Microsoft.Authorization/roleAssignments';
export const ACCESS_POLICIES = 'Microsoft.KeyVault/vaults/accessPolicies';

/** Built-in roles whose data actions cover key read, wrap and unwrap (domain.md §2). */
export const KEY_ACCESS_ROLES: Record<string, string> = {
  'e147488a-f6f5-4113-8e2d-b22465e65bf6': 'Key Vault Crypto Service Encryption User',
  '12338af0-0e69-4776-bea7-57ae8d297424': 'Key Vault Crypto User',
  '14b46e9e-c2b7-41b4-b07b-48a6ebf60603': 'Key Vault Crypto Officer',
  '00482a5a-887f-4fb3-b363-3b7fe8e74483': 'Key Vault Administrator',
};

/** Built-in Key Vault roles that do not let a registry use a key, for precise messages. */
export const OTHER_KEY_VAULT_ROLES: Record<string, string> = {
  '21090545-7ca7-4776-b22c-e363652d74d2': 'Key Vault Reader',
  '08bbd89e-9f13-488c-ac41-acfcb10c90ab': 'Key Vault Crypto Service Release User',
  'f25e0fa2-a7c8-4377-a976-54943a77a395': 'Key Vault Contributor',
  'a68e7c17-0ab2-4c09-9a58-125dae29748c': 'Key Vault Purge Operator',
  '8b54135c-b56d-4d72-a534-26097cfdc8d8': 'Key Vault Data Access Administrator',
};

/** A runtime property of a resource: `reference(identity).clientId` is {target: identity id, property: 'clientId'}. */
export interface IdentityRef {
  target: Value;
  property: string;
  /** The system-assigned identity of `target` (`reference(x, v, 'full').identity.principalId`). */
  system: boolean;
}

export function identityRefOf(v: Value): IdentityRef | undefined {
  if (!(v instanceof Unknown) || !v.ref || v.ref.path.length !== 2) return undefined;
  const [section, property] = v.ref.path as [string, string];
  if (section.toLowerCase() === 'properties') return { target: v.ref.target, property, system: false };
  if (section.toLowerCase() === 'identity') return { target: v.ref.target, property, system: true };
  return undefined;
}

/** The identity resources attached to a registry (`identity.userAssignedIdentities` keys), as id keys. */
export function attachedIdentityKeys(resource: EvaluatedResource): { keys: string[]; known: boolean; path: JsonPath } {
  const uai = read(resource, ['identity', 'userAssignedIdentities']);
  if (uai.state === 'missing') return { keys: [], known: true, path: uai.path };
  if (uai.state === 'unknown' || !isObject(uai.value)) return { keys: [], known: false, path: uai.path };
  return { keys: Object.keys(uai.value).map((k) => idKey(k)), known: true, path: uai.path };
}

/** The principal (object) id that grants must name for an identity given by its client id reference. */
export function principalOf(ref: IdentityRef): Value {
  return ref.system ? Unknown.resource(ref.target, ['identity', 'principalId'], true) : Unknown.resource(ref.target, ['principalId']);
}

/** Three-valued: do two values name the same principal? Unknowns match only when built the same way. */
export function samePrincipal(a: Value, b: Value): boolean | undefined {
  const ra = identityRefOf(a);
  const rb = identityRefOf(b);
  if (ra && rb) return idKey(ra.target) === idKey(rb.target) && ra.property.toLowerCase() === rb.property.toLowerCase() && ra.system === rb.system;
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (a instanceof Unknown || b instanceof Unknown || a instanceof PartialString || b instanceof PartialString) {
    return valueKey(a).toLowerCase() === valueKey(b).toLowerCase() ? true : undefined;
  }
  return false;
}

export interface AccessPolicyGrant {
  kind: 'accessPolicy';
  resource: EvaluatedResource;
  /** Path of the policy entry inside `resource`. */
  path: JsonPath;
  objectId: Value;
  keyPermissions: Value;
}

export interface RoleGrant {
  kind: 'role';
  resource: EvaluatedResource;
  principalId: Value;
  roleDefinitionId: Value;
  /** `vault`, `key`, `resourceGroup` or `subscription`: where the assignment applies. */
  level: 'vault' | 'key' | 'resourceGroup' | 'subscription';
}

/** Access policies that apply to `vault`: its own `accessPolicies`, and `vaults/accessPolicies` add/replace children. */
export function accessPolicyGrants(graph: ScanGraph, vault: EvaluatedResource): AccessPolicyGrant[] {
  const out: AccessPolicyGrant[] = [];
  const collect = (resource: EvaluatedResource, listPath: JsonPath): void => {
    const list = read(resource, listPath);
    if (list.state !== 'known' || !Array.isArray(list.value)) return;
    list.value.forEach((entry, i) => {
      if (!isObject(entry)) return;
      const objectId = getProperty(entry, 'objectId');
      const perms = getProperty(entry, 'permissions');
      const keys = perms.found && isObject(perms.value) ? getProperty(perms.value, 'keys') : { found: false as const };
      out.push({ kind: 'accessPolicy', resource, path: [...list.path, i], objectId: objectId.found ? objectId.value : null, keyPermissions: keys.found ? keys.value : null });
    });
  };
  collect(vault, ['properties', 'accessPolicies']);
  for (const child of graph.childrenOf(vault, ACCESS_POLICIES)) {
    const op = typeof child.name === 'string' ? child.name.split('/').pop()!.toLowerCase() : undefined;
    if (op === 'remove') continue;
    collect(child, ['properties', 'accessPolicies']);
  }
  return out;
}

/** Role assignments at the vault, one of its keys, its resource group or its subscription. */
export function roleGrants(graph: ScanGraph, vault: EvaluatedResource): RoleGrant[] {
  const vaultKey = idKey(vault.id);
  const rgKey = idKey(vault.scope);
  const subKey = rgKey.replace(/\/resourcegroups\/[^/]+$/, '');
  const out: RoleGrant[] = [];
  for (const ra of [...graph.deployed(ROLE_ASSIGNMENT), ...graph.declared(`${vault.type}/providers/roleAssignments`).filter((r) => r.deployed !== false)]) {
    const scope = idKey(ra.scope);
    const level = scope === vaultKey ? 'vault' : scope.startsWith(`${vaultKey}/keys/`) ? 'key' : scope === rgKey ? 'resourceGroup' : scope === subKey ? 'subscription' : undefined;
    if (!level) continue;
    const principal = read(ra, ['properties', 'principalId']);
    const role = read(ra, ['properties', 'roleDefinitionId']);
    out.push({ kind: 'role', resource: ra, principalId: principal.state === 'missing' ? null : principal.value, roleDefinitionId: role.state === 'missing' ? null : role.value, level });
  }
  return out;
}

/** The role GUID at the end of a role definition id, when known. */
export function roleGuid(roleDefinitionId: Value): string | undefined {
  const text = typeof roleDefinitionId === 'string' ? roleDefinitionId : roleDefinitionId instanceof PartialString ? roleDefinitionId.suffix : undefined;
  const m = text ? /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i.exec(text) : null;
  return m ? m[1]!.toLowerCase() : undefined;
}

/** The vault's permission model: true for Azure RBAC, false for access policies, undefined when unknown. */
export function usesRbac(vault: EvaluatedResource): boolean | undefined {
  const flag = read(vault, ['properties', 'enableRbacAuthorization']);
  if (flag.state === 'known') return asBoolean(flag.value);
  if (flag.state === 'unknown') return undefined;
  // The default flipped to RBAC with API version 2026-02-01 (for new vaults).
  if (!/^\d{4}-\d{2}-\d{2}/.test(vault.apiVersion)) return undefined;
  return vault.apiVersion >= '2026-02-01';
}
