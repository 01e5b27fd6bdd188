/**
 * The identity a registry reads its key with (domain.md §2): the identities attached to it, the one its
 * encryption settings name, and the principal that grants must name for it. ACR names its identity by client
 * id, grants name it by principal (object) id.
 */
import { nameOf } from './cmk-rules.js';
import { displayPart, idKey, idKeysMayMatch, lastSegment } from './eval/ids.js';
import type { EvaluatedResource, JsonPath } from './eval/template.js';
import { Unknown, describeOrigins, getProperty, isObject, textWithHoles, type Value } from './eval/value.js';
import type { ScanGraph } from './graph.js';
import { and3, equalsIgnoreCase, read, type Read, type Tri } from './rule-api.js';

export const IDENTITY = 'Microsoft.ManagedIdentity/userAssignedIdentities';

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

/** The principal (object) id that grants must name for an identity given by its client id reference. */
export function principalOf(ref: IdentityRef): Value {
  return ref.system ? Unknown.resource(ref.target, ['identity', 'principalId'], true) : Unknown.resource(ref.target, ['principalId']);
}

/** A UAMI resource id given as `reference(x, v, 'full').id`. */
export function fullReferenceId(v: Value): Value | undefined {
  if (!(v instanceof Unknown) || !v.ref) return undefined;
  return v.ref.path.length === 1 && v.ref.path[0]!.toLowerCase() === 'id' ? v.ref.target : undefined;
}

/** Looks like a resource id: `/subscriptions/...` or `.../providers/Namespace/type/name`. */
export function looksLikeResourceId(v: Value): boolean {
  const text = textWithHoles(v);
  if (text === undefined) return false;
  return /^\/subscriptions\//i.test(text) || /\/providers\/[^/]+\.[^/]+\//i.test(text);
}

/**
 * Three-valued: does an identity `type` value ('UserAssigned', 'SystemAssigned, UserAssigned', ...) include
 * `kind`? Tokens are comma-separated and compared case-insensitively; an unknown token leaves the answer open.
 */
export function identityTypeIncludes(type: Value, kind: 'UserAssigned' | 'SystemAssigned'): boolean | undefined {
  if (type instanceof Unknown) return undefined;
  const text = textWithHoles(type);
  if (text === undefined) return false;
  const tokens = text.split(',').map((t) => t.trim().toLowerCase());
  if (tokens.includes(kind.toLowerCase())) return true;
  return tokens.some((t) => t.includes('\u0000')) ? undefined : false;
}

/** One entry of a registry's `identity.userAssignedIdentities`. */
export interface AttachedIdentity {
  /** The id as written (evaluated), for messages. */
  id: string;
  key: string;
  /** Exported templates carry the identity's ids in the entry: `{ "principalId": ..., "clientId": ... }`. */
  clientId?: Value;
  principalId?: Value;
}

/** The user-assigned identities attached to a resource; `known` is false when the map itself is not known. */
export function attachedIdentities(resource: EvaluatedResource): { list: AttachedIdentity[]; known: boolean; path: JsonPath } {
  const uai = read(resource, ['identity', 'userAssignedIdentities']);
  if (uai.state === 'missing') return { list: [], known: true, path: uai.path };
  if (uai.state === 'unknown' || !isObject(uai.value)) return { list: [], known: uai.state !== 'unknown', path: uai.path };
  const obj = uai.value;
  const list = Object.keys(obj).map((id) => {
    const entry = obj[id]!;
    const client = isObject(entry) ? getProperty(entry, 'clientId') : undefined;
    const principal = isObject(entry) ? getProperty(entry, 'principalId') : undefined;
    return {
      id,
      key: idKey(id),
      clientId: client?.found ? client.value : undefined,
      principalId: principal?.found ? principal.value : undefined,
    };
  });
  return { list, known: true, path: uai.path };
}

/**
 * Three-valued: does the resource's identity.type attach user-assigned identities at all? 'None' and
 * 'SystemAssigned' attach none, whatever userAssignedIdentities lists, and neither does an identity without a
 * type. Tokens compare case-insensitively, with or without a space after the comma.
 */
export function attachesUserAssigned(resource: EvaluatedResource): { attaches: Tri; type: Read } {
  const type = read(resource, ['identity', 'type']);
  return { attaches: type.state === 'missing' ? false : identityTypeIncludes(type.value, 'UserAssigned'), type };
}

/** Three-valued: does the resource's identity.userAssignedIdentities list this id? */
export function isListed(resource: EvaluatedResource, target: Value): Tri {
  const att = attachedIdentities(resource);
  const k = idKey(target);
  if (att.list.some((a) => a.key === k)) return true;
  if (!att.known) return undefined;
  const maybe = att.list.some((a) => idKeysMayMatch(a.key, k) === undefined);
  return maybe ? undefined : false;
}

/** Three-valued: is the identity with this id attached to the resource: listed, under a type that attaches it? */
export function isAttached(resource: EvaluatedResource, target: Value): boolean | undefined {
  const { attaches } = attachesUserAssigned(resource);
  return attaches === false ? false : and3(isListed(resource, target), attaches);
}

/** `'name'` of the identity a resource id names: from the scan when declared there, else the id's last segment. */
export function identityLabel(graph: ScanGraph, target: Value): string {
  const k = idKey(target);
  const declared = graph.declared(IDENTITY).find((r) => idKey(r.id) === k);
  if (declared) return `'${nameOf(declared)}'`;
  const text = displayPart(target);
  const last = text.split('/').pop();
  return last ? `'${last}'` : text;
}

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
  /**
   * The registry certainly does not have this identity (not listed in userAssignedIdentities, an identity.type
   * that attaches none, 'system' without SystemAssigned): ACR005 fails it, and no grant to it is the registry's.
   */
  detached?: true;
}

/** The principal behind `encryption.keyVaultProperties.identity`; undefined when the registry names no identity. */
export function cmkPrincipal(graph: ScanGraph, registry: EvaluatedResource): CmkPrincipal | undefined {
  const identity = read(registry, ['properties', 'encryption', 'keyVaultProperties', 'identity']);
  if (identity.state === 'missing') return undefined;
  const path = identity.path;
  const value = identity.value;
  const ref = identityRefOf(value);
  const detached = (target: Value): { detached?: true } => (isAttached(registry, target) === false ? { detached: true } : {});
  if (ref) {
    const label = ref.system ? `the system-assigned identity of ${identityLabel(graph, ref.target)}` : `identity ${identityLabel(graph, ref.target)}`;
    return { principal: graph.liveValue(principalOf(ref)), target: ref.target, system: ref.system, label, path, ...(ref.system ? {} : detached(ref.target)) };
  }
  // reference(x, v, 'full').id or a resource id string: the identity is still recognisable (ACR005 fails the form).
  const fullId = fullReferenceId(value);
  if (fullId !== undefined || looksLikeResourceId(value)) {
    const target = fullId ?? value;
    return { principal: graph.liveValue(principalOf({ target, property: 'clientId', system: false })), target, system: false, label: `identity ${identityLabel(graph, target)}`, path, ...detached(target) };
  }
  if (typeof value === 'string' && equalsIgnoreCase(value, 'system')) {
    const type = read(registry, ['identity', 'type']);
    return {
      ...(type.state === 'missing' || identityTypeIncludes(type.value, 'SystemAssigned') === false ? { detached: true as const } : {}),
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
    const off = attachesUserAssigned(registry).attaches === false ? { detached: true as const } : {};
    for (const a of attachedIdentities(registry).list) {
      const label = `identity '${lastSegment(a.id)}'`;
      if (typeof a.clientId === 'string' && a.clientId.toLowerCase() === lower && typeof a.principalId === 'string') return { principal: a.principalId, system: false, label, path, ...off };
      if (typeof a.principalId === 'string' && a.principalId.toLowerCase() === lower) return { principal: a.principalId, system: false, label, path, ...off };
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
