/**
 * What ARM makes of a property a template writes. An API version that does not know the property ignores it,
 * so it reads as absent (the platform default applies), and when the API version is only known at deployment
 * so is whether the property counts.
 */
import { knowsProperty, propertySince } from './api-versions.js';
import type { EvaluatedResource, JsonPath } from './eval/template.js';
import { describeOrigins, type Value } from './eval/value.js';
import { equalsIgnoreCase, read, type Tri } from './rule-api.js';

export type Setting =
  /** Not set (absent, null, or ignored by the API version: `ignored` says why); the platform default applies. */
  | { state: 'missing'; path: JsonPath; isNull?: boolean; ignored?: string }
  | { state: 'known'; value: Value; path: JsonPath }
  /** Only known at deployment; `why` completes "cannot tell ..., because". */
  | { state: 'unknown'; path: JsonPath; why: string; value?: Value };

/** read() of `path` (`['properties', <name>, ...]`) as ARM takes it for the resource's API version. */
export function setting(resource: EvaluatedResource, path: JsonPath): Setting {
  const r = read(resource, path);
  const property = path[1];
  if (r.state !== 'missing' && typeof property === 'string') {
    const known = knowsProperty(resource.type, resource.apiVersion, property);
    const since = propertySince(resource.type, property);
    if (known === false) return { state: 'missing', path: r.path, ignored: `${property} is ignored by API version ${resource.apiVersion} (it exists from ${since})` };
    if (known === undefined) {
      return { state: 'unknown', path: ['apiVersion'], why: `its apiVersion is not known before deployment, and ${property} exists only from ${since} (write the version as a literal, or give a parameter file that sets it)` };
    }
  }
  if (r.state === 'unknown') return { state: 'unknown', path: r.path, why: describeOrigins(r.value), value: r.value };
  return r;
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
