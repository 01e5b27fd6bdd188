/**
 * Template semantics (arm-evaluator.md §3): parameters, variables, user functions, resources (array or
 * symbolic-name object), classic nested children, copy loops, conditions, existing resources, nested and
 * linked deployments, outputs. One `TemplateScope` per template body; nested deployments get their own.
 */
import path from 'node:path';
import { evaluateExpressionText, Budget, BudgetExceeded, type CopyFrame, type Env, type Site, type TemplateHost, type UserFunction } from './expression.js';
import { isExpression, unescapeLiteral } from './parser.js';
import { TemplateEvalError, withHint } from './functions/types.js';
import { didYouMean } from '../suggest.js';
import { findKey, isRecord as isPlainObject } from '../json.js';
import { traceOrigins, type OriginTrace } from '../origin.js';
import {
  extensionResourceIdFunction,
  displayPart,
  idAt,
  idKey,
  joinParts,
  managementGroupResourceIdFunction,
  providerPath,
  resourceGroupId,
  resourceIdFunction,
  scopePrefix,
  splitName,
  subscriptionPrefix,
  subscriptionResourceIdFunction,
  tenantResourceIdFunction,
  type DeploymentScope,
  type ScopeKind,
} from './ids.js';
import {
  PartialString,
  Unknown,
  fromJson,
  getProperty,
  isObject,
  newObject,
  objectFrom,
  typeName,
  valueKey,
  withUnknownRest,
  withHoleKeys,
  propertyNameOf,
  type Value,
  type ValueObject,
} from './value.js';

export type JsonPath = (string | number)[];

export interface Diagnostic {
  ruleId: 'TPL002' | 'TPL003' | 'TPL004';
  message: string;
  file: string;
  path: JsonPath;
  /** Where the parameter values the failing expression reads are written, in a module or with a parameter file. */
  trace?: OriginTrace;
}

/** Where a parameter's value is written: a parameter file entry, or the `value` a deployment passes. */
export interface ParameterOrigin {
  file: string;
  path: JsonPath;
  /** The deployment that passes it; undefined for a parameter file. */
  deployment?: string;
  /** The value as written, to follow a caller's own `[parameters('x')]` further up. */
  raw: unknown;
  /** The caller's parameter origins. */
  outer?: ReadonlyMap<string, ParameterOrigin>;
  /** The caller's raw `variables`, to follow a value the caller builds in a variable (src/origin.ts). */
  variables?: unknown;
}

export interface EvaluatedResource {
  /** Unique within a scan: evaluation unit, file, declaration, copy index. */
  key: string;
  /** The evaluation it belongs to: the root template and its parameter file. */
  unit: string;
  file: string;
  /** JSON path of the declaration object in `file`; copy instances share their loop body. */
  path: JsonPath;
  /** JSON path, in `file`, of the template object that declares the resource (`[]` for the file's own template). */
  templatePath: JsonPath;
  /** The `metadata` object of that template (suppressions live there). */
  templateMetadata?: unknown;
  /** The raw `variables` of that template, when values come from outside it (parameterOrigins): src/origin.ts. */
  templateVariables?: unknown;
  raw: Record<string, unknown>;
  symbolicName?: string;
  type: string;
  apiVersion: string;
  name: Value;
  id: Value;
  /** What the resource is deployed into or attached to: an extension's target, else its resource group, subscription or tenant. */
  scope: Value;
  /** false when the resource's condition (or an enclosing deployment's) is false. */
  deployed: boolean | 'unknown';
  /** When `deployed` is 'unknown': the condition value (its own or an enclosing deployment's) that is not known. */
  condition?: Value;
  existing: boolean;
  copy?: { name: string; index: number; countKnown: boolean };
  /** Evaluated top-level fields other than type/name/apiVersion (properties, sku, identity, location, ...). */
  body: ValueObject;
  dependsOn: string[];
  /** Names of the nested deployments that contain the resource, outermost first. */
  deploymentPath: string[];
  /** Where its template's parameter values come from (lower-case name), when given by a file or a caller. */
  parameterOrigins?: ReadonlyMap<string, ParameterOrigin>;
  parentKey?: string;
  /**
   * Read from Azure Resource Manager in live mode (`arm`) rather than evaluated from a template: `id` is the
   * resource read; `file` and `path` are where a scanned template names it, so findings about it point there.
   * `what-if`: a template resource whose unknown values ARM's what-if predicted (`filled` says where).
   */
  live?: { source: 'arm' | 'what-if'; id: string; filled?: JsonPath[] };
  /**
   * Live mode's reading of the vault that a vault deployed with createMode 'recover' brings back (src/live/resolve.ts):
   * the settings ARM shows for it, or why it could not be read. Only settings the template does not set use it.
   */
  recovery?: LiveRecovery;
}

export interface LiveRecovery {
  /** The vault settings (paths under `properties`, as `enablePurgeProtection`) live mode takes from ARM for a recovered vault. */
  reads: readonly string[];
  /** Completes "because ..." for any other setting. */
  others: string;
  /** What was read: the deleted vault (`.../locations/<l>/deletedVaults/<name>`) or the vault itself. */
  found?: {
    id: string;
    /** For messages: "the soft-deleted vault it recovers". */
    what: string;
    /** The settings of `reads` that ARM shows. */
    settings: ReadonlyMap<string, Value>;
  };
  /** Why nothing could be read. */
  failed?: string;
}

export interface DeploymentContextInput {
  subscriptionId?: string;
  resourceGroup?: string;
  location?: string;
  tenantId?: string;
  managementGroup?: string;
  deploymentName?: string;
}

export interface LinkedTemplate {
  file: string;
  json: unknown;
}

export interface EvaluateOptions {
  file: string;
  json: unknown;
  /** Raw `parameters` object of a parameter file, and its path. */
  parameters?: { file: string; values: Record<string, unknown> };
  context?: DeploymentContextInput;
  /** Loads a linked template (`templateLink.relativePath`) already confined to the scan root; a string is an error. */
  loadLinked?: (fromFile: string, relativePath: string) => LinkedTemplate | string;
  budget?: Budget;
  maxDeploymentDepth?: number;
  /** Nested deployments evaluated in all, at every depth. */
  maxDeployments?: number;
  maxCopyCount?: number;
}

export const DEFAULT_MAX_DEPLOYMENTS = 2000;

export interface Evaluation {
  file: string;
  parameterFile?: string;
  resources: EvaluatedResource[];
  outputs: ValueObject;
  diagnostics: Diagnostic[];
  scopeKind: ScopeKind;
  generator?: string;
  /**
   * Linked template files this evaluation loaded for deployments that may be deployed (condition not false):
   * their resources are evaluated here with the parameters this template passes them.
   */
  linkedFiles: string[];
  /** The same links as [the template whose deployment links it, the linked file]. */
  linkEdges: [from: string, to: string][];
}

/** Functions the template evaluator answers (besides `list*`), as ARM spells them. */
const CONTEXT_FUNCTION_NAMES = [
  'parameters', 'variables', 'copyIndex', 'resourceId', 'subscriptionResourceId', 'tenantResourceId', 'extensionResourceId',
  'managementGroupResourceId', 'subscription', 'resourceGroup', 'tenant', 'managementGroup', 'deployment', 'environment',
  'reference', 'references', 'resourceInfo', 'newGuid', 'utcNow', 'pickZones', 'providers', 'deployer', 'externalInputs',
  'fail', 'extensions', 'toLogicalZone', 'toPhysicalZone', 'toLogicalZones', 'toPhysicalZones', 'roleDefinitions',
];
const CONTEXT_FUNCTIONS = new Set(CONTEXT_FUNCTION_NAMES.map((n) => n.toLowerCase()));

/** A default that only stands for "no value": '', null, [] or {}. */
function isEmptyPlaceholder(raw: unknown): boolean {
  return raw === '' || raw === null || (Array.isArray(raw) && raw.length === 0) || (typeof raw === 'object' && raw !== null && !(raw instanceof Unknown) && !(raw instanceof PartialString) && Object.keys(raw).length === 0);
}

function displayJson(raw: unknown): string {
  return Array.isArray(raw) ? '[]' : raw !== null && typeof raw === 'object' ? '{}' : JSON.stringify(raw);
}

/** JSON nesting that evaluation follows; deeper values (hostile or broken templates) become a TPL002. */
const MAX_JSON_DEPTH = 256;

/** [min, max, display name] argument counts of the context functions. */
const CONTEXT_ARITY: Record<string, [number, number, string]> = {
  parameters: [1, 1, 'parameters'],
  variables: [1, 1, 'variables'],
  copyindex: [0, 2, 'copyIndex'],
  resourceid: [2, Infinity, 'resourceId'],
  subscriptionresourceid: [2, Infinity, 'subscriptionResourceId'],
  tenantresourceid: [2, Infinity, 'tenantResourceId'],
  extensionresourceid: [3, Infinity, 'extensionResourceId'],
  managementgroupresourceid: [2, Infinity, 'managementGroupResourceId'],
  subscription: [0, 1, 'subscription'],
  resourcegroup: [0, 0, 'resourceGroup'],
  tenant: [0, 0, 'tenant'],
  managementgroup: [0, 1, 'managementGroup'],
  deployment: [0, 0, 'deployment'],
  environment: [0, 0, 'environment'],
  reference: [1, 3, 'reference'],
  references: [1, 2, 'references'],
  resourceinfo: [1, 1, 'resourceInfo'],
  newguid: [0, 0, 'newGuid'],
  utcnow: [0, 1, 'utcNow'],
  fail: [1, 1, 'fail'],
};

/** Shared state of one evaluation: diagnostics, resources, budget. */
class EvaluationState {
  readonly diagnostics: Diagnostic[] = [];
  /** Nested deployments evaluated so far, at every depth. */
  deploymentsRun = 0;
  readonly linkedFiles = new Set<string>();
  /** `from → to` keys of linkedFiles: which template's deployment loaded each. */
  readonly linkEdges = new Map<string, [string, string]>();
  private readonly diagKeys = new Set<string>();
  readonly resources: EvaluatedResource[] = [];
  readonly budget: Budget;
  /** One template evaluated with one parameter file: resources of different units never alias. */
  readonly unit: string;
  constructor(readonly options: EvaluateOptions) {
    this.budget = options.budget ?? new Budget();
    this.unit = `${options.file}${options.parameters ? `?${options.parameters.file}` : ''}`;
  }

  private quiet = 0;

  /**
   * Parameters read by the expressions under evaluation whose value is only a placeholder (an empty default,
   * a nullable parameter without value, a null from the parameter file), with why. An expression that fails
   * on such a value needs a real one; the template itself is not shown broken.
   */
  readonly placeholderReads: PlaceholderRead[] = [];
  /** Where each expression (or variable, parameter, count) under evaluation started in placeholderReads. */
  private readonly frameMarks: number[] = [];
  /** Last index of each placeholder in placeholderReads: a read already visible to the innermost frame is not repeated. */
  private readonly lastRead = new Map<string, number>();
  /** While set, placeholder parameters (and what was computed from them) read as unknown. */
  placeholdersAsUnknown = false;

  /** Runs `fn`; returns its value and the placeholder parameters it read (still visible to the enclosing expression). */
  trackPlaceholders<T>(fn: () => T): { value: T; read: PlaceholderRead[] | undefined } {
    const mark = this.enterFrame();
    try {
      const value = fn();
      return { value, read: this.placeholderReads.length > mark ? this.placeholderReads.slice(mark) : undefined };
    } finally {
      this.leaveFrame();
    }
  }

  enterFrame(): number {
    const mark = this.placeholderReads.length;
    this.frameMarks.push(mark);
    return mark;
  }

  leaveFrame(): void {
    this.frameMarks.pop();
    if (this.frameMarks.length === 0) {
      this.placeholderReads.length = 0;
      this.lastRead.clear();
    }
  }

  notePlaceholders(reads: readonly PlaceholderRead[]): void {
    const floor = this.frameMarks.length ? this.frameMarks[this.frameMarks.length - 1]! : 0;
    for (const r of reads) {
      const key = r.name.toLowerCase();
      const last = this.lastRead.get(key);
      if (last !== undefined && last >= floor) continue;
      this.lastRead.set(key, this.placeholderReads.length);
      this.placeholderReads.push(r);
    }
  }

  /** Runs `fn` with placeholder parameters (and what was computed from them) read as unknown, or as their values. */
  placeholdersUnknownWhile<T>(unknown: boolean, fn: () => T): T {
    const saved = this.placeholdersAsUnknown;
    this.placeholdersAsUnknown = unknown;
    try {
      return fn();
    } finally {
      this.placeholdersAsUnknown = saved;
    }
  }

  /** Runs `fn` with diagnostics switched off when `when` holds (parts of the template ARM never evaluates). */
  quietWhile<T>(when: boolean, fn: () => T): T {
    if (when) this.quiet++;
    try {
      return fn();
    } finally {
      if (when) this.quiet--;
    }
  }

  diagnose(ruleId: Diagnostic['ruleId'], message: string, file: string, at: JsonPath, trace?: OriginTrace): void {
    if (this.quiet > 0) return;
    const k = `${ruleId}|${file}|${at.join('/')}|${message}`;
    if (this.diagKeys.has(k)) return;
    this.diagKeys.add(k);
    this.diagnostics.push({ ruleId, message, file, path: [...at], ...(trace?.origins.length ? { trace } : {}) });
  }
}

interface PlaceholderRead {
  name: string;
  why: string;
}

interface VariableDecl {
  name: string;
  value: unknown;
  path: JsonPath;
  copy?: Record<string, unknown>;
}

interface ParamDecl {
  name: string;
  decl: Record<string, unknown>;
  path: JsonPath;
}

interface ResourceDecl {
  raw: Record<string, unknown>;
  path: JsonPath;
  symbolicName?: string;
  parent?: ResourceDecl;
  /** Loop or symbolic name that dependsOn may name for all instances. */
  loopName?: string;
}

interface Instance {
  decl: ResourceDecl;
  copy?: CopyFrame;
  copyInfo?: { name: string; index: number; countKnown: boolean };
  type: string;
  name: Value;
  id: Value;
  scope: Value;
  existing: boolean;
  deployed: boolean | 'unknown';
  /** The unknown condition that makes `deployed` 'unknown'. */
  deployedWhy?: Value;
  record?: EvaluatedResource;
  evaluating?: boolean;
  /** For deployments: what `reference()` of it returns (its outputs). */
  deploymentState?: Value;
  parent?: Instance;
  /** The declarations its dependsOn entries name unambiguously, with the entry's index. */
  dependsOnDecls?: { decl: ResourceDecl; index: number }[];
}

/**
 * reference() and the list*() functions read a resource's runtime state, which does not exist yet where ARM
 * resolves variables and user-defined functions. The docs: "You can't use the reference function or any of the
 * list functions in the variable declaration"; a user-defined function "can't use the reference function or any
 * of the list functions". (The same docs page says a function can't read variables or call other functions:
 * ARM has since allowed both, and Bicep compiles such functions, so those are not refused.)
 */
function refuseRuntimeStateAt(fn: string, env: Env): void {
  if (env.site === 'variable') {
    throw new TemplateEvalError(
      `${fn}() is not allowed in variables: ARM refuses it ("The template function '${fn}' is not expected at this location")`,
      ` Write the ${fn}() where the value is used (resource properties or outputs) instead of in a variable.`,
    );
  }
  if (env.site === 'function') {
    throw new TemplateEvalError(
      `${fn}() is not allowed in a user-defined function: ARM refuses function calls that read a resource's runtime state there`,
      ` Call ${fn}() where the function is used and pass its result to the function as a parameter.`,
    );
  }
}

/** Evaluates one template with one parameter file (or its defaults). Never throws for template problems. */
export function evaluateTemplate(options: EvaluateOptions): Evaluation {
  const state = new EvaluationState(options);
  const json = options.json;
  const raw = isPlainObject(json) ? json : {};
  const kind = scopeKindOfSchema(raw['$schema']);
  const scope = rootScope(kind, options.context ?? {});
  const supplied = new Map<string, Value>();
  const origins = new Map<string, ParameterOrigin>();
  if (options.parameters) {
    for (const [name, entry] of Object.entries(options.parameters.values)) {
      if (!isPlainObject(entry)) continue;
      if ('value' in entry) {
        supplied.set(name.toLowerCase(), fromJson(entry['value']));
        origins.set(name.toLowerCase(), { file: options.parameters.file, path: ['parameters', name, 'value'], raw: entry['value'] });
      } else if ('reference' in entry) supplied.set(name.toLowerCase(), Unknown.secret(name));
      else if (typeof entry['expression'] === 'string') {
        // A compiled .bicepparam writes a value it cannot compute (externalInput()) as an expression that the
        // deployment evaluates: the value is given, and as known as the expression is.
        const at = ['parameters', name, 'expression'];
        const paramFile = new TemplateScope(state, {}, options.parameters.file, [], scope, new Map(), [], undefined, 0);
        supplied.set(name.toLowerCase(), paramFile.evalString(entry['expression'], at, { host: paramFile, site: 'parameter', paramName: name }));
        origins.set(name.toLowerCase(), { file: options.parameters.file, path: at, raw: entry['expression'] });
      }
    }
  }
  const tpl = new TemplateScope(state, raw, options.file, [], scope, supplied, [], undefined, 0, origins);
  if (options.parameters) tpl.checkSuppliedNames(Object.keys(options.parameters.values), options.parameters.file, ['parameters'], 'the parameter file sets');
  let outputs: ValueObject = newObject();
  try {
    tpl.run();
    outputs = tpl.outputs();
  } catch (err) {
    if (err instanceof RangeError) state.diagnose('TPL002', `the template is too deeply nested to evaluate (${err.message})`, options.file, []);
    else if (err instanceof TemplateEvalError) state.diagnose('TPL002', withHint(err, err.message), options.file, []);
    else throw err;
  }
  const meta = raw['metadata'];
  const generator = isPlainObject(meta) && isPlainObject(meta['_generator']) ? String(meta['_generator']['name'] ?? '') : undefined;
  return {
    file: options.file,
    parameterFile: options.parameters?.file,
    resources: state.resources,
    outputs,
    diagnostics: state.diagnostics,
    scopeKind: kind,
    generator,
    linkedFiles: [...state.linkedFiles],
    linkEdges: [...state.linkEdges.values()],
  };
}

export function scopeKindOfSchema(schema: unknown): ScopeKind {
  const s = typeof schema === 'string' ? schema.toLowerCase() : '';
  if (s.includes('subscriptiondeploymenttemplate')) return 'subscription';
  if (s.includes('managementgroupdeploymenttemplate')) return 'managementGroup';
  if (s.includes('tenantdeploymenttemplate')) return 'tenant';
  return 'resourceGroup';
}

function rootScope(kind: ScopeKind, ctx: DeploymentContextInput): DeploymentScope {
  return {
    kind,
    subscriptionId: ctx.subscriptionId ?? Unknown.context('subscription().subscriptionId'),
    resourceGroup: ctx.resourceGroup ?? Unknown.context('resourceGroup().name'),
    managementGroup: ctx.managementGroup ?? Unknown.context('managementGroup().name'),
    tenantId: ctx.tenantId ?? Unknown.context('subscription().tenantId'),
    location: ctx.location ?? Unknown.context('resourceGroup().location'),
    deploymentName: ctx.deploymentName ?? Unknown.context('deployment().name'),
  };
}

/** Case-insensitive read of a raw JSON property. */
function rawGet(obj: Record<string, unknown>, name: string): { key: string; value: unknown } | undefined {
  const key = findKey(obj, name);
  return key === undefined ? undefined : { key, value: obj[key] };
}

const ENVIRONMENT = objectFrom([
  ['name', 'AzureCloud'],
  ['gallery', 'https://gallery.azure.com/'],
  ['graph', 'https://graph.windows.net/'],
  ['portal', 'https://portal.azure.com'],
  ['graphAudience', 'https://graph.windows.net/'],
  ['activeDirectoryDataLake', 'https://datalake.azure.net/'],
  ['batch', 'https://batch.core.windows.net/'],
  ['media', 'https://rest.media.azure.net'],
  ['sqlManagement', 'https://management.core.windows.net:8443/'],
  ['vmImageAliasDoc', 'https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json'],
  ['resourceManager', 'https://management.azure.com/'],
  ['authentication', objectFrom([
    ['loginEndpoint', 'https://login.microsoftonline.com/'],
    ['audiences', ['https://management.core.windows.net/', 'https://management.azure.com/']],
    ['tenant', 'common'],
    ['identityProvider', 'AAD'],
  ])],
  ['suffixes', objectFrom([
    ['acrLoginServer', '.azurecr.io'],
    ['azureDatalakeAnalyticsCatalogAndJob', 'azuredatalakeanalytics.net'],
    ['azureDatalakeStoreFileSystem', 'azuredatalakestore.net'],
    ['azureFrontDoorEndpointSuffix', 'azurefd.net'],
    ['keyvaultDns', '.vault.azure.net'],
    ['sqlServerHostname', '.database.windows.net'],
    ['storage', 'core.windows.net'],
  ])],
]);

class TemplateScope implements TemplateHost {
  readonly budget: Budget;
  private paramDecls?: Map<string, ParamDecl>;
  private readonly paramValues = new Map<string, Value>();
  private readonly paramEvaluating = new Set<string>();
  private varDecls?: Map<string, VariableDecl>;
  private readonly varValues = new Map<string, Value>();
  /** Placeholder parameters a variable's (or parameter's) value was computed from. */
  private readonly varTaint = new Map<string, { name: string; why: string }[]>();
  private readonly paramTaint = new Map<string, { name: string; why: string }[]>();
  private readonly varEvaluating = new Set<string>();
  private functions?: Map<string, UserFunction>;
  private decls: ResourceDecl[] = [];
  private instances: Instance[] = [];
  private readonly bySymbol = new Map<string, Instance[]>();
  private byId?: Map<string, Instance[]>;
  private byPath?: Map<string, Instance[]>;
  private byIdCount = 0;

  constructor(
    private readonly state: EvaluationState,
    private readonly raw: Record<string, unknown>,
    readonly file: string,
    private readonly base: JsonPath,
    readonly scope: DeploymentScope,
    private readonly supplied: Map<string, Value>,
    private readonly deploymentPath: string[],
    /** Outer-scope nested templates read parameters, variables and functions of this scope. */
    private readonly outer: TemplateScope | undefined,
    private readonly depth = 0,
    readonly parameterOrigins: ReadonlyMap<string, ParameterOrigin> = new Map(),
  ) {
    this.budget = state.budget;
  }

  // ---------------------------------------------------------------- evaluation of JSON trees

  private env(site: Site, copy?: CopyFrame): Env {
    return { host: this, site, copy };
  }

  /** Evaluates a raw JSON value: expression strings anywhere, expression keys, property copy loops. */
  evalTree(raw: unknown, at: JsonPath, env: Env, allowCopy: boolean): Value {
    this.budget.step();
    if (at.length > MAX_JSON_DEPTH && typeof raw === 'object' && raw !== null) {
      this.state.diagnose('TPL002', `the value nests deeper than ${MAX_JSON_DEPTH} levels; cmkguard does not evaluate it`, this.file, at);
      return Unknown.error('nesting too deep');
    }
    if (typeof raw === 'string') return this.evalString(raw, at, env);
    if (raw === null || typeof raw === 'boolean' || typeof raw === 'number') return raw;
    if (Array.isArray(raw)) return raw.map((item, i) => this.evalTree(item, [...at, i], env, allowCopy));
    if (!isPlainObject(raw)) return null;
    const out = newObject();
    const holes: [string, PartialString | Unknown][] = [];
    for (const k of Object.keys(raw)) {
      const v = raw[k];
      if (allowCopy && k.toLowerCase() === 'copy' && Array.isArray(v) && v.every((c) => isPlainObject(c) && 'input' in c)) {
        this.expandPropertyCopies(v as Record<string, unknown>[], [...at, k], env, out);
        continue;
      }
      let key = k;
      if (isExpression(this.pendingText(k))) {
        const kv = this.evalString(k, at, env);
        if (typeof kv === 'string') key = kv;
        else if (kv instanceof PartialString || kv instanceof Unknown) {
          key = propertyNameOf(kv);
          holes.push([key, kv]);
        }
        else {
          this.state.diagnose('TPL002', `property name expression '${k}' gives ${typeName(kv)}, not a string`, this.file, [...at, k]);
          key = k;
        }
      } else key = unescapeLiteral(k);
      out[key] = this.evalTree(v, [...at, k], env, allowCopy);
    }
    return holes.length ? withHoleKeys(out, holes) : out;
  }

  private expandPropertyCopies(loops: Record<string, unknown>[], at: JsonPath, env: Env, out: ValueObject): void {
    loops.forEach((loop, i) => {
      const name = typeof loop['name'] === 'string' ? loop['name'] : undefined;
      if (!name) {
        this.state.diagnose('TPL002', 'a property copy loop needs a name', this.file, [...at, i]);
        return;
      }
      const count = this.evalCount(loop['count'], [...at, i, 'count'], env);
      if (count === undefined) {
        out[name] = Unknown.derived('copy', [name]);
        return;
      }
      const items: Value[] = [];
      for (let n = 0; n < count; n++) {
        const frame: CopyFrame = { name, index: n, parent: env.copy, namedOnly: true };
        items.push(this.evalTree(loop['input'], [...at, i, 'input'], { ...env, copy: frame }, true));
      }
      out[name] = items;
    });
  }

  private evalCount(raw: unknown, at: JsonPath, env: Env): number | undefined {
    const { value: v, read } = this.state.trackPlaceholders(() => this.evalTree(raw, at, { ...env, site: 'count' }, false));
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0) {
      const max = this.state.options.maxCopyCount ?? 800;
      if (n > max) {
        this.state.diagnose('TPL002', `copy count ${n} exceeds the limit of ${max}`, this.file, at);
        return max;
      }
      return n;
    }
    const problem = `copy count must be a non-negative integer, got ${typeName(v)}`;
    if (v instanceof Unknown || v instanceof PartialString) return undefined;
    if (read) this.needsValue(read, problem, typeof raw === 'string' ? raw : JSON.stringify(raw), at);
    else this.state.diagnose('TPL002', problem, this.file, at);
    return undefined;
  }

  evalString(raw: string, at: JsonPath, env: Env): Value {
    const s = this.pendingText(raw);
    if (!isExpression(s)) return unescapeLiteral(s);
    const state = this.state;
    const mark = state.enterFrame();
    try {
      return evaluateExpressionText(s, env);
    } catch (err) {
      if (err instanceof RangeError) err = new BudgetExceeded(`expression nests too deeply (${err.message})`);
      if (!(err instanceof TemplateEvalError)) throw err;
      const placeholders = err instanceof BudgetExceeded ? [] : state.placeholderReads.slice(mark);
      if (placeholders.length > 0 && this.succeedsWithoutPlaceholders(s, env)) return this.needsValue(placeholders, err.message, s, at);
      // In a module, the value that breaks the expression is often one the caller passes: say where, unless
      // the error is in the text itself (a name, the syntax) or the value is made of too many to point at one.
      const copyIndex = typeof env.copy?.index === 'number' && !env.copy.namedOnly ? env.copy.index : undefined;
      const fromText = /^(the template has no |syntax error|unknown (user-defined )?function|expression is \d+ characters)/.test(err.message);
      const traced = this.parameterOrigins.size && !fromText ? traceOrigins(s, this.parameterOrigins, rawGet(this.raw, 'variables')?.value, copyIndex) : undefined;
      const trace = traced && traced.origins.length <= 2 ? traced : undefined;
      state.diagnose('TPL002', withHint(err, `${err.message} in '${abbreviate(s)}'`), this.file, at, trace);
      return Unknown.error(err.message);
    } finally {
      state.leaveFrame();
    }
  }

  /** Whether the expression evaluates when its placeholder parameters are unknown: then they, not it, are at fault. */
  private succeedsWithoutPlaceholders(text: string, env: Env): boolean {
    if (this.state.placeholdersAsUnknown) return false;
    try {
      this.state.placeholdersUnknownWhile(true, () => evaluateExpressionText(text, env));
      return true;
    } catch (err) {
      if (err instanceof TemplateEvalError || err instanceof RangeError) return false;
      throw err;
    }
  }

  /** An expression failed on a placeholder parameter value: ask for a real value (TPL003), the result is unknown. */
  private needsValue(placeholders: PlaceholderRead[], error: string, text: string, at: JsonPath): Value {
    const seen = new Map(placeholders.map((p) => [p.name.toLowerCase(), p]));
    const list = [...seen.values()];
    const subject = list.map((p) => `'${p.name}' (${p.why})`).join(', ');
    this.state.diagnose(
      'TPL003',
      `parameter${list.length > 1 ? 's' : ''} ${subject} need${list.length > 1 ? '' : 's'} a real value: with ${list.length > 1 ? 'these' : 'it'}, '${abbreviate(text)}' fails (${error}); checks that depend on it are undetermined. Give ${list.length > 1 ? 'them values' : 'it a value'} in a parameter file`,
      this.file,
      at,
    );
    return Unknown.parameter(list[0]!.name);
  }

  // ---------------------------------------------------------------- parameters and variables

  private params(): Map<string, ParamDecl> {
    if (!this.paramDecls) {
      this.paramDecls = new Map();
      const p = rawGet(this.raw, 'parameters');
      if (p && isPlainObject(p.value)) {
        for (const name of Object.keys(p.value)) {
          const decl = p.value[name];
          if (isPlainObject(decl)) this.paramDecls.set(name.toLowerCase(), { name, decl, path: [...this.base, p.key, name] });
        }
      }
    }
    return this.paramDecls;
  }

  parameter(name: string): Value {
    if (this.outer) return this.outer.parameter(name);
    const lower = name.toLowerCase();
    const cached = this.paramValues.get(lower);
    if (cached !== undefined) {
      const taint = this.paramTaint.get(lower);
      if (taint && this.state.placeholdersAsUnknown) return Unknown.parameter(name);
      if (taint) this.state.notePlaceholders(taint);
      return cached;
    }
    const decl = this.params().get(lower);
    if (!decl) {
      const { listing, hint } = this.undeclaredParameter(name);
      throw new TemplateEvalError(`the template has no parameter '${name}'${listing}`, hint);
    }
    if (this.paramEvaluating.has(lower)) throw new TemplateEvalError(`parameter '${name}' refers to itself through its default value`);
    this.paramEvaluating.add(lower);
    let value: Value;
    try {
      const { value: v, read } = this.state.trackPlaceholders(() => this.resolveParameter(decl));
      value = v;
      if (read) this.paramTaint.set(lower, read);
    } finally {
      this.paramEvaluating.delete(lower);
    }
    // A value computed while placeholders read as unknown is only good for that trial evaluation.
    if (!this.state.placeholdersAsUnknown) this.paramValues.set(lower, value);
    return value;
  }

  /**
   * Whether a parameter may be left out (null): `nullable` on it, or on the type definition its `$ref` names
   * (Bicep's `type lockType = {...}?`, which Azure Verified Modules use for optional parameters).
   */
  private isNullable(decl: Record<string, unknown>): boolean {
    const defs = rawGet(this.raw, 'definitions')?.value;
    let node: unknown = decl;
    for (let hops = 0; hops < 16 && isPlainObject(node); hops++) {
      if (node['nullable'] === true) return true;
      const ref = node['$ref'];
      const m = typeof ref === 'string' ? /^#\/definitions\/(.+)$/.exec(ref) : null;
      if (!m || !isPlainObject(defs)) return false;
      node = defs[m[1]!];
    }
    return false;
  }

  /** The parameter file's value, unless it is null for a parameter that needs one (ARM treats null as not given). */
  private suppliedValue(decl: ParamDecl): Value | undefined {
    const supplied = this.supplied.get(decl.name.toLowerCase());
    if (supplied === null && !this.isNullable(decl.decl)) return undefined;
    return supplied;
  }

  private resolveParameter(decl: ParamDecl): Value {
    const supplied = this.suppliedValue(decl);
    if (supplied !== undefined) {
      if (isEmptyPlaceholder(supplied)) this.state.notePlaceholders([{ name: decl.name, why: `${this.depth === 0 ? 'the parameter file gives' : 'the deployment passes'} ${displayJson(supplied)}` }]);
      return supplied;
    }
    const def = rawGet(decl.decl, 'defaultValue');
    if (def) {
      const value = this.evalTree(def.value, [...decl.path, def.key], { host: this, site: 'parameter', paramName: decl.name }, false);
      if (isEmptyPlaceholder(def.value)) this.state.notePlaceholders([{ name: decl.name, why: `its default is ${displayJson(def.value)}` }]);
      return value;
    }
    if (this.isNullable(decl.decl)) {
      this.state.notePlaceholders([{ name: decl.name, why: 'nullable, and no value is given' }]);
      return null;
    }
    return Unknown.parameter(decl.name);
  }

  /**
   * Reports values given for parameters the template does not declare: ARM refuses the deployment ("not
   * present in the original template"), often after a parameter was renamed on one side only.
   */
  checkSuppliedNames(names: string[], file: string, at: JsonPath, who: string): void {
    for (const name of names) {
      if (this.params().has(name.toLowerCase())) continue;
      const { listing, hint } = this.undeclaredParameter(name);
      this.state.diagnose('TPL002', `${who} parameter '${name}', which the template does not declare${listing}; ARM refuses the deployment.${hint}`, file, [...at, name]);
    }
  }

  /** For a name the template does not declare: the closest declared one, else the first declared ones. */
  private undeclaredParameter(name: string): { listing: string; hint: string } {
    const declared = [...this.params().values()].map((d) => d.name);
    const hint = didYouMean(name, declared);
    return { hint, listing: !hint && declared.length ? ` (parameters: ${declared.slice(0, 10).join(', ')})` : '' };
  }

  /** Reports every parameter without a value (ARM would refuse the deployment). */
  checkParameters(): void {
    if (this.outer) return;
    for (const decl of this.params().values()) {
      if (this.suppliedValue(decl) === undefined && !rawGet(decl.decl, 'defaultValue') && !this.isNullable(decl.decl)) {
        const passedNull = this.supplied.has(decl.name.toLowerCase());
        // A module's parameters come from the deployment that calls it, not from a parameter file.
        const caller = this.depth > 0 ? `deployment '${this.deploymentPath[this.deploymentPath.length - 1]}'` : undefined;
        const given = caller ? `${caller} ${passedNull ? 'passes null' : 'does not pass it'}` : passedNull ? 'the parameter file gives null' : 'no parameter file value';
        const fix = caller ? `Pass a value from ${caller}` : 'Give it a value in a parameter file';
        this.state.diagnose('TPL003', `parameter '${decl.name}' has no value: no default and ${given}; checks that depend on it are undetermined. ${fix}`, this.file, decl.path);
      }
      try {
        this.parameter(decl.name);
      } catch (err) {
        if (!(err instanceof TemplateEvalError)) throw err;
        this.state.diagnose('TPL002', withHint(err, err.message), this.file, decl.path);
      }
    }
  }

  private vars(): Map<string, VariableDecl> {
    if (!this.varDecls) {
      this.varDecls = new Map();
      const v = rawGet(this.raw, 'variables');
      if (v && isPlainObject(v.value)) {
        for (const name of Object.keys(v.value)) {
          const at = [...this.base, v.key, name];
          if (name.toLowerCase() === 'copy' && Array.isArray(v.value[name])) {
            (v.value[name] as unknown[]).forEach((loop, i) => {
              if (isPlainObject(loop) && typeof loop['name'] === 'string') {
                this.varDecls!.set(loop['name'].toLowerCase(), { name: loop['name'], value: loop['input'], path: [...at, i], copy: loop });
              }
            });
          } else this.varDecls.set(name.toLowerCase(), { name, value: v.value[name], path: at });
        }
      }
    }
    return this.varDecls;
  }

  variable(name: string): Value {
    if (this.outer) return this.outer.variable(name);
    const lower = name.toLowerCase();
    const cached = this.varValues.get(lower);
    if (cached !== undefined) {
      const taint = this.varTaint.get(lower);
      if (taint && this.state.placeholdersAsUnknown) return Unknown.parameter(taint[0]!.name);
      if (taint) this.state.notePlaceholders(taint);
      return cached;
    }
    const decl = this.vars().get(lower);
    if (!decl) {
      throw new TemplateEvalError(`the template has no variable '${name}'`, didYouMean(name, [...this.vars().values()].map((d) => d.name)));
    }
    if (this.varEvaluating.has(lower)) throw new TemplateEvalError(`variable '${name}' is circular: it refers to itself`);
    this.varEvaluating.add(lower);
    let value: Value;
    try {
      const { value: v, read } = this.state.trackPlaceholders(() => this.computeVariable(decl));
      value = v;
      if (read) this.varTaint.set(lower, read);
    } finally {
      this.varEvaluating.delete(lower);
    }
    if (!this.state.placeholdersAsUnknown) this.varValues.set(lower, value);
    return value;
  }

  private computeVariable(decl: VariableDecl): Value {
    const env = this.env('variable');
    if (!decl.copy) return this.evalTree(decl.value, decl.path, env, true);
    const count = this.evalCount(decl.copy['count'], [...decl.path, 'count'], env);
    if (count === undefined) return Unknown.derived('copy', [decl.name]);
    const items: Value[] = [];
    for (let i = 0; i < count; i++) {
      items.push(this.evalTree(decl.value, [...decl.path, 'input'], { ...env, copy: { name: decl.name, index: i, namedOnly: true } }, true));
    }
    return items;
  }

  userFunction(name: string): UserFunction | undefined {
    return this.userFunctions().get(name.toLowerCase());
  }

  /** The template's user-defined functions by lower-case `namespace.member`; nested outer-scoped templates share their caller's. */
  private userFunctions(): Map<string, UserFunction> {
    if (this.outer) return this.outer.userFunctions();
    if (!this.functions) {
      this.functions = new Map();
      const f = rawGet(this.raw, 'functions');
      if (f && Array.isArray(f.value)) {
        f.value.forEach((ns, i) => {
          if (!isPlainObject(ns) || typeof ns['namespace'] !== 'string' || !isPlainObject(ns['members'])) return;
          for (const [member, def] of Object.entries(ns['members'])) {
            if (!isPlainObject(def) || !isPlainObject(def['output'])) continue;
            const params = Array.isArray(def['parameters']) ? def['parameters'].map((p) => (isPlainObject(p) ? String(p['name']) : '')) : [];
            const outPath: JsonPath = [...this.base, f.key, i, 'members', member, 'output', 'value'];
            const output = def['output']['value'];
            this.functions!.set(`${ns['namespace']}.${member}`.toLowerCase(), {
              name: `${ns['namespace']}.${member}`,
              params,
              body: (env) => this.evalTreeStrict(output, outPath, env),
            });
          }
        });
      }
    }
    return this.functions;
  }

  /** Like evalTree but lets errors propagate (inside user functions the caller's expression is to blame). */
  private evalTreeStrict(raw: unknown, at: JsonPath, env: Env): Value {
    if (typeof raw === 'string') {
      const text = this.pendingText(raw);
      return isExpression(text) ? evaluateExpressionText(text, env) : unescapeLiteral(text);
    }
    if (Array.isArray(raw)) return raw.map((x, i) => this.evalTreeStrict(x, [...at, i], env));
    if (isPlainObject(raw)) return objectFrom(Object.keys(raw).map((k) => [k, this.evalTreeStrict(raw[k], [...at, k], env)] as const));
    return (raw ?? null) as Value;
  }

  // ---------------------------------------------------------------- context functions

  isContextFunction(name: string): boolean {
    return CONTEXT_FUNCTIONS.has(name) || name.startsWith('list');
  }

  functionNames(): string[] {
    return [...CONTEXT_FUNCTION_NAMES, ...[...this.userFunctions().values()].map((f) => f.name)];
  }

  /** `deployment().properties.templateLink`: unknown, but it is this template's own location (see pathBesideDeployment). */
  private templateLinkOf(): Unknown {
    const link = Unknown.context('deployment().properties.templateLink');
    templateLinkOwner.set(link, this.file);
    return link;
  }

  callContextFunction(name: string, args: Value[], env: Env, written = name): Value | undefined {
    const s = this.scope;
    const arity = CONTEXT_ARITY[name];
    if (arity && (args.length < arity[0] || args.length > arity[1])) {
      const expected = arity[0] === arity[1] ? `${arity[0]}` : arity[1] === Infinity ? `at least ${arity[0]}` : `${arity[0]} to ${arity[1]}`;
      throw new TemplateEvalError(`${arity[2]} takes ${expected} arguments, got ${args.length}`);
    }
    switch (name) {
      case 'parameters':
      case 'variables':
        // `variables(parameters('roleType'))` is a common lookup: with an unknown name, the value is unknown.
        if (args[0] instanceof Unknown || args[0] instanceof PartialString) return Unknown.derived(name, args);
        return name === 'parameters' ? this.parameter(nameArg('parameters', args)) : this.variable(nameArg('variables', args));
      case 'copyindex':
        return copyIndex(args, env);
      case 'resourceid':
        return resourceIdFunction(args, s);
      case 'subscriptionresourceid':
        return subscriptionResourceIdFunction(args, s);
      case 'tenantresourceid':
        return tenantResourceIdFunction(args);
      case 'extensionresourceid':
        return extensionResourceIdFunction(args);
      case 'managementgroupresourceid':
        return managementGroupResourceIdFunction(args, s);
      case 'subscription': {
        requireScope('subscription', s, ['resourceGroup', 'subscription'], "Pass the subscription id as a parameter, or move the expression into a nested deployment that targets a subscription (its 'subscriptionId' property)");
        const sub = args.length ? args[0]! : s.subscriptionId;
        return objectFrom([
          ['id', subscriptionPrefix(sub)],
          ['subscriptionId', sub],
          ['tenantId', s.tenantId],
          ['displayName', Unknown.context('subscription().displayName')],
        ]);
      }
      case 'resourcegroup':
        requireScope('resourceGroup', s, ['resourceGroup'], "Pass the resource group's name or location as a parameter, or move the expression into a nested deployment that targets a resource group (its 'resourceGroup' property)");
        return objectFrom([
          ['id', resourceGroupId(s.subscriptionId, s.resourceGroup)],
          ['name', s.resourceGroup],
          ['type', 'Microsoft.Resources/resourceGroups'],
          ['location', s.location],
          ['managedBy', Unknown.context('resourceGroup().managedBy')],
          ['tags', Unknown.context('resourceGroup().tags')],
          ['properties', objectFrom([['provisioningState', 'Succeeded']])],
        ]);
      case 'tenant':
        return objectFrom([
          ['id', joinParts(['/tenants/', s.tenantId])],
          ['tenantId', s.tenantId],
          ['countryCode', Unknown.context('tenant().countryCode')],
          ['displayName', Unknown.context('tenant().displayName')],
        ]);
      case 'managementgroup': {
        requireScope('managementGroup', s, ['managementGroup'], "Pass the management group's name as a parameter, or move the expression into a nested deployment that targets a management group (its 'scope' property)");
        const mg = args.length ? args[0]! : s.managementGroup;
        return objectFrom([
          ['id', joinParts(['/providers/Microsoft.Management/managementGroups/', mg])],
          ['name', mg],
          ['type', '/providers/Microsoft.Management/managementGroups'],
          ['properties', Unknown.context('managementGroup().properties')],
        ]);
      }
      case 'deployment':
        return objectFrom([
          ['name', s.deploymentName],
          ['location', s.location],
          ['properties', objectFrom([
            ['template', objectFrom([
              ['contentVersion', typeof this.raw['contentVersion'] === 'string' ? this.raw['contentVersion'] : '1.0.0.0'],
              ['metadata', fromJson(this.raw['metadata'] ?? null)],
            ])],
            ['templateLink', this.templateLinkOf()],
            ['templateHash', Unknown.context('deployment().properties.templateHash')],
            ['parameters', Unknown.context('deployment().properties.parameters')],
            ['mode', 'Incremental'],
            ['provisioningState', 'Accepted'],
          ])],
        ]);
      case 'environment':
        return ENVIRONMENT;
      case 'newguid':
      case 'utcnow': {
        const paramName = env.paramName;
        if (env.site !== 'parameter') {
          throw new TemplateEvalError(`${name === 'newguid' ? 'newGuid' : 'utcNow'}() is only allowed in a parameter's defaultValue`);
        }
        return Unknown.runtime(name === 'newguid' ? 'newGuid' : 'utcNow', `${this.file}:${paramName ?? '?'}`);
      }
      case 'reference':
        return this.reference(args, env);
      case 'references':
        return this.references(args, env);
      case 'resourceinfo':
        return this.resourceInfo(args);
      case 'fail':
        throw new TemplateEvalError(`the template calls fail(): ${typeof args[0] === 'string' ? args[0] : valueKey(args[0] ?? null)}`);
      case 'pickzones':
      case 'extensions':
      case 'providers':
      case 'deployer':
      case 'externalinputs':
      case 'tologicalzone':
      case 'tophysicalzone':
      case 'tologicalzones':
      case 'tophysicalzones':
      case 'roledefinitions': {
        const derived = Unknown.derived(name, args);
        if (derived.origins.length) return derived;
        // Known arguments: the function's own result is what only the deployment knows, and a check that
        // depends on it says so ("deployer() is only known at deployment"). One deployment, one answer.
        const display = CONTEXT_FUNCTION_NAMES.find((n) => n.toLowerCase() === name) ?? name;
        return Unknown.runtime(display, `(${args.map((a) => valueKey(a)).join(',')})`);
      }
    }
    if (name.startsWith('list')) {
      if (args.length < 1) throw new TemplateEvalError(`${name} takes a resource id and an API version`);
      if (env.site === 'name' || env.site === 'count') throw new TemplateEvalError(`${name}() is not allowed in resource names or copy counts`);
      refuseRuntimeStateAt(written, env);
      // Like reference(), list*() takes a symbolic name in languageVersion 2.0 (`listKeys('stg', '2023-01-01')`).
      const inst = this.findInstances(args[0]!, false)[0];
      return Unknown.list(name, inst ? inst.id : args[0]!);
    }
    return undefined;
  }

  // ---------------------------------------------------------------- resources

  run(): void {
    this.collectDecls();
    this.instances = [];
    for (const decl of this.decls) this.expandDecl(decl);
    for (const inst of this.instances) this.evaluateInstance(inst);
    this.checkParameters();
    this.checkDependencyCycles();
  }

  /**
   * ARM refuses a deployment whose explicit dependsOn edges form a cycle ("Circular dependency detected").
   * Edges to resources that are not deployed (condition false, `existing`) do not count, as ARM drops them.
   */
  private checkDependencyCycles(): void {
    const live = (i: Instance | undefined): i is Instance => !!i?.record && i.deployed !== false && !i.existing;
    const byKey = new Map(this.instances.filter(live).map((i) => [i.record!.key, i]));
    /** Edges with the dependsOn entry that makes each; only entries that name one declaration. */
    const edges = (inst: Instance): { to: Instance; entry: number }[] =>
      inst.record!.dependsOn.flatMap((k) => {
        const to = byKey.get(k);
        const entry = to && inst.dependsOnDecls?.find((d) => d.decl === to.decl);
        return to && entry ? [{ to, entry: entry.index }] : [];
      });
    const done = new Set<Instance>();
    const onPath: Instance[] = [];
    const visit = (inst: Instance): { cycle: Instance[]; entry: number } | undefined => {
      onPath.push(inst);
      for (const { to, entry } of edges(inst)) {
        if (done.has(to)) continue;
        const at = onPath.indexOf(to);
        if (at >= 0) return { cycle: [...onPath.slice(at), to], entry };
        const found = visit(to);
        if (found) return found;
      }
      onPath.pop();
      done.add(inst);
      return undefined;
    };
    for (const inst of byKey.values()) {
      if (done.has(inst)) continue;
      onPath.length = 0;
      const found = visit(inst);
      if (!found) continue;
      for (const i of [...onPath, ...found.cycle]) done.add(i);
      const closing = found.cycle[found.cycle.length - 2]!;
      const dep = rawGet(closing.decl.raw, 'dependsOn')!;
      const names = found.cycle.map((i) => `'${displayName(i)}'`).join(' → ');
      this.state.diagnose('TPL002', `circular dependency: ${names}; ARM refuses the deployment. Remove one of these dependsOn entries`, this.file, [...closing.decl.path, dep.key, found.entry]);
    }
  }

  private collectDecls(): void {
    const r = rawGet(this.raw, 'resources');
    if (!r) return;
    const at: JsonPath = [...this.base, r.key];
    if (Array.isArray(r.value)) r.value.forEach((res, i) => this.addDecl(res, [...at, i], undefined, undefined));
    else if (isPlainObject(r.value)) for (const sym of Object.keys(r.value)) this.addDecl(r.value[sym], [...at, sym], sym, undefined);
    else this.state.diagnose('TPL002', `'resources' must be an array or an object, not ${r.value === null ? 'null' : typeof r.value}`, this.file, at);
  }

  private addDecl(raw: unknown, at: JsonPath, symbolicName: string | undefined, parent: ResourceDecl | undefined): void {
    if (!isPlainObject(raw)) {
      this.state.diagnose('TPL002', 'a resource must be an object', this.file, at);
      return;
    }
    const copy = isPlainObject(raw['copy']) ? raw['copy'] : undefined;
    if (copy && parent) {
      this.state.diagnose('TPL002', 'a child resource nested in its parent cannot have a copy loop; declare it at the top level with its full type and name (parent/child)', this.file, [...at, 'copy']);
    }
    const decl: ResourceDecl = { raw, path: at, symbolicName, parent, loopName: typeof copy?.['name'] === 'string' ? copy['name'] : undefined };
    this.decls.push(decl);
    const children = rawGet(raw, 'resources');
    if (children && Array.isArray(children.value)) children.value.forEach((c, i) => this.addDecl(c, [...at, children.key, i], undefined, decl));
  }

  private expandDecl(decl: ResourceDecl): void {
    const parents = decl.parent ? this.instances.filter((i) => i.decl === decl.parent) : [undefined];
    const env = this.env('name');
    for (const parent of parents) {
      const baseCopy = parent?.copy;
      const copyRaw = isPlainObject(decl.raw['copy']) ? decl.raw['copy'] : undefined;
      if (!copyRaw) {
        this.addInstance(decl, baseCopy, undefined, parent);
        continue;
      }
      const loopName = typeof copyRaw['name'] === 'string' ? copyRaw['name'] : '';
      const count = this.evalCount(copyRaw['count'], [...decl.path, 'copy', 'count'], { ...env, copy: baseCopy });
      if (count === undefined) {
        this.addInstance(decl, { name: loopName, index: Unknown.derived('copyIndex', [loopName]), parent: baseCopy, resource: true }, { name: loopName, index: 0, countKnown: false }, parent);
        continue;
      }
      for (let i = 0; i < count; i++) {
        this.addInstance(decl, { name: loopName, index: i, parent: baseCopy, resource: true }, { name: loopName, index: i, countKnown: true }, parent);
      }
    }
  }

  private addInstance(decl: ResourceDecl, copy: CopyFrame | undefined, copyInfo: Instance['copyInfo'], parent: Instance | undefined): void {
    const env = this.env('name', copy);
    const raw = decl.raw;
    const { deployed, why } = this.conditionOf(decl, env);
    // ARM does not evaluate a resource whose condition is false, an `existing` declaration until something
    // uses it, or a resource of a Bicep extension: their errors are not the template's.
    const quiet = deployed === false || raw['existing'] === true || isExtensibleResource(raw);
    this.state.quietWhile(quiet, () => this.addEvaluatedInstance(decl, copy, copyInfo, parent, env, raw, deployed, why));
  }

  private conditionOf(decl: ResourceDecl, env: Env): { deployed: boolean | 'unknown'; why?: Value } {
    let deployed: boolean | 'unknown' = true;
    let why: Value | undefined;
    const cond = rawGet(decl.raw, 'condition');
    if (cond) {
      const c = this.evalTree(cond.value, [...decl.path, cond.key], { ...env, site: 'condition' }, false);
      if (typeof c === 'boolean') deployed = c;
      else if (typeof c === 'string' && /^(true|false)$/i.test(c)) deployed = c.toLowerCase() === 'true';
      else {
        deployed = 'unknown';
        why = c;
        if (!(c instanceof Unknown || c instanceof PartialString)) this.state.diagnose('TPL002', `condition must be a bool, got ${typeName(c)}`, this.file, [...decl.path, cond.key]);
      }
    }
    if (this.deployedOverride !== undefined && deployed !== false && this.deployedOverride !== true) {
      // An enclosing deployment whose condition is not known: its condition is the one to name.
      if (this.deployedOverride === 'unknown' && deployed === true) why = this.deployedWhy;
      deployed = this.deployedOverride;
    }
    return { deployed, why };
  }

  private addEvaluatedInstance(
    decl: ResourceDecl,
    copy: CopyFrame | undefined,
    copyInfo: Instance['copyInfo'],
    parent: Instance | undefined,
    env: Env,
    raw: Record<string, unknown>,
    deployed: boolean | 'unknown',
    deployedWhy?: Value,
  ): void {
    // ARM rejects a resource without a type or a name before evaluating anything; a Bicep extension resource
    // names itself differently (in its properties).
    const extension = isExtensibleResource(raw);
    if (raw['type'] === undefined || (raw['name'] === undefined && !extension)) {
      const missing = raw['type'] === undefined ? 'type' : 'name';
      this.state.diagnose('TPL002', `the resource has no '${missing}'; ARM requires a type ('Namespace/resourceType'), an apiVersion and a name for every resource`, this.file, decl.path);
      return;
    }
    const typeV = this.evalTree(raw['type'], [...decl.path, 'type'], env, false);
    if (typeof typeV !== 'string' || (!typeV.includes('/') && !parent)) {
      this.state.diagnose('TPL002', `resource type must be a known string like 'Microsoft.Storage/storageAccounts', got ${typeof typeV === 'string' ? `'${typeV}'` : typeName(typeV)}`, this.file, [...decl.path, 'type']);
      return;
    }
    let type = typeV;
    let name = this.resourceName(raw['name'], [...decl.path, 'name'], env);
    // A nested child's type is relative to its parent unless it starts with a namespace (`Microsoft.X/...`);
    // `providers/diagnosticSettings` is relative too.
    if (parent && !/^[^/]*\.[^/]*\//.test(typeV)) {
      type = `${parent.type}/${typeV}`;
      name = joinParts([parent.name, '/', name]);
    }
    const existing = raw['existing'] === true;
    let id: Value;
    let scope: Value;
    if (extension && raw['name'] === undefined) {
      // Not an ARM resource: it has no ARM id, and `reference('sym')` reads its state at deployment.
      id = Unknown.context(`the id of extension resource '${decl.symbolicName ?? type}'`);
      scope = id;
    } else try {
      ({ id, scope } = this.resourceIdOf(decl, type, name, env));
    } catch (err) {
      if (!(err instanceof TemplateEvalError)) throw err;
      this.state.diagnose('TPL002', withHint(err, err.message), this.file, [...decl.path, 'name']);
      id = Unknown.error(err.message);
      scope = id;
    }
    const inst: Instance = { decl, copy, copyInfo, type, name, id, scope, existing, deployed, deployedWhy, parent };
    this.instances.push(inst);
    if (decl.symbolicName) {
      const list = this.bySymbol.get(decl.symbolicName.toLowerCase()) ?? [];
      list.push(inst);
      this.bySymbol.set(decl.symbolicName.toLowerCase(), list);
    }
  }

  /**
   * A resource's name. A name with an empty segment ('', 'ws/', '/views') is rejected by ARM; when it is empty
   * because a parameter holds a placeholder (a `""` default, an empty parameter-file value), the parameter needs a
   * real value (TPL003), and the name is what it is with that parameter unknown: `'acr{…}'`, not `''`, so it
   * neither names nor matches another resource.
   */
  private resourceName(raw: unknown, at: JsonPath, env: Env): Value {
    const { value, read } = this.state.trackPlaceholders(() => this.evalTree(raw, at, env, false));
    if (!read || typeof value !== 'string' || !value.split('/').includes('')) return value;
    this.needsValue(read, `the resource name would be '${value}', and ARM rejects an empty name or name segment`, typeof raw === 'string' ? raw : JSON.stringify(raw), at);
    return this.state.placeholdersUnknownWhile(true, () => this.state.quietWhile(true, () => this.evalTree(raw, at, env, false)));
  }

  /** Set by the parent deployment: whether this whole nested template is deployed. */
  deployedOverride?: boolean | 'unknown';

  /**
   * How many times ARM has already evaluated this template's text as plain values before its own evaluation.
   * An outer-scope nested template is evaluated, as a whole value, in its parent's context, and that pass goes
   * through the inline templates of inner-scope deployments inside it too: it turns their `[[x]` into `[x]`,
   * which is an expression when they are evaluated in turn (Enterprise-Scale escapes the templates of
   * inner-scope deployments inside outer-scope ones this way). An outer-scope template inside it is evaluated in
   * that same pass, as its own text is: its `[[x]` stays the literal `[x]`. A root template, and a template
   * linked by templateLink, has none.
   */
  escapePasses = 0;

  /** A raw string as this template's own evaluation sees it: `escapePasses` escapes already taken off. */
  private pendingText(s: string): string {
    let t = s;
    for (let k = this.escapePasses; k > 0 && t.startsWith('[[') && t.endsWith(']'); k--) t = unescapeLiteral(t);
    return t;
  }
  /** With deployedOverride 'unknown': the enclosing deployment's condition that is not known. */
  deployedWhy?: Value;

  /**
   * The resource's id and its scope: the `scope` target of an extension resource, the base resource of a
   * classic `.../providers/...` type, else the resource group, subscription or tenant it is deployed to.
   */
  private resourceIdOf(decl: ResourceDecl, type: string, name: Value, env: Env): { id: Value; scope: Value } {
    const raw = decl.raw;
    const names = splitName(name);
    let scope: Value;
    const scopeField = rawGet(raw, 'scope');
    const subF = rawGet(raw, 'subscriptionId');
    const rgF = rawGet(raw, 'resourceGroup');
    if (scopeField) {
      scope = this.resolveScopeValue(this.evalTree(scopeField.value, [...decl.path, scopeField.key], env, false));
    } else if (subF || rgF) {
      const sub = subF ? this.evalTree(subF.value, [...decl.path, subF.key], env, false) : this.scope.subscriptionId;
      scope = rgF ? resourceGroupId(sub, this.evalTree(rgF.value, [...decl.path, rgF.key], env, false)) : subscriptionPrefix(sub);
    } else scope = scopePrefix(this.scope);
    const id = idAt(scope, type, names);
    const providers = type.toLowerCase().indexOf('/providers/');
    if (providers > 0 && !scopeField) {
      // `Microsoft.KeyVault/vaults/providers/roleAssignments` named `kv/Microsoft.Authorization/x`: scoped to the vault.
      const baseType = type.slice(0, providers);
      const baseCount = baseType.split('/').length - 1;
      if (names.length > baseCount) scope = idAt(scope, baseType, names.slice(0, baseCount));
    }
    return { id, scope };
  }

  /** A `scope` value: a resource id, a symbolic name (2.0), or a management group / tenant path. */
  private resolveScopeValue(v: Value): Value {
    if (typeof v === 'string') {
      const sym = this.bySymbol.get(v.toLowerCase());
      if (sym && sym[0]) return sym[0].id;
      if (v.startsWith('Microsoft.Management/managementGroups/')) return `/providers/${v}`;
      if (v === '/' || v === '') return '';
    }
    // Bicep writes `scope: vault` as the relative `Microsoft.KeyVault/vaults/<name>`: relative to the deployment.
    const text = typeof v === 'string' ? v : v instanceof PartialString ? v.prefix : undefined;
    if (text !== undefined && NAMESPACE_PATH.test(text)) return joinParts([scopePrefix(this.scope), '/providers/', v]);
    return typeof v === 'string' ? v.replace(/\/+$/, '') : v;
  }

  private evaluateInstance(inst: Instance): EvaluatedResource | undefined {
    if (inst.record) return inst.record;
    // A resource first needed by a trial evaluation (placeholders unknown) is still evaluated for real: its record is kept.
    return this.state.placeholdersUnknownWhile(false, () =>
      this.state.quietWhile(inst.deployed === false || inst.existing || isExtensibleResource(inst.decl.raw), () => this.evaluateInstanceBody(inst)),
    );
  }

  private evaluateInstanceBody(inst: Instance): EvaluatedResource | undefined {
    if (inst.evaluating) throw new TemplateEvalError(`circular reference through resource '${displayName(inst)}'`);
    inst.evaluating = true;
    const raw = inst.decl.raw;
    const env = this.env('body', inst.copy);
    const body = newObject();
    const skip = new Set(['type', 'name', 'apiversion', 'copy', 'condition', 'dependson', 'resources', 'comments', 'existing', 'import', 'extension']);
    const isDeployment = inst.type.toLowerCase() === 'microsoft.resources/deployments';
    for (const k of Object.keys(raw)) {
      if (skip.has(k.toLowerCase())) continue;
      if (isDeployment && k.toLowerCase() === 'properties' && isPlainObject(raw[k])) {
        const props = raw[k] as Record<string, unknown>;
        const evaluated = newObject();
        for (const pk of Object.keys(props)) {
          if (pk.toLowerCase() === 'template' || pk.toLowerCase() === 'parameters') continue;
          evaluated[pk] = this.evalTree(props[pk], [...inst.decl.path, k, pk], env, true);
        }
        body[k] = evaluated;
        continue;
      }
      if (inst.existing && k.toLowerCase() === 'properties') continue;
      const site: Env = k.toLowerCase() === 'location' ? { ...env, site: 'location' } : env;
      body[k] = this.evalTree(raw[k], [...inst.decl.path, k], site, k.toLowerCase() === 'properties');
    }
    const apiV = this.evalTree(raw['apiVersion'], [...inst.decl.path, 'apiVersion'], env, false);
    const record: EvaluatedResource = {
      key: this.instanceKey(inst),
      unit: this.state.unit,
      file: this.file,
      path: inst.decl.path,
      templatePath: this.base,
      templateMetadata: rawGet(this.raw, 'metadata')?.value,
      templateVariables: this.parameterOrigins.size ? rawGet(this.raw, 'variables')?.value : undefined,
      raw,
      symbolicName: inst.decl.symbolicName,
      type: inst.type,
      apiVersion: typeof apiV === 'string' ? apiV : '',
      name: inst.name,
      id: inst.id,
      scope: inst.scope,
      deployed: inst.existing ? false : inst.deployed,
      ...(!inst.existing && inst.deployed === 'unknown' && inst.deployedWhy !== undefined ? { condition: inst.deployedWhy } : {}),
      existing: inst.existing,
      copy: inst.copyInfo,
      body,
      dependsOn: this.resolveDependsOn(inst, env),
      deploymentPath: this.deploymentPath,
      parameterOrigins: this.parameterOrigins.size ? this.parameterOrigins : undefined,
      parentKey: inst.parent?.record?.key,
    };
    inst.record = record;
    this.state.resources.push(record);
    if (isDeployment && !inst.existing) this.runDeployment(inst, record, env);
    inst.evaluating = false;
    return record;
  }

  private instanceKey(inst: Instance): string {
    return `${this.state.unit}|${this.file}#${inst.decl.path.join('/')}${inst.copyInfo ? `[${inst.copyInfo.index}]` : ''}`;
  }

  private resolveDependsOn(inst: Instance, env: Env): string[] {
    const dep = rawGet(inst.decl.raw, 'dependsOn');
    if (!dep || !Array.isArray(dep.value)) return [];
    const out: string[] = [];
    inst.dependsOnDecls = [];
    dep.value.forEach((d, i) => {
      const v = this.evalTree(d, [...inst.decl.path, dep.key, i], env, false);
      const targets = this.findInstances(v, true);
      for (const target of targets) out.push(this.instanceKey(target));
      // A bare name that several declarations share (placeholder parameter values) does not say which one.
      if (targets.length && targets.every((t) => t.decl === targets[0]!.decl)) inst.dependsOnDecls!.push({ decl: targets[0]!.decl, index: i });
    });
    return out;
  }

  /** Resources of this template named by a symbolic name, `sym[i]`, a loop name, a resource name or an id. */
  private findInstances(v: Value, allowLoop: boolean): Instance[] {
    if (typeof v === 'string') {
      const m = /^(.*)\[(\d+)\]$/.exec(v);
      const sym = this.bySymbol.get((m ? m[1]! : v).toLowerCase());
      if (sym) return m ? sym.filter((s) => s.copyInfo?.index === Number(m[2])) : sym;
      if (allowLoop) {
        const loop = this.instances.filter((i) => i.decl.loopName?.toLowerCase() === v.toLowerCase());
        if (loop.length) return loop;
      }
      if (!v.includes('/providers/') && !v.startsWith('/subscriptions/')) {
        const byName = this.instances.filter((i) => typeof i.name === 'string' && i.name.toLowerCase() === v.toLowerCase());
        if (byName.length) return byName;
      }
    }
    if (v === null || typeof v === 'boolean' || typeof v === 'number') return [];
    if (v instanceof PartialString || v instanceof Unknown) {
      // A name computed the same way as a resource's (`variables('raName')`, a guid()) names that resource.
      const idLike = v instanceof PartialString && (v.prefix.startsWith('/subscriptions/') || v.parts.some((p) => typeof p === 'string' && p.includes('/providers/')));
      if (!idLike) {
        const k = idKey(v);
        const byName = this.instances.filter((i) => (i.name instanceof PartialString || i.name instanceof Unknown) && idKey(i.name) === k);
        if (byName.length) return byName;
      }
    }
    if (!this.byId || this.byIdCount !== this.instances.length) {
      this.byId = new Map();
      this.byPath = new Map();
      const add = (map: Map<string, Instance[]>, k: string, i: Instance) => {
        const list = map.get(k);
        if (list) list.push(i);
        else map.set(k, [i]);
      };
      for (const i of this.instances) {
        add(this.byId, idKey(i.id), i);
        try {
          add(this.byPath, idKey(providerPath(i.type, splitName(i.name))), i);
        } catch {
          // A name whose segments do not fit its type was reported where it was evaluated.
        }
      }
      this.byIdCount = this.instances.length;
    }
    // ARM also takes `Namespace/type/name` (`concat('Microsoft.Network/virtualNetworks/', name)`).
    const text = typeof v === 'string' ? v : v instanceof PartialString ? v.prefix : '';
    if (NAMESPACE_PATH.test(text)) return this.byPath!.get(idKey(v)) ?? [];
    return this.byId.get(idKey(v)) ?? [];
  }

  private reference(args: Value[], env: Env): Value {
    if (args.length < 1 || args.length > 3) throw new TemplateEvalError(`reference takes 1 to 3 arguments, got ${args.length}`);
    if (env.site === 'name' || env.site === 'count') throw new TemplateEvalError('reference() is not allowed in resource names, types or copy counts; ARM evaluates those before any resource exists');
    // Docs: reference "can only be used in the outputs section of a template or deployment and properties object
    // of a resource definition"; "It cannot be used for resource properties such as type, name, location".
    if (env.site === 'location') {
      throw new TemplateEvalError(
        `reference() is not allowed in a resource's top-level location: ARM refuses it ("The template function 'reference' is not expected at this location")`,
        ' Give the location as a parameter or a literal (or resourceGroup().location): ARM needs it before any resource exists',
      );
    }
    refuseRuntimeStateAt('reference', env);
    const full = typeof args[2] === 'string' && args[2].toLowerCase() === 'full';
    const target = args[0]!;
    const found = this.findInstances(target, false);
    const inst = found[0];
    return inst ? this.runtimeState(inst, full) : Unknown.resource(fullIdOf(target, this.scope), [], full);
  }

  /** What reference() (and each element of references()) gives for a resource: a deployment's outputs are known. */
  private runtimeState(inst: Instance, full: boolean): Value {
    // Docs: a reference() to a resource that is not deployed is still evaluated, and reads what Azure has under
    // that id (an earlier deployment's, or an error): not what this template would have made it.
    if (inst.type.toLowerCase() === 'microsoft.resources/deployments' && !inst.existing && inst.deployed !== false) {
      this.evaluateInstance(inst);
      const outputs = inst.deploymentState ?? Unknown.resource(inst.id, [], full);
      if (outputs instanceof Unknown) return full ? outputs : outputs.member('properties');
      // Only the outputs are known before deployment; provisioningState, timestamp, scope... are not.
      const properties = withUnknownRest(objectFrom(Object.entries(outputs as ValueObject)), (k) => Unknown.resource(inst.id, [k]));
      if (!full) return properties;
      return withUnknownRest(objectFrom([['properties', properties], ['id', inst.id], ['name', inst.name], ['type', inst.type]]), (k) => Unknown.resource(inst.id, [k], true));
    }
    // The full state's id and type are the template's (Bicep maps a collection to its ids through
    // references('coll', 'full')); everything else is read at deployment.
    if (full) return withUnknownRest(objectFrom([['id', inst.id], ['type', inst.type]]), (k) => Unknown.resource(inst.id, [k], true));
    return Unknown.resource(inst.id, [], full);
  }

  private references(args: Value[], env: Env): Value {
    for (let frame = env.copy; frame; frame = frame.parent) {
      if (!frame.resource) continue;
      // Docs: "The references function can't be used within resource copy loops".
      throw new TemplateEvalError(
        `references() cannot be used inside a resource copy loop (loop '${frame.name}'): ARM refuses it`,
        ' Read the collection where no resource loop encloses it, such as in outputs or in a resource without copy',
      );
    }
    const sym = typeof args[0] === 'string' ? this.bySymbol.get(args[0].toLowerCase()) : undefined;
    if (!sym) return Unknown.derived('references', args);
    const full = typeof args[1] === 'string' && args[1].toLowerCase() === 'full';
    // Which instances exist depends on a condition not known before deployment: so does the array.
    if (sym.some((i) => i.deployed === 'unknown')) return Unknown.runtime('references', `(${args.map((a) => valueKey(a)).join(',')})`);
    return sym.filter((i) => i.deployed !== false).map((i) => this.runtimeState(i, full));
  }

  private resourceInfo(args: Value[]): Value {
    const found = this.findInstances(args[0] ?? null, false)[0];
    if (!found) throw new TemplateEvalError(`resourceInfo: no resource '${valueKey(args[0] ?? null)}' in this template`);
    return objectFrom([
      ['id', found.id],
      ['name', found.name],
      ['type', found.type],
      ['apiVersion', typeof found.decl.raw['apiVersion'] === 'string' ? found.decl.raw['apiVersion'] : ''],
    ]);
  }

  // ---------------------------------------------------------------- nested deployments

  private runDeployment(inst: Instance, record: EvaluatedResource, env: Env): void {
    const props = rawGet(inst.decl.raw, 'properties');
    if (!props || !isPlainObject(props.value)) return;
    const p = props.value;
    const propsPath = [...inst.decl.path, props.key];
    const deploymentName = displayPart(inst.name);
    const maxDepth = this.state.options.maxDeploymentDepth ?? 10;
    if (this.depth + 1 > maxDepth) {
      this.state.diagnose('TPL002', `nested deployments go deeper than ${maxDepth} levels`, this.file, inst.decl.path);
      inst.deploymentState = Unknown.link(deploymentName);
      return;
    }
    // Depth alone does not bound the work: a template that deploys itself three times is 3^10 deployments.
    const maxDeployments = this.state.options.maxDeployments ?? DEFAULT_MAX_DEPLOYMENTS;
    if (++this.state.deploymentsRun > maxDeployments) {
      // Once, at the first deployment left out: every further one would repeat it.
      if (this.state.deploymentsRun === maxDeployments + 1) {
        this.state.diagnose('TPL002', `the template runs more than ${maxDeployments} nested deployments; the rest are not evaluated`, this.file, inst.decl.path);
      }
      inst.deploymentState = Unknown.link(deploymentName);
      return;
    }
    let templateJson: unknown;
    let file = this.file;
    let base: JsonPath;
    let inner: boolean;
    const tmpl = rawGet(p, 'template');
    const link = rawGet(p, 'templateLink');
    const inline = tmpl !== undefined && isPlainObject(tmpl.value);
    if (tmpl && isPlainObject(tmpl.value)) {
      templateJson = tmpl.value;
      base = [...propsPath, tmpl.key];
      const opts = rawGet(p, 'expressionEvaluationOptions');
      const scopeOpt = opts && isPlainObject(opts.value) ? rawGet(opts.value, 'scope') : undefined;
      const declared = typeof scopeOpt?.value === 'string' ? scopeOpt.value.toLowerCase() : undefined;
      // Outer is ARM's default, in symbolic-name (languageVersion 2.0) templates too (Bicep always writes
      // `inner`); a nested template that receives parameters cannot be outer-scoped.
      const passesParameters = isPlainObject(rawGet(p, 'parameters')?.value) && Object.keys(rawGet(p, 'parameters')!.value as object).length > 0;
      inner = declared === 'inner' || (declared === undefined && passesParameters);
    } else if (link && isPlainObject(link.value)) {
      const linkPath: JsonPath = [...propsPath, link.key];
      const relative = rawGet(link.value, 'relativePath');
      const uriField = relative ? undefined : rawGet(link.value, 'uri');
      // `uri(deployment().properties.templateLink.uri, 'nested/x.json')` (the pre-relativePath idiom, often
      // through an `_artifactsLocation` parameter that defaults to that URI) names the file next to this
      // template exactly as relativePath does.
      const beside = uriField ? pathBesideDeployment(this.evalTree(uriField.value, [...linkPath, uriField.key], env, false)) : undefined;
      const relPath: JsonPath = relative ? [...linkPath, relative.key] : [...linkPath, uriField?.key ?? 'uri'];
      if (!relative && beside === undefined) {
        const what = rawGet(link.value, 'id') ? 'a template spec (templateLink.id)' : 'a remote URI (templateLink.uri)';
        this.state.diagnose('TPL004', `linked template of deployment '${deploymentName}' is ${what}; cmkguard never fetches remote templates, so its resources are not checked. Scan the linked template's file directly`, this.file, linkPath);
        inst.deploymentState = Unknown.link(deploymentName);
        return;
      }
      const rel = relative ? this.evalTree(relative.value, relPath, env, false) : beside!.path;
      if (typeof rel !== 'string') {
        this.state.diagnose('TPL004', `templateLink.relativePath of deployment '${deploymentName}' is not known before deployment`, this.file, relPath);
        inst.deploymentState = Unknown.link(deploymentName);
        return;
      }
      // relativePath is relative to this template; a uri() beside a deployment, to that deployment's template
      // (a module's `_artifactsLocation` is usually its caller's location, passed down).
      const from = beside?.from ?? this.file;
      const loaded = this.state.options.loadLinked ? this.state.options.loadLinked(from, rel) : 'linked templates are not loaded in this mode';
      if (typeof loaded === 'string') {
        const where = from === this.file ? '' : ` (beside ${path.basename(from)}, whose location the link is built from)`;
        this.state.diagnose('TPL004', `linked template '${rel}'${where} of deployment '${deploymentName}' cannot be loaded: ${loaded}`, this.file, relPath);
        inst.deploymentState = Unknown.link(deploymentName);
        return;
      }
      templateJson = loaded.json;
      file = loaded.file;
      if (record.deployed !== false) {
        this.state.linkedFiles.add(file);
        this.state.linkEdges.set(`${this.file}\0${file}`, [this.file, file]);
      }
      base = [];
      inner = true;
    } else return;
    if (!isPlainObject(templateJson)) return;

    const nestedScope = this.nestedDeploymentScope(record, inst.name);
    let nested: TemplateScope;
    if (inner) {
      const supplied = new Map<string, Value>();
      const origins = new Map<string, ParameterOrigin>();
      const params = rawGet(p, 'parameters');
      if (params && isPlainObject(params.value)) {
        for (const name of Object.keys(params.value)) {
          const entry = params.value[name];
          if (typeof entry === 'string' && isExpression(this.pendingText(entry))) {
            // Bicep writes a conditional module argument as one expression for the whole entry:
            // `"[if(c, createObject('value', x), createObject('value', y))]"`.
            const built = this.evalTree(entry, [...propsPath, params.key, name], env, true);
            const value = isObject(built) ? getProperty(built, 'value') : undefined;
            if (value?.found) supplied.set(name.toLowerCase(), value.value);
            else if (built instanceof Unknown) supplied.set(name.toLowerCase(), Unknown.derived('index', [built, 'value']));
            continue;
          }
          if (!isPlainObject(entry)) continue;
          const at = [...propsPath, params.key, name, 'value'];
          if ('value' in entry) {
            supplied.set(name.toLowerCase(), this.evalTree(entry['value'], at, env, true));
            origins.set(name.toLowerCase(), { file: this.file, path: at, deployment: displayName(inst), raw: entry['value'], outer: this.parameterOrigins, variables: rawGet(this.raw, 'variables')?.value });
          }
          else if ('reference' in entry) supplied.set(name.toLowerCase(), Unknown.secret(name));
          else if (Array.isArray(entry['copy'])) {
            // Bicep passes a `for` expression as a property loop that builds `value`.
            const built = this.evalTree(entry, [...propsPath, params.key, name], env, true);
            if (isObject(built) && getProperty(built, 'value').found) supplied.set(name.toLowerCase(), (getProperty(built, 'value') as { value: Value }).value);
          }
        }
      }
      nested = new TemplateScope(this.state, templateJson, file, base, nestedScope, supplied, [...this.deploymentPath, deploymentName], undefined, this.depth + 1, origins);
      if (params && isPlainObject(params.value)) {
        nested.checkSuppliedNames(Object.keys(params.value), this.file, [...propsPath, params.key], `deployment '${displayName(inst)}' passes`);
      }
    } else {
      nested = new TemplateScope(this.state, templateJson, file, base, this.scope, new Map(), [...this.deploymentPath, deploymentName], this, this.depth + 1, this.parameterOrigins);
    }
    nested.deployedOverride = record.deployed === true ? true : record.deployed;
    nested.deployedWhy = record.condition;
    // An inline template is part of this template's text: it went through the passes over this template, and,
    // when this template is itself outer-scoped, through the pass that evaluated this one as a value. For an
    // outer-scoped inline template that pass is its own evaluation (in the same context), not one before it.
    if (inline) nested.escapePasses = this.escapePasses + (this.outer && inner ? 1 : 0);
    try {
      nested.run();
      inst.deploymentState = objectFrom([['outputs', nested.outputs()]]);
    } catch (err) {
      if (!(err instanceof TemplateEvalError)) throw err;
      this.state.diagnose('TPL002', withHint(err, err.message), file, base);
      inst.deploymentState = Unknown.link(deploymentName);
    }
  }

  /**
   * The scope a nested deployment deploys to: its `resourceGroup`, `subscriptionId` or `scope` property says so,
   * else it stays in this deployment's scope. Its template's `$schema` does not count: ARM's own example deploys
   * a `deploymentTemplate.json` template to a subscription from a management group.
   */
  private nestedDeploymentScope(record: EvaluatedResource, name: Value): DeploymentScope {
    const sub = getProperty(record.body, 'subscriptionId');
    const rg = getProperty(record.body, 'resourceGroup');
    const scopeF = getProperty(record.body, 'scope');
    const scopeText = !scopeF.found ? undefined : typeof scopeF.value === 'string' ? scopeF.value : scopeF.value instanceof PartialString ? scopeF.value.prefix : undefined;
    let mg = this.scope.managementGroup;
    if (scopeF.found && typeof scopeF.value === 'string') {
      const m = /managementGroups\/([^/]+)$/i.exec(scopeF.value);
      if (m) mg = m[1]!;
    }
    const loc = getProperty(record.body, 'location');
    let kind: ScopeKind = this.scope.kind;
    if (rg.found) kind = 'resourceGroup';
    else if (scopeText !== undefined && /managementGroups\//i.test(scopeText)) kind = 'managementGroup';
    else if (scopeText === '/') kind = 'tenant';
    // From a resource group, a deployment with `subscriptionId` and a `location` but no `resourceGroup` targets
    // that subscription (ARM's "deploy to subscription" from a resource group deployment; Bicep's
    // `scope: subscription()` writes exactly that). Without a location, a resource-group deployment nests
    // resource-group deployments only (`subscriptionId` alone names another subscription's group of the same name).
    else if (sub.found && (kind !== 'resourceGroup' || loc.found)) kind = 'subscription';
    return {
      kind,
      subscriptionId: sub.found ? sub.value : this.scope.subscriptionId,
      resourceGroup: rg.found ? rg.value : this.scope.resourceGroup,
      managementGroup: mg,
      tenantId: this.scope.tenantId,
      location: loc.found ? loc.value : this.scope.location,
      deploymentName: name,
    };
  }

  outputs(): ValueObject {
    const out = newObject();
    const o = rawGet(this.raw, 'outputs');
    if (!o || !isPlainObject(o.value)) return out;
    const env = this.env('output');
    for (const name of Object.keys(o.value)) {
      const def = o.value[name];
      if (!isPlainObject(def)) continue;
      const at: JsonPath = [...this.base, o.key, name];
      const type = typeof def['type'] === 'string' ? def['type'] : 'object';
      let value: Value;
      const copy = rawGet(def, 'copy');
      if (copy && isPlainObject(copy.value)) {
        const count = this.evalCount(copy.value['count'], [...at, copy.key, 'count'], env);
        if (count === undefined) value = Unknown.derived('copy', [name]);
        else {
          const items: Value[] = [];
          for (let i = 0; i < count; i++) items.push(this.evalTree(copy.value['input'], [...at, copy.key, 'input'], { ...env, copy: { name: '', index: i } }, true));
          value = items;
        }
      } else {
        const v = rawGet(def, 'value');
        value = v ? this.evalTree(v.value, [...at, v.key], env, true) : null;
      }
      out[name] = objectFrom([['type', type], ['value', value]]);
    }
    return out;
  }
}

/** Which template each `deployment().properties.templateLink` unknown is the location of. */
const templateLinkOwner = new WeakMap<Unknown, string>();

/**
 * A link URI built as `uri(<templateLink>.uri, '<relative>')`: the relative path, its query string (a SAS
 * token) dropped, and the template whose location the base is; undefined for any other URI.
 */
/** `Namespace/type/name` names a resource of the deployment's own scope; other values are ids already. */
function fullIdOf(target: Value, scope: DeploymentScope): Value {
  const text = typeof target === 'string' ? target : target instanceof PartialString ? target.prefix : '';
  return NAMESPACE_PATH.test(text) ? joinParts([scopePrefix(scope), '/providers/', target]) : target;
}

const NAMESPACE_PATH = /^[A-Za-z0-9]+\.[A-Za-z0-9.]+\/[^/]/;

function pathBesideDeployment(v: Value): { path: string; from: string } | undefined {
  if (!(v instanceof Unknown) || !v.recipe || !('fn' in v.recipe) || v.recipe.fn.toLowerCase() !== 'uri') return undefined;
  const [base, relative] = v.recipe.args;
  if (!(base instanceof Unknown) || !base.recipe || !('of' in base.recipe) || String(base.recipe.name).toLowerCase() !== 'uri') return undefined;
  const from = templateLinkOwner.get(base.recipe.of);
  if (from === undefined) return undefined;
  if (typeof relative !== 'string' || relative === '' || /^[a-z][a-z0-9+.-]*:|^\/\//i.test(relative)) return undefined;
  const path = relative.split(/[?#]/, 1)[0]!;
  return path === '' ? undefined : { path, from };
}

function copyIndex(args: Value[], env: Env): Value {
  let loop: string | undefined;
  let offset = 0;
  for (const a of args) {
    if (typeof a === 'string') loop = a;
    else if (typeof a === 'number') offset = a;
    else if (a instanceof Unknown || a instanceof PartialString) return Unknown.derived('copyIndex', args);
    else throw new TemplateEvalError(`copyIndex takes a loop name and/or an offset, got ${typeName(a)}`);
  }
  let frame = env.copy;
  if (loop !== undefined) {
    while (frame && frame.name.toLowerCase() !== loop.toLowerCase()) frame = frame.parent;
    if (!frame) throw new TemplateEvalError(`copyIndex('${loop}') is not inside a copy loop named '${loop}'`);
  } else {
    const named = frame;
    while (frame?.namedOnly) frame = frame.parent;
    // Docs: "when using copyIndex inside a property iteration, you must provide the name of the iteration".
    if (!frame && named) {
      throw new TemplateEvalError(`copyIndex() without a loop name is not allowed in the property or variable copy loop '${named.name}'`, ` Name the loop: copyIndex('${named.name}'${offset ? `, ${offset}` : ''}).`);
    }
  }
  if (!frame) throw new TemplateEvalError('copyIndex() is only allowed inside a copy loop');
  if (typeof frame.index !== 'number') return Unknown.derived('copyIndex', [frame.name, offset]);
  return frame.index + offset;
}

const SCOPE_WORDS: Record<ScopeKind, string> = { resourceGroup: 'resource group', subscription: 'subscription', managementGroup: 'management group', tenant: 'tenant' };

/** ARM refuses a scope function (`resourceGroup()`, `subscription()`, `managementGroup()`) outside the deployments it belongs to. */
function requireScope(fn: string, scope: DeploymentScope, allowed: ScopeKind[], fix: string): void {
  if (allowed.includes(scope.kind)) return;
  const where = allowed.map((k) => SCOPE_WORDS[k]).join(' and ');
  throw new TemplateEvalError(`${fn}() is not available in a ${SCOPE_WORDS[scope.kind]} deployment (ARM allows it only in ${where} deployments)`, ` ${fix}`);
}

function nameArg(fn: string, args: Value[]): string {
  if (args.length !== 1) throw new TemplateEvalError(`${fn} takes 1 argument, got ${args.length}`);
  const v = args[0]!;
  if (typeof v !== 'string') throw new TemplateEvalError(`${fn} takes a name (string), got ${typeName(v)}`);
  return v;
}

/**
 * A resource of a Bicep extension (Kubernetes, Microsoft Graph, ...), which ARM hands to the extension rather
 * than to a resource provider: Bicep writes `"import": alias` with type `core/Namespace@v1` (older compilers),
 * or `"extension": alias` with a separate apiVersion and no top-level `name` (the extension names it in its
 * properties). An ARM resource of an explicitly declared `az` extension keeps its `name`.
 */
function isExtensibleResource(raw: Record<string, unknown>): boolean {
  if (typeof raw['type'] === 'string' && raw['type'].includes('@')) return true;
  return (typeof raw['import'] === 'string' || typeof raw['extension'] === 'string') && raw['name'] === undefined;
}

/** A deployment's name for messages: partly known names show their known text, unknown parts as {…}. */
function displayName(inst: Instance): string {
  if (typeof inst.name === 'string') return inst.name;
  if (inst.decl.symbolicName) return inst.decl.symbolicName;
  if (inst.name instanceof PartialString) return inst.name.parts.map((p) => (typeof p === 'string' ? p : '{…}')).join('');
  return inst.type;
}

function abbreviate(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

