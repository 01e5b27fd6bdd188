/** Resource ids as ARM builds them (arm-evaluator.md §2.10), with unknown parts kept as holes. */
import { TemplateEvalError } from './functions/types.js';
import { PartialString, Unknown, typeName, type Value } from './value.js';

export type ScopeKind = 'resourceGroup' | 'subscription' | 'managementGroup' | 'tenant';

/** The deployment a template runs in; unknown parts are `Unknown` values with stable keys. */
export interface DeploymentScope {
  kind: ScopeKind;
  subscriptionId: Value;
  resourceGroup: Value;
  managementGroup: Value;
  tenantId: Value;
  location: Value;
  deploymentName: Value;
}

/** Concatenates id parts; a non-string known part is an error, unknown parts become holes. */
export function joinParts(parts: Value[]): Value {
  for (const p of parts) {
    if (typeof p !== 'string' && !(p instanceof Unknown) && !(p instanceof PartialString) && typeof p !== 'number') {
      throw new TemplateEvalError(`a resource id segment must be a string, not ${typeName(p)}`);
    }
  }
  return PartialString.of(parts.map((p) => (typeof p === 'number' ? String(p) : (p as string | Unknown | PartialString))));
}

export function splitType(type: string): { namespace: string; types: string[] } {
  const segs = type.split('/').filter((s) => s !== '');
  if (segs.length < 2) throw new TemplateEvalError(`'${type}' is not a resource type: expected 'Namespace/type[/childType...]'`);
  return { namespace: segs[0]!, types: segs.slice(1) };
}

/** Splits a name such as `parent/child`; unknown names are one segment each, or split around known slashes. */
export function splitName(name: Value): Value[] {
  if (typeof name === 'string') return name.split('/');
  if (name instanceof PartialString) {
    const segs: Value[][] = [[]];
    for (const part of name.parts) {
      if (typeof part !== 'string') {
        segs[segs.length - 1]!.push(part);
        continue;
      }
      const pieces = part.split('/');
      pieces.forEach((piece, i) => {
        if (i > 0) segs.push([]);
        if (piece) segs[segs.length - 1]!.push(piece);
      });
    }
    return segs.map((s) => joinParts(s));
  }
  return [name];
}

/** `Ns/t1/n1/t2/n2` for a type and the names of each type segment. */
export function providerPath(type: string, names: Value[]): Value {
  const { namespace, types } = splitType(type);
  if (names.length !== types.length && names.some((n) => n instanceof Unknown || n instanceof PartialString)) {
    // An unknown name may hold several segments: keep a canonical form that equal inputs reproduce.
    return joinParts([namespace, '/', types.join('/'), '/', ...names.flatMap((n, i) => (i ? ['/', n] : [n]))]);
  }
  if (names.length !== types.length) {
    throw new TemplateEvalError(
      `incorrect segment lengths: type '${type}' has ${types.length} type segment${types.length === 1 ? '' : 's'} but ${names.length} name${names.length === 1 ? ' was' : 's were'} given`,
    );
  }
  const parts: Value[] = [namespace];
  types.forEach((t, i) => parts.push('/', t, '/', names[i]!));
  return joinParts(parts);
}

export function subscriptionPrefix(sub: Value): Value {
  return joinParts(['/subscriptions/', sub]);
}

export function resourceGroupId(sub: Value, rg: Value): Value {
  return joinParts(['/subscriptions/', sub, '/resourceGroups/', rg]);
}

/** The id of resource `type`/`names` at a scope given by a scope id prefix ('' for tenant). */
export function idAt(prefix: Value, type: string, names: Value[]): Value {
  if (type.toLowerCase() === 'microsoft.resources/resourcegroups' && names.length === 1) {
    return joinParts([prefix, '/resourceGroups/', names[0]!]);
  }
  if (type.toLowerCase() === 'microsoft.resources/subscriptions' && names.length === 1) {
    return joinParts(['/subscriptions/', names[0]!]);
  }
  return joinParts([prefix, '/providers/', providerPath(type, names)]);
}

/** The scope id that a resource deployed at this deployment scope gets. */
export function scopePrefix(scope: DeploymentScope): Value {
  switch (scope.kind) {
    case 'resourceGroup':
      return resourceGroupId(scope.subscriptionId, scope.resourceGroup);
    case 'subscription':
      return subscriptionPrefix(scope.subscriptionId);
    case 'managementGroup':
    case 'tenant':
      return '';
  }
}

function isType(v: Value): v is string {
  return typeof v === 'string' && v.includes('/');
}

/** `resourceId([subscriptionId], [resourceGroupName], type, names...)`. */
export function resourceIdFunction(args: Value[], scope: DeploymentScope): Value {
  let typeIndex = args.findIndex(isType);
  let type: string;
  let names: Value[];
  if (typeIndex < 0) {
    // Bicep's getSecret form passes namespace and type as separate arguments.
    const ns = args.findIndex((a) => typeof a === 'string' && /^[A-Za-z]+\.[A-Za-z.]+$/.test(a));
    if (ns < 0 || ns + 1 >= args.length || typeof args[ns + 1] !== 'string') {
      if (args.some((a) => a instanceof Unknown || a instanceof PartialString)) return Unknown.derived('resourceId', args);
      throw new TemplateEvalError('resourceId: no argument is a resource type (Namespace/type)');
    }
    typeIndex = ns;
    type = `${args[ns] as string}/${args[ns + 1] as string}`;
    names = args.slice(ns + 2);
  } else {
    type = args[typeIndex] as string;
    names = args.slice(typeIndex + 1);
  }
  const lead = args.slice(0, typeIndex);
  if (lead.length > 2) throw new TemplateEvalError(`resourceId: expected at most a subscription id and a resource group before the type, got ${lead.length} arguments`);
  let sub = scope.subscriptionId;
  let rg: Value | undefined = scope.kind === 'resourceGroup' ? scope.resourceGroup : undefined;
  if (lead.length === 2) [sub, rg] = lead as [Value, Value];
  else if (lead.length === 1) rg = lead[0]!;
  const expanded = names.flatMap(splitName);
  if (rg !== undefined) return idAt(resourceGroupId(sub, rg), type, expanded);
  if (scope.kind === 'subscription' || lead.length > 0) return idAt(subscriptionPrefix(sub), type, expanded);
  return idAt('', type, expanded);
}

export function subscriptionResourceIdFunction(args: Value[], scope: DeploymentScope): Value {
  const typeIndex = args.findIndex(isType);
  if (typeIndex < 0) return typeError('subscriptionResourceId', args);
  if (typeIndex > 1) throw new TemplateEvalError('subscriptionResourceId: only a subscription id may come before the type');
  const sub = typeIndex === 1 ? args[0]! : scope.subscriptionId;
  return idAt(subscriptionPrefix(sub), args[typeIndex] as string, args.slice(typeIndex + 1).flatMap(splitName));
}

export function tenantResourceIdFunction(args: Value[]): Value {
  if (!isType(args[0] ?? null)) return typeError('tenantResourceId', args);
  return idAt('', args[0] as string, args.slice(1).flatMap(splitName));
}

export function managementGroupResourceIdFunction(args: Value[], scope: DeploymentScope): Value {
  const typeIndex = args.findIndex(isType);
  if (typeIndex < 0) return typeError('managementGroupResourceId', args);
  if (typeIndex > 1) throw new TemplateEvalError('managementGroupResourceId: only a management group id may come before the type');
  const mg = typeIndex === 1 ? args[0]! : scope.managementGroup;
  return idAt(joinParts(['/providers/Microsoft.Management/managementGroups/', mg]), args[typeIndex] as string, args.slice(typeIndex + 1).flatMap(splitName));
}

export function extensionResourceIdFunction(args: Value[]): Value {
  if (args.length < 3) throw new TemplateEvalError(`extensionResourceId takes a base id, a type and names, got ${args.length} arguments`);
  if (!isType(args[1]!)) return typeError('extensionResourceId', args);
  return joinParts([args[0]!, '/providers/', providerPath(args[1] as string, args.slice(2).flatMap(splitName))]);
}

function typeError(fn: string, args: Value[]): Value {
  if (args.some((a) => a instanceof Unknown || a instanceof PartialString)) return Unknown.derived(fn, args);
  throw new TemplateEvalError(`${fn}: no argument is a resource type (Namespace/type)`);
}

/** Case-insensitive comparison key for ids (ARM ids are case-insensitive). */
const idKeys = new WeakMap<object, string>();

export function idKey(id: Value): string {
  if (typeof id === 'string') return trimSlashes(id.toLowerCase());
  if (id instanceof PartialString || id instanceof Unknown) {
    let k = idKeys.get(id);
    if (k === undefined) {
      k = id instanceof PartialString ? trimSlashes(id.key.toLowerCase()) : `⟨${id.key.toLowerCase()}⟩`;
      idKeys.set(id, k);
    }
    return k;
  }
  return JSON.stringify(id);
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
  // Cheap and necessary: the known text before the first hole and after the last one must agree. Rules
  // compare every grant with every vault of a scan, and most pairs differ in a known name at the end.
  const headA = a.slice(0, a.includes('⟨') ? a.indexOf('⟨') : a.length);
  const headB = b.slice(0, b.includes('⟨') ? b.indexOf('⟨') : b.length);
  if (!(headA.startsWith(headB) || headB.startsWith(headA))) return false;
  const tailA = a.slice(a.lastIndexOf('⟩') + 1);
  const tailB = b.slice(b.lastIndexOf('⟩') + 1);
  if (!(tailA.endsWith(tailB) || tailB.endsWith(tailA))) return false;
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

function trimSlashes(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 47) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** The provider part of an id (`Microsoft.KeyVault/vaults/kv`) for SARIF logical locations. */
export function providerPartOf(type: string, name: Value): string {
  const names = splitName(name).map(displayPart);
  const { namespace, types } = splitType(type);
  const parts = [namespace];
  types.forEach((t, i) => parts.push(t, names[i] ?? '{?}'));
  return parts.join('/');
}

/** Display text of a value that may be partly unknown: unknown parts as `{expression}`. */
export function displayPart(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof PartialString) return v.parts.map((p) => (typeof p === 'string' ? p : `{${shortKey(p)}}`)).join('');
  if (v instanceof Unknown) return `{${shortKey(v)}}`;
  return JSON.stringify(v);
}

/** The last segment of an id (a resource's own name), for messages. */
export function lastSegment(id: Value): string {
  return displayPart(id).split('/').pop()!;
}

/** How an unknown reads in a message: its recipe without the key's hole markers, cut at 60 characters. */
function shortKey(u: Unknown): string {
  const text = u.key.replace(/[⟨⟩]/g, '');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
