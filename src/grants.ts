/**
 * Who may use a key: access policies and role assignments on a vault, and the permission model that decides
 * which of them count (domain.md §2). Client id vs principal id is the classic trap: ACR names its identity by
 * client id, grants name it by principal (object) id.
 */
import { apiVersionIsFrom } from './api-versions.js';
import { nameOf } from './cmk-rules.js';
import { idKey, idKeysMayMatch, lastSegment } from './eval/ids.js';
import type { EvaluatedResource, JsonPath } from './eval/template.js';
import { PartialString, Unknown, getProperty, isObject, isUnknown, possibleValues, sharedAcrossEvaluations, valueKey, type Value } from './eval/value.js';
import { isModelled, linkable, type CmkLink, type ScanGraph } from './graph.js';
import { sourcePathOf } from './sourcemap.js';
import { identityRefOf, type CmkPrincipal } from './identity.js';
import { and3, asBoolean, display, equalsIgnoreCase, or3, read, type Tri } from './rule-api.js';
import { setting } from './settings.js';

export const ROLE_ASSIGNMENT = 'Microsoft.Authorization/roleAssignments';
export const ACCESS_POLICIES = 'Microsoft.KeyVault/vaults/accessPolicies';

/** Built-in roles whose data actions cover key read, wrap and unwrap (domain.md §2). */
const KEY_ACCESS_ROLES: Record<string, string> = {
  'e147488a-f6f5-4113-8e2d-b22465e65bf6': 'Key Vault Crypto Service Encryption User',
  '12338af0-0e69-4776-bea7-57ae8d297424': 'Key Vault Crypto User',
  '14b46e9e-c2b7-41b4-b07b-48a6ebf60603': 'Key Vault Crypto Officer',
  '00482a5a-887f-4fb3-b363-3b7fe8e74483': 'Key Vault Administrator',
};

/** Built-in roles that do not let a registry use a key, for precise messages. */
const NON_KEY_ROLES: Record<string, string> = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': 'Reader',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': 'User Access Administrator',
  '21090545-7ca7-4776-b22c-e363652d74d2': 'Key Vault Reader',
  '08bbd89e-9f13-488c-ac41-acfcb10c90ab': 'Key Vault Crypto Service Release User',
  'f25e0fa2-a7c8-4377-a976-54943a77a395': 'Key Vault Contributor',
  'a68e7c17-0ab2-4c09-9a58-125dae29748c': 'Key Vault Purge Operator',
  '8b54135c-b56d-4d72-a534-26097cfdc8d8': 'Key Vault Data Access Administrator',
};

/** Three-valued: do two values name the same principal? Unknowns match only when built the same way. */
export function samePrincipal(a: Value, b: Value): boolean | undefined {
  const ra = identityRefOf(a);
  const rb = identityRefOf(b);
  if (ra && rb) {
    if (ra.property.toLowerCase() !== rb.property.toLowerCase() || ra.system !== rb.system) return false;
    // An id with an unknown subscription may be a literal id of another template at deployment: cannot tell.
    return idKeysMayMatch(idKey(ra.target), idKey(rb.target));
  }
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
  /** Which entry, for messages when there are several: " (accessPolicies[1])", " (instance 1 of copy loop 'accessPolicies')". */
  entry: string;
}

export interface RoleGrant {
  kind: 'role';
  resource: EvaluatedResource;
  principalId: Value;
  roleDefinitionId: Value;
  /** `properties.principalType`; undefined when absent. */
  principalType: Value | undefined;
  /** `vault`, `key`, `resourceGroup` or `subscription`: where the assignment applies. */
  level: 'vault' | 'key' | 'resourceGroup' | 'subscription';
  /**
   * False when the scope only may be that level: a literal subscription id against the vault's unknown one
   * (or the other way round) is the same scope only if the deployment goes there.
   */
  levelCertain: boolean;
}

/**
 * Names entry `path` of an accessPolicies list: a property copy loop's instance (its source is the loop's
 * `input`), or the index when the list has several entries; '' for a lone entry.
 */
function entryLabel(resource: EvaluatedResource, path: JsonPath, several: boolean): string {
  const src = sourcePathOf(resource, path);
  const n = src.length;
  const index = path[path.length - 1] as number;
  if (src[n - 1] === 'input' && String(src[n - 3]).toLowerCase() === 'copy') return ` (instance ${index} of copy loop '${path[path.length - 2]}')`;
  return several ? ` (${path[path.length - 2]}[${index}])` : '';
}

/** Access policies that apply to `vault`: its own `accessPolicies`, and `vaults/accessPolicies` add/replace children. */
export function accessPolicyGrants(graph: ScanGraph, vault: EvaluatedResource): AccessPolicyGrant[] {
  const out: AccessPolicyGrant[] = [];
  const collect = (resource: EvaluatedResource, listPath: JsonPath): void => {
    const list = read(resource, listPath);
    if (list.state !== 'known' || !Array.isArray(list.value)) return;
    const several = list.value.length > 1;
    list.value.forEach((entry, i) => {
      if (!isObject(entry)) return;
      const objectId = getProperty(entry, 'objectId');
      const perms = getProperty(entry, 'permissions');
      const keys = perms.found && isObject(perms.value) ? getProperty(perms.value, 'keys') : { found: false as const };
      const path = [...list.path, i];
      out.push({ kind: 'accessPolicy', resource, path, objectId: objectId.found ? objectId.value : null, keyPermissions: keys.found ? keys.value : null, entry: entryLabel(resource, path, several) });
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
    let level: RoleGrant['level'] | undefined = scope === vaultKey ? 'vault' : scope.startsWith(`${vaultKey}/keys/`) ? 'key' : scope === rgKey ? 'resourceGroup' : scope === subKey ? 'subscription' : undefined;
    const levelCertain = level !== undefined;
    if (!level) {
      // A literal id against one with unknown parts (the subscription not given): the same scope only if the
      // deployment goes there. Two ids that both have unknown parts are the same only when built the same way.
      const maybe = (k: string): boolean => k.includes('⟨') !== scope.includes('⟨') && idKeysMayMatch(scope, k) === undefined;
      level = maybe(vaultKey) ? 'vault' : maybe(rgKey) ? 'resourceGroup' : maybe(subKey) ? 'subscription' : undefined;
    }
    // Cheap scope comparisons first: a scan compares every role assignment with every CMK vault.
    if (!level || !linkable(ra, vault, ra.scope) || graph.goesWithOwnCopy(ra, vault)) continue;
    const principal = read(ra, ['properties', 'principalId']);
    const role = read(ra, ['properties', 'roleDefinitionId']);
    const type = read(ra, ['properties', 'principalType']);
    out.push({
      kind: 'role',
      resource: ra,
      principalId: principal.state === 'missing' ? null : principal.value,
      roleDefinitionId: role.state === 'missing' ? null : role.value,
      principalType: type.state === 'missing' ? undefined : type.value,
      level,
      levelCertain,
    });
  }
  return out;
}

/** The role GUID at the end of a role definition id, when known. */
export function roleGuid(roleDefinitionId: Value): string | undefined {
  const text = typeof roleDefinitionId === 'string' ? roleDefinitionId : roleDefinitionId instanceof PartialString ? roleDefinitionId.suffix : undefined;
  const m = text ? /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i.exec(text) : null;
  return m ? m[1]!.toLowerCase() : undefined;
}


/** API versions from this one create vaults with Azure RBAC when enableRbacAuthorization is not set. */
const RBAC_BY_DEFAULT_FROM = '2026-02-01';

/**
 * The vault's permission model (true for Azure RBAC, false for access policies), why, and the path that decides
 * it. `enableRbacAuthorization` counts only under an API version that knows it (from 2019-09-01); when it is not
 * set, or ignored, the API version's default applies.
 */
export function vaultModel(vault: EvaluatedResource): { rbac: Tri; why: string; path: JsonPath; ignored?: boolean } {
  const flag = setting(vault, ['properties', 'enableRbacAuthorization']);
  if (flag.state === 'known') {
    const b = asBoolean(flag.value);
    return { rbac: b, why: b === undefined ? `enableRbacAuthorization is ${display(flag.value)}` : `enableRbacAuthorization is ${b}`, path: flag.path };
  }
  if (flag.state === 'unknown') return { rbac: undefined, why: `enableRbacAuthorization is not known: ${flag.why}`, path: flag.path };
  const rbac = apiVersionIsFrom(vault.apiVersion, RBAC_BY_DEFAULT_FROM);
  if (rbac === undefined) return { rbac: undefined, why: 'enableRbacAuthorization is not set and the API version is not known', path: ['apiVersion'] };
  const notSet = flag.ignored ? `${flag.ignored}, and` : 'enableRbacAuthorization is not set, and';
  return {
    rbac,
    why: rbac
      ? `${notSet} API version ${vault.apiVersion} creates vaults with Azure RBAC by default`
      : `${notSet} before API version ${RBAC_BY_DEFAULT_FROM} vaults are created with access policies`,
    path: flag.path,
    ignored: !!flag.ignored,
  };
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
  /**
   * A role assignment's principalType, when set, is ServicePrincipal, which every managed identity is: ARM
   * refuses any other (UnmatchedPrincipalType), and the deployment fails.
   */
  principalType: Tri;
  /** An access policy entry's tenantId is the vault's: Key Vault ignores entries of another tenant. */
  tenant: Tri;
  /** The two tenant ids, for messages, when `tenant` is false. */
  tenants?: { entry: Value; vault: Value };
  ok: Tri;
  /** Where this grant is decided, in `grant.resource`: the defect when ok is false, the unknown when undefined. */
  path: JsonPath;
  /** The unknown value behind an undefined `ok`. */
  unknownValue?: Value;
  /** The grant is right, but whether it is deployed depends on a condition not known before deployment. */
  conditional?: true;
  /** For messages. */
  label: string;
}

/**
 * A grant that is right in every other respect, but whose resource (not the vault itself) has a condition that
 * is only known at deployment: it may not be there. `ok` becomes undefined, pointing at the condition.
 */
function unlessUndeployed(c: GrantCheck, vault: EvaluatedResource): GrantCheck {
  const r = c.grant.resource;
  if (c.ok !== true || r === vault || r.deployed !== 'unknown') return c;
  return { ...c, ok: undefined, path: ['condition'], unknownValue: r.condition ?? null, conditional: true };
}

/**
 * Does the grant name the principal (or an access policy entry the vault's tenant)? A grant from another
 * evaluation than the registry's that names it through the same parameters is not proof: each template's
 * parameters get their own values.
 */
function knownPrincipalMatch(grantPrincipal: Value, principal: Value, grant: EvaluatedResource, registry: EvaluatedResource): Tri {
  if (grantPrincipal === null || typeof grantPrincipal === 'boolean' || typeof grantPrincipal === 'number' || Array.isArray(grantPrincipal) || isObject(grantPrincipal)) return false;
  const same = samePrincipal(grantPrincipal, principal);
  if (same === true && grant.unit !== registry.unit && !(sharedAcrossEvaluations(grantPrincipal) && sharedAcrossEvaluations(principal))) return undefined;
  return same;
}

/**
 * The unknown that keeps a grant's principal from being decided: when both name an identity's runtime
 * property, the identity id that is only partly known (its subscription, say); when the grant names a
 * literal GUID, the identity's principal id it might be; else the grant's value.
 */
function principalUnknown(grantPrincipal: Value, principal: Value): Value {
  const ra = identityRefOf(grantPrincipal);
  const rb = identityRefOf(principal);
  if (ra && rb) return isUnknown(ra.target) ? ra.target : isUnknown(rb.target) ? rb.target : grantPrincipal;
  return typeof grantPrincipal === 'string' && isUnknown(principal) ? principal : grantPrincipal;
}

function namesClientIdOf(grantPrincipal: Value, target: Value | undefined): boolean {
  const ref = identityRefOf(grantPrincipal);
  return !!ref && target !== undefined && !ref.system && ref.property.toLowerCase() === 'clientid' && idKey(ref.target) === idKey(target);
}

const NEEDED = ['get', 'wrapKey', 'unwrapKey'];

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
  const blocks = perms.value;
  const covers = (action: string): Tri =>
    or3(
      ...blocks.map((block): Tri => {
        if (isUnknown(block)) return undefined;
        if (!isObject(block)) return false;
        const list = (x: ReturnType<typeof getProperty>): Value[] | undefined => (x.found ? (Array.isArray(x.value) ? x.value : undefined) : []);
        const allows = list(getProperty(block, 'dataActions'));
        const denies = list(getProperty(block, 'notDataActions'));
        if (allows === undefined || denies === undefined) return undefined;
        const allowed = or3(...allows.map((p) => actionMatches(p, action)));
        const denied = or3(...denies.map((p) => actionMatches(p, action)));
        return and3(allowed, denied === undefined ? undefined : !denied);
      }),
    );
  return and3(...KEY_DATA_ACTIONS.map(covers));
}

const UNKNOWN_ROLE = 'the assigned role';

/** Whether a role covers key access, and its name for messages (`builtIn`: a role name such as 'Owner'). */
function roleCovers(graph: ScanGraph, roleDefinitionId: Value): { ok: Tri; name: string; builtIn?: true } {
  const guid = roleGuid(roleDefinitionId);
  if (guid && KEY_ACCESS_ROLES[guid]) return { ok: true, name: KEY_ACCESS_ROLES[guid]!, builtIn: true };
  if (guid && NON_KEY_ROLES[guid]) return { ok: false, name: NON_KEY_ROLES[guid]!, builtIn: true };
  // A custom role defined in the scan: judge its data actions.
  const k = idKey(roleDefinitionId);
  const def = graph.declared('Microsoft.Authorization/roleDefinitions').find((d) => d.deployed !== false && k.endsWith(`/${idKey(d.name)}`));
  if (def) return { ok: customRoleCovers(def), name: `custom role '${nameOf(def)}'` };
  if (guid) return { ok: undefined, name: `role ${guid}` };
  return { ok: undefined, name: UNKNOWN_ROLE };
}

/** The CMK key's resource id key, when it can be told. */
function cmkKeyIdKey(link: CmkLink, vault: EvaluatedResource): string | undefined {
  if (link.key) return idKey(link.key.id);
  const keyName = link.keyIdentifier.keyName;
  return typeof keyName === 'string' ? `${idKey(vault.id)}/keys/${keyName.toLowerCase()}` : undefined;
}

/**
 * "the Owner role assignment 'ra' on vault 'kv'"; a role known by other means than its name goes after the
 * assignment ("the role assignment of custom role 'x'"), and one not known at all is left out.
 */
function roleLabel(g: RoleGrant, vault: EvaluatedResource, role: ReturnType<typeof roleCovers>): string {
  const sym = g.resource.symbolicName ? ` '${g.resource.symbolicName}'` : '';
  const on =
    g.level === 'vault'
      ? `on vault '${nameOf(vault)}'`
      : g.level === 'key'
        ? `on key '${lastSegment(g.resource.scope)}'`
        : g.level === 'resourceGroup'
          ? "on the vault's resource group"
          : "on the vault's subscription";
  if (role.builtIn) return `the ${role.name} role assignment${sym} ${on}`;
  return `the role assignment${sym}${role.name === UNKNOWN_ROLE ? '' : ` of ${role.name}`} ${on}`;
}

/** The principal types a managed identity (a service principal) is not; ARM refuses an assignment with one. */
const OTHER_PRINCIPAL_TYPES = ['user', 'group', 'foreigngroup', 'device'];

/**
 * Three-valued: does a role assignment's principalType fit a managed identity? Absent or '' (as Azure Verified
 * Modules write "not set") leaves the type to ARM; a value that is no principal type at all is SCH001's.
 */
function principalTypeFits(type: Value | undefined): Tri {
  if (type === undefined || type === null || type === '') return true;
  if (typeof type === 'string') return !OTHER_PRINCIPAL_TYPES.includes(type.toLowerCase());
  // An if() between known values: each value judged as written ('' and null() leave the type to ARM).
  const choices = possibleValues(type);
  if (choices) {
    const answers = new Set(choices.map((c) => principalTypeFits(c)));
    return answers.size === 1 ? [...answers][0] : undefined;
  }
  // Partly known and not ServicePrincipal: the deployment fails, whether ARM refuses the type or its spelling.
  return isUnknown(type) ? equalsIgnoreCase(type, 'ServicePrincipal') : true;
}

/** Every grant on `vault` (both models), judged for `principal`. */
export function checkGrants(graph: ScanGraph, vault: EvaluatedResource, link: CmkLink, p: CmkPrincipal): GrantCheck[] {
  const out: GrantCheck[] = [];
  const principal = p.principal!;
  for (const g of accessPolicyGrants(graph, vault)) {
    const who = knownPrincipalMatch(g.objectId, principal, g.resource, link.registry);
    const perms = keyPermissions(g.keyPermissions);
    const entry = read(g.resource, g.path);
    const app = entry.state === 'known' && isObject(entry.value) ? getProperty(entry.value, 'applicationId') : { found: false as const };
    const compound: Tri = !app.found || app.value === null || app.value === '' ? false : isUnknown(app.value) ? undefined : true;
    // "All identities in the array must use the same tenant ID as the key vault's tenant ID" (domain.md §1.1).
    // Both are required (SCH001 reports a missing one): without either, there is nothing to compare.
    const entryTenant = read(g.resource, [...g.path, 'tenantId']);
    const vaultTenant = read(vault, ['properties', 'tenantId']);
    const tenant: Tri = entryTenant.state === 'missing' || vaultTenant.state === 'missing' ? true : knownPrincipalMatch(entryTenant.value, vaultTenant.value, g.resource, vault);
    const ok = and3(who, perms.ok, tenant, compound === undefined ? undefined : !compound);
    const where = `${g.resource === vault ? `the access policy of vault '${nameOf(vault)}'` : `the access policy in '${nameOf(g.resource)}'`}${g.entry}`;
    let path: JsonPath = g.path;
    let unknownValue: Value | undefined;
    if (who === false || (who === undefined && ok !== false)) {
      path = [...g.path, 'objectId'];
      if (who === undefined) unknownValue = principalUnknown(g.objectId, principal);
    } else if (perms.ok === false || (perms.ok === undefined && ok !== false)) {
      path = [...g.path, 'permissions', 'keys'];
      if (perms.ok === undefined) unknownValue = g.keyPermissions;
    } else if (tenant !== true && entryTenant.state !== 'missing' && vaultTenant.state !== 'missing') {
      path = entryTenant.path;
      // The side that is only known at deployment (subscription().tenantId against a literal GUID, say).
      if (tenant === undefined) unknownValue = isUnknown(vaultTenant.value) ? vaultTenant.value : entryTenant.value;
    } else if (compound !== false) {
      path = [...g.path, 'applicationId'];
      if (compound === undefined) unknownValue = app.found ? app.value : null;
    }
    out.push(unlessUndeployed({
      grant: g,
      model: 'accessPolicy',
      principal: who,
      clientIdInstead: namesClientIdOf(g.objectId, p.target),
      permission: perms.ok,
      lacking: perms.missing.join(', '),
      scope: true,
      compound,
      principalType: true,
      tenant,
      tenants: tenant === false && entryTenant.state !== 'missing' && vaultTenant.state !== 'missing' ? { entry: entryTenant.value, vault: vaultTenant.value } : undefined,
      ok,
      path,
      unknownValue,
      label: where,
    }, vault));
  }
  const keyIdKey = cmkKeyIdKey(link, vault);
  for (const g of roleGrants(graph, vault)) {
    const who = knownPrincipalMatch(g.principalId, principal, g.resource, link.registry);
    const role = roleCovers(graph, g.roleDefinitionId);
    const scope: Tri = !g.levelCertain ? undefined : g.level !== 'key' ? true : keyIdKey === undefined ? undefined : idKey(g.resource.scope) === keyIdKey;
    const principalType = principalTypeFits(g.principalType);
    const ok = and3(who, principalType, role.ok, scope);
    let path: JsonPath = [];
    let unknownValue: Value | undefined;
    if (who === false || (who === undefined && ok !== false)) {
      path = read(g.resource, ['properties', 'principalId']).path;
      if (who === undefined) unknownValue = principalUnknown(g.principalId, principal);
    } else if (principalType === false || (principalType === undefined && ok !== false)) {
      path = read(g.resource, ['properties', 'principalType']).path;
      if (principalType === undefined) unknownValue = g.principalType;
    } else if (role.ok === false || (role.ok === undefined && ok !== false)) {
      path = read(g.resource, ['properties', 'roleDefinitionId']).path;
      if (role.ok === undefined) unknownValue = g.roleDefinitionId;
    } else if (scope !== true) {
      path = ['scope'];
      // Whether the assignment's scope is the vault's depends on where the deployment goes.
      if (!g.levelCertain) unknownValue = isUnknown(g.resource.scope) ? g.resource.scope : vault.id;
    }
    out.push(unlessUndeployed({
      grant: g,
      model: 'rbac',
      principal: who,
      clientIdInstead: namesClientIdOf(g.principalId, p.target),
      permission: role.ok,
      lacking: role.name,
      scope,
      compound: false,
      principalType,
      tenant: true,
      ok,
      path,
      unknownValue,
      label: roleLabel(g, vault, role),
    }, vault));
  }
  return out;
}
