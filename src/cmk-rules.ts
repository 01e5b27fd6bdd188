/**
 * Shared walks for rules about the CMK chain: each vault or key once, and an undetermined report where it is
 * missing or where whether a registry uses CMK is only known at deployment.
 */
import type { EvaluatedResource } from './eval/template.js';
import type { CmkLink, ScanGraph } from './graph.js';
import { KEY, VAULT } from './graph.js';
import { read, type RuleContext } from './rule-api.js';
import { PartialString, Unknown, describeOrigins, type Value } from './eval/value.js';

/** Reports `question` undetermined for a registry whose encryption status is only known at deployment. */
export function reportCmkUnknown(ctx: RuleContext, registry: EvaluatedResource, question: string): void {
  const status = read(registry, ['properties', 'encryption', 'status']);
  ctx.report({
    resource: registry,
    path: status.path,
    verdict: 'undetermined',
    message: `Cannot tell whether ${question}, because whether it enables a customer-managed key depends on deployment: ${describeOrigins(status.state === 'missing' ? null : status.value)}.`,
  });
}

/**
 * Calls `check` once for every CMK vault found in the scan. For registries whose vault is not in the scan (or
 * only declared `existing`, or declared with a false condition), reports the rule as undetermined at the key
 * identifier, naming the vault.
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
      subject: { type: VAULT, name: link.keyIdentifier.vaultName ?? link.vault?.name ?? Unknown.derived('vault', []) },
    });
  }
  for (const [vault, links] of ctx.graph.cmkVaults()) {
    if (vault.deployed === false) continue;
    check(vault, links);
  }
}

/** A CMK key deployed by the scanned templates, with the registries that use it and its vault as found. */
export interface CmkKey {
  key: EvaluatedResource;
  links: CmkLink[];
  /** The key's vault when the scan has it (possibly only an `existing` declaration). */
  vault?: EvaluatedResource;
  /** Why the vault's settings are not known, when they are not. */
  vaultMissing?: string;
}

/**
 * `vault/key` for messages and logical locations, from the key identifier; unknown parts stay unknown.
 * Undefined when neither name is known (`reference(parameters('keyId')).keyUri`).
 */
function keyLabel(link: CmkLink): Value | undefined {
  const isName = (v: Value | undefined): v is string | Unknown | PartialString => typeof v === 'string' || v instanceof Unknown || v instanceof PartialString;
  if (link.key) return link.key.name;
  const vault = link.keyIdentifier.vaultName ?? link.vault?.name;
  const key = link.keyIdentifier.keyName;
  if (!isName(vault) && !isName(key)) return undefined;
  return PartialString.of([isName(vault) ? vault : Unknown.derived('vault', []), '/', isName(key) ? key : Unknown.derived('key', [])]);
}

/** Why the key's own settings are not in the scan, or undefined when they are. */
function keyMissing(graph: ScanGraph, link: CmkLink, named: string): string | undefined {
  const key = link.key;
  const scanToo = graph.whereElse(link.keyLiveNote);
  if (!key) {
    if (link.vault && link.vault.deployed !== false) {
      return `no scanned template deploys ${named} into vault '${nameOf(link.vault)}' (it may be created by a script or in the portal): ${scanToo}`;
    }
    return `${named} is not in the scanned templates: ${scanToo}`;
  }
  if (key.existing) return `${named} is declared 'existing': its settings live outside the scanned templates; ${scanToo}`;
  if (key.deployed === false) return `the declaration of ${named} has a false condition, so the key comes from elsewhere: ${scanToo}`;
  return undefined;
}

/**
 * Calls `check` once for every CMK key that the scanned templates deploy. For a registry whose key
 * identifier is unknown, or whose key is not deployed by the scan (absent, `existing`, condition false),
 * reports the rule as undetermined at the key identifier, naming the key. Invalid identifiers are ACR003's.
 */
export function forEachCmkKey(ctx: RuleContext, what: string, check: (k: CmkKey) => void): void {
  const keys = new Map<EvaluatedResource, CmkKey>();
  for (const link of ctx.graph.cmkLinks()) {
    const kid = link.keyIdentifier;
    if (kid.status === 'invalid') continue;
    const at = { resource: link.registry, path: link.keyIdentifierPath };
    if (kid.status === 'unknown') {
      ctx.report({ ...at, verdict: 'undetermined', message: `Cannot tell whether ${what}, because the key identifier does not say which key it is: ${describeOrigins(kid.value)}.` });
      continue;
    }
    const label = keyLabel(link);
    const missing = keyMissing(ctx.graph, link, label === undefined ? 'the key it names' : `key '${showName(label)}'`);
    if (missing) {
      ctx.report({ ...at, verdict: 'undetermined', message: `Cannot tell whether ${what}, because ${missing}.`, subject: label === undefined ? undefined : { type: KEY, name: label } });
      continue;
    }
    const key = link.key!;
    const entry = keys.get(key);
    if (entry) entry.links.push(link);
    else keys.set(key, { key, links: [link], vault: link.vault, vaultMissing: link.vaultMissing });
  }
  for (const k of keys.values()) check(k);
}

/** " (CMK of registry 'a')", " (CMK of registries 'a' and 'b')" */
export function cmkOf(links: CmkLink[]): string {
  return ` (CMK of ${registryNames(links)})`;
}

/** "registry 'a'", "registries 'a' and 'b'": each registry once (copy instances and parameter files repeat names). */
export function registryNames(links: CmkLink[]): string {
  const names = [...new Set(links.map((l) => `'${nameOf(l.registry)}'`))];
  if (names.length === 1) return `registry ${names[0]}`;
  return `registries ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The resource's name for messages; unknown parts show as {…}. */
export function nameOf(r: EvaluatedResource): string {
  if (typeof r.name === 'string' || r.name instanceof PartialString) return showName(r.name);
  return r.symbolicName ?? `{${r.type.split('/').pop()} name}`;
}

/** A name for messages; unknown parts, or a name not known at all, show as {…}. */
function showName(v: Value): string {
  if (typeof v === 'string') return v;
  if (v instanceof PartialString) return v.parts.map((p) => (typeof p === 'string' ? p : '{…}')).join('');
  return '{…}';
}
