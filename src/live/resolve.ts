/**
 * Live mode: reads from Azure Resource Manager the parts of the CMK chain that the scanned templates only
 * name — the vault and key of a key identifier or an `existing` declaration, the user-assigned identities a
 * registry attaches, the role assignments and diagnostic settings of such a vault — and turns them into
 * resources the rules check like any other. Each live resource remembers where the template names it, so
 * findings about it point there. What cannot be read becomes a note that keeps the affected checks
 * undetermined and says why.
 */
import { idKey } from '../eval/ids.js';
import type { EvaluatedResource, JsonPath, LiveRecovery } from '../eval/template.js';
import { fromJson, type ValueObject } from '../eval/value.js';
import { KEY, ScanGraph, VAULT, type CmkLink } from '../graph.js';
import { IDENTITY, attachedIdentities, cmkPrincipal } from '../identity.js';
import { recovered } from '../settings.js';
import { sourcePathOf } from '../sourcemap.js';
import { API_VERSIONS, ArmError, toArmError, type ArmObject, type ArmReader } from './arm.js';

const ROLE_ASSIGNMENT = 'Microsoft.Authorization/roleAssignments';
const DIAGNOSTIC_SETTING = 'Microsoft.Insights/diagnosticSettings';

/** Where a template names a resource that live mode read: findings about the resource point here. */
interface Anchor {
  file: string;
  path: JsonPath;
}

export interface LiveOutcome {
  resources: EvaluatedResource[];
  /** Why something could not be read, by `vault:<name>`, `key:<vault>/<key>`, `identity:<id>` or `recover:<vault>` (lower case). */
  notes: Map<string, string>;
  /** What live mode read for each vault that a template deploys with createMode 'recover'. */
  recoveries: Map<EvaluatedResource, LiveRecovery>;
  /** Ids of what it read for them (deleted vaults, vaults). */
  recoveredFrom: string[];
  /** ARM calls made (for the summary and the tests). */
  calls: number;
}

/** A full resource id without unknown parts: `/subscriptions/<sub>/resourceGroups/<rg>/providers/...`. */
const KNOWN_ID = /^\/subscriptions\/[^/\u0000-\u0002]+\/resourcegroups\/[^/\u0000-\u0002]+\/providers\/[^\u0000-\u0002]+$/i;

function knownId(v: unknown): string | undefined {
  return typeof v === 'string' && KNOWN_ID.test(v) ? v.replace(/\/+$/, '') : undefined;
}

/** At most `limit` holders at a time; a released slot passes straight to the next waiter. */
function semaphore(limit: number): { acquire(): Promise<void>; release(): void } {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async acquire() {
      if (active < limit) {
        active++;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release() {
      const next = waiting.shift();
      if (next) next();
      else active--;
    },
  };
}

/** `vault` of `/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/vault/keys/k` → `vault/k`. */
function nameFromId(id: string): string {
  const provider = id.slice(id.toLowerCase().lastIndexOf('/providers/') + '/providers/'.length).split('/');
  return provider.slice(2).filter((_, i) => i % 2 === 0).join('/');
}

function resourceGroupOf(id: string): string {
  const m = /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+)/i.exec(id);
  return m ? m[1]! : '';
}

function record(type: string, id: string, body: Record<string, unknown>, anchor: Anchor, scope: string, apiVersion: string): EvaluatedResource {
  const { id: _id, name: _name, type: _type, ...rest } = body;
  return {
    key: `live|${type.toLowerCase()}|${id.toLowerCase()}`,
    unit: 'live',
    file: anchor.file,
    path: anchor.path,
    templatePath: [],
    raw: {},
    type,
    apiVersion,
    name: nameFromId(id),
    id,
    scope,
    deployed: true,
    existing: false,
    body: fromJson(JSON.parse(JSON.stringify(rest))) as ValueObject,
    dependsOn: [],
    deploymentPath: [],
    live: { source: 'arm', id },
  };
}

/** The SDK flattens a role assignment's properties; rules read them under `properties`, as ARM returns them. */
function roleAssignmentRecord(ra: ArmObject, anchor: Anchor): EvaluatedResource | undefined {
  const id = typeof ra['id'] === 'string' ? ra['id'] : undefined;
  const scope = typeof ra['scope'] === 'string' ? ra['scope'] : undefined;
  if (!id || !scope) return undefined;
  const properties = { principalId: ra['principalId'], principalType: ra['principalType'], roleDefinitionId: ra['roleDefinitionId'], scope };
  return record(ROLE_ASSIGNMENT, id, { properties }, anchor, scope.replace(/\/+$/, ''), '2022-04-01');
}

interface VaultNeed {
  anchor: Anchor;
  /** Known id (from an `existing` declaration or a key reference), else found by name. */
  id?: string;
  name?: string;
  keyNames: Set<string>;
}

function anchorOfLink(link: CmkLink): Anchor {
  if (link.vault?.existing) return { file: link.vault.file, path: link.vault.path };
  return { file: link.registry.file, path: sourcePathOf(link.registry, link.keyIdentifierPath) };
}

interface KeyNeed {
  vaultId: string;
  keyName: string;
  anchor: Anchor;
}

/**
 * What the rules need and the scan lacks: vaults (with keys), keys of vaults the scan deploys (a key is often
 * created by a script or in the portal), and user-assigned identities.
 */
function needs(graph: ScanGraph): { vaults: VaultNeed[]; keys: KeyNeed[]; identities: Map<string, { id: string; anchor: Anchor }> } {
  const vaults = new Map<string, VaultNeed>();
  const keys = new Map<string, KeyNeed>();
  for (const link of graph.cmkLinks()) {
    const kid = link.keyIdentifier;
    if (kid.status !== 'valid') continue;
    if (link.vault && !link.vault.existing) {
      const vaultId = knownId(link.vault.id);
      if (vaultId && typeof kid.keyName === 'string' && !(link.key && !link.key.existing)) {
        keys.set(`${idKey(vaultId)}/keys/${kid.keyName.toLowerCase()}`, { vaultId, keyName: kid.keyName, anchor: anchorOfLink(link) });
      }
      continue;
    }
    const fromKey = kid.fromResource?.kind === 'key' ? knownId(kid.fromResource.id)?.replace(/\/keys\/[^/]+$/i, '') : undefined;
    const fromVault = kid.fromResource?.kind === 'vault' ? knownId(kid.fromResource.id) : undefined;
    const id = knownId(link.vault?.id) ?? fromKey ?? fromVault;
    const name = typeof kid.vaultName === 'string' ? kid.vaultName : typeof link.vault?.name === 'string' ? link.vault.name : id?.split('/').pop();
    if (!id && !name) continue;
    const k = id ? idKey(id) : `name:${name!.toLowerCase()}`;
    const need = vaults.get(k) ?? { anchor: anchorOfLink(link), id, name, keyNames: new Set<string>() };
    if (typeof kid.keyName === 'string' && !(link.key && !link.key.existing)) need.keyNames.add(kid.keyName);
    vaults.set(k, need);
  }
  const declared = new Set(graph.declared(IDENTITY).filter((r) => !r.existing).map((r) => idKey(r.id)));
  const identities = new Map<string, { id: string; anchor: Anchor }>();
  for (const { registry } of graph.cmkCandidates()) {
    const attached = attachedIdentities(registry);
    const candidates = [...attached.list.map((a) => a.id), cmkPrincipal(graph, registry)?.target];
    for (const c of candidates) {
      const id = knownId(c);
      if (!id || !/\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i.test(id) || declared.has(idKey(id))) continue;
      identities.set(idKey(id), { id, anchor: { file: registry.file, path: sourcePathOf(registry, attached.path) } });
    }
  }
  return { vaults: [...vaults.values()], keys: [...keys.values()], identities };
}

/** Settings live mode takes from ARM for a recovered vault: a deleted vault's record shows no other. */
const RECOVERED_SETTINGS = ['enablePurgeProtection'];
const RECOVERED_OTHERS = 'live mode reads only purge protection from the vault it recovers (ARM shows no other setting of a deleted vault)';

interface RecoverNeed {
  vaults: EvaluatedResource[];
  name: string;
  subscriptionId: string;
  /** As ARM writes locations in URLs: `West Europe` → `westeurope`. */
  location: string;
  /** The vault's own id, to read it when it is not deleted. */
  vaultId?: string;
}

/**
 * Vaults a template deploys with createMode 'recover': what identifies the deleted vault each brings back, or
 * why that is not known (by vault).
 */
function recoverNeeds(resources: readonly EvaluatedResource[], subscriptionId: string | undefined): { needs: RecoverNeed[]; unknown: Map<EvaluatedResource, string> } {
  const needs = new Map<string, RecoverNeed>();
  const unknown = new Map<EvaluatedResource, string>();
  for (const r of resources) {
    if (r.type.toLowerCase() !== VAULT.toLowerCase() || r.existing || r.deployed === false || recovered(r).recover !== true) continue;
    const vaultId = knownId(r.id);
    const sub = vaultId ? vaultId.split('/')[2]! : subscriptionId;
    const location = r.body['location'];
    if (typeof r.name !== 'string') unknown.set(r, "the vault's name is not known before deployment");
    else if (!sub) unknown.set(r, 'live mode needs --subscription-id to look for the deleted vault');
    else if (typeof location !== 'string' || !location.trim()) unknown.set(r, "the vault's location is not known before deployment (give --location, or write it as a literal)");
    else {
      const at = location.replace(/\s+/g, '').toLowerCase();
      const k = `${sub}|${at}|${r.name}`.toLowerCase();
      const need = needs.get(k) ?? { vaults: [], name: r.name, subscriptionId: sub, location: at, vaultId };
      need.vaults.push(r);
      needs.set(k, need);
    }
  }
  return { needs: [...needs.values()], unknown };
}

/** Reads what the templates only name; never throws for ARM errors (they become notes). */
export async function resolveLive(resources: readonly EvaluatedResource[], reader: ArmReader, options: { concurrency?: number; subscriptionId?: string } = {}): Promise<LiveOutcome> {
  const graph = new ScanGraph(resources);
  const { vaults, keys, identities } = needs(graph);
  const out: EvaluatedResource[] = [];
  const notes = new Map<string, string>();
  let calls = 0;
  const slots = semaphore(Math.max(1, options.concurrency ?? 4));
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T | ArmError> => {
    await slots.acquire();
    calls++;
    try {
      return await fn();
    } catch (err) {
      return err instanceof ArmError ? err : toArmError(err, what);
    } finally {
      slots.release();
    }
  };
  const why = (err: ArmError): string => {
    const hint =
      err.status === 401 || err.status === 403
        ? "; give the identity cmkguard runs as the Reader role on the vault's resource group (or sign in with `az login`)"
        : err.status === 404
          ? ''
          : err.code && /Authentication|Credential/.test(err.code)
            ? '; sign in with `az login`, use workload identity or a managed identity, or set CMKGUARD_ARM_TOKEN'
            : '; check the network and --arm-endpoint';
    return `${err.message}${hint}`;
  };

  const vaultTasks = vaults.map((need) => async (): Promise<void> => {
    const label = need.name ?? need.id!;
    let id = need.id;
    if (!id) {
      if (!options.subscriptionId) {
        notes.set(`vault:${label.toLowerCase()}`, `live mode needs --subscription-id to find vault '${label}' by name`);
        return;
      }
      const found = await call(`finding vault '${label}'`, () => reader.findByName(VAULT, label));
      if (found instanceof ArmError) return void notes.set(`vault:${label.toLowerCase()}`, why(found));
      const ids = found.map((r) => knownId(r['id'])).filter((x): x is string => x !== undefined);
      if (ids.length !== 1) {
        notes.set(`vault:${label.toLowerCase()}`, ids.length ? `${ids.length} vaults are named '${label}' in subscription ${options.subscriptionId}` : `no vault named '${label}' in subscription ${options.subscriptionId}`);
        return;
      }
      id = ids[0]!;
    }
    const vault = await call(`reading vault '${label}'`, () => reader.getById(id!, API_VERSIONS.vault));
    if (vault instanceof ArmError) return void notes.set(`vault:${label.toLowerCase()}`, why(vault));
    const vaultId = knownId(vault['id']) ?? id;
    out.push(record(VAULT, vaultId, vault, need.anchor, resourceGroupOf(vaultId), API_VERSIONS.vault));
    const vaultName = nameFromId(vaultId);
    await Promise.all([
      ...[...need.keyNames].map((keyName) => readKey(vaultId, keyName, need.anchor)),
      (async () => {
        const assignments = await call(`listing role assignments at vault '${vaultName}'`, () => reader.roleAssignmentsAt(vaultId));
        if (assignments instanceof ArmError) return void notes.set(`roles:${vaultName}`.toLowerCase(), why(assignments));
        for (const ra of assignments) {
          const r = roleAssignmentRecord(ra, need.anchor);
          if (r) out.push(r);
        }
      })(),
      (async () => {
        const settings = await call(`listing diagnostic settings of vault '${vaultName}'`, () => reader.diagnosticSettingsOf(vaultId));
        if (settings instanceof ArmError) return void notes.set(`diagnostics:${vaultName}`.toLowerCase(), why(settings));
        for (const s of settings) {
          const sid = typeof s['id'] === 'string' ? s['id'] : `${vaultId}/providers/${DIAGNOSTIC_SETTING}/${String(s['name'])}`;
          out.push({ ...record(DIAGNOSTIC_SETTING, sid, s, need.anchor, vaultId, API_VERSIONS.diagnosticSettings), name: String(s['name'] ?? sid.split('/').pop()) });
        }
      })(),
    ]);
  });

  const readKey = async (vaultId: string, keyName: string, anchor: Anchor): Promise<void> => {
    const vaultName = nameFromId(vaultId);
    const key = await call(`reading key '${vaultName}/${keyName}'`, () => reader.getById(`${vaultId}/keys/${keyName}`, API_VERSIONS.key));
    if (key instanceof ArmError) return void notes.set(`key:${vaultName}/${keyName}`.toLowerCase(), why(key));
    out.push(record(KEY, knownId(key['id']) ?? `${vaultId}/keys/${keyName}`, key, anchor, resourceGroupOf(vaultId), API_VERSIONS.key));
  };
  const keyTasks = keys.map((k) => () => readKey(k.vaultId, k.keyName, k.anchor));

  const identityTasks = [...identities.values()].map(({ id, anchor }) => async (): Promise<void> => {
    const identity = await call(`reading identity '${id.split('/').pop()}'`, () => reader.getById(id, API_VERSIONS.identity));
    if (identity instanceof ArmError) return void notes.set(`identity:${idKey(id)}`, why(identity));
    out.push(record(IDENTITY, knownId(identity['id']) ?? id, identity, anchor, resourceGroupOf(id), API_VERSIONS.identity));
  });

  // A recovered vault comes back with the settings of the soft-deleted vault; a vault of that name that is not
  // deleted keeps its own. Read the deleted vault first, then the vault.
  const recoveries = new Map<EvaluatedResource, LiveRecovery>();
  const recoveredFrom: string[] = [];
  const toRecover = recoverNeeds(resources, options.subscriptionId);
  for (const [vault, failed] of toRecover.unknown) {
    recoveries.set(vault, { reads: RECOVERED_SETTINGS, others: RECOVERED_OTHERS, failed });
    notes.set(`recover:${vault.key}`, `the vault that ${typeof vault.name === 'string' ? `vault '${vault.name}'` : 'a vault'} recovers (createMode 'recover'): ${failed}`);
  }
  const recoverTasks = toRecover.needs.map((need) => async (): Promise<void> => {
    const settle = (recovery: Omit<LiveRecovery, 'reads' | 'others'>): void => {
      for (const v of need.vaults) recoveries.set(v, { reads: RECOVERED_SETTINGS, others: RECOVERED_OTHERS, ...recovery });
      if (recovery.failed) notes.set(`recover:${need.name}`.toLowerCase(), recovery.failed);
    };
    const deletedId = `/subscriptions/${need.subscriptionId}/providers/Microsoft.KeyVault/locations/${need.location}/deletedVaults/${need.name}`;
    const deleted = await call(`reading deleted vault '${need.name}' in ${need.location}`, () => reader.deletedVault(need.subscriptionId, need.location, need.name));
    if (!(deleted instanceof ArmError)) {
      const props = (deleted['properties'] ?? {}) as ArmObject;
      const settings = new Map<string, boolean>();
      if (typeof props['purgeProtectionEnabled'] === 'boolean') settings.set('enablePurgeProtection', props['purgeProtectionEnabled']);
      const id = typeof deleted['id'] === 'string' ? deleted['id'] : deletedId;
      recoveredFrom.push(id);
      return settle({ found: { id, what: 'the soft-deleted vault it recovers', settings } });
    }
    const live = need.vaultId ? await call(`reading vault '${need.name}'`, () => reader.getById(need.vaultId!, API_VERSIONS.vault)) : undefined;
    if (live && !(live instanceof ArmError)) {
      // Purge protection cannot be turned off, and a template that does not set it does not turn it on.
      const on = ((live['properties'] ?? {}) as ArmObject)['enablePurgeProtection'] === true;
      const id = knownId(live['id']) ?? need.vaultId!;
      recoveredFrom.push(id);
      return settle({ found: { id, what: 'the vault of that name, which exists (it is not deleted)', settings: new Map([['enablePurgeProtection', on]]) } });
    }
    if (deleted.status === 404 && (!live || live.status === 404)) {
      const noVault = need.vaultId ? ` and no vault ${need.vaultId}` : '';
      return settle({ failed: `ARM has no soft-deleted vault '${need.name}' in ${need.location} of subscription ${need.subscriptionId}${noVault}, so there is nothing to recover` });
    }
    const err = deleted.status !== 404 ? deleted : (live as ArmError);
    const hint =
      err === deleted && (err.status === 401 || err.status === 403)
        ? '; give the identity cmkguard runs as the Reader role on the subscription (deleted vaults are read at subscription scope: Microsoft.KeyVault/locations/deletedVaults/read)'
        : undefined;
    settle({ failed: hint ? `${err.message}${hint}` : why(err) });
  });

  await Promise.all([...vaultTasks, ...keyTasks, ...identityTasks, ...recoverTasks].map((task) => task()));
  // Concurrent reads finish in any order; the scan's output must not.
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  recoveredFrom.sort();
  return { resources: out, notes, calls, recoveries, recoveredFrom };
}
