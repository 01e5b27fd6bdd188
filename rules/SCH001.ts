/**
 * SCH001: every deployed resource of a modelled type is validated with Ajv against its schema in
 * schemas/resources/. Values only known at deployment (Unknown, PartialString) never produce a finding.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import { nameOf } from '../src/cmk-rules.js';
import type { EvaluatedResource, JsonPath } from '../src/eval/template.js';
import { isObject, type Value } from '../src/eval/value.js';
import { defineMeta } from '../src/meta.js';
import { packageFile } from '../src/paths.js';
import type { Rule, RuleContext } from '../src/rule-api.js';
import { RESOURCE_SCHEMA_FILES } from '../src/schema-types.js';
import { didYouMean } from '../src/suggest.js';

const meta = defineMeta({
  id: 'SCH001',
  name: 'schema-violation',
  level: 'error',
  shortDescription: 'An evaluated property of a registry, Key Vault, key, identity, role assignment or diagnostic setting breaks its JSON schema.',
  fullDescription:
    'cmkguard keeps a JSON schema for each resource type of a CMK deployment (schemas/resources/). After evaluating the template, it validates every deployed resource of those types: a value of the wrong type, a value outside its enum (a misspelled SKU, identity type or principal type), a malformed GUID, a number out of range or a missing required property makes the deployment fail, or is silently ignored by the resource provider. Enum values compare case-insensitively, and values known only at deployment are never judged.',
  help: [
    'Correct the property named in the message: use one of the allowed values (enum values are case-insensitive), the right JSON type, or add the missing required property.',
    '',
    '```json',
    '"properties": { "principalType": "ServicePrincipal" }',
    '```',
    '',
    'The schemas are in `schemas/resources/`; a property the schema does not know is never reported.',
  ].join('\n'),
  tags: ['schema', 'correctness'],
  precision: 'high',
});

// ---------------------------------------------------------------------------------------------- schemas

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface SchemaNode {
  [key: string]: unknown;
}

interface CompiledSchema {
  type: string;
  noun: string;
  root: SchemaNode;
  validate: ValidateFunction;
}

const compiled = new Map<string, CompiledSchema>();
let prebuilt: Record<string, () => { validate: ValidateFunction; root: SchemaNode }> | null | undefined;
let ajv: AjvLike | undefined;

/**
 * The schema of one resource type, set up the first time a resource of that type is checked: the build
 * ships standalone validators (scripts/compile-schemas.mjs); from the source tree, Ajv compiles them now.
 */
function schemaFor(type: string, file: string): CompiledSchema {
  const done = compiled.get(file);
  if (done) return done;
  const require = createRequire(import.meta.url);
  if (prebuilt === undefined) {
    const index = packageFile('dist/validators/index.cjs');
    prebuilt = existsSync(index) ? (require(index) as typeof prebuilt) : null;
  }
  let root: SchemaNode;
  let validate: ValidateFunction;
  const built = prebuilt?.[file];
  if (built) ({ root, validate } = built());
  else {
    root = JSON.parse(readFileSync(packageFile(`schemas/resources/${file}`), 'utf8')) as SchemaNode;
    if (!ajv) {
      const mod = require('ajv') as { default?: new (o: Options) => AjvLike } & (new (o: Options) => AjvLike);
      const Ajv = mod.default ?? mod;
      // verbose: errors carry the schema node they come from (for the allowed values and the ownership marker).
      ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
    }
    validate = ajv.compile(root);
  }
  const schema: CompiledSchema = { type, noun: typeof root['x-cmkguard-noun'] === 'string' ? root['x-cmkguard-noun'] : type, root, validate };
  compiled.set(file, schema);
  return schema;
}

interface AjvLike {
  compile(schema: object): ValidateFunction;
}

function resolveRef(root: SchemaNode, ref: string): SchemaNode | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const seg of ref.slice(1).split('/').filter(Boolean)) {
    node = (node as SchemaNode | undefined)?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node && typeof node === 'object' ? (node as SchemaNode) : undefined;
}

/** The node and every node it is made of ($ref, allOf, anyOf, oneOf). */
function partsOf(root: SchemaNode, node: SchemaNode | undefined, depth = 0): SchemaNode[] {
  if (!node || depth > 16) return [];
  const out = [node];
  if (typeof node['$ref'] === 'string') out.push(...partsOf(root, resolveRef(root, node['$ref']), depth + 1));
  for (const k of ['allOf', 'anyOf', 'oneOf']) {
    const list = node[k];
    if (Array.isArray(list)) for (const s of list) if (s && typeof s === 'object') out.push(...partsOf(root, s as SchemaNode, depth + 1));
  }
  return out;
}

function propertiesOf(node: SchemaNode): Record<string, SchemaNode> {
  const p = node['properties'];
  return p && typeof p === 'object' ? (p as Record<string, SchemaNode>) : {};
}

function childSchema(root: SchemaNode, node: SchemaNode | undefined, key: string): SchemaNode | undefined {
  const parts = partsOf(root, node);
  for (const part of parts) {
    const props = propertiesOf(part);
    if (Object.prototype.hasOwnProperty.call(props, key)) return props[key];
  }
  for (const part of parts) {
    const extra = part['additionalProperties'];
    if (extra && typeof extra === 'object') return extra as SchemaNode;
  }
  return undefined;
}

function itemSchema(root: SchemaNode, node: SchemaNode | undefined, index: number): SchemaNode | undefined {
  for (const part of partsOf(root, node)) {
    const items = part['items'];
    if (Array.isArray(items)) return items[index] as SchemaNode | undefined;
    if (items && typeof items === 'object') return items as SchemaNode;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------- instance

/** Stands in for a value only known at deployment; errors at or below it are dropped. */
const UNKNOWN = '\u0000cmkguard:unknown\u0000';

interface Instance {
  data: Json;
  /** JSON pointers of unknown values. */
  unknown: string[];
  /** JSON pointers of objects with a property name computed from an unknown value. */
  openKeys: Set<string>;
  /** JSON pointer (with the schema's spelling) → the property name as written, where they differ. */
  written: Map<string, string>;
}

const pointerSeg = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Plain JSON for Ajv. Property names are matched to the schema's case-insensitively (ARM does), so that
 * `TenantId` satisfies a required `tenantId`; unknown leaves become a sentinel.
 */
function toInstance(body: Value, root: SchemaNode): Instance {
  const inst: Instance = { data: null, unknown: [], openKeys: new Set(), written: new Map() };
  const visit = (v: Value, schema: SchemaNode | undefined, ptr: string): Json => {
    if (Array.isArray(v)) return v.map((x, i) => visit(x, itemSchema(root, schema, i), `${ptr}/${i}`));
    if (isObject(v)) {
      const out = Object.create(null) as { [key: string]: Json };
      const names = partsOf(root, schema).flatMap((p) => Object.keys(propertiesOf(p)));
      for (const k of Object.keys(v)) {
        // ARM drops null properties (Bicep writes optional parameters so): they are simply not set.
        if (v[k] === null) continue;
        // The evaluator writes a property name computed from an unknown value as ⟨canonical text⟩.
        if (k.includes('\u27e8')) inst.openKeys.add(ptr);
        let key = k;
        if (!names.includes(k)) {
          const canonical = names.find((n) => n.toLowerCase() === k.toLowerCase());
          if (canonical !== undefined && !Object.prototype.hasOwnProperty.call(v, canonical) && !(canonical in out)) key = canonical;
        }
        const childPtr = `${ptr}/${pointerSeg(key)}`;
        if (key !== k) inst.written.set(childPtr, k);
        out[key] = visit(v[k]!, childSchema(root, schema, key), childPtr);
      }
      return out;
    }
    if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
    // Unknown, PartialString (and a stray lambda): not known before deployment.
    inst.unknown.push(ptr);
    return UNKNOWN;
  };
  inst.data = visit(body, root, '');
  return inst;
}

const within = (ptr: string, base: string): boolean => ptr === base || ptr.startsWith(`${base}/`);

/** Keywords whose outcome depends on the values below the instance they report on. */
const VALUE_KEYWORDS = new Set(['anyOf', 'oneOf', 'not', 'if', 'contains', 'uniqueItems', 'const', 'enum']);
/** Keywords whose outcome depends on the property names of the object they report on. */
const KEY_KEYWORDS = new Set(['required', 'additionalProperties', 'propertyNames', 'dependencies', 'minProperties', 'maxProperties']);

function isReportable(e: ErrorObject, inst: Instance): boolean {
  const at = e.instancePath;
  if (inst.unknown.some((u) => within(at, u))) return false;
  if (VALUE_KEYWORDS.has(e.keyword) && inst.unknown.some((u) => within(u, at))) return false;
  if (KEY_KEYWORDS.has(e.keyword) && inst.openKeys.has(at)) return false;
  // Errors inside anyOf/oneOf/not branches are summed up by the combinator's own error.
  if (/\/(?:anyOf|oneOf)\/\d+\/|\/not\//.test(e.schemaPath)) return false;
  // A property another rule checks in full is left to that rule (one finding per mistake).
  const node = e.parentSchema as SchemaNode | undefined;
  if (node && typeof node['x-cmkguard-reported-by'] === 'string') return false;
  return true;
}

/** Ajv's instancePath as a path in the evaluated resource, with property names as written. */
function evaluatedPath(inst: Instance, pointer: string): JsonPath {
  const out: JsonPath = [];
  let node: Json | undefined = inst.data;
  let ptr = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    ptr += `/${raw}`;
    if (Array.isArray(node)) {
      const i = Number(seg);
      out.push(i);
      node = node[i];
    } else {
      out.push(inst.written.get(ptr) ?? seg);
      node = node && typeof node === 'object' ? (node as { [key: string]: Json })[seg] : undefined;
    }
  }
  return out;
}

function valueAt(inst: Instance, pointer: string): Json | undefined {
  let node: Json | undefined = inst.data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = Array.isArray(node) ? node[Number(seg)] : node && typeof node === 'object' ? (node as { [key: string]: Json })[seg] : undefined;
  }
  return node;
}

// ---------------------------------------------------------------------------------------------- messages

function displayPath(path: JsonPath): string {
  return path.reduce<string>((s, seg) => (typeof seg === 'number' ? `${s}[${seg}]` : s ? `${s}.${seg}` : seg), '');
}

function describeValue(v: Json | undefined): string {
  if (typeof v === 'string') return `'${v.length > 80 ? `${v.slice(0, 77)}...` : v}'`;
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

const TYPE_PHRASES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function listValues(values: unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? (v.includes(',') ? `'${v}'` : v) : JSON.stringify(v))).join(', ');
}

/** What the schema node allows, as a phrase: "one of A, B", "a GUID (…)", "an integer". */
function allowed(node: SchemaNode | undefined): string | undefined {
  if (!node) return undefined;
  const ci = node['x-cmkguard-enum'];
  if (Array.isArray(ci)) return `one of ${listValues(ci)}`;
  if (typeof node['x-cmkguard-expects'] === 'string') return node['x-cmkguard-expects'];
  if (Array.isArray(node['enum'])) return `one of ${listValues(node['enum'])}`;
  if ('const' in node) return JSON.stringify(node['const']);
  const t = node['type'];
  if (typeof t === 'string') return TYPE_PHRASES[t] ?? t;
  if (Array.isArray(t)) return t.map((x) => TYPE_PHRASES[String(x)] ?? String(x)).join(' or ');
  return undefined;
}

/** " Did you mean 'Premium'?" for a near miss of an enum value. */
function suggestion(value: Json | undefined, node: SchemaNode | undefined): string {
  const values = node?.['x-cmkguard-enum'] ?? node?.['enum'];
  if (typeof value !== 'string' || !Array.isArray(values)) return '';
  return didYouMean(value, values.filter((v): v is string => typeof v === 'string'), (candidate) => Math.max(2, Math.ceil(candidate.length / 3)));
}

function messageFor(root: SchemaNode, e: ErrorObject, prop: string, value: Json | undefined): string {
  const node = e.parentSchema as SchemaNode | undefined;
  const what = prop || 'the resource';
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const missing = String(params['missingProperty']);
      const full = prop ? `${prop}.${missing}` : missing;
      const expects = allowed(childSchema(root, node, missing));
      return `${full} is missing, and it is required${expects ? ` (${expects})` : ''}.`;
    }
    case 'type':
    case 'enum':
    case 'const':
    case 'pattern':
    case 'format': {
      const expects = allowed(node);
      if (e.keyword === 'pattern' && !expects) return `${what} is ${describeValue(value)}, which does not match the pattern ${String(params['pattern'])}.`;
      return `${what} is ${describeValue(value)}, which is not ${expects ?? (e.message ?? 'valid')}.${suggestion(value, node)}`;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const min = node?.['minimum'];
      const max = node?.['maximum'];
      if (typeof min === 'number' && typeof max === 'number') return `${what} is ${describeValue(value)}, which is outside ${min}..${max}.`;
      return `${what} is ${describeValue(value)}, which is not ${String(params['comparison'])} ${String(params['limit'])}.`;
    }
    case 'minLength':
    case 'maxLength':
      return `${what} is ${describeValue(value)}, which has ${e.keyword === 'minLength' ? 'fewer' : 'more'} than ${String(params['limit'])} characters.`;
    case 'minItems':
    case 'maxItems':
      return `${what} has ${Array.isArray(value) ? value.length : '?'} entries; ${e.keyword === 'maxItems' ? 'at most' : 'at least'} ${String(params['limit'])} are allowed.`;
    case 'uniqueItems':
      return `${what} has the same entry twice (entries ${String(params['j'])} and ${String(params['i'])}).`;
    case 'additionalProperties':
      return `${what} has property '${String(params['additionalProperty'])}', which is not allowed here.`;
    default:
      return `${what} ${e.message ?? 'is not valid'}.`;
  }
}

// ---------------------------------------------------------------------------------------------- check

function checkResource(ctx: RuleContext, resource: EvaluatedResource, schema: CompiledSchema): void {
  const inst = toInstance(resource.body, schema.root);
  const label = `${schema.noun} '${nameOf(resource)}'`;
  const valid = schema.validate(inst.data);
  const seen = new Set<string>();
  let reported = false;
  for (const e of valid ? [] : (schema.validate.errors ?? [])) {
    if (!isReportable(e, inst)) continue;
    // One finding per offending value (a value can break its type and its pattern at once).
    const key = e.keyword === 'required' ? `${e.instancePath}|required|${String((e.params as { missingProperty: string }).missingProperty)}` : e.instancePath;
    if (seen.has(key)) continue;
    seen.add(key);
    const path = evaluatedPath(inst, e.instancePath);
    const message = messageFor(schema.root, e, displayPath(path), valueAt(inst, e.instancePath));
    ctx.report({ resource, path, verdict: 'fail', message: `${label}: ${message}` });
    reported = true;
  }
  if (!reported) ctx.report({ resource, path: [], verdict: 'pass', message: `${label} matches its schema.` });
}

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const [type, file] of Object.entries(RESOURCE_SCHEMA_FILES)) {
      const resources = ctx.graph.deployed(type);
      if (resources.length === 0) continue;
      const schema = schemaFor(type, file);
      for (const resource of resources) checkResource(ctx, resource, schema);
    }
  },
};
