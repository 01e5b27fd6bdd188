/**
 * The resources of a whole scan and the links of the CMK chain: registry → key identifier → vault → key.
 * A vault or key declared in another template of the scan is found by id, or by name when the id is
 * partly unknown.
 */
import type { EvaluatedResource } from './eval/template.js';
import { displayPart, idKey } from './eval/ids.js';
import { PartialString, Unknown, sharedAcrossEvaluations, textWithHoles, type Value } from './eval/value.js';
import { equalsIgnoreCase, read } from './rule-api.js';
import { addTo } from './collections.js';

export const REGISTRY = 'Microsoft.ContainerRegistry/registries';
export const VAULT = 'Microsoft.KeyVault/vaults';
export const KEY = 'Microsoft.KeyVault/vaults/keys';
const DEPLOYMENT = 'Microsoft.Resources/deployments';

/** Resource types that rules read; other resources keep only their identity and dependencies in a scan. */
const MODELLED = new Set(
  [
    REGISTRY,
    `${REGISTRY}/replications`,
    VAULT,
    KEY,
    `${VAULT}/accessPolicies`,
    'Microsoft.ManagedIdentity/userAssignedIdentities',
    'Microsoft.Authorization/roleAssignments',
    'Microsoft.Authorization/roleDefinitions',
    'Microsoft.Insights/diagnosticSettings',
  ].map((t) => t.toLowerCase()),
);

export function isModelled(type: string): boolean {
  const t = type.toLowerCase();
  return MODELLED.has(t) || t.endsWith('/providers/roleassignments') || t.endsWith('/providers/diagnosticsettings');
}

export const VAULT_DNS_SUFFIXES = ['vault.azure.net', 'vault.azure.cn', 'vault.usgovcloudapi.net', 'vault.microsoftazure.de'];

/** What a `keyIdentifier` says, as far as it is known. */
export interface KeyIdentifier {
  value: Value;
  /** `valid`: a Key Vault key URI; `invalid`: certainly not one (`problem` says why); `unknown`: cannot tell. */
  status: 'valid' | 'invalid' | 'unknown';
  problem?: string;
  vaultName?: Value;
  keyName?: Value;
  /** `none`: versionless; `pinned`: has a version; `unknown`: cannot tell. */
  version: 'none' | 'pinned' | 'unknown';
  /** The id of the vault or key resource the identifier was computed from (`reference(key).keyUri`). */
  fromResource?: { id: Value; kind: 'vault' | 'key' };
}

export interface CmkLink {
  registry: EvaluatedResource;
  keyIdentifier: KeyIdentifier;
  /** Path of the key identifier in the registry, for locating findings about it. */
  keyIdentifierPath: (string | number)[];
  vault?: EvaluatedResource;
  key?: EvaluatedResource;
  /** Why the vault is not in the scan (or is only declared `existing`), for undetermined messages. */
  vaultMissing?: string;
  /** Why live mode could not read the key, when it tried and failed. */
  keyLiveNote?: string;
}

const SENTINEL = /\u0001(\d+)\u0002/g;
const URI_PATTERN = new RegExp(
  `^https://([^./]+)\\.(${VAULT_DNS_SUFFIXES.map((s) => s.replace(/\./g, '\\.')).join('|')})(?::443)?/keys/([^/]+)(?:/([^/]*))?/?$`,
  'i',
);

/** Interprets a key identifier value, known, partly known or computed from a vault or key resource. */
export function parseKeyIdentifier(value: Value): KeyIdentifier {
  if (value instanceof Unknown) {
    const ref = value.ref;
    const prop = ref && ref.path.length === 2 && ref.path[0]!.toLowerCase() === 'properties' ? ref.path[1]!.toLowerCase() : undefined;
    if (ref && (prop === 'keyuri' || prop === 'keyuriwithversion') && isManagedHsmKeyId(ref.target)) return { value, status: 'invalid', problem: MANAGED_HSM, version: 'unknown' };
    if (ref && prop === 'keyuri') return { value, status: 'valid', version: 'none', ...namesFromKeyId(ref.target), fromResource: { id: ref.target, kind: 'key' } };
    if (ref && prop === 'keyuriwithversion') return { value, status: 'valid', version: 'pinned', ...namesFromKeyId(ref.target), fromResource: { id: ref.target, kind: 'key' } };
    return { value, status: 'unknown', version: 'unknown' };
  }
  if (typeof value === 'string') {
    return parseKnownUri(value, (text) => text);
  }
  if (value instanceof PartialString) {
    // Replace each unknown part with a sentinel; a vault's runtime vaultUri and a key's runtime keyUri are
    // known in shape (`format('{0}/{1}', key.keyUri, keyVersion)` is how modules pin a version).
    const holes: Value[] = [];
    let from: KeyIdentifier['fromResource'];
    let managedHsm = false;
    const text = value.parts
      .map((p) => {
        if (typeof p === 'string') return p;
        const ref = p.ref;
        const prop = ref && ref.path.length === 2 ? ref.path[1]!.toLowerCase() : undefined;
        if (ref && prop === 'vaulturi') {
          from = { id: ref.target, kind: 'vault' };
          return `https://${hole(holes, lastSegmentAfter(ref.target, 'vaults') ?? p)}.vault.azure.net/`;
        }
        if (ref && (prop === 'keyuri' || prop === 'keyuriwithversion')) {
          managedHsm ||= isManagedHsmKeyId(ref.target);
          from = { id: ref.target, kind: 'key' };
          const names = namesFromKeyId(ref.target);
          const uri = `https://${hole(holes, names.vaultName ?? p)}.vault.azure.net/keys/${hole(holes, names.keyName ?? p)}`;
          return prop === 'keyuri' ? uri : `${uri}/${hole(holes, p)}`;
        }
        return hole(holes, p);
      })
      .join('');
    if (managedHsm) return { value, status: 'invalid', problem: MANAGED_HSM, version: 'unknown' };
    const parsed = parseKnownUri(text, (t) => unhole(t, holes));
    if (from !== undefined) parsed.fromResource = from;
    // A URI of the right shape whose known version or names are wrong is wrong whatever the unknown parts are.
    if (parsed.status === 'invalid' && !URI_PATTERN.test(text) && !knownHostIsWrong(text) && !hasEmptyPathSegment(text)) {
      return { value, status: 'unknown', version: 'unknown', fromResource: parsed.fromResource };
    }
    return { ...parsed, value };
  }
  return { value, status: 'invalid', problem: `it is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}, not a URI`, version: 'unknown' };
}

function hole(holes: Value[], v: Value): string {
  holes.push(v);
  return `\u0001${holes.length - 1}\u0002`;
}

function unhole(text: string, holes: Value[]): Value {
  if (!text.includes('\u0001')) return text;
  const parts: (string | Unknown | PartialString)[] = [];
  let last = 0;
  for (const m of text.matchAll(SENTINEL)) {
    parts.push(text.slice(last, m.index));
    const v = holes[Number(m[1])]!;
    parts.push(typeof v === 'string' || v instanceof Unknown || v instanceof PartialString ? v : String(v));
    last = m.index! + m[0].length;
  }
  parts.push(text.slice(last));
  return PartialString.of(parts);
}

/**
 * `https://host//keys/k`: an empty path segment, whatever the unknown parts hold (they cannot remove the
 * `//`). The usual cause is `vaultUri` (which ends in '/') joined to '/keys/k'.
 */
function hasEmptyPathSegment(text: string): boolean {
  return /^https:\/\/[^/]+\/(?:[^/]*\/)*\//i.test(text);
}

/** With unknown parts, a failed match proves nothing unless the known host is already wrong. */
function knownHostIsWrong(text: string): boolean {
  const m = /^([a-z]+):\/\/([^/]*)(\/|$)/i.exec(text);
  if (!m) return !text.startsWith('\u0001');
  if (m[1]!.toLowerCase() !== 'https') return true;
  // The known text after the host's last unknown part must be able to end a Key Vault host.
  const tail = m[2]!.toLowerCase().split('\u0002').pop()!;
  const holed = m[2]!.includes('\u0002');
  return !VAULT_DNS_SUFFIXES.some((s) => tail.endsWith(`.${s}`) || (holed && `.${s}`.endsWith(tail)));
}

function parseKnownUri(text: string, toValue: (t: string) => Value): KeyIdentifier {
  const m = URI_PATTERN.exec(text);
  if (!m) {
    const problem = /\.managedhsm\.azure\.net/i.test(text)
      ? MANAGED_HSM
      : !/^https:\/\//i.test(text)
        ? 'it is not an https:// URI'
        : hasEmptyPathSegment(text)
          ? "its path has an empty segment ('//'): a vault's vaultUri already ends in '/', so append 'keys/<name>' to it, not '/keys/<name>'"
          : !/\/keys\//i.test(text)
            ? 'its path is not /keys/<name>[/<version>]'
            : `its host is not a Key Vault host (*.${VAULT_DNS_SUFFIXES.join(', *.')})`;
    return { value: toValue(text), status: 'invalid', problem, version: 'unknown' };
  }
  const version = m[4];
  const base = { value: toValue(text), vaultName: toValue(m[1]!), keyName: toValue(m[3]!) };
  const problem = nameProblem(m[1]!, m[3]!);
  if (problem) return { ...base, status: 'invalid', problem, version: 'unknown' };
  // An unknown part at the end of the key name may itself hold `/<version>`.
  if ((version === undefined || version === '') && /\u0002$/.test(m[3]!)) return { ...base, status: 'valid', version: 'unknown' };
  if (version === undefined || version === '') return { ...base, status: 'valid', version: 'none' };
  if (version.includes('\u0001')) return { ...base, status: 'valid', version: 'pinned' };
  if (!/^[0-9a-f]{32}$/i.test(version)) return { ...base, status: 'invalid', problem: `its version '${version}' is not 32 hexadecimal digits`, version: 'pinned' };
  return { ...base, status: 'valid', version: 'pinned' };
}

/** Vault names are 3-24 and key names 1-127 letters, digits and hyphens; unknown parts are not judged. */
function nameProblem(vault: string, key: string): string | undefined {
  const known = (t: string) => !t.includes('\u0001');
  if (known(vault) && !/^[a-zA-Z0-9-]{3,24}$/.test(vault)) return `vault name '${vault}' is not 3-24 letters, digits and hyphens`;
  if (known(key) && !/^[a-zA-Z0-9-]{1,127}$/.test(key)) return `key name '${key}' is not 1-127 letters, digits and hyphens`;
  return undefined;
}

function isNamePart(v: Value | undefined): v is string | Unknown | PartialString {
  return typeof v === 'string' || v instanceof Unknown || v instanceof PartialString;
}

function lastSegmentAfter(id: Value, type: string): Value | undefined {
  const text = textWithHoles(id);
  if (text === undefined) return undefined;
  const m = new RegExp(`/${type}/([^/]+)$`, 'i').exec(text);
  if (!m || m[1]!.includes('\u0000')) return undefined;
  return m[1];
}

const MANAGED_HSM = 'it names a Managed HSM key; ACR supports keys in Key Vault only';

/** The id of a `Microsoft.KeyVault/managedHSMs/keys` key: its keyUri is on *.managedhsm.azure.net. */
function isManagedHsmKeyId(id: Value): boolean {
  return /\/providers\/microsoft\.keyvault\/managedhsms\/[^/]+\/keys\/[^/]+$/i.test(textWithHoles(id) ?? '');
}

function namesFromKeyId(id: Value): { vaultName?: Value; keyName?: Value } {
  const text = textWithHoles(id) ?? '';
  const m = /\/vaults\/([^/]+)\/keys\/([^/]+)$/i.exec(text);
  if (!m) return {};
  return { vaultName: m[1]!.includes('\u0000') ? undefined : m[1], keyName: m[2]!.includes('\u0000') ? undefined : m[2] };
}

function startsWith(a: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= a.length && prefix.every((p, i) => a[i] === p);
}

/**
 * Whether `candidate`, matched to `near` on `matchedOn` (an id, a scope), can be the resource `near` means:
 * always within one evaluation; across evaluations only when the matched value does not rest on either
 * template's own parameters (src/eval/value.ts sharedAcrossEvaluations).
 */
export function linkable(candidate: EvaluatedResource, near: EvaluatedResource, matchedOn: Value): boolean {
  return candidate.unit === near.unit || sharedAcrossEvaluations(matchedOn);
}

/**
 * Ids built from an unknown deployment context look alike across unrelated templates: matches from the same
 * evaluation (template and parameter file) win; only without any do matches from other templates count.
 */
function sameUnitFirst(matches: EvaluatedResource[], near: EvaluatedResource): EvaluatedResource[] {
  const own = matches.filter((r) => r.unit === near.unit);
  return own.length ? own : matches;
}

export class ScanGraph {
  private readonly byType = new Map<string, EvaluatedResource[]>();
  private links?: CmkLink[];

  /**
   * `resources` may include what live mode read from ARM; `liveNotes` says what it could not read
   * (`vault:<name>`, `key:<vault>/<key>`, `roles:<vault>`, `diagnostics:<vault>`, lower case).
   */
  constructor(
    readonly resources: readonly EvaluatedResource[],
    readonly liveNotes: ReadonlyMap<string, string> = new Map(),
    /** Whether the scan read Azure (`--live`): messages about what is missing then stop suggesting it. */
    readonly liveMode = false,
  ) {
    for (const r of resources) {
      const t = r.type.toLowerCase();
      const list = this.byType.get(t) ?? [];
      list.push(r);
      this.byType.set(t, list);
    }
  }

  /** Resources of a type that the deployment creates (condition not false, not `existing`). */
  deployed(type: string): EvaluatedResource[] {
    return (this.byType.get(type.toLowerCase()) ?? []).filter((r) => r.deployed !== false && !r.existing);
  }

  /** Every declaration of a type, `existing` ones included. */
  declared(type: string): EvaluatedResource[] {
    return this.byType.get(type.toLowerCase()) ?? [];
  }

  private keyIndex?: Map<string, EvaluatedResource>;
  private liveIndex?: Map<string, EvaluatedResource>;

  /** Why live mode could not read the role assignments or diagnostic settings of a vault it read. */
  liveGap(vault: EvaluatedResource, part: 'roles' | 'diagnostics'): string | undefined {
    if (!vault.live || typeof vault.name !== 'string') return undefined;
    return this.liveNotes.get(`${part}:${vault.name.toLowerCase()}`);
  }

  /** A deploy-time property that live mode read: `reference(<identity id>).principalId` becomes its value. */
  liveValue(v: Value): Value {
    if (!(v instanceof Unknown) || !v.ref) return v;
    this.liveIndex ??= new Map(this.resources.filter((r) => r.live).map((r) => [idKey(r.id), r]));
    const target = this.liveIndex.get(idKey(v.ref.target));
    if (!target) return v;
    const found = read(target, v.ref.path);
    return found.state === 'known' ? found.value : v;
  }

  /** What to do about a resource the scan lacks: what live mode could not read, else where to find it. */
  whereElse(liveNote: string | undefined): string {
    if (liveNote) return `live mode could not read it: ${liveNote}`;
    return this.liveMode ? 'scan the template that deploys it too' : 'scan the template that deploys it too, or read it from Azure with --live';
  }

  byKey(key: string): EvaluatedResource | undefined {
    this.keyIndex ??= new Map(this.resources.map((r) => [r.key, r]));
    return this.keyIndex.get(key);
  }

  /**
   * Keys of everything `r` is deployed after: its dependsOn closure, where a resource inside a nested
   * deployment also waits for what that deployment depends on, and depending on a deployment means
   * depending on everything it deploys.
   */
  deployedAfter(r: EvaluatedResource): Set<string> {
    const seen = new Set<string>();
    const stack = [...r.dependsOn, ...this.enclosingDeployments(r).flatMap((d) => d.dependsOn)];
    while (stack.length) {
      const k = stack.pop()!;
      if (seen.has(k)) continue;
      seen.add(k);
      const dep = this.byKey(k);
      if (!dep) continue;
      stack.push(...dep.dependsOn);
      for (const d of this.enclosingDeployments(dep)) stack.push(...d.dependsOn);
      if (dep.type.toLowerCase() === DEPLOYMENT.toLowerCase()) stack.push(...this.contentsOf(dep).map((x) => x.key));
    }
    return seen;
  }

  /** The nested deployment resources that contain `r`, innermost first (same evaluation unit). */
  private enclosingDeployments(r: EvaluatedResource): EvaluatedResource[] {
    const out: EvaluatedResource[] = [];
    for (let depth = r.deploymentPath.length; depth > 0; depth--) {
      const outer = r.deploymentPath.slice(0, depth - 1);
      const name = r.deploymentPath[depth - 1];
      const d = this.declared(DEPLOYMENT).find((x) => x.unit === r.unit && x.deploymentPath.length === outer.length && startsWith(x.deploymentPath, outer) && displayPart(x.name) === name);
      if (d) out.push(d);
    }
    return out;
  }

  /** Everything a nested deployment resource deploys. */
  private contentsOf(d: EvaluatedResource): EvaluatedResource[] {
    const inner = [...d.deploymentPath, displayPart(d.name)];
    return this.resources.filter((x) => x.unit === d.unit && startsWith(x.deploymentPath, inner));
  }

  /** Deployed child resources of `type` under `parent` (by id: `parentId/childType/name`). */
  childrenOf(parent: EvaluatedResource, type: string): EvaluatedResource[] {
    const prefix = `${idKey(parent.id)}/`;
    return sameUnitFirst(
      this.deployed(type).filter((r) => idKey(r.id).startsWith(prefix) && linkable(r, parent, r.id) && !this.goesWithOwnCopy(r, parent)),
      parent,
    );
  }

  /**
   * Whether `r`, from another evaluation than `target`, goes with a copy of `target` that its own evaluation
   * deploys: a dev and a prod template that deploy the same literal names (ids equal while the subscription is
   * unknown) each grant, and configure, their own vault, so prod's vault never borrows dev's grant.
   */
  goesWithOwnCopy(r: EvaluatedResource, target: EvaluatedResource): boolean {
    if (r.unit === target.unit) return false;
    const type = target.type.toLowerCase();
    let byUnit = this.deployedIds.get(type);
    if (!byUnit) {
      byUnit = new Map();
      for (const copy of this.deployed(type)) byUnit.set(copy.unit, (byUnit.get(copy.unit) ?? new Set()).add(idKey(copy.id)));
      this.deployedIds.set(type, byUnit);
    }
    return byUnit.get(r.unit)?.has(idKey(target.id)) ?? false;
  }

  /** Per type and evaluation unit, the id keys of the deployed resources, for goesWithOwnCopy. */
  private readonly deployedIds = new Map<string, Map<string, Set<string>>>();

  /** true/false when the registry's encryption status is known, undefined otherwise. */
  isCmkRegistry(registry: EvaluatedResource): boolean | undefined {
    const status = read(registry, ['properties', 'encryption', 'status']);
    if (status.state === 'missing') return false;
    return equalsIgnoreCase(status.value, 'enabled');
  }

  /** Deployed registries that enable CMK (`cmk` true) or may (`cmk` undefined: known only at deployment). */
  cmkCandidates(): { registry: EvaluatedResource; cmk: true | undefined }[] {
    return this.deployed(REGISTRY).flatMap((registry) => {
      const cmk = this.isCmkRegistry(registry);
      return cmk === false ? [] : [{ registry, cmk }];
    });
  }

  /** Every registry that enables CMK, with its vault and key where the scan has them. */
  cmkLinks(): CmkLink[] {
    if (this.links) return this.links;
    this.links = [];
    for (const registry of this.deployed(REGISTRY)) {
      if (this.isCmkRegistry(registry) !== true) continue;
      const kid = read(registry, ['properties', 'encryption', 'keyVaultProperties', 'keyIdentifier']);
      if (kid.state === 'missing') continue;
      const keyIdentifier = parseKeyIdentifier(kid.value);
      this.links.push({ registry, keyIdentifier, keyIdentifierPath: kid.path, ...this.findVaultAndKey(keyIdentifier, registry) });
    }
    return this.links;
  }

  /** Vaults that hold the CMK key of some registry in the scan. */
  cmkVaults(): Map<EvaluatedResource, CmkLink[]> {
    const out = new Map<EvaluatedResource, CmkLink[]>();
    for (const link of this.cmkLinks()) {
      if (!link.vault) continue;
      addTo(out, link.vault, link);
    }
    return out;
  }

  /**
   * Among resources that match, a deployed one wins over an `existing` declaration, and within each, the one
   * from the same evaluation as `near` wins.
   */
  private pick(matches: EvaluatedResource[], near: EvaluatedResource): EvaluatedResource | undefined {
    const rank = (r: EvaluatedResource): number => (r.existing || r.deployed === false ? 2 : 0) + (r.unit === near.unit ? 0 : 1);
    return [...matches].sort((a, b) => rank(a) - rank(b))[0];
  }

  private findVaultAndKey(kid: KeyIdentifier, registry: EvaluatedResource): Pick<CmkLink, 'vault' | 'key' | 'vaultMissing' | 'keyLiveNote'> {
    if (kid.status !== 'valid') return { vaultMissing: 'the key identifier is not a known Key Vault key URI' };
    const vaults = this.declared(VAULT);
    let vault: EvaluatedResource | undefined;
    let key: EvaluatedResource | undefined;
    if (kid.fromResource?.kind === 'key') {
      const k = idKey(kid.fromResource.id);
      key = this.pick(this.declared(KEY).filter((r) => idKey(r.id) === k && linkable(r, registry, r.id)), registry);
      if (key) {
        const vaultId = idKey(key.id).replace(/\/keys\/[^/]+$/, '');
        vault = this.pick(vaults.filter((v) => idKey(v.id) === vaultId && linkable(v, key!, v.id)), key);
      }
    } else if (kid.fromResource?.kind === 'vault') {
      const k = idKey(kid.fromResource.id);
      vault = this.pick(vaults.filter((v) => idKey(v.id) === k && linkable(v, registry, v.id)), registry);
    }
    // By name: a known name, or one built the same way (`https://${vaultName}.vault.azure.net/...` next to a
    // vault named by the same parameter), which within one evaluation is the same value.
    const vaultName = kid.vaultName;
    if (!vault && isNamePart(vaultName)) {
      const name = idKey(vaultName);
      vault = this.pick(vaults.filter((v) => idKey(v.name) === name && linkable(v, registry, vaultName)), registry);
    }
    const keyName = kid.keyName;
    const inVault = vault?.name;
    if (vault && !key && isNamePart(keyName) && isNamePart(inVault)) {
      const full = idKey(PartialString.of([inVault, '/', keyName]));
      key = this.pick(this.declared(KEY).filter((r) => idKey(r.name) === full && linkable(r, vault!, keyName)), vault);
    }
    const vaultLabel = typeof kid.vaultName === 'string' ? `'${kid.vaultName}'` : 'of the key identifier';
    const vaultNote = typeof kid.vaultName === 'string' ? this.liveNotes.get(`vault:${kid.vaultName.toLowerCase()}`) : undefined;
    const keyNote =
      typeof kid.vaultName === 'string' && typeof kid.keyName === 'string' ? this.liveNotes.get(`key:${kid.vaultName}/${kid.keyName}`.toLowerCase()) : undefined;
    const instead = this.whereElse(vaultNote);
    if (!vault) {
      return { key, keyLiveNote: keyNote, vaultMissing: `the Key Vault ${vaultLabel} is not in the scanned templates${vaultNote ? ', and ' : ': '}${instead}` };
    }
    if (vault.existing) {
      return { vault, key, keyLiveNote: keyNote, vaultMissing: `the Key Vault ${vaultLabel} is declared 'existing': its settings live outside the scanned templates; ${instead}` };
    }
    // The new-or-existing pattern: with its condition false the declaration deploys nothing, and the vault the
    // key identifier names already exists with settings the scan does not see.
    if (vault.deployed === false) {
      return { vault, key, keyLiveNote: keyNote, vaultMissing: `the declaration of Key Vault ${vaultLabel} has a false condition, so the vault comes from elsewhere: ${instead}` };
    }
    return { vault, key, keyLiveNote: keyNote };
  }
}
