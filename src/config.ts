/**
 * `.cmkguard.yaml`: found by walking up from the working directory (or given with --config), validated
 * against schemas/config.schema.json, then resolved against the rule pack (ids or names, options checked
 * against each rule's options schema). Every problem is a ConfigError: exit code 2, naming the key.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createAjv } from './ajv.js';
import { packageFile } from './paths.js';
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
  const e = validate.errors!.find((x) => x.keyword !== 'oneOf' && x.keyword !== 'if') ?? validate.errors![0]!;
  const where = e.instancePath ? e.instancePath.slice(1).split('/').join('.') : '(top level)';
  let what = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') what = `has unknown key '${(e.params as { additionalProperty: string }).additionalProperty}'; allowed keys: ${Object.keys(propertiesAt(schema, e.schemaPath)).join(', ')}`;
  if (e.keyword === 'enum') what = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  throw new ConfigError(`${file}: '${where}' ${what}`);
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

async function resolveConfig(file: string, raw: RawConfig, rules: readonly Rule[]): Promise<Config> {
  const dir = path.dirname(file);
  const config = emptyConfig();
  config.file = file;
  for (const [key, value] of Object.entries(raw.rules ?? {})) {
    const rule = ruleByIdOrName(rules, key);
    if (!rule) throw new ConfigError(`${file}: 'rules.${key}' is not a rule id or name; run 'cmkguard rules' for the list`);
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
  for (const s of raw.suppressions ?? []) {
    if (!ruleByIdOrName(rules, s.rule)) throw new ConfigError(`${file}: suppression for '${s.rule}': not a rule id or name`);
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
  if (e.keyword === 'additionalProperties') what = `has unknown option '${(e.params as { additionalProperty: string }).additionalProperty}'; ${rule.meta.id} takes ${Object.keys(props).join(', ')}`;
  if (e.keyword === 'enum') what = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  throw new ConfigError(`${file}: '${where}' ${what}`);
}
