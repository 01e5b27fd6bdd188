/**
 * What a rule sees and how it answers. Rules read evaluated resources through `read()` (case-insensitive,
 * unknown-aware), compare with the three-valued helpers, and `report()` a verdict with the evaluated path
 * that decides it. They never compute positions and never print.
 */
import type { EvaluatedResource, JsonPath } from './eval/template.js';
import { PartialString, Unknown, getProperty, isObject, isUnknown, type Value } from './eval/value.js';
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
  | { state: 'unknown'; value: Unknown | PartialString; path: JsonPath };

/**
 * Reads `path` in a resource (top-level fields such as `sku`, `identity`, `properties`), matching property
 * names case-insensitively. The returned path uses the names as written, for locating the finding.
 */
export function read(resource: EvaluatedResource, path: JsonPath): Read {
  let node: Value = resource.body;
  const at: JsonPath = [];
  for (const seg of path) {
    if (isUnknown(node)) return { state: 'unknown', value: node, path: at };
    if (typeof seg === 'number') {
      if (!Array.isArray(node) || seg >= node.length) return { state: 'missing', path: at };
      node = node[seg]!;
      at.push(seg);
      continue;
    }
    if (!isObject(node)) return { state: 'missing', path: at };
    const hit = getProperty(node, seg);
    if (!hit.found) return { state: 'missing', path: at };
    node = hit.value;
    at.push(hit.key);
    // ARM drops null properties: `"enablePurgeProtection": null` (Bicep's optional parameters) means not set.
    // The finding still points at it: that is where the template (often an expression) leaves it unset.
    if (node === null) return { state: 'missing', path: at, isNull: true };
  }
  if (isUnknown(node)) return { state: 'unknown', value: node, path: at };
  if (node === null) return { state: 'missing', path: at, isNull: true };
  return { state: 'known', value: node, path: at };
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
  if (v instanceof Unknown) return undefined;
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
  if (v instanceof Unknown) return `{${v.key}}`;
  return JSON.stringify(v);
}

export function isType(resource: EvaluatedResource, type: string): boolean {
  return resource.type.toLowerCase() === type.toLowerCase();
}

/** Option value with its default (options are validated against the rule's schema before rules run). */
export function option<T>(ctx: RuleContext, meta: RuleMeta, name: string): T {
  return (ctx.options[name] ?? meta.defaultOptions?.[name]) as T;
}
