/**
 * The pipeline: discover → load and parse → evaluate → link → check → locate → report data.
 * Everything that can go wrong with one file becomes a finding on that file; the scan goes on.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { discover, matchesAny, resolvesInside } from './discover.js';
import type { DeploymentContextInput, EvaluatedResource, JsonPath } from './eval/template.js';
import { describeTrace, traceOrigins } from './origin.js';
import { providerPartOf } from './eval/ids.js';
import { ScanGraph } from './graph.js';
import { buildChains } from './chains.js';
import { isLoadError, loadFile, probeTemplate, DEFAULT_MAX_FILE_BYTES, type LoadedFile } from './load.js';
import { finishSentence, fileFinding, locatedFinding, originAt, prefetchPositions, releasePositions, textReader } from './findings.js';
import { threadsFor } from './threads.js';
import { commonRoot, evaluateUnit, safeIsFile, toUri, type UnitEnv, type UnitJob, type UnitOutcome } from './unit.js';
import { findCallerCandidates, type CallerSearch } from './callers.js';
import type { Rule, RuleReport } from './rule-api.js';
import { sourceOf } from './sourcemap.js';
import { isInside } from './paths.js';
import type { Finding, Level, ResourceLabel, RuleMeta, ScanResult, ScannedFile } from './types.js';
import { VERSION } from './version.js';
import type { BudgetSettings, ConfigSuppression } from './config.js';
import { glob } from './glob.js';
import { applyConfig, applyInSource, suppressionsIn } from './suppress.js';
import type { Value } from './eval/value.js';
import type { ArmReader } from './live/arm.js';
import type { WhatIfUnit } from './live/whatif.js';
import { addTo, appendAll } from './collections.js';

export interface RuleSetting {
  enabled: boolean;
  level?: Level;
  options?: Record<string, unknown>;
}

export interface ScanOptions {
  paths: string[];
  cwd: string;
  ignore?: string[];
  /** Parameter files given explicitly: each is used for every scanned template. */
  parameters?: string[];
  context?: DeploymentContextInput;
  rules: readonly Rule[];
  settings?: Map<string, RuleSetting>;
  maxFileBytes?: number;
  /** Repository root for relative URIs; found from `.git` when absent. */
  repoRoot?: string;
  /** When set, only files matching one of these globs (relative to the repository root) are scanned. */
  include?: string[];
  /** Files matching one of these globs (relative to the repository root, or any folder below it) are skipped. */
  exclude?: string[];
  /** Absolute template path → the parameter files to evaluate it with (from config). */
  parameterMap?: Map<string, string[]>;
  suppressions?: ConfigSuppression[];
  /** Also describe each registry's CMK chain with every rule's verdict (explain, markdown). */
  chains?: boolean;
  /** Per-file limits; absent ones keep their defaults. */
  budgets?: BudgetSettings;
  /** Called after each template is evaluated, with the count done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Worker threads for evaluation: 1 for none; default: one per core when there are many templates. */
  jobs?: number;
  /** Live mode (`--live`): read from ARM what the templates only name, then check it too. */
  live?: LiveScanOptions;
}

export interface LiveScanOptions {
  /** Connects lazily: a scan without live mode never loads the Azure SDK. */
  connect(): Promise<ArmReader>;
  subscriptionId?: string;
  concurrency?: number;
  /** `--what-if`: also predict each evaluation in this resource group and fill its unknown values. */
  whatIfResourceGroup?: string;
}

interface TemplateUnit {
  file: string;
  parameterFiles: LoadedFile[];
}

/**
 * Templates that are modules of other scanned templates: linked (relativePath, or a uri() beside the caller)
 * by a deployment that may be deployed, from a template that is itself an entry point (no scanned template
 * links it, or it has parameter files of its own), and without parameter files of their own. Their own
 * evaluation, with every parameter the caller passes left unknown, adds only noise ("parameter has no value",
 * undetermined checks) to what the callers' evaluations already report with the real values, so its findings
 * and resources are dropped. A template whose only callers form a cycle stays an entry point.
 */
export function evaluatedThroughCallers(jobs: readonly UnitJob[], outcomes: readonly { linked: readonly string[] }[]): Set<string> {
  const linkedBy = new Map<string, string[]>();
  jobs.forEach((job, i) => {
    for (const target of outcomes[i]!.linked) if (target !== job.file) addTo(linkedBy, target, job.file);
  });
  const hasOwnParameters = new Set(jobs.filter((j) => j.parameterFiles.length > 0).map((j) => j.file));
  const isEntry = (file: string): boolean => hasOwnParameters.has(file) || !linkedBy.has(file);
  const modules = new Set<string>();
  for (const job of jobs) {
    if (!isEntry(job.file) && linkedBy.get(job.file)!.some(isEntry)) modules.add(job.file);
  }
  return modules;
}

interface CallerPlan extends Omit<CallerSearch, 'isRoot'> {
  /** Nothing to look for: every template of the link root is scanned already. */
  skip: boolean;
  /**
   * Templates named one by one on the command line (what a pre-commit hook passes). Only they are looked up: a
   * folder scan evaluates its templates as they are, as it always did, and stays as fast.
   */
  named: ReadonlySet<string>;
  parameterFilesOf(file: string): UnitJob['parameterFiles'];
  evaluate(jobs: UnitJob[]): Promise<UnitOutcome[]>;
}

interface Callers {
  jobs: UnitJob[];
  outcomes: UnitOutcome[];
  /** Callers that are entry points and deploy a passed module: their evaluations go into the scan graph. */
  kept: Set<string>;
  /** Callers read for passed modules (the kept ones, and the templates between them and a module) → the modules. */
  listed: Map<string, string[]>;
  /** Files whose findings are reported: the passed templates and the templates their own evaluations load. */
  reported: Set<string>;
}

/**
 * A template named on the command line without parameter files of its own that no passed template deploys may be a module whose
 * callers were not passed (a pre-commit hook passes only the staged module). Its callers in the link root,
 * found by text and then evaluated, stand for it as if they had been scanned: an entry point among them that
 * deploys it is kept, and the module is then evaluated through it only (evaluatedThroughCallers). A module
 * that no caller deploys (a `condition` that is false) or that has no caller keeps its own evaluation.
 */
async function evaluateCallers(jobs: readonly UnitJob[], outcomes: readonly UnitOutcome[], plan: CallerPlan): Promise<Callers> {
  const reported = new Set(jobs.map((j) => j.file));
  for (const o of outcomes) for (const f of o.linked) reported.add(f);
  const none: Callers = { jobs: [], outcomes: [], kept: new Set(), listed: new Map(), reported };
  if (plan.skip) return none;
  const linkedByOthers = new Set(outcomes.flatMap((o, i) => o.linked.filter((f) => f !== jobs[i]!.file)));
  const alone = jobs.filter((j, i) => plan.named.has(j.file) && j.parameterFiles.length === 0 && outcomes[i]!.runs.length > 0 && !linkedByOthers.has(j.file)).map((j) => j.file);
  if (alone.length === 0) return none;
  const params = new Map<string, UnitJob['parameterFiles']>();
  const parametersOf = (file: string): UnitJob['parameterFiles'] => {
    if (!params.has(file)) params.set(file, plan.parameterFilesOf(file));
    return params.get(file)!;
  };
  const found = await findCallerCandidates(alone, { ...plan, isRoot: (file) => parametersOf(file).length > 0 });
  if (found.length === 0) return none;
  const callerJobs = found.map((file) => ({ file, parameterFiles: parametersOf(file) }));
  const callerOutcomes = await plan.evaluate(callerJobs);
  const through = evaluatedThroughCallers([...jobs, ...callerJobs], [...outcomes, ...callerOutcomes]);
  const modules = alone.filter((f) => through.has(f));
  const outcomeOf = new Map(callerJobs.map((j, i) => [j.file, callerOutcomes[i]!]));
  /** The passed modules each caller deploys (directly or through others). */
  const deployed = new Map(callerJobs.map((j) => [j.file, modules.filter((m) => outcomeOf.get(j.file)!.linked.includes(m))]));
  const kept = new Set<string>();
  const listed = new Map<string, string[]>();
  for (const job of callerJobs) {
    const mine = deployed.get(job.file)!;
    if (through.has(job.file) || mine.length === 0) continue;
    kept.add(job.file);
    listed.set(job.file, mine);
    for (const between of outcomeOf.get(job.file)!.linked) {
      const theirs = deployed.get(between);
      if (theirs?.length) listed.set(between, theirs);
    }
    // What a passed module deploys with the caller's values is reported too, although its own evaluation may
    // not have reached it (a link or condition built from a parameter that only the caller gives).
    for (const file of deployedFrom(mine, outcomeOf.get(job.file)!.links)) reported.add(file);
  }
  return { jobs: callerJobs, outcomes: callerOutcomes, kept, listed, reported };
}

/** The files that `starts` deploy, directly or through templates they deploy, along `links` ([from, to]). */
function deployedFrom(starts: readonly string[], links: readonly (readonly [string, string])[]): Set<string> {
  const reached = new Set<string>();
  for (let next = [...starts]; next.length > 0; ) {
    const from = new Set(next);
    next = [];
    for (const [a, b] of links) {
      if (from.has(a) && !reached.has(b)) {
        reached.add(b);
        next.push(b);
      }
    }
  }
  return reached;
}

/** The folder that holds `.git`, walking up from `start`; `start` itself when there is none. */
function findRepoRoot(start: string): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(start);
    dir = parent;
  }
}

/**
 * The folder finding paths are relative to: the git repository of the working directory, unless it holds
 * none of the scanned paths and they share another repository (cmkguard run from elsewhere on a checkout:
 * SARIF and annotations need repository paths, not '../work/repo/...'). Without any repository, the
 * working directory.
 */
export function repositoryRootFor(cwd: string, paths: string[]): string {
  const fromCwd = findRepoRoot(cwd);
  const targets = (paths.length ? paths : ['.']).map((p) => path.resolve(cwd, p));
  const isRepo = (dir: string) => existsSync(path.join(dir, '.git'));
  if (isRepo(fromCwd) && targets.some((t) => isInside(t, fromCwd))) return fromCwd;
  const roots = new Set(targets.map((t) => findRepoRoot(safeIsFile(t) ? path.dirname(t) : t)));
  const [only] = roots;
  return roots.size === 1 && isRepo(only!) ? only! : fromCwd;
}

/**
 * `<name>.parameters.json` and `<name>.parameters.<env>.json` next to template `<name>.json`; and
 * `parameters.json` / `parameters.<env>.json` next to `template.json`, the pair that the portal's "Export
 * template" and `az group export` write.
 */
export function pairsWith(templatePath: string, parameterPath: string): boolean {
  if (path.dirname(templatePath) !== path.dirname(parameterPath)) return false;
  const stem = path.basename(templatePath).replace(/\.jsonc?$/i, '').toLowerCase();
  const p = path.basename(parameterPath).toLowerCase();
  const prefix = stem === 'template' && p.startsWith('parameters.') ? 'parameters.' : `${stem}.parameters.`;
  if (!p.startsWith(prefix)) return false;
  return ENV_SUFFIX.test(p.slice(prefix.length));
}

const ENV_SUFFIX = /^(?:[^.]+\.)?jsonc?$/;
/** Names that may be parameter files of a template in the same folder (pairsWith decides which). */
const PARAMETER_FILE_NAME = /(?:^|\.)parameters\.(?:[^.]+\.)?jsonc?$/i;

export async function scan(options: ScanOptions): Promise<ScanResult & { inputErrors: string[] }> {
  const repoRoot = options.repoRoot ?? repositoryRootFor(options.cwd, options.paths);
  const settings = options.settings ?? new Map<string, RuleSetting>();
  const maxBytes = options.maxFileBytes ?? options.budgets?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const budgets = options.budgets ?? {};
  const metaById = new Map(options.rules.map((r) => [r.meta.id, r.meta]));
  const levelOf = (meta: RuleMeta): Level => settings.get(meta.id)?.level ?? meta.level;
  const enabled = (id: string): boolean => settings.get(id)?.enabled ?? true;
  const { files, missing } = await discover(options.paths, { cwd: options.cwd, ignore: options.ignore ?? [] });
  const inputErrors = [...missing];
  const findings: Finding[] = [];
  const internalErrors: string[] = [];
  const scanned: ScannedFile[] = [];
  const texts = new Map<string, string>();
  const templates: string[] = [];
  const parameterFiles: LoadedFile[] = [];

  const include = (options.include ?? []).map(glob);
  const exclude = options.exclude ?? [];
  /** `include` and `exclude` of the configuration, on repository-relative paths whatever folder is scanned. */
  const selected = (uri: string): boolean => (!include.length || include.some((g) => g.test(uri))) && !matchesAny(uri, exclude);
  /** A file's text, read again only for files with findings. */
  const textOf = textReader(texts);
  for (const file of files) {
    const uri = toUri(repoRoot, file);
    if (!selected(uri)) continue;
    if (probeTemplate(file, maxBytes)) {
      templates.push(file);
      continue;
    }
    const loaded = loadFile(file, maxBytes);
    if (loaded === null) {
      scanned.push({ path: file, uri, kind: 'skipped' });
      continue;
    }
    if (isLoadError(loaded)) {
      scanned.push({ path: file, uri, kind: 'template' });
      if (loaded.text !== undefined) texts.set(file, loaded.text);
      if (enabled('TPL001')) findings.push(fileFinding('TPL001', levelOf(metaById.get('TPL001')!), `${loaded.message}.`, file, uri, loaded.line, loaded.column, loaded.text));
      continue;
    }
    if (loaded.kind === 'template') templates.push(file);
    else {
      scanned.push({ path: file, uri, kind: 'parameters' });
      // Only the values are needed later; the text is read again if a finding ever points into the file.
      parameterFiles.push({ ...loaded, text: '' });
    }
  }

  const loadParameterFile = (p: string, origin: string): LoadedFile | undefined => {
    const abs = path.resolve(options.cwd, p);
    const loaded = loadFile(abs, maxBytes);
    if (loaded === null || isLoadError(loaded) || loaded.kind !== 'parameters') {
      inputErrors.push(`${origin} ${p}: ${loaded && isLoadError(loaded) ? loaded.message : 'not a deployment parameter file (its $schema must name deploymentParameters.json)'}`);
      return undefined;
    }
    texts.set(abs, loaded.text);
    return loaded;
  };
  const explicitParams = (options.parameters ?? []).map((p) => loadParameterFile(p, '--parameters')).filter((p): p is LoadedFile => p !== undefined);
  const mapped = new Map<string, LoadedFile[]>();
  for (const [template, params] of options.parameterMap ?? []) {
    // A mapping whose template was renamed or moved would otherwise pair with nothing, silently.
    if (!safeIsFile(template)) inputErrors.push(`configured parameter files for ${toUri(repoRoot, template)}: the template does not exist`);
    mapped.set(template, params.map((p) => loadParameterFile(p, `configured parameter file for ${toUri(repoRoot, template)}:`)).filter((p): p is LoadedFile => p !== undefined));
  }

  // A pre-commit hook may pass only a staged parameter file: the template it pairs with, next to it, is
  // scanned with it (unless that template is ignored, excluded or left out by `include`).
  const scannedTemplates = new Set(templates);
  for (const dir of new Set(parameterFiles.map((p) => path.dirname(p.path)))) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => /\.jsonc?$/i.test(n) && !PARAMETER_FILE_NAME.test(n));
    } catch {
      continue;
    }
    for (const name of names) {
      const t = path.join(dir, name);
      if (scannedTemplates.has(t) || !parameterFiles.some((p) => pairsWith(t, p.path))) continue;
      const uri = toUri(repoRoot, t);
      if (!selected(uri) || matchesAny(path.relative(options.cwd, t).split(path.sep).join('/'), options.ignore ?? [])) continue;
      if (!probeTemplate(t, maxBytes)) {
        const loaded = loadFile(t, maxBytes);
        if (!loaded || isLoadError(loaded) || loaded.kind !== 'template') continue;
      }
      scannedTemplates.add(t);
      templates.push(t);
    }
  }

  const paramsByDir = new Map<string, LoadedFile[]>();
  for (const p of parameterFiles) addTo(paramsByDir, path.dirname(p.path), p);
  // A pre-commit hook passes only the staged template: its parameter files next to it still pair.
  const known = new Set(parameterFiles.map((p) => p.path));
  /** The parameter files in `dir` that pair with one of `dirTemplates` and were not read yet. */
  const pairedIn = (dir: string, dirTemplates: string[]): LoadedFile[] => {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => PARAMETER_FILE_NAME.test(n));
    } catch {
      return [];
    }
    const found: LoadedFile[] = [];
    for (const name of names.sort()) {
      const file = path.join(dir, name);
      // A parameter file that is a link out of the template's folder is not read.
      if (known.has(file) || !dirTemplates.some((t) => pairsWith(t, file)) || !resolvesInside(file, dir)) continue;
      const loaded = loadFile(file, maxBytes);
      if (loaded && !isLoadError(loaded) && loaded.kind === 'parameters') found.push(loaded);
    }
    return found;
  };
  const templatesByDir = new Map<string, string[]>();
  for (const t of templates) addTo(templatesByDir, path.dirname(t), t);
  for (const [dir, dirTemplates] of templatesByDir) for (const p of pairedIn(dir, dirTemplates)) addTo(paramsByDir, dir, p);
  const units: TemplateUnit[] = templates.sort().map((t) => ({
    file: t,
    parameterFiles: explicitParams.length ? explicitParams : mapped.get(t) ?? (paramsByDir.get(path.dirname(t)) ?? []).filter((p) => pairsWith(t, p.path)),
  }));

  const scanRoots = options.paths.length ? options.paths.map((p) => path.resolve(options.cwd, p)) : [options.cwd];
  // Links may reach anywhere in the repository (a module in a sibling folder), whichever files a pre-commit
  // batch passes; outside a repository, the folder the scanned paths share.
  const scanFolder = commonRoot(scanRoots.map((r) => (safeIsFile(r) ? path.dirname(r) : r)));
  const linkRoot = existsSync(path.join(repoRoot, '.git')) && isInside(scanFolder, repoRoot) ? repoRoot : scanFolder;
  const resources: EvaluatedResource[] = [];
  const parameterFileOf = new Map<EvaluatedResource, string>();
  const whatIfUnits: WhatIfUnit[] = [];
  const env: UnitEnv = {
    repoRoot,
    maxBytes,
    linkRoot,
    budgets,
    context: options.context,
    templateRules: ['TPL001', 'TPL002', 'TPL003', 'TPL004'].flatMap((id) => {
      const meta = metaById.get(id);
      return meta && enabled(id) ? [{ ...meta, level: levelOf(meta) }] : [];
    }),
  };
  const jobs: UnitJob[] = units.map((u) => ({ file: u.file, parameterFiles: u.parameterFiles.map((p) => ({ path: p.path, json: p.json })) }));
  const keepForWhatIf = options.live?.whatIfResourceGroup !== undefined;
  const evaluateAll = async (list: UnitJob[], onProgress?: (done: number, total: number) => void): Promise<UnitOutcome[]> => {
    const threads = keepForWhatIf ? 1 : threadsFor(list.length, options.jobs);
    // Loaded only when used: a pre-commit run of one template starts no thread and loads no codec.
    const fromWorkers = threads > 1 ? await (await import('./parallel.js')).evaluateInWorkers(list, env, threads, onProgress) : undefined;
    return list.map((job, done) => {
      if (!fromWorkers) onProgress?.(done, list.length);
      return fromWorkers?.[done] ?? evaluateUnit(job, env, keepForWhatIf);
    });
  };
  const outcomes = await evaluateAll(jobs, options.onProgress);
  const callers = await evaluateCallers(jobs, outcomes, {
    root: linkRoot,
    cwd: options.cwd,
    ignore: options.ignore ?? [],
    selected: (file) => selected(toUri(repoRoot, file)),
    maxBytes,
    scanned: new Set([...templates, ...parameterFiles.map((p) => p.path)]),
    // Folders that were scanned whole hold no caller that is not scanned already.
    skip: scanRoots.some((r) => !safeIsFile(r) && isInside(linkRoot, r)),
    named: new Set(scanRoots.filter(safeIsFile)),
    parameterFilesOf: (file) => (mapped.get(file) ?? pairedIn(path.dirname(file), [file])).map((p) => ({ path: p.path, json: p.json })),
    evaluate: (list) => evaluateAll(list),
  });
  const allJobs = [...jobs, ...callers.jobs];
  const allOutcomes = [...outcomes, ...callers.outcomes];
  const throughCallers = evaluatedThroughCallers(allJobs, allOutcomes);
  /** Resources of callers' evaluations: only what they find in the passed files (and their modules) is reported. */
  const callerResources = new Set<EvaluatedResource>();
  for (const [index, job] of allJobs.entries()) {
    const outcome = allOutcomes[index]!;
    const asCaller = index >= jobs.length;
    if (!asCaller) scanned.push(outcome.scanned);
    else if (callers.listed.has(job.file)) scanned.push({ ...outcome.scanned, kind: 'caller', callerOf: callers.listed.get(job.file)!.map((f) => toUri(repoRoot, f)) });
    if (asCaller && !callers.kept.has(job.file)) continue;
    appendAll(internalErrors, outcome.internalErrors);
    if (throughCallers.has(job.file)) continue;
    appendAll(findings, asCaller ? outcome.findings.filter((f) => callers.reported.has(f.file)) : outcome.findings);
    for (const run of outcome.runs) {
      const start = resources.length;
      for (const r of run.resources) {
        if (run.parameterFile) parameterFileOf.set(r, run.parameterFile);
        if (asCaller) callerResources.add(r);
        resources.push(r);
      }
      if (keepForWhatIf) {
        whatIfUnits.push({ file: job.file, template: run.template, parameters: run.parameters ?? {}, parameterFile: run.parameterPath, start, end: resources.length });
      }
    }
  }

  let liveNotes = new Map<string, string>();
  let live: ScanResult['live'];
  if (options.live) {
    try {
      const [reader, { resolveLive }, { applyWhatIf }] = await Promise.all([options.live.connect(), import('./live/resolve.js'), import('./live/whatif.js')]);
      const outcome = await resolveLive(resources, reader, { subscriptionId: options.live.subscriptionId, concurrency: options.live.concurrency });
      appendAll(resources, outcome.resources);
      for (const [vault, recovery] of outcome.recoveries) vault.recovery = recovery;
      liveNotes = outcome.notes;
      live = { calls: outcome.calls, resources: [...outcome.resources.map((r) => r.live!.id), ...outcome.recoveredFrom], problems: [...outcome.notes.values()].sort() };
      if (options.live.whatIfResourceGroup) {
        const before = resources.slice();
        const predicted = await applyWhatIf(resources, whatIfUnits, reader, options.live.whatIfResourceGroup);
        before.forEach((r, i) => {
          const paramUri = parameterFileOf.get(r);
          if (resources[i] !== r && paramUri !== undefined) parameterFileOf.set(resources[i]!, paramUri);
        });
        live.calls += predicted.calls;
        live.problems.push(...predicted.problems);
        live.predicted = predicted.predicted;
      }
    } catch (err) {
      inputErrors.push(`live mode could not start: ${(err as Error).message}`);
    }
  }

  const graph = new ScanGraph(resources, liveNotes, options.live !== undefined);
  const allReports: { ruleId: string; report: RuleReport; level: Level }[] = [];
  const failing: { meta: RuleMeta; report: RuleReport; at: JsonPath; raw?: unknown; loops?: Map<string, number> }[] = [];
  for (const rule of options.rules) {
    if (!rule.check || !enabled(rule.meta.id)) continue;
    const meta = rule.meta;
    const reports = runRule(rule, graph, resources, settings.get(meta.id)?.options ?? {}, (file, err) =>
      internalErrors.push(`${file ? `${toUri(repoRoot, file)}: ` : ''}rule ${meta.id} failed: ${(err as Error)?.stack ?? String(err)}`),
    );
    for (const r of reports) {
      if (options.chains) allReports.push({ ruleId: meta.id, report: r, level: r.level ?? levelOf(meta) });
      // A caller's own findings are not reported (its vault still shows in the chains of a passed registry); those
      // about a passed module's resources are, wherever they point.
      if (callerResources.has(r.resource) && !callers.reported.has(r.resource.file) && !(r.chainMember && callers.reported.has(r.chainMember.file))) continue;
      // A live resource is not in any file: its findings point where the template names it.
      if (r.verdict === 'pass') continue;
      if (r.resource.live?.source === 'arm') failing.push({ meta, report: r, at: r.resource.path });
      else {
        const { path: at, raw, loops } = sourceOf(r.resource, r.path);
        // copyIndex('name') of the resource's own loop counts its instances too.
        if (r.resource.copy && !loops.has(r.resource.copy.name.toLowerCase())) loops.set(r.resource.copy.name.toLowerCase(), r.resource.copy.index);
        failing.push({ meta, report: r, at, raw, loops });
      }
    }
  }
  // Where module and parameter-file values are written: found in the same one pass per file as the findings.
  const traces = failing.map(({ report: r, raw, loops }) => traceOrigins(raw, r.resource.parameterOrigins, r.resource.templateVariables, r.resource.copy?.index, loops));
  prefetchPositions(
    [...failing.map((f): [string, JsonPath] => [f.report.resource.file, f.at]), ...traces.flatMap((t) => t.origins.map((o): [string, JsonPath] => [o.origin.file, o.path]))],
    textOf,
  );
  const copyInstances = new Map<Finding, CopyInstance>();
  for (const [i, { meta, report: r, at }] of failing.entries()) {
    const res = r.resource;
    const paramUri = parameterFileOf.get(res);
    const level = r.verdict === 'undetermined' ? 'note' : (r.level ?? levelOf(meta));
    const label = r.subject ? labelOf(r.subject.type, r.subject.name) : labelOf(res.type, res.name);
    const source = liveSourceOf(r);
    const base = `${source ? `${source === 'arm' ? 'live' : 'what-if'}: ` : ''}${finishSentence(r.message)}${describeTrace(traces[i]!, (o) => originAt(o, (file) => toUri(repoRoot, file), textOf))}`;
    // The instance named is that of the resource the verdict is about (the registry of a note that points at
    // its first replication), not of the one it points at.
    const about = r.chainMember ?? res;
    const finding = locatedFinding(meta, level, r.verdict === 'fail' ? 'fail' : 'open', withInstance(base, about), res.file, toUri(repoRoot, res.file), textOf(res.file), at, label, paramUri);
    if (source) finding.live = { source, resourceId: r.live ?? res.live!.id };
    const entries = [...suppressionsIn(res.raw), ...suppressionsIn({ metadata: res.templateMetadata })];
    const located = applyInSource(finding, meta, entries);
    if (about.copy?.countKnown) copyInstances.set(located, { base, loop: about.copy.name, index: about.copy.index });
    findings.push(located);
  }

  const reportedUris = new Set([...callers.reported].map((f) => toUri(repoRoot, f)));
  const configured = options.suppressions ?? [];
  const all = configured.length ? findings.map((f) => applyConfig(f, metaById.get(f.ruleId), configured)) : findings;
  return {
    toolVersion: VERSION,
    repoRoot,
    rules: options.rules.filter((r) => enabled(r.meta.id)).map((r) => ({ ...r.meta, level: levelOf(r.meta) })),
    files: scanned.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0)),
    findings: (releasePositions(), dedupe(mergeCopyInstances(all, copyInstances)).sort(compareFindings)),
    chains: options.chains ? buildChains(graph, allReports, (file) => toUri(repoRoot, file)).filter((c) => !callers.kept.size || reportedUris.has(c.file)) : undefined,
    internalErrors,
    inputErrors,
    live,
  };
}

/**
 * Whether a report rests on live facts: any report about a resource read from ARM or that names what it read
 * (`live`), and a report about a what-if prediction when its path is at, inside or above a value the
 * prediction filled.
 */
function liveSourceOf(r: RuleReport): 'arm' | 'what-if' | undefined {
  if (r.live) return 'arm';
  const live = r.resource.live;
  if (!live) return undefined;
  if (live.source === 'arm') return 'arm';
  const related = (a: JsonPath, b: JsonPath) => a.every((seg, i) => i >= b.length || String(seg).toLowerCase() === String(b[i]).toLowerCase());
  return (live.filled ?? []).some((p) => related(p, r.path)) ? 'what-if' : undefined;
}

/**
 * Runs a rule over the whole scan. If it throws (a bug), it runs again per evaluated template, so that the
 * failure is an internal error of the templates that cause it and every other template keeps its results.
 */
function runRule(rule: Rule, graph: ScanGraph, resources: EvaluatedResource[], options: Record<string, unknown>, fail: (file: string | undefined, err: unknown) => void): RuleReport[] {
  const attempt = (g: ScanGraph): RuleReport[] => {
    const reports: RuleReport[] = [];
    rule.check!({ graph: g, options, report: (r) => reports.push(r) });
    return reports;
  };
  try {
    return attempt(graph);
  } catch {
    const byUnit = new Map<string, EvaluatedResource[]>();
    for (const r of resources) addTo(byUnit, r.unit, r);
    const reports: RuleReport[] = [];
    for (const unitResources of byUnit.values()) {
      try {
        appendAll(reports, attempt(new ScanGraph(unitResources, graph.liveNotes, graph.liveMode)));
      } catch (err) {
        fail(unitResources[0]!.file, err);
      }
    }
    return reports;
  }
}

function withInstance(message: string, res: EvaluatedResource): string {
  if (!res.copy) return message;
  const instance = res.copy.countKnown ? `instance ${res.copy.index} of copy loop '${res.copy.name}'` : `copy loop '${res.copy.name}' (count not known)`;
  return `${message.replace(/\.$/, '')} (${instance}).`;
}

function labelOf(type: string, name: Value): ResourceLabel | undefined {
  try {
    const fqn = providerPartOf(type, name);
    return { fullyQualifiedName: fqn, type, name: fqn.split('/').slice(2).filter((_, i) => i % 2 === 0).join('/') };
  } catch {
    return undefined;
  }
}

interface CopyInstance {
  /** The message without the instance it is about. */
  base: string;
  loop: string;
  index: number;
}

/**
 * Copy instances that get the same finding in the same words at the same place (three registries of a loop
 * whose vault is not in the scan) are one finding, naming the instances: a loop of 800 gives one, not 800.
 */
function mergeCopyInstances(findings: Finding[], instances: Map<Finding, CopyInstance>): Finding[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const c = instances.get(f);
    if (!c) continue;
    const k = `${f.ruleId}|${f.kind}|${f.level}|${f.uri}|${f.region.startLine}:${f.region.startColumn}|${f.parameterFile ?? ''}|${f.suppression ? 's' : ''}|${c.loop}|${c.base}`;
    addTo(groups, k, f);
  }
  const drop = new Set<Finding>();
  for (const group of groups.values()) {
    const indexes = [...new Set(group.map((f) => instances.get(f)!.index))].sort((a, b) => a - b);
    if (indexes.length < 2) continue;
    const first = group[0]!;
    const c = instances.get(first)!;
    const shown = indexes.length > 6 ? `${indexes.slice(0, 5).join(', ')} and ${indexes.length - 5} more` : `${indexes.slice(0, -1).join(', ')} and ${indexes[indexes.length - 1]}`;
    first.message = `${c.base.replace(/\.$/, '')} (instances ${shown} of copy loop '${c.loop}').`;
    for (const f of group.slice(1)) drop.add(f);
  }
  return drop.size ? findings.filter((f) => !drop.has(f)) : findings;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.ruleId}|${f.uri}|${f.region.startLine}:${f.region.startColumn}|${f.parameterFile ?? ''}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function compareFindings(a: Finding, b: Finding): number {
  return a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : a.region.startLine - b.region.startLine || a.region.startColumn - b.region.startColumn || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) || ((a.parameterFile ?? '') < (b.parameterFile ?? '') ? -1 : 1);
}

