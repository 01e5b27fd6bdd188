/**
 * What a rule sees and how it answers. Rules read evaluated resources through `read()` (case-insensitive,
 * unknown-aware), compare with the three-valued helpers, and `report()` a verdict with the evaluated path
 * that decides it. They never compute positions and never print.
 */
import type { EvaluatedResource, JsonPath } from './eval/template.js';
import { PartialString, Unknown, getProperty, ifBranches, isObject, isUnknown, possibleValues, valueKey, type Value } from './eval/value.js';
import type { ScanGraph } from './graph.js';
import type { Level, RuleMeta } from './types.js';

export type Verdict = 'pass' | 'fail' | 'undetermined';

export interface RuleReport {
  resource: EvaluatedResource;
  /** Evaluated path inside the resource (`['properties', 'encryption', 'status']`); `[]` is the resource itself. */
  path: JsonPath;
  verdict: Verdict;
  message: string;
  /** Overrides the rule's level for this report (a preview API version earns a note, say). */
  level?: Level;
  /** The resource the finding is about when it differs from the one it points at (the CMK vault named by a registry). */
  subject?: { type: string; name: Value };
  /**
   * The registry, vault or key of the CMK chain this verdict belongs to, when `resource` is another one (a key
   * grant, a diagnostic setting), so that `explain` shows it on its link.
   */
  chainMember?: EvaluatedResource;
  /**
   * The id of what live mode read from ARM that the verdict rests on, when `resource` is a template's (the
   * deleted vault a recovered vault comes back from): the finding is marked live like one about a resource read.
   */
  live?: string;
}

export interface RuleContext {
  graph: ScanGraph;
  options: Record<string, unknown>;
  report(r: RuleReport): void;
}

export interface Rule {
  meta: RuleMeta;
  /** Absent for template diagnostics, which the engine reports itself. */
  check?(ctx: RuleContext): void;
}

export type Read =
  /** Not there, or there as null (`isNull`: ARM drops null properties); `path` is then the null property itself. */
  | { state: 'missing'; path: JsonPath; isNull?: boolean }
  | { state: 'known'; value: Value; path: JsonPath }
  /** `present`: the property is certainly there, only its value is unknown (every branch of an if() sets it). */
  | { state: 'unknown'; value: Unknown | PartialString; path: JsonPath; present?: true };

/**
 * Reads `path` in a resource (top-level fields such as `sku`, `identity`, `properties`), matching property
 * names case-insensitively. The returned path uses the names as written, for locating the finding.
 */
export function read(resource: EvaluatedResource, path: JsonPath): Read {
  let node: Value = resource.body;
  const at: JsonPath = [];
  for (const [i, seg] of path.entries()) {
    if (isUnknown(node)) {
      const below = node instanceof Unknown ? readInIf(node, path.slice(i)) : undefined;
      if (below?.state === 'known') return { state: 'known', value: below.value, path: at };
      if (below?.state === 'missing') return { state: 'missing', path: at };
      return { state: 'unknown', value: below?.value ?? node, path: at, ...(below?.present ? { present: true as const } : {}) };
    }
    const next = stepInto(node, seg);
    if (!next) return { state: 'missing', path: at };
    node = next.value;
    at.push(next.key);
    // ARM drops null properties: `"enablePurgeProtection": null` (Bicep's optional parameters) means not set.
    // The finding still points at it: that is where the template (often an expression) leaves it unset.
    if (typeof seg === 'string' && node === null) return { state: 'missing', path: at, isNull: true };
  }
  if (isUnknown(node)) return { state: 'unknown', value: node, path: at };
  if (node === null) return { state: 'missing', path: at, isNull: true };
  return { state: 'known', value: node, path: at };
}

/** One step down a value: an array element, or a property matched case-insensitively; undefined when absent. */
function stepInto(node: Value, seg: string | number): { value: Value; key: string | number } | undefined {
  if (typeof seg === 'number') return Array.isArray(node) && seg < node.length ? { value: node[seg]!, key: seg } : undefined;
  if (!isObject(node)) return undefined;
  const hit = getProperty(node, seg);
  return hit.found ? { value: hit.value, key: hit.key } : undefined;
}

type Below = { state: 'missing' } | { state: 'known'; value: Value } | { state: 'unknown'; value: Unknown | PartialString; present?: boolean };

/**
 * Reads `rest` inside an unknown that is `if(c, a, b)` (the condition alone unknown): in both branches. The same
 * known value (or nothing) in both is that value; otherwise an unknown `if(c, a.rest, b.rest)`, whose causes are
 * the condition's and those of the parts read, not of everything else the branches hold: "whether the registry
 * enables CMK" is then "because parameter 'cmk' has no value", not also the runtime key URI the other branch has.
 */
function readInIf(node: Unknown, rest: JsonPath, depth = 0): Below | undefined {
  const branches = ifBranches(node, depth);
  if (!branches) return undefined;
  const [condition, whenTrue, whenFalse] = branches;
  const branch = (v: Value): Below => {
    let n: Value = v;
    for (const [i, seg] of rest.entries()) {
      if (isUnknown(n)) return (n instanceof Unknown ? readInIf(n, rest.slice(i), depth + 1) : undefined) ?? { state: 'unknown', value: n };
      const next = stepInto(n, seg);
      if (!next || next.value === null) return { state: 'missing' };
      n = next.value;
    }
    return isUnknown(n) ? { state: 'unknown', value: n, present: true } : n === null ? { state: 'missing' } : { state: 'known', value: n };
  };
  const a = branch(whenTrue);
  const b = branch(whenFalse);
  if (a.state === 'missing' && b.state === 'missing') return a;
  if (a.state === 'known' && b.state === 'known' && valueKey(a.value) === valueKey(b.value)) return a;
  const part = (x: Below): Value => (x.state === 'missing' ? null : x.value);
  const there = (x: Below): boolean => x.state === 'known' || (x.state === 'unknown' && x.present === true);
  return { state: 'unknown', value: Unknown.derived('if', [condition, part(a), part(b)]), present: there(a) && there(b) };
}

/** How many leading segments of a missing read's path are there and not null (`identity` of `identity.type`). */
export function presentDepth(r: Extract<Read, { state: 'missing' }>): number {
  return r.isNull ? r.path.length - 1 : r.path.length;
}

/** Three-valued case-insensitive string equality: undefined when the value is not known. */
export function equalsIgnoreCase(v: Value, expected: string): boolean | undefined {
  if (typeof v === 'string') return v.toLowerCase() === expected.toLowerCase();
  if (v instanceof PartialString) {
    const e = expected.toLowerCase();
    if (!e.startsWith(v.prefix.toLowerCase()) || !e.endsWith(v.suffix.toLowerCase())) return false;
    return undefined;
  }
  if (v instanceof Unknown) {
    // An if() between known values: decided when every value it can take answers the same.
    const answers = new Set(possibleValues(v)?.map((x) => equalsIgnoreCase(x, expected)));
    return answers.size === 1 ? [...answers][0] : undefined;
  }
  return false;
}

/** Three-valued truth: undefined when it is only known at deployment. */
export type Tri = boolean | undefined;

/** Three-valued and: false when any is false, true when all are true. */
export function and3(...xs: Tri[]): Tri {
  if (xs.some((x) => x === false)) return false;
  return xs.every((x) => x === true) ? true : undefined;
}

/** Three-valued or: true when any is true, false when all are false. */
export function or3(...xs: Tri[]): Tri {
  if (xs.some((x) => x === true)) return true;
  return xs.every((x) => x === false) ? false : undefined;
}

/** Three-valued: is the value read `expected` (case-insensitively)? Absent is not. */
export function isSetTo(r: Read, expected: string): Tri {
  return r.state === 'missing' ? false : equalsIgnoreCase(r.value, expected);
}

/** Three-valued boolean: ARM accepts 'true'/'false' strings where booleans are expected. */
export function asBoolean(v: Value): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  return undefined;
}

export function display(v: Value): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v instanceof PartialString) return `'${v.parts.map((p) => (typeof p === 'string' ? p : '{…}')).join('')}'`;
  if (v instanceof Unknown) {
    const choices = possibleValues(v);
    return choices && choices.length > 1 ? `${choices.map((x) => display(x)).join(' or ')} (depending on deployment)` : `{${v.key}}`;
  }
  return JSON.stringify(v);
}

export function isType(resource: EvaluatedResource, type: string): boolean {
  return resource.type.toLowerCase() === type.toLowerCase();
}

/** Option value with its default (options are validated against the rule's schema before rules run). */
export function option<T>(ctx: RuleContext, meta: RuleMeta, name: string): T {
  return (ctx.options[name] ?? meta.defaultOptions?.[name]) as T;
}
