/**
 * SARIF 2.1.0 report (`--format sarif`) for GitHub code scanning and other SARIF consumers.
 *
 * Follows shared/spec/sarif-and-integrations.md §a.8:
 * - one run per invocation, `tool.driver` with every rule of the catalogue (id, name, descriptions,
 *   help text and markdown, helpUri, default level, tags, precision, `problem.severity`, and
 *   `security-severity` for security rules);
 * - `automationDetails.id` = `<category>/` (default category `cmkguard`);
 * - relative, percent-encoded `artifactLocation.uri` with `uriBaseId: "%SRCROOT%"`, and
 *   `originalUriBaseIds["%SRCROOT%"]` = `file:///<repository root>/`;
 * - all four region fields, `kind: "open"` for undetermined results (omitted for `fail`),
 *   messages ending with a period, the resource in `logicalLocations`, the parameter file in
 *   `properties.parameterFile`, `properties.live` / `liveSource` / `liveResourceId` for live facts, suppressions;
 * - no `partialFingerprints` (the upload-sarif action computes them, §a.4);
 * - `invocations[0].executionSuccessful` is false when there were internal errors, each of which is a
 *   `toolExecutionNotifications` entry at level `error`.
 *
 * Truncation: GitHub keeps only the 5,000 most severe results of a run. When there are more than
 * `maxResults` (default 5000) results, the most severe are kept (unsuppressed before suppressed, then
 * error > warning > note, then fail before open; ties keep report order), and the truncation is
 * reported in the SARIF itself: `run.properties.truncated = { total, kept }` and a `warning`
 * notification (descriptor id `results-truncated`) in `invocations[0].toolExecutionNotifications`
 * (it does not make the execution unsuccessful).
 *
 * Templates that were not passed but read because they deploy a passed module (the module is checked through
 * them, their own findings are not reported) are listed in `run.properties.callers` as `{ file, modules }`. `buildSarif` also returns it as a plain warning
 * string so that the CLI can print it on stderr.
 *
 * The text has no trailing newline.
 */
import { pathToFileURL } from 'node:url';
import type { Finding, Level, RuleMeta, ScanResult } from '../types.js';
import { callersOf, severityRank, sortFindings } from './common.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
export const TOOL_NAME = 'cmkguard';
export const TOOL_INFORMATION_URI = 'https://github.com/cmkguard/cmkguard';
/** GitHub code scanning keeps at most this many results per run (by severity). */
export const DEFAULT_MAX_RESULTS = 5000;
/** GitHub's length limit for rule descriptions. */
const MAX_DESCRIPTION = 1024;
/** GitHub's limit of tags per rule. */
const MAX_TAGS = 20;

export interface SarifOptions {
  /** Category for `automationDetails.id` (a `/` is appended when missing). Default `cmkguard`. */
  category?: string;
  /** Most results written to the run; the most severe are kept. Default 5000. */
  maxResults?: number;
}

// ---- a minimal model of the SARIF objects written here ----

interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifReportingDescriptor {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  helpUri?: string;
  defaultConfiguration: { level: Level };
  properties: {
    tags: string[];
    precision: RuleMeta['precision'];
    'problem.severity': 'error' | 'warning' | 'recommendation';
    'security-severity'?: string;
  };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: Level;
  kind?: 'open';
  message: { text: string };
  locations: Array<{
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId: '%SRCROOT%' };
      region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
    };
    logicalLocations?: Array<{ fullyQualifiedName: string; kind: 'resource'; name: string }>;
  }>;
  suppressions?: Array<{ kind: 'inSource' | 'external'; justification?: string }>;
  properties?: { parameterFile?: string; live?: true; liveSource?: 'arm' | 'what-if'; liveResourceId?: string };
}

interface SarifNotification {
  level: 'error' | 'warning';
  message: { text: string };
  descriptor: { id: string };
}

export interface SarifRun {
  tool: {
    driver: {
      name: string;
      version: string;
      semanticVersion: string;
      informationUri: string;
      rules: SarifReportingDescriptor[];
    };
  };
  automationDetails: { id: string };
  originalUriBaseIds: { '%SRCROOT%': { uri: string } };
  columnKind: 'utf16CodeUnits';
  invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications?: SarifNotification[] }>;
  results: SarifResult[];
  properties?: { truncated?: { total: number; kept: number }; callers?: { file: string; modules: string[] }[] };
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: [SarifRun];
}

// ---- helpers ----

/** Appends a period unless the text already ends a sentence (`.`, `?` or `!`): "Did you mean 'concat'?" stays as it is. */
export function withPeriod(text: string): string {
  const t = text.trimEnd();
  return /[.?!]$/.test(t) ? t : `${t}.`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Percent-encodes a URI path segment: everything but RFC 3986 unreserved characters. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * A repository-relative POSIX path as a relative URI reference: no leading `./` or `/`, each segment
 * percent-encoded (spaces, reserved characters, non-ASCII as UTF-8).
 */
export function toArtifactUri(path: string): string {
  let p = path;
  for (;;) {
    if (p.startsWith('./')) p = p.slice(2);
    else if (p.startsWith('/')) p = p.slice(1);
    else break;
  }
  return p
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .map(encodeSegment)
    .join('/');
}

/** `file:///<abs root>/`, percent-encoded, always ending with `/`. */
export function toRootUri(repoRoot: string): string {
  const href = pathToFileURL(repoRoot).href;
  return href.endsWith('/') ? href : `${href}/`;
}

export function automationId(category: string | undefined): string {
  const c = category === undefined || category === '' ? TOOL_NAME : category;
  return c.endsWith('/') ? c : `${c}/`;
}

const PROBLEM_SEVERITY: Record<Level, 'error' | 'warning' | 'recommendation'> = {
  error: 'error',
  warning: 'warning',
  note: 'recommendation',
};

function toDescriptor(r: RuleMeta): SarifReportingDescriptor {
  const help: SarifMessage = { text: r.helpText };
  if (r.helpMarkdown) help.markdown = r.helpMarkdown;
  const d: SarifReportingDescriptor = {
    id: r.id,
    name: r.name,
    shortDescription: { text: clip(r.shortDescription, MAX_DESCRIPTION) },
    fullDescription: { text: clip(r.fullDescription, MAX_DESCRIPTION) },
    help,
    defaultConfiguration: { level: r.level },
    properties: {
      tags: r.tags.slice(0, MAX_TAGS),
      precision: r.precision,
      'problem.severity': PROBLEM_SEVERITY[r.level],
    },
  };
  if (r.docsUrl) d.helpUri = r.docsUrl;
  if (r.securitySeverity !== undefined) d.properties['security-severity'] = r.securitySeverity;
  return d;
}

function toResult(f: Finding, ruleIndex: Map<string, number>): SarifResult {
  const location: SarifResult['locations'][number] = {
    physicalLocation: {
      artifactLocation: { uri: toArtifactUri(f.uri), uriBaseId: '%SRCROOT%' },
      region: {
        startLine: Math.max(1, f.region.startLine),
        startColumn: Math.max(1, f.region.startColumn),
        endLine: Math.max(1, f.region.endLine),
        endColumn: Math.max(1, f.region.endColumn),
      },
    },
  };
  if (f.resource) {
    location.logicalLocations = [{ fullyQualifiedName: f.resource.fullyQualifiedName, kind: 'resource', name: f.resource.name }];
  }
  // Key order as in §a.8: ruleId, ruleIndex, level, kind, message, locations, then the optional rest.
  const index = ruleIndex.get(f.ruleId);
  const r: SarifResult = {
    ruleId: f.ruleId,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: f.level,
    ...(f.kind === 'open' ? { kind: 'open' as const } : {}),
    message: { text: withPeriod(f.message) },
    locations: [location],
  };
  if (f.suppression) {
    const s: { kind: 'inSource' | 'external'; justification?: string } = { kind: f.suppression.kind };
    if (f.suppression.justification) s.justification = f.suppression.justification;
    r.suppressions = [s];
  }
  if (f.parameterFile !== undefined) r.properties = { parameterFile: f.parameterFile };
  if (f.live) r.properties = { ...r.properties, live: true, liveSource: f.live.source, liveResourceId: f.live.resourceId };
  return r;
}

/** Keeps the `max` most severe findings, in report order. */
function truncate(findings: Finding[], max: number): Finding[] {
  if (findings.length <= max) return findings;
  const keep = new Set(
    findings
      .map((f, i) => ({ f, i }))
      .sort((a, b) => severityRank(a.f) - severityRank(b.f) || a.i - b.i)
      .slice(0, max)
      .map((e) => e.i),
  );
  return findings.filter((_, i) => keep.has(i));
}

/** The SARIF log as an object, plus warnings for the CLI to print on stderr (truncation). */
export function buildSarif(result: ScanResult, opts: SarifOptions = {}): { log: SarifLog; warnings: string[] } {
  const max =
    opts.maxResults !== undefined && Number.isFinite(opts.maxResults) && opts.maxResults >= 0
      ? Math.floor(opts.maxResults)
      : DEFAULT_MAX_RESULTS;
  const ruleIndex = new Map(result.rules.map((r, i) => [r.id, i]));
  const all = sortFindings(result.findings);
  const kept = truncate(all, max);
  const warnings: string[] = [];
  const notifications: SarifNotification[] = [
    ...(result.inputErrors ?? []).map((e) => ({ level: 'error' as const, message: { text: withPeriod(e) }, descriptor: { id: 'input-error' } })),
    ...result.internalErrors.map((e) => ({ level: 'error' as const, message: { text: withPeriod(e) }, descriptor: { id: 'internal-error' } })),
  ];

  const run: SarifRun = {
    tool: {
      driver: {
        name: TOOL_NAME,
        version: result.toolVersion,
        semanticVersion: result.toolVersion,
        informationUri: TOOL_INFORMATION_URI,
        rules: result.rules.map(toDescriptor),
      },
    },
    automationDetails: { id: automationId(opts.category) },
    originalUriBaseIds: { '%SRCROOT%': { uri: toRootUri(result.repoRoot) } },
    columnKind: 'utf16CodeUnits',
    invocations: [{ executionSuccessful: notifications.length === 0 }],
    results: kept.map((f) => toResult(f, ruleIndex)),
  };

  if (kept.length < all.length) {
    const text =
      `SARIF output truncated: ${all.length} results found, only the ${kept.length} most severe are included ` +
      `(GitHub code scanning keeps at most ${DEFAULT_MAX_RESULTS} results per run).`;
    warnings.push(text);
    notifications.push({ level: 'warning', message: { text }, descriptor: { id: 'results-truncated' } });
    run.properties = { truncated: { total: all.length, kept: kept.length } };
  }
  if (notifications.length > 0) run.invocations[0]!.toolExecutionNotifications = notifications;
  const callers = callersOf(result);
  if (callers.length > 0) run.properties = { ...run.properties, callers };

  return { log: { $schema: SARIF_SCHEMA_URI, version: SARIF_VERSION, runs: [run] }, warnings };
}

export function formatSarif(result: ScanResult, opts: SarifOptions = {}): string {
  return JSON.stringify(buildSarif(result, opts).log, null, 2);
}
