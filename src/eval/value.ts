/**
 * The value model of the evaluator.
 *
 * A value is plain JSON where everything is known. What only exists at deploy time is an `Unknown`
 * that remembers where it comes from; a string built from known and unknown parts is a
 * `PartialString` that keeps its known parts. Both carry a canonical `key`: two values built the same
 * way from the same unknowns have the same key, so ids, guid() names and identity references still
 * match each other when, say, the subscription is unknown.
 *
 * Objects produced by the evaluator have a null prototype, so template keys such as `__proto__`
 * stay plain data.
 */

import { createHash } from 'node:crypto';
import { setOwn } from '../json.js';

export type Value = null | boolean | number | string | Value[] | ValueObject | Unknown | PartialString | Lambda;
export interface ValueObject {
  [key: string]: Value;
}

/** Why a value is unknown: the root causes, carried through every function that uses it. */
export type UnknownOrigin =
  | { kind: 'parameter'; name: string }
  | { kind: 'context'; name: string }
  | { kind: 'runtime'; name: string }
  | { kind: 'resource'; target: Value; path: string[] }
  | { kind: 'list'; target: Value; fn: string }
  | { kind: 'secret'; name: string }
  | { kind: 'link'; name: string }
  | { kind: 'error'; message: string };

/** `fn(args)` over unknown arguments, or a member `name` of the unknown `of`. */
export type UnknownRecipe = { fn: string; args: readonly Value[] } | { of: Unknown; name: string | number };

/** A runtime property of a resource: `reference(target).path...` (path relative to the full resource). */
export interface ResourceRef {
  target: Value;
  path: string[];
}

export class Unknown {
  private keyOrThunk: string | (() => string);
  private originsOrThunk: readonly UnknownOrigin[] | (() => readonly UnknownOrigin[]);

  constructor(
    /** Canonical text of how the value is built; computed on first use, since most unknowns are never compared. */
    key: string | (() => string),
    origins: readonly UnknownOrigin[] | (() => readonly UnknownOrigin[]),
    /** Set when the value is exactly a runtime property of a resource (or the resource state itself). */
    readonly ref?: ResourceRef,
    /** How a derived unknown was built, so that it can be rebuilt elsewhere (a worker thread) without its long key. */
    readonly recipe?: UnknownRecipe,
  ) {
    this.keyOrThunk = key;
    this.originsOrThunk = origins;
  }

  /** Canonical text of how the value is built; equal keys mean equal values at deploy time. */
  get key(): string {
    if (typeof this.keyOrThunk !== 'string') this.keyOrThunk = this.keyOrThunk();
    return this.keyOrThunk;
  }

  /** Root causes: parameters without value, deployment context, runtime state of resources... */
  get origins(): readonly UnknownOrigin[] {
    if (typeof this.originsOrThunk === 'function') this.originsOrThunk = this.originsOrThunk();
    return this.originsOrThunk;
  }

  static parameter(name: string): Unknown {
    return new Unknown(`parameters('${name.toLowerCase()}')`, [{ kind: 'parameter', name }]);
  }

  static context(name: string): Unknown {
    return new Unknown(`${name}`, [{ kind: 'context', name }]);
  }

  /** `newGuid()` / `utcNow()`: every call is a different value, so the key includes a distinguishing tag. */
  static runtime(name: string, tag: string): Unknown {
    return new Unknown(`${name}@${tag}`, [{ kind: 'runtime', name }]);
  }

  static resource(target: Value, path: string[] = [], full = false): Unknown {
    const base = `reference(${compactKey(valueKey(target))})`;
    const keyPath = (full ? path : ['properties', ...path]).map((p) => `.${p.toLowerCase()}`).join('');
    return new Unknown(base + keyPath, [{ kind: 'resource', target, path: full ? path : ['properties', ...path] }], {
      target,
      path: full ? path : ['properties', ...path],
    });
  }

  static list(fn: string, target: Value): Unknown {
    return new Unknown(`${fn.toLowerCase()}(${compactKey(valueKey(target))})`, [{ kind: 'list', target, fn }]);
  }

  static secret(name: string): Unknown {
    return new Unknown(`secret(${name})`, [{ kind: 'secret', name }]);
  }

  static link(name: string): Unknown {
    return new Unknown(`link(${name})`, [{ kind: 'link', name }]);
  }

  static error(message: string): Unknown {
    return new Unknown(`error(${message})`, [{ kind: 'error', message }]);
  }

  /** The result of function `fn` over arguments of which at least one is unknown. */
  static derived(fn: string, args: readonly Value[]): Unknown {
    return new Unknown(
      () => `${fn.toLowerCase()}(${args.map((a) => compactKey(valueKey(a))).join(',')})`,
      () => collectOrigins(args),
      undefined,
      { fn, args },
    );
  }

  /** Property or index access on an unknown value. */
  member(name: string | number): Unknown {
    const step = typeof name === 'number' ? `[${name}]` : `.${name.toLowerCase()}`;
    const ref = this.ref ? { target: this.ref.target, path: [...this.ref.path, String(name)] } : undefined;
    const recipe = { of: this, name };
    if (ref) return new Unknown(() => this.key + step, () => this.origins.map((o) => (o.kind === 'resource' ? { ...o, path: ref.path } : o)), ref, recipe);
    return new Unknown(() => this.key + step, () => this.origins, undefined, recipe);
  }
}

/** A string with holes: known text around unknown parts (`concat(reference(kv).vaultUri, 'keys/k')`). */
export class PartialString {
  readonly parts: readonly (string | Unknown)[];
  private cachedKey?: string;

  private constructor(parts: (string | Unknown)[]) {
    this.parts = parts;
  }

  /** Canonical text: known parts as they are, unknown parts by their keys. */
  get key(): string {
    this.cachedKey ??= this.parts.map((p) => (typeof p === 'string' ? p : `⟨${p.key}⟩`)).join('');
    return this.cachedKey;
  }

  /** Joins parts, merging adjacent text; returns a plain string when nothing is unknown. */
  static of(parts: readonly (string | Unknown | PartialString)[]): string | PartialString | Unknown {
    const out: (string | Unknown)[] = [];
    for (const part of parts) {
      const pieces = part instanceof PartialString ? part.parts : [part];
      for (const piece of pieces) {
        if (typeof piece === 'string') {
          if (piece === '') continue;
          if (typeof out[out.length - 1] === 'string') out[out.length - 1] = (out[out.length - 1] as string) + piece;
          else out.push(piece);
        } else out.push(piece);
      }
    }
    if (out.length === 0) return '';
    if (out.length === 1 && typeof out[0] === 'string') return out[0];
    if (out.length === 1) return out[0] as Unknown;
    return new PartialString(out);
  }

  /** Known text before the first unknown part. */
  get prefix(): string {
    return typeof this.parts[0] === 'string' ? this.parts[0] : '';
  }

  /** Known text after the last unknown part. */
  get suffix(): string {
    const last = this.parts[this.parts.length - 1];
    return typeof last === 'string' ? last : '';
  }

  get origins(): UnknownOrigin[] {
    return collectOrigins(this.parts.filter((p): p is Unknown => p instanceof Unknown));
  }
}

const HEX_GUID = /^[0-9a-fA-F-]$/;
const ARM_NAME = /^[\p{L}\p{N}_.()-]$/u;
/** What the deployment-context values are made of: ARM's naming rules for them. */
const CONTEXT_ALPHABETS: Record<string, RegExp> = {
  'subscription().subscriptionId': HEX_GUID,
  'subscription().tenantId': HEX_GUID,
  'resourceGroup().name': ARM_NAME,
  'resourceGroup().location': /^[a-zA-Z0-9 ]$/,
  'managementGroup().name': ARM_NAME,
  'deployment().name': ARM_NAME,
};
const DERIVED_ALPHABETS: Record<string, RegExp> = { uniquestring: /^[a-z0-9]$/, guid: HEX_GUID };

/**
 * Whether an unknown value is known never to contain any of these characters, because of what it is: a
 * subscription or tenant id, a resource group, management group or deployment name, a location, a
 * uniqueString() or guid() result, newGuid(). Splitting a resource id with unknown subscription and resource
 * group at '/' then still gives each segment exactly.
 */
export function unknownExcludes(u: Unknown, chars: string): boolean {
  const recipe = u.recipe;
  // Context values and newGuid() are root unknowns (no recipe) keyed by their name.
  const alphabet =
    recipe === undefined ? (CONTEXT_ALPHABETS[u.key] ?? (u.key.startsWith('newGuid@') ? HEX_GUID : undefined)) : 'fn' in recipe ? DERIVED_ALPHABETS[recipe.fn.toLowerCase()] : undefined;
  return alphabet !== undefined && chars.length > 0 && ![...chars].some((ch) => alphabet.test(ch));
}

/** A lambda argument of filter/map/reduce/sort/toObject/mapValues/groupBy; never a template value. */
export class Lambda {
  constructor(
    readonly params: readonly string[],
    /** Opaque to everything but the evaluator that built it. */
    readonly body: unknown,
    /** Canonical text of the lambda (its parameters and body), so different lambdas never compare equal. */
    readonly key: string = `lambda(${params.join(',')})`,
  ) {}
}

export function isUnknown(v: Value | undefined): v is Unknown | PartialString {
  return v instanceof Unknown || v instanceof PartialString;
}

/** A string, or a partly known one with each unknown part as \u0000; undefined for anything else. */
export function textWithHoles(v: Value): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof PartialString) return v.parts.map((p) => (typeof p === 'string' ? p : '\u0000')).join('');
  return undefined;
}

export function isObject(v: Value | undefined): v is ValueObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Unknown) && !(v instanceof PartialString) && !(v instanceof Lambda);
}

/** Longest argument text a key spells out; longer ones are replaced by their digest. */
const MAX_SPELLED_KEY = 512;

/**
 * An argument's canonical text inside another key: as it is when short, else a digest of it. Keys nest (an
 * index into a 10 KB region map, passed through three modules, each time quoted again), and spelled out in
 * full they grew to megabytes in real templates; a digest keeps equal values equal at a bounded size.
 */
export function compactKey(k: string): string {
  return k.length <= MAX_SPELLED_KEY ? k : `#${createHash('sha256').update(k).digest('base64url').slice(0, 22)}`;
}

/** True when any node of the value is unknown. */
export function containsUnknown(v: Value): boolean {
  if (v instanceof Unknown || v instanceof PartialString) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (isObject(v)) {
    for (const k in v) if (containsUnknown(v[k]!)) return true;
  }
  return false;
}

/**
 * Whether equal text of this value in two different evaluations (templates, or one template with two
 * parameter files) names the same thing. Yes when all it leaves unknown is the deployment context they
 * share (subscription, resource group, location...), or runtime properties of resources so named. No when
 * it rests on a template's own parameters, secrets, deployment() (each deployment's name), newGuid()/utcNow()
 * or copy indexes: two templates that both say `parameters('vaultName')` may be given different names.
 */
export function sharedAcrossEvaluations(v: Value, depth = 0): boolean {
  if (!containsUnknown(v)) return true;
  const origins = collectOrigins([v]);
  if (origins.length === 0 || depth > 16) return false;
  // deployment() is each deployment's own (its name, template, parameters); the rest of the context is shared.
  return origins.every(
    (o) => (o.kind === 'context' && !o.name.startsWith('deployment()')) || ((o.kind === 'resource' || o.kind === 'list') && sharedAcrossEvaluations(o.target, depth + 1)),
  );
}

/** Root causes of every unknown inside the values, without duplicates. */
export function collectOrigins(values: readonly Value[]): UnknownOrigin[] {
  const seen = new Set<string>();
  const out: UnknownOrigin[] = [];
  const visit = (v: Value): void => {
    if (v instanceof Unknown) {
      for (const o of v.origins) {
        const k = originKey(o);
        if (!seen.has(k)) {
          seen.add(k);
          out.push(o);
        }
      }
    } else if (v instanceof PartialString) v.parts.forEach(visit);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (isObject(v)) for (const k in v) visit(v[k]!);
  };
  values.forEach(visit);
  return out;
}

function originKey(o: UnknownOrigin): string {
  switch (o.kind) {
    case 'resource':
      return `resource:${valueKey(o.target)}:${o.path.join('.')}`;
    case 'list':
      return `list:${o.fn}:${valueKey(o.target)}`;
    case 'error':
      return `error:${o.message}`;
    default:
      return `${o.kind}:${o.name}`;
  }
}

/** Canonical text of a value: equal keys mean equal values (object keys sorted, unknowns by their key). */
export function valueKey(v: Value): string {
  if (v instanceof Unknown) return `⟨${v.key}⟩`;
  if (v instanceof PartialString) return JSON.stringify(v.key);
  if (v instanceof Lambda) return v.key;
  if (Array.isArray(v)) return `[${v.map(valueKey).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${valueKey(v[k]!)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A fresh object with no prototype, safe for any template key. */
export function newObject(): ValueObject {
  return Object.create(null) as ValueObject;
}

export function objectFrom(entries: Iterable<readonly [string, Value]>): ValueObject {
  const o = newObject();
  for (const [k, v] of entries) o[k] = v;
  return o;
}

const openRest = new WeakMap<ValueObject, (key: string) => Value>();

/**
 * Marks an object whose listed properties are known and whose other properties exist only at deploy time
 * (what `reference()` returns for a deployment: its outputs are known, its provisioningState is not).
 */
export function withUnknownRest(obj: ValueObject, rest: (key: string) => Value): ValueObject {
  openRest.set(obj, rest);
  return obj;
}

/** The deploy-time value of a property an open object does not list, or undefined for a plain object. */
export function unknownRest(obj: ValueObject, key: string): Value | undefined {
  return openRest.get(obj)?.(key);
}

/**
 * The property name a partly or wholly unknown key gets: its canonical text (`/subscriptions/⟨sub⟩/...`), so
 * that idKey() of the name equals idKey() of the same id computed elsewhere (userAssignedIdentities).
 */
export function propertyNameOf(key: PartialString | Unknown): string {
  return key instanceof PartialString ? key.key : `⟨${key.key}⟩`;
}

const holeKeys = new WeakMap<ValueObject, Map<string, PartialString | Unknown>>();

/**
 * Marks an object that has a partly known property name (`{ '/subscriptions/⟨sub⟩/.../id': {} }`): a name it
 * does not list may be that one at deploy time, so reading it gives an unknown instead of an error. `keys` are
 * the partly known names by their property name, so that objectKeys() and items() give them back as they are.
 */
export function withHoleKeys(obj: ValueObject, keys: Iterable<readonly [string, PartialString | Unknown]>): ValueObject {
  const own = new Map<string, PartialString | Unknown>();
  for (const [name, key] of keys) if (Object.prototype.hasOwnProperty.call(obj, name)) own.set(name, key);
  holeKeys.set(obj, own);
  return withUnknownRest(obj, (key) => Unknown.derived('index', [obj, key]));
}

/** The partly known names of an object made by withHoleKeys(), by property name. */
export function holeKeysOf(obj: ValueObject): ReadonlyMap<string, PartialString | Unknown> {
  return holeKeys.get(obj) ?? new Map();
}

/** A property name as a value: the partly known name it stands for, or the name itself. */
export function keyValue(obj: ValueObject, name: string): Value {
  return holeKeys.get(obj)?.get(name) ?? name;
}

/** Whether reading a property the object does not list is unknown rather than an error. */
export function isOpenObject(obj: ValueObject): boolean {
  return openRest.has(obj);
}

/** Case-insensitive own-property lookup, as ARM does for property access. */
export function getProperty(obj: ValueObject, name: string): { found: true; key: string; value: Value } | { found: false } {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return { found: true, key: name, value: obj[name]! };
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return { found: true, key: k, value: obj[k]! };
  return { found: false };
}

/** Converts parsed JSON (from JSON.parse or a parameter file) into evaluator values with null prototypes. */
export function fromJson(v: unknown): Value {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v === 'object') {
    const o = newObject();
    for (const k of Object.keys(v as object)) o[k] = fromJson((v as Record<string, unknown>)[k]);
    return o;
  }
  return null;
}

/** Plain JSON for output: unknowns become `{"$unknown": kind, "expression": key}`. */
export function toDisplayJson(v: Value): unknown {
  if (v instanceof Unknown) return { $unknown: v.origins[0]?.kind ?? 'unknown', expression: v.key };
  if (v instanceof PartialString) return { $unknown: v.origins[0]?.kind ?? 'unknown', expression: v.key };
  if (v instanceof Lambda) return { $unknown: 'lambda', expression: 'lambda' };
  if (Array.isArray(v)) return v.map(toDisplayJson);
  if (isObject(v)) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v)) setOwn(o, k, toDisplayJson(v[k]!));
    return o;
  }
  return v;
}

/** The ARM type name of a value, for error messages. */
export function typeName(v: Value): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Unknown || v instanceof PartialString) return 'unknown';
  if (v instanceof Lambda) return v.key;
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Nested if()s looked into (possibleValues(), the rules' read()); deeper ones stay plain unknowns. */
export const MAX_IF_DEPTH = 8;

/**
 * The condition and branches of an unknown that is an if() whose condition alone is unknown (a lazy if() with
 * a known condition is never an unknown of its own), at most MAX_IF_DEPTH levels deep.
 */
export function ifBranches(v: Unknown, depth: number): [condition: Value, whenTrue: Value, whenFalse: Value] | undefined {
  const r = v.recipe;
  if (!r || !('fn' in r) || r.fn.toLowerCase() !== 'if' || r.args.length !== 3 || depth >= MAX_IF_DEPTH) return undefined;
  return [r.args[0]!, r.args[1]!, r.args[2]!];
}

/**
 * The only values an unknown can take when it is an if() (or nested if()s) whose condition alone is unknown and
 * whose branches are known scalars: `if(equals(parameters('env'), 'dev'), 7, 90)` is 7 or 90. A known scalar is
 * its own only value; anything else (an unknown branch, an object) gives undefined.
 */
export function possibleValues(v: Value, depth = 0): (string | number | boolean | null)[] | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return [v];
  const branches = v instanceof Unknown ? ifBranches(v, depth) : undefined;
  if (!branches) return undefined;
  const a = possibleValues(branches[1], depth + 1);
  const b = a && possibleValues(branches[2], depth + 1);
  return b ? [...new Set([...a!, ...b])] : undefined;
}

/** What the user can act on comes first: a value to give, then what only the deployment or Azure knows. */
const ORIGIN_ORDER: Record<UnknownOrigin['kind'], number> = { parameter: 0, secret: 1, context: 2, link: 3, error: 4, runtime: 5, list: 6, resource: 7 };

/** Why values are unknown, for "cannot tell, because ..." messages: each root cause once, whichever value it comes through. */
export function describeOrigins(...values: Value[]): string {
  // sort() is stable: causes of one kind keep the order they were found in.
  const origins = collectOrigins(values).sort((a, b) => ORIGIN_ORDER[a.kind] - ORIGIN_ORDER[b.kind]);
  if (origins.length === 0) return 'the value is not known before deployment';
  return origins.slice(0, 3).map(describeOrigin).join('; ') + (origins.length > 3 ? `; and ${origins.length - 3} more` : '');
}

/** The command-line option that gives a deployment-context value, when there is one. */
const CONTEXT_FLAGS: [RegExp, string][] = [
  [/tenantid/i, '--tenant-id'],
  [/^subscription\(\)\.subscriptionid$|^subscription\(\)\.id$/i, '--subscription-id'],
  [/^resourcegroup\(\)\.(name|id)$/i, '--resource-group (and --subscription-id)'],
  [/location/i, '--location'],
  [/^managementgroup\(\)\.name$/i, '--management-group'],
];

function contextFlag(name: string): string {
  const flag = CONTEXT_FLAGS.find(([pattern]) => pattern.test(name))?.[1];
  return flag ? ` (give it with ${flag})` : '';
}

export function describeOrigin(o: UnknownOrigin): string {
  switch (o.kind) {
    case 'parameter':
      return `parameter '${o.name}' has no value (give a parameter file or a default)`;
    case 'context':
      return `${o.name} is only known at deployment${contextFlag(o.name)}`;
    case 'runtime':
      return `${o.name}() is only known at deployment`;
    case 'resource':
      return `the runtime ${o.path.join('.') || 'state'} of resource ${displayTarget(o.target)} is only known at deployment`;
    case 'list':
      return `${o.fn}() of ${displayTarget(o.target)} is only known at deployment`;
    case 'secret':
      return `parameter '${o.name}' is a Key Vault secret reference`;
    case 'link':
      return `linked template '${o.name}' could not be loaded`;
    case 'error':
      return `evaluation failed: ${o.message}`;
  }
}

function displayTarget(t: Value): string {
  if (typeof t === 'string') return `'${t}'`;
  if (t instanceof PartialString) return `'${t.parts.map((p) => (typeof p === 'string' ? p : '{…}')).join('')}'`;
  return valueKey(t);
}
