/**
 * Annotations for CI logs: GitHub Actions workflow commands (`::error file=...::`) and Azure Pipelines
 * logging commands (`##vso[task.logissue ...]`). Suppressed findings are left out; undetermined ones are notices.
 */
import type { Finding, ScanResult } from '../types.js';
import { messageOf, plural, sortFindings, summarize } from './common.js';

/** Workflow-command escaping: data escapes %, CR, LF; properties also , and :. */
function ghData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function ghProperty(s: string): string {
  return ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function ghCommand(f: Finding): string {
  if (f.kind === 'open') return 'notice';
  return f.level === 'error' ? 'error' : f.level === 'warning' ? 'warning' : 'notice';
}

export function formatGithub(result: ScanResult): string {
  const lines = sortFindings(result.findings.filter((f) => !f.suppression)).map((f) => {
    const r = f.region;
    const props = [
      `file=${ghProperty(f.uri)}`,
      `line=${r.startLine}`,
      `col=${r.startColumn}`,
      `endLine=${r.endLine}`,
      `endColumn=${r.endColumn}`,
      `title=${ghProperty(`${f.ruleId}${f.kind === 'open' ? ' (undetermined)' : ''}`)}`,
    ];
    return `::${ghCommand(f)} ${props.join(',')}::${ghData(messageOf(f))}`;
  });
  for (const e of result.inputErrors ?? []) lines.push(`::error title=cmkguard::${ghData(e)}`);
  for (const e of result.internalErrors) lines.push(`::error title=cmkguard internal error::${ghData(e)}`);
  lines.push(summaryLine(result));
  return lines.join('\n');
}

/** Logging-command escaping (Azure Pipelines): ; ] \r \n and % in property values and messages. */
function vso(s: string): string {
  return s.replace(/%/g, '%AZP25').replace(/;/g, '%3B').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/]/g, '%5D');
}

export function formatAzureDevOps(result: ScanResult): string {
  const lines = sortFindings(result.findings.filter((f) => !f.suppression && (f.kind === 'fail' ? f.level !== 'note' : false))).map((f) => {
    const type = f.level === 'error' ? 'error' : 'warning';
    return `##vso[task.logissue type=${type};sourcepath=${vso(f.uri)};linenumber=${f.region.startLine};columnnumber=${f.region.startColumn};code=${f.ruleId}]${vso(messageOf(f))}`;
  });
  for (const e of result.inputErrors ?? []) lines.push(`##vso[task.logissue type=error;code=input]${vso(e)}`);
  for (const e of result.internalErrors) lines.push(`##vso[task.logissue type=error;code=internal]${vso(e)}`);
  lines.push(summaryLine(result));
  return lines.join('\n');
}

function summaryLine(result: ScanResult): string {
  const s = summarize(result);
  const input = result.inputErrors?.length ?? 0;
  const internal = result.internalErrors.length;
  // An incomplete run says so: "0 errors ... in 0 templates" alone reads as a clean scan.
  const incomplete = (input ? `; ${plural(input, 'input error')}` : '') + (internal ? `; ${plural(internal, 'internal error')}` : '') + (input || internal ? ' (incomplete scan)' : '');
  return `cmkguard: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.notes, 'note')}, ${s.undetermined} undetermined in ${plural(s.templates, 'template')}${incomplete}`;
}
