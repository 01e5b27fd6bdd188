import { nameOf } from '../src/cmk-rules.js';
import type { EvaluatedResource, JsonPath } from '../src/eval/template.js';
import { displayPart, idKey } from '../src/eval/ids.js';
import { PartialString, Unknown, describeOrigins, getProperty, isObject, type Value } from '../src/eval/value.js';
import { REGISTRY, type ScanGraph } from '../src/graph.js';
import { IDENTITY, identityRefOf, type IdentityRef } from '../src/grants.js';
import { defineMeta } from '../src/meta.js';
import { display, equalsIgnoreCase, read, type Read, type RuleContext, type Rule, type Verdict } from '../src/rule-api.js';
import { identityTypeIncludes } from './ACR006.js';

const meta = defineMeta({
  id: 'ACR005',
  name: 'registry-cmk-identity-match',
  level: 'error',
  shortDescription: 'The registry encryption identity must be the client id of a user-assigned identity attached to the registry.',
  fullDescription:
    "encryption.keyVaultProperties.identity tells ACR which managed identity reads the key. It must be the client id (application id) of a user-assigned identity listed in the registry's identity.userAssignedIdentities, or the literal 'system' when the registry has a system-assigned identity. A principal (object) id, a resource id, or the client id of an identity that is not attached to the registry makes the deployment fail or leaves the registry unable to reach its key.",
  help: [
    "Name the identity by its client id, and attach the same identity to the registry:",
    '```json',
    '"identity": { "type": "UserAssigned", "userAssignedIdentities": { "[variables(\'identityId\')]": {} } },',
    '"properties": { "encryption": { "status": "enabled", "keyVaultProperties": {',
    '  "keyIdentifier": "[reference(variables(\'keyId\'), \'2023-07-01\').keyUri]",',
    '  "identity": "[reference(variables(\'identityId\'), \'2023-01-31\').clientId]"',
    '} } }',
    '```',
    'In Bicep: `identity: uami.properties.clientId`. Grants (access policies, role assignments) name the same identity by its principalId instead.',
  ].join('\n'),
  tags: ['security', 'acr', 'cmk', 'identity'],
  precision: 'high',
  securitySeverity: '5.5',
});

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/** Splits canonical id text into known runs and holes (`⟨...⟩`, possibly nested). */
function segmentsOf(text: string): (string | null)[] {
  const out: (string | null)[] = [];
  let depth = 0;
  let run = '';
  for (const ch of text) {
    if (ch === '⟨') {
      if (depth === 0) {
        if (run) out.push(run);
        run = '';
        out.push(null);
      }
      depth++;
      continue;
    }
    if (ch === '⟩' && depth > 0) {
      depth--;
      continue;
    }
    if (depth === 0) run += ch;
  }
  if (run) out.push(run);
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Three-valued equality of two id keys (idKey text) that may hold unknown parts: true when the canonical texts
 * are equal, false when the known parts cannot line up, undefined otherwise.
 */
export function idKeysMayMatch(a: string, b: string): boolean | undefined {
  if (a === b) return true;
  const sa = segmentsOf(a);
  const sb = segmentsOf(b);
  const holesA = sa.includes(null);
  const holesB = sb.includes(null);
  if (!holesA && !holesB) return false;
  const asRegex = (s: (string | null)[]) => new RegExp(`^${s.map((p) => (p === null ? '.*' : escapeRegex(p))).join('')}$`, 's');
  if (!holesB) return asRegex(sa).test(b) ? undefined : false;
  if (!holesA) return asRegex(sb).test(a) ? undefined : false;
  // Both partly unknown: compare the known text before the first hole and after the last one.
  const preA = sa[0] ?? '';
  const preB = sb[0] ?? '';
  if (preA !== null && preB !== null && !(preA.startsWith(preB) || preB.startsWith(preA))) return false;
  const sufA = sa[sa.length - 1] ?? '';
  const sufB = sb[sb.length - 1] ?? '';
  if (sufA !== null && sufB !== null && !(sufA.endsWith(sufB) || sufB.endsWith(sufA))) return false;
  return undefined;
}

/** Three-valued: is the identity with this id attached to the resource? */
export function isAttached(resource: EvaluatedResource, target: Value): boolean | undefined {
  const att = attachedIdentities(resource);
  const k = idKey(target);
  if (att.list.some((a) => a.key === k)) return true;
  if (!att.known) return undefined;
  const maybe = att.list.some((a) => idKeysMayMatch(a.key, k) === undefined);
  return maybe ? undefined : false;
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

/** Looks like a resource id: `/subscriptions/...` or `.../providers/Namespace/type/name`. */
export function looksLikeResourceId(v: Value): boolean {
  const text = typeof v === 'string' ? v : v instanceof PartialString ? v.parts.map((p) => (typeof p === 'string' ? p : '\u0000')).join('') : undefined;
  if (text === undefined) return false;
  return /^\/subscriptions\//i.test(text) || /\/providers\/[^/]+\.[^/]+\//i.test(text);
}

/** A UAMI resource id given as `reference(x, v, 'full').id`. */
function fullReferenceId(v: Value): Value | undefined {
  if (!(v instanceof Unknown) || !v.ref) return undefined;
  return v.ref.path.length === 1 && v.ref.path[0]!.toLowerCase() === 'id' ? v.ref.target : undefined;
}

interface Decision {
  verdict: Verdict;
  message: string;
}

function decide(ctx: RuleContext, registry: EvaluatedResource, name: string, identity: Read): Decision {
  const graph = ctx.graph;
  const useClientId = 'use reference(<identity id>).clientId (Bicep: <identity>.properties.clientId) of an identity listed in identity.userAssignedIdentities';
  if (identity.state === 'missing') {
    return {
      verdict: 'fail',
      message: `Registry '${name}' enables a customer-managed key but sets no encryption.keyVaultProperties.identity, so ACR does not know which identity reads the key: ${useClientId}.`,
    };
  }
  const value = identity.value;
  const ref: IdentityRef | undefined = identityRefOf(value);
  if (ref) {
    const who = identityLabel(graph, ref.target);
    if (ref.system) {
      return {
        verdict: 'fail',
        message: `Registry '${name}' names its encryption identity by the system-assigned identity's ${ref.property} of ${who}; ACR expects the client id of a user-assigned identity, or the literal 'system' for the registry's own system-assigned identity: ${useClientId}.`,
      };
    }
    const attached = isAttached(registry, ref.target);
    const notAttached = attached === false ? `, and ${who} is not listed in the registry's identity.userAssignedIdentities` : '';
    const prop = ref.property.toLowerCase();
    if (prop === 'principalid') {
      return {
        verdict: 'fail',
        message: `Registry '${name}' names its encryption identity by the principalId (object id) of ${who}${notAttached}; ACR needs the identity's clientId: use reference(...).clientId instead of .principalId (Bicep: <identity>.properties.clientId). Principal ids belong in access policies and role assignments.`,
      };
    }
    if (prop !== 'clientid') {
      return {
        verdict: 'fail',
        message: `Registry '${name}' names its encryption identity by the ${ref.property} of ${who}${notAttached}; ACR needs the identity's clientId: use reference(...).clientId.`,
      };
    }
    if (attached === true) return { verdict: 'pass', message: `Registry '${name}' names attached identity ${who} by its client id.` };
    if (attached === false) {
      return {
        verdict: 'fail',
        message: `Registry '${name}' names the client id of identity ${who}, which is not attached to the registry: ACR can only use identities listed in identity.userAssignedIdentities. Add ${who} there (and keep identity.type UserAssigned).`,
      };
    }
    const uai = read(registry, ['identity', 'userAssignedIdentities']);
    const because =
      uai.state === 'unknown'
        ? describeOrigins(uai.value)
        : `the ids in identity.userAssignedIdentities (${attachedIdentities(registry).list.map((a) => displayPart(a.id)).join(', ')}) are not fully known before deployment; give the parameter values`;
    return {
      verdict: 'undetermined',
      message: `Cannot tell whether identity ${who}, named by registry '${name}', is attached to it, because ${because}.`,
    };
  }
  const refId = fullReferenceId(value);
  if (refId !== undefined || looksLikeResourceId(value)) {
    const id = refId ?? value;
    const attached = isAttached(registry, id);
    const who = identityLabel(graph, id);
    return {
      verdict: 'fail',
      message: `Registry '${name}' names its encryption identity by a resource id (of ${who})${attached === false ? `, which is not attached to the registry either` : ''}; ACR needs the identity's client id: ${useClientId}.`,
    };
  }
  if (typeof value === 'string') {
    if (equalsIgnoreCase(value, 'system')) {
      const type = read(registry, ['identity', 'type']);
      const system = type.state === 'missing' ? false : identityTypeIncludes(type.value, 'SystemAssigned');
      if (system === true) return { verdict: 'pass', message: `Registry '${name}' uses its system-assigned identity for the key.` };
      if (system === undefined) {
        return { verdict: 'undetermined', message: `Cannot tell whether registry '${name}' has the system-assigned identity its encryption settings name ('system'), because ${describeOrigins(type.state === 'missing' ? null : type.value)}.` };
      }
      return {
        verdict: 'fail',
        message: `Registry '${name}' names 'system' as its encryption identity but has no system-assigned identity (identity.type ${type.state === 'missing' ? 'is not set' : display(type.value)}): add SystemAssigned to identity.type, or ${useClientId}.`,
      };
    }
    const attached = attachedIdentities(registry);
    if (GUID.test(value)) {
      const byClient = attached.list.find((a) => typeof a.clientId === 'string' && a.clientId.toLowerCase() === value.toLowerCase());
      if (byClient) return { verdict: 'pass', message: `Registry '${name}' names attached identity '${lastSegment(byClient.id)}' by its client id.` };
      const byPrincipal = attached.list.find((a) => typeof a.principalId === 'string' && a.principalId.toLowerCase() === value.toLowerCase());
      if (byPrincipal) {
        return {
          verdict: 'fail',
          message: `Registry '${name}' names its encryption identity by the principal id (object id) of '${lastSegment(byPrincipal.id)}'; ACR needs that identity's clientId${typeof byPrincipal.clientId === 'string' ? ` ('${byPrincipal.clientId}')` : ''}.`,
        };
      }
      return {
        verdict: 'undetermined',
        message: `Cannot tell whether '${value}' is the client id of an identity attached to registry '${name}', because a literal GUID does not say whose client id (or principal id) it is: write reference(<identity id>).clientId instead, so that it can be checked.`,
      };
    }
    const byName = attached.list.find((a) => lastSegment(a.id).toLowerCase() === value.toLowerCase());
    return {
      verdict: 'fail',
      message: `Registry '${name}' sets its encryption identity to '${value}', which is ${byName ? `the name of identity '${lastSegment(byName.id)}'` : 'neither a client id (a GUID) nor \'system\''}: ${useClientId}.`,
    };
  }
  if (value instanceof Unknown || value instanceof PartialString) {
    return { verdict: 'undetermined', message: `Cannot tell whether the encryption identity of registry '${name}' is the client id of an attached identity, because ${describeOrigins(value)}.` };
  }
  return { verdict: 'fail', message: `Registry '${name}' sets its encryption identity to ${display(value)}, which is not a client id: ${useClientId}.` };
}

function lastSegment(id: string): string {
  return displayPart(id).split('/').pop() ?? id;
}

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const registry of ctx.graph.deployed(REGISTRY)) {
      const cmk = ctx.graph.isCmkRegistry(registry);
      if (cmk === false) continue;
      const name = nameOf(registry);
      const identity = read(registry, ['properties', 'encryption', 'keyVaultProperties', 'identity']);
      const d = decide(ctx, registry, name, identity);
      if (cmk === undefined && d.verdict !== 'pass') {
        // The identity only matters with CMK: a wrong or unknown identity leaves the question open.
        const status = read(registry, ['properties', 'encryption', 'status']);
        ctx.report({
          resource: registry,
          path: status.path,
          verdict: 'undetermined',
          message: `Cannot tell whether the encryption identity of registry '${name}' must match an attached identity, because whether it enables a customer-managed key depends on deployment: ${describeOrigins(status.state === 'missing' ? null : status.value)}.`,
        });
        continue;
      }
      ctx.report({ resource: registry, path: identity.path, verdict: d.verdict, message: d.message });
    }
  },
};
