/**
 * One template of a scan, loaded and evaluated with each of its parameter files: its findings (parse and
 * evaluation diagnostics, located), and its resources for the scan graph. Runs in the main thread or in a
 * worker (src/unit-worker.ts); it reads nothing but the template, its linked templates and what it is given.
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BudgetSettings } from './config.js';
import { Budget } from './eval/expression.js';
import { evaluateTemplate, type DeploymentContextInput, type Evaluation, type EvaluatedResource } from './eval/template.js';
import { fileFinding, finishSentence, locatedFinding, originAt, prefetchPositions, releasePositions, textReader } from './findings.js';
import { describeTrace } from './origin.js';
import { isModelled } from './graph.js';
import { classify, decode, isLoadError, loadFile, parseJsonText, readRegularFile } from './load.js';
import { isInside } from './paths.js';
import { isRecord } from './json.js';
import { applyInSource, suppressionsIn } from './suppress.js';
import type { Finding, RuleMeta, ScannedFile } from './types.js';

export interface UnitJob {
  file: string;
  /** Parameter files to evaluate the template with (none: its defaults), already parsed. */
  parameterFiles: { path: string; json: unknown }[];
}

/** What every unit of a scan shares; plain data, so that it can go to a worker. */
export interface UnitEnv {
  repoRoot: string;
  maxBytes: number;
  /** Linked templates must stay inside this folder. */
  linkRoot: string;
  budgets: BudgetSettings;
  context?: DeploymentContextInput;
  /** The template diagnostics (TPL rules) that are enabled, with their effective level. */
  templateRules: RuleMeta[];
}

export interface UnitRun {
  resources: EvaluatedResource[];
  /** Repository-relative parameter file of this evaluation. */
  parameterFile?: string;
  parameterPath?: string;
  /** The parsed template and parameter values, kept only for what-if. */
  template?: unknown;
  parameters?: Record<string, unknown>;
}

export interface UnitOutcome {
  scanned: ScannedFile;
  findings: Finding[];
  runs: UnitRun[];
  internalErrors: string[];
  /** Template files that its evaluations loaded as linked templates of deployments that may be deployed. */
  linked: string[];
  /** The same links as [the template whose deployment links it, the linked file], each once. */
  links: [from: string, to: string][];
}

export function toUri(repoRoot: string, file: string): string {
  return path.relative(repoRoot, file).split(path.sep).join('/');
}

export function evaluateUnit(job: UnitJob, env: UnitEnv, keepForWhatIf = false): UnitOutcome {
  const uri = toUri(env.repoRoot, job.file);
  const outcome: UnitOutcome = { scanned: { path: job.file, uri, kind: 'template' }, findings: [], runs: [], internalErrors: [], linked: [], links: [] };
  const meta = new Map(env.templateRules.map((m) => [m.id, m]));
  const loaded = loadFile(job.file, env.maxBytes);
  if (loaded === null || (!isLoadError(loaded) && loaded.kind !== 'template')) {
    outcome.scanned.kind = 'skipped';
    return outcome;
  }
  if (isLoadError(loaded)) {
    const tpl001 = meta.get('TPL001');
    if (tpl001) outcome.findings.push(fileFinding('TPL001', tpl001.level, `${loaded.message}.`, job.file, uri, loaded.line, loaded.column, loaded.text));
    return outcome;
  }
  const texts = new Map<string, string>([[job.file, loaded.text]]);
  const templateJsons = new Map<string, unknown>([[job.file, loaded.json]]);
  const textOf = textReader(texts);
  const runs = job.parameterFiles.length ? job.parameterFiles : [undefined];
  for (const params of runs) {
    let evaluation: Evaluation;
    try {
      evaluation = evaluateTemplate({
        file: job.file,
        json: loaded.json,
        parameters: params ? { file: params.path, values: parameterValues(params.json) } : undefined,
        context: env.context,
        loadLinked: (from, rel) => {
          const linked = loadLinked(from, rel, env.linkRoot, env.maxBytes, texts);
          if (typeof linked !== 'string') templateJsons.set(linked.file, linked.json);
          return linked;
        },
        budget: new Budget(env.budgets.evaluationSteps, env.budgets.stringLength, env.budgets.arrayLength, env.budgets.expressionDepth),
        maxCopyCount: env.budgets.copyCount,
        maxDeploymentDepth: env.budgets.deploymentDepth,
        maxDeployments: env.budgets.deployments,
      });
    } catch (err) {
      outcome.internalErrors.push(`${uri}: internal error while evaluating: ${(err as Error).stack ?? String(err)}`);
      continue;
    }
    for (const f of evaluation.linkedFiles) if (!outcome.linked.includes(f)) outcome.linked.push(f);
    for (const [from, to] of evaluation.linkEdges) if (!outcome.links.some(([a, b]) => a === from && b === to)) outcome.links.push([from, to]);
    const paramUri = evaluation.parameterFile ? toUri(env.repoRoot, evaluation.parameterFile) : undefined;
    prefetchPositions(evaluation.diagnostics.map((d) => [d.file, d.path]), textOf);
    for (const d of evaluation.diagnostics) {
      const m = meta.get(d.ruleId);
      if (!m) continue;
      const message = d.trace ? `${finishSentence(d.message)}${describeTrace(d.trace, (o) => originAt(o, (file) => toUri(env.repoRoot, file), textOf))}` : d.message;
      const finding = locatedFinding(m, m.level, 'fail', message, d.file, toUri(env.repoRoot, d.file), textOf(d.file), d.path, undefined, paramUri);
      // A linked template's own template-level suppressions apply to what is found in it through this one.
      outcome.findings.push(applyInSource(finding, m, suppressionsIn(templateJsons.get(d.file))));
    }
    const run: UnitRun = { resources: keptForGraph(evaluation.resources), parameterFile: paramUri, parameterPath: params?.path };
    if (keepForWhatIf) {
      run.template = loaded.json;
      run.parameters = isRecord(params?.json) && isRecord(params.json['parameters']) ? params.json['parameters'] : {};
    }
    outcome.runs.push(run);
  }
  // Memory stays flat over large scans: a template's text and position index are not needed once it is evaluated.
  releasePositions();
  return outcome;
}


/**
 * What an evaluation leaves for the scan graph. Rules read modelled types only; other resources of the same
 * evaluation keep their identity and links (dependsOn closures and nested deployments pass through them) but
 * drop their contents. An evaluation without any modelled resource leaves nothing: no rule can reach it, and
 * memory then grows with the CMK-relevant part of a repository, not with its size.
 */
function keptForGraph(resources: EvaluatedResource[]): EvaluatedResource[] {
  if (!resources.some((r) => isModelled(r.type))) return [];
  return resources.map((r) => (isModelled(r.type) ? r : slim(r)));
}

function slim(r: EvaluatedResource): EvaluatedResource {
  return { ...r, body: Object.create(null), raw: {}, templateMetadata: undefined, templateVariables: undefined, parameterOrigins: undefined };
}

function parameterValues(json: unknown): Record<string, unknown> {
  const p = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['parameters'] : undefined;
  return typeof p === 'object' && p !== null && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
}

export function safeIsFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export function commonRoot(dirs: string[]): string {
  let root = dirs[0] ?? process.cwd();
  for (const d of dirs.slice(1)) {
    while (!isInside(d, root)) root = path.dirname(root);
  }
  return root;
}

/** Loads a `templateLink.relativePath` target, never outside the scan root (symlinks resolved first). */
export function loadLinked(fromFile: string, rel: string, root: string, maxBytes: number, texts: Map<string, string>): { file: string; json: unknown } | string {
  if (path.isAbsolute(rel) || /^[a-z]+:/i.test(rel)) return 'the path is absolute; only paths relative to the linking template are followed';
  const target = path.resolve(path.dirname(fromFile), rel);
  if (!isInside(target, root)) return `'${rel}' resolves outside the scan root`;
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    return 'the file does not exist';
  }
  let realRoot = root;
  try {
    realRoot = realpathSync(root);
  } catch {
    // keep the given root
  }
  if (!isInside(real, realRoot)) return `'${rel}' is a link that leads outside the scan root`;
  try {
    const bytes = readRegularFile(real, maxBytes);
    if (!Buffer.isBuffer(bytes)) return bytes.error;
    const text = decode(bytes);
    if (typeof text !== 'string') return text.error;
    const parsed = parseJsonText(text);
    if ('error' in parsed) return `invalid JSON: ${parsed.error}`;
    if (classify(parsed.json) !== 'template') return 'the file is not a deployment template (its $schema does not name deploymentTemplate.json)';
    texts.set(target, text);
    return { file: target, json: parsed.json };
  } catch (err) {
    return `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
}
