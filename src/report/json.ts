/**
 * Machine-readable report (`--format json`). The shape is stable: fields are only ever added, and a
 * breaking change bumps `version`. Documented in docs/json-output.md.
 *
 *     {
 *       "version": 1,
 *       "tool": { "name": "cmkguard", "version": "0.1.0" },
 *       "summary": {
 *         "errors": 2,          // unsuppressed kind 'fail', level 'error'
 *         "warnings": 1,        // unsuppressed kind 'fail', level 'warning'
 *         "notes": 0,           // unsuppressed kind 'fail', level 'note'
 *         "undetermined": 1,    // unsuppressed kind 'open', any level
 *         "suppressed": 1,      // suppressed findings, any kind and level
 *         "templates": 3,       // files scanned as templates
 *         "files": 2            // distinct files with at least one unsuppressed finding
 *       },
 *       "findings": [           // every finding, suppressed ones included; sorted by file, line, column, ruleId
 *         {
 *           "ruleId": "ACR001",
 *           "ruleName": "registry-cmk-required",  // the rule id when the rule is not in the catalogue
 *           "level": "error",                     // "error" | "warning" | "note"
 *           "kind": "fail",                       // "fail" | "open" (undetermined)
 *           "message": "…",
 *           "file": "infra/main.json",            // POSIX path relative to the repository root (not URI-encoded)
 *           "line": 12, "column": 9,              // 1-based, columns in UTF-16 code units
 *           "endLine": 12, "endColumn": 45,       // endColumn is exclusive
 *           "resource": { "fullyQualifiedName": "Microsoft.ContainerRegistry/registries/contosoreg",
 *                         "type": "Microsoft.ContainerRegistry/registries", "name": "contosoreg" },  // optional
 *           "parameterFile": "infra/main.prod.parameters.json",                                       // optional
 *           "live": { "source": "arm", "resourceId": "/subscriptions/…/vaults/kv" },                   // optional: read in live mode
 *           "suppression": { "kind": "inSource", "justification": "…" }                               // optional
 *         }
 *       ],
 *       "callers": [            // optional: templates not passed but read because they deploy a passed module
 *         { "file": "infra/main.json", "modules": ["infra/modules/registry.json"] }
 *       ],
 *       "inputErrors": [],      // strings: inputs that could not be used (path not found, unreadable parameter file); non-empty means exit code 2
 *       "internalErrors": []    // strings; non-empty means exit code 2
 *     }
 *
 * Optional fields are omitted (never null) when absent. Printed with 2-space indentation, no trailing newline.
 */
import type { Finding, Level, ResourceLabel, ScanResult, Suppression } from '../types.js';
import { callersOf, sortFindings, summarize, type Summary } from './common.js';

export const JSON_REPORT_VERSION = 1;

export interface JsonFinding {
  ruleId: string;
  ruleName: string;
  level: Level;
  kind: 'fail' | 'open';
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  resource?: ResourceLabel;
  parameterFile?: string;
  suppression?: Suppression;
  live?: { source: 'arm' | 'what-if'; resourceId: string };
}

export interface JsonReport {
  version: 1;
  tool: { name: 'cmkguard'; version: string };
  summary: Summary;
  findings: JsonFinding[];
  callers?: { file: string; modules: string[] }[];
  inputErrors: string[];
  internalErrors: string[];
}

function toJsonFinding(f: Finding, names: Map<string, string>): JsonFinding {
  const out: JsonFinding = {
    ruleId: f.ruleId,
    ruleName: names.get(f.ruleId) ?? f.ruleId,
    level: f.level,
    kind: f.kind,
    message: f.message,
    file: f.uri,
    line: f.region.startLine,
    column: f.region.startColumn,
    endLine: f.region.endLine,
    endColumn: f.region.endColumn,
  };
  if (f.resource) out.resource = { fullyQualifiedName: f.resource.fullyQualifiedName, type: f.resource.type, name: f.resource.name };
  if (f.parameterFile !== undefined) out.parameterFile = f.parameterFile;
  if (f.suppression) out.suppression = { kind: f.suppression.kind, justification: f.suppression.justification };
  if (f.live) out.live = { source: f.live.source, resourceId: f.live.resourceId };
  return out;
}

/** The report as an object (for callers that post-process it). */
export function buildJsonReport(result: ScanResult): JsonReport {
  const names = new Map(result.rules.map((r) => [r.id, r.name]));
  const s = summarize(result);
  const callers = callersOf(result);
  return {
    version: JSON_REPORT_VERSION,
    tool: { name: 'cmkguard', version: result.toolVersion },
    summary: {
      errors: s.errors,
      warnings: s.warnings,
      notes: s.notes,
      undetermined: s.undetermined,
      suppressed: s.suppressed,
      templates: s.templates,
      files: s.files,
    },
    findings: sortFindings(result.findings).map((f) => toJsonFinding(f, names)),
    ...(callers.length ? { callers } : {}),
    inputErrors: [...(result.inputErrors ?? [])],
    internalErrors: [...result.internalErrors],
  };
}

export function formatJson(result: ScanResult): string {
  return JSON.stringify(buildJsonReport(result), null, 2);
}
