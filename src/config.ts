/**
 * `.cmkguard.yaml`: found by walking up from the working directory (or given with --config), validated
 * against schemas/config.schema.json, then resolved against the rule pack (ids or names, options checked
 * against each rule's options schema). Every problem is a ConfigError: exit code 2, naming the key.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createAjv, type SchemaCompiler } from './ajv.js';
import { packageFile } from './paths.js';
import { didYouMean } from './suggest.js';
import { isDate } from './suppress.js';
import type { Rule } from './rule-api.js';
import type { RuleSetting } from './scan.js';
import type { DeploymentContextInput } from './eval/template.js';
import type { FailLevel, Level } from './types.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const CONFIG_NAMES = ['.cmkguard.yaml', '.cmkguard.yml'];

export interface ConfigSuppression {
  rule: string;
  resource?: string;
  file?: string;
  reason: string;
  expires?: string;
}

export interface Config {
  /** The file it came from; paths in it are relative to its folder. */
  file?: string;
  settings: Map<string, RuleSetting>;
  include: string[];
  exclude: string[];
  /** Absolute template path → absolute parameter file paths. */
  parameters: Map<string, string[]>;
  context: DeploymentContextInput;
  failLevel?: FailLevel;
  suppressions: ConfigSuppression[];
  budgets: BudgetSettings;
}

/** Per-file limits (SECURITY.md); absent ones keep their defaults. */
export interface BudgetSettings {
  maxFileBytes?: number;
  evaluationSteps?: number;
  stringLength?: number;
  arrayLength?: number;
  copyCount?: number;
  deploymentDepth?: number;
  deployments?: number;
  expressionDepth?: number;
}

export function emptyConfig(): Config {
  return { settings: new Map(), include: [], exclude: [], parameters: new Map(), context: {}, suppressions: [], budgets: {} };
}

/** The nearest config file from `start` upwards, stopping at the repository root or the file system root. */
export function findConfig(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    if (existsSync(path.join(dir, '.git'))) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

interface RawConfig {
  rules?: Record<string, 'off' | 'on' | Level | { enabled?: boolean; level?: Level; options?: Record<string, unknown> }>;
  include?: string[];
  exclude?: string[];
  parameters?: Record<string, string | string[]>;
  context?: DeploymentContextInput;
  failLevel?: FailLevel;
  suppressions?: ConfigSuppression[];
  budgets?: BudgetSettings;
}

export async function loadConfig(file: string, rules: readonly Rule[]): Promise<Config> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the configuration (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  // Node gives a CommonJS package's exports as named imports; the bundle (scripts/bundle.mjs) only as default.
  const yaml = (await import('yaml')) as typeof import('yaml') & { default?: typeof import('yaml') };
  const parse = yaml.parse ?? yaml.default!.parse;
  let raw: unknown;
  try {
    // YAML anchors and merge keys are plain data here; no custom tags, nothing is executed.
    raw = parse(text, { uniqueKeys: true, maxAliasCount: 100 }) ?? {};
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  await validateAgainstSchema(file, raw);
  return resolveConfig(file, raw as RawConfig, rules);
}

async function validateAgainstSchema(file: string, raw: unknown): Promise<void> {
  const schema = JSON.parse(readFileSync(packageFile('schemas/config.schema.json'), 'utf8'));
  const validate = (await createAjv()).compile(schema);
  if (validate(raw)) return;
  const e = mostSpecific(validate.errors!);
  const where = keyPath(e.instancePath);
  let what = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    const allowed = Object.keys(propertiesAt(schema, e.schemaPath));
    what = `has unknown key '${key}'; allowed keys: ${allowed.join(', ')}.${didYouMean(key, allowed)}`;
  }
  if (e.keyword === 'enum') what = allowedValues(valueAt(raw, e.instancePath), (e.params as { allowedValues: unknown[] }).allowedValues);
  if (e.keyword === 'type') {
    // Each branch of a oneOf (a string or a list of strings) reports its own type.
    const types = validate.errors!.filter((x) => x.keyword === 'type' && x.instancePath === e.instancePath).map((x) => (x.params as { type: string }).type);
    what = `must be ${[...new Set(types)].map((t) => (t === 'array' ? 'a list' : t === 'object' ? 'a mapping' : t === 'integer' ? 'an integer' : `a ${t}`)).join(' or ')}`;
  }
  throw new ConfigError(`${file}: '${where}' ${what}`);
}

type SchemaError = NonNullable<ReturnType<SchemaCompiler['compile']>['errors']>[number];

/**
 * The error that names what the user got wrong: the deepest one (`rules.ACR004.level`, not `rules.ACR004`, when an
 * object's level is wrong), and at the same depth an unknown or missing key before a wrong value, and a wrong value
 * before a wrong type (for `rules.X: warn`, the string branch of the oneOf is meant, not the object branch).
 */
function mostSpecific(errors: SchemaError[]): SchemaError {
  const depth = (x: SchemaError) => (x.instancePath.match(/\//g) ?? []).length;
  const rank = (x: SchemaError) => (x.keyword === 'type' ? 2 : x.keyword === 'enum' ? 1 : 0);
  const candidates = errors.filter((x) => x.keyword !== 'oneOf' && x.keyword !== 'if');
  return candidates.sort((a, b) => depth(b) - depth(a) || rank(a) - rank(b))[0] ?? errors[0]!;
}

/** `/suppressions/0/expires` as `suppressions[0].expires`, `/parameters/infra~1main.json` as `parameters.infra/main.json`. */
function keyPath(instancePath: string): string {
  if (!instancePath) return '(top level)';
  return pointerSegments(instancePath)
    .map((seg, i) => (/^\d+$/.test(seg) ? `[${seg}]` : i === 0 ? seg : `.${seg}`))
    .join('');
}

/** The keys of a JSON Pointer (`/parameters/infra~1main.json` → `parameters`, `infra/main.json`). */
function pointerSegments(instancePath: string): string[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(raw: unknown, instancePath: string): unknown {
  let node = raw;
  for (const seg of pointerSegments(instancePath)) node = (node as Record<string, unknown> | undefined)?.[seg];
  return node;
}

function allowedValues(value: unknown, allowed: unknown[]): string {
  if (typeof value !== 'string') return `must be one of ${allowed.join(', ')}`;
  return `must be one of ${allowed.join(', ')}, not '${value}'.${didYouMean(value, allowed.map(String))}`;
}

function propertiesAt(schema: Record<string, unknown>, schemaPath: string): Record<string, unknown> {
  let node: unknown = schema;
  for (const seg of schemaPath.replace(/^#\//, '').split('/').slice(0, -1)) node = (node as Record<string, unknown>)?.[seg];
  return ((node as Record<string, unknown>)?.['properties'] as Record<string, unknown>) ?? {};
}

function ruleByIdOrName(rules: readonly Rule[], key: string): Rule | undefined {
  const k = key.toLowerCase();
  return rules.find((r) => r.meta.id.toLowerCase() === k || r.meta.name === k);
}

/** " Did you mean 'ACR004'?" for a misspelt rule id or name. */
function ruleHint(rules: readonly Rule[], key: string): string {
  return didYouMean(key, rules.flatMap((r) => [r.meta.id, r.meta.name]));
}

async function resolveConfig(file: string, raw: RawConfig, rules: readonly Rule[]): Promise<Config> {
  const dir = path.dirname(file);
  const config = emptyConfig();
  config.file = file;
  for (const [key, value] of Object.entries(raw.rules ?? {})) {
    const rule = ruleByIdOrName(rules, key);
    if (!rule) throw new ConfigError(`${file}: 'rules.${key}' is not a rule id or name.${ruleHint(rules, key)} Run 'cmkguard rules' for the list.`);
    const setting: RuleSetting = { enabled: true };
    if (typeof value === 'string') {
      if (value === 'off') setting.enabled = false;
      else if (value !== 'on') setting.level = value;
    } else {
      if (value.enabled !== undefined) setting.enabled = value.enabled;
      if (value.level) setting.level = value.level;
      if (value.options) {
        await checkOptions(file, key, rule, value.options);
        setting.options = value.options;
      }
    }
    config.settings.set(rule.meta.id, setting);
  }
  config.include = raw.include ?? [];
  config.exclude = raw.exclude ?? [];
  for (const [template, params] of Object.entries(raw.parameters ?? {})) {
    config.parameters.set(path.resolve(dir, template), (Array.isArray(params) ? params : [params]).map((p) => path.resolve(dir, p)));
  }
  config.context = raw.context ?? {};
  config.failLevel = raw.failLevel;
  config.budgets = raw.budgets ?? {};
  for (const [i, s] of (raw.suppressions ?? []).entries()) {
    if (!ruleByIdOrName(rules, s.rule)) throw new ConfigError(`${file}: 'suppressions[${i}].rule' '${s.rule}' is not a rule id or name.${ruleHint(rules, s.rule)}`);
    if (s.expires !== undefined && !isDate(s.expires)) throw new ConfigError(`${file}: 'suppressions[${i}].expires' '${s.expires}' is not a calendar date (YYYY-MM-DD)`);
    config.suppressions.push(s);
  }
  return config;
}

/** Validates rule options against the rule's own options schema; a rule without one takes no options. */
export async function checkOptions(file: string, key: string, rule: Rule, options: Record<string, unknown>): Promise<void> {
  if (!rule.meta.optionsSchema) {
    if (Object.keys(options).length) throw new ConfigError(`${file}: 'rules.${key}.options': ${rule.meta.id} takes no options`);
    return;
  }
  const validate = (await createAjv()).compile(rule.meta.optionsSchema);
  if (validate(options)) return;
  const e = validate.errors![0]!;
  const where = `rules.${key}.options${e.instancePath ? `.${e.instancePath.slice(1).split('/').join('.')}` : ''}`;
  const props = (rule.meta.optionsSchema['properties'] ?? {}) as Record<string, { enum?: unknown[] }>;
  let what = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') {
    const option = (e.params as { additionalProperty: string }).additionalProperty;
    what = `has unknown option '${option}'; ${rule.meta.id} takes ${Object.keys(props).join(', ')}.${didYouMean(option, Object.keys(props))}`;
  }
  if (e.keyword === 'enum') what = allowedValues(valueAt(options, e.instancePath), (e.params as { allowedValues: unknown[] }).allowedValues);
  throw new ConfigError(`${file}: '${where}' ${what}`);
}
