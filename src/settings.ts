/**
 * What ARM makes of a property a template writes. An API version that does not know the property ignores it,
 * so it reads as absent (the platform default applies), and when the API version is only known at deployment
 * so is whether the property counts. A vault deployed with createMode 'recover' comes back with its earlier
 * settings: what the template leaves out is the deleted vault's, not the platform default.
 */
import { knowsProperty, propertySince } from './api-versions.js';
import type { EvaluatedResource, JsonPath } from './eval/template.js';
import { describeOrigins, type Value } from './eval/value.js';
import { equalsIgnoreCase, read, type Tri } from './rule-api.js';

export type Setting =
  /** Not set (absent, null, or ignored by the API version: `ignored` says why); the platform default applies. */
  | { state: 'missing'; path: JsonPath; isNull?: boolean; ignored?: string }
  /** `live`: not set by the template of a recovered vault, and read from ARM (the vault it recovers). */
  | { state: 'known'; value: Value; path: JsonPath; live?: { id: string; what: string } }
  /** Only known at deployment; `why` completes "cannot tell ..., because". */
  | { state: 'unknown'; path: JsonPath; why: string; value?: Value };

/** read() of `path` (`['properties', <name>, ...]`) as ARM takes it for the resource's API version and createMode. */
export function setting(resource: EvaluatedResource, path: JsonPath): Setting {
  const r = read(resource, path);
  const property = path[1];
  let ignored: string | undefined;
  if (r.state !== 'missing' && typeof property === 'string') {
    const known = knowsProperty(resource.type, resource.apiVersion, property);
    if (known === false) ignored = `${property} is ignored by API version ${resource.apiVersion} (it exists from ${propertySince(resource.type, property)})`;
    else if (known === undefined) {
      return { state: 'unknown', path: ['apiVersion'], why: `its apiVersion is not known before deployment, and ${property} exists only from ${propertySince(resource.type, property)} (write the version as a literal, or give a parameter file that sets it)` };
    }
  }
  if (!ignored && r.state === 'unknown') return { state: 'unknown', path: r.path, why: describeOrigins(r.value), value: r.value };
  if (!ignored && r.state === 'known') return r;
  const unset: Setting = { state: 'missing', path: r.path, ...(r.state === 'missing' && r.isNull ? { isNull: true } : {}), ...(ignored ? { ignored } : {}) };
  const recovery = recovered(resource);
  if (recovery.recover === false) return unset;
  const name = path.slice(1).join('.');
  if (!recovery.recover) return { state: 'unknown', path: recovery.path, why: recovery.why };
  // Live mode read the vault it recovers: what ARM shows decides what the template leaves to the recovery.
  const live = resource.recovery;
  const found = live?.found;
  if (found?.settings.has(name)) return { state: 'known', value: found.settings.get(name)!, path: recovery.path, live: { id: found.id, what: found.what } };
  const notShown = !live
    ? ''
    : !live.reads.includes(name)
      ? `, and ${live.others}`
      : found
        ? `, and ARM does not show it for ${found.what}`
        : `, and live mode could not read the vault it recovers: ${live.failed}`;
  return { state: 'unknown', path: recovery.path, why: `${recovery.why}, which the template does not show (${ignored ?? `it does not set ${name}`})${notShown}: set ${name} in the template to decide it` };
}

/**
 * Three-valued: is the vault deployed with createMode 'recover' (domain.md §2)? A recovered vault keeps its
 * earlier settings where the template sets none. `why` completes "because" for messages.
 */
export function recovered(resource: EvaluatedResource): { recover: Tri; path: JsonPath; why: string } {
  const mode = resource.type.toLowerCase() === 'microsoft.keyvault/vaults' ? read(resource, ['properties', 'createMode']) : undefined;
  if (!mode || mode.state === 'missing') return { recover: false, path: mode?.path ?? [], why: '' };
  const recover = equalsIgnoreCase(mode.value, 'recover');
  if (recover === undefined) {
    return { recover, path: mode.path, why: `whether the vault is recovered with its earlier settings (createMode 'recover') is not known: ${describeOrigins(mode.value)}` };
  }
  return { recover, path: mode.path, why: "the vault is recovered (createMode 'recover') with its earlier settings" };
}

/** Why a setting is not known ("cannot tell ..., because <this>"). */
export function whyNotKnown(s: Setting): string {
  return s.state === 'unknown' ? s.why : 'the value is not known before deployment';
}

/** Three-valued: is the setting `expected` (case-insensitively)? Not set is not. */
export function settingIs(s: Setting, expected: string): Tri {
  if (s.state === 'missing') return false;
  if (s.state === 'unknown') return undefined;
  return equalsIgnoreCase(s.value, expected);
}
