/**
 * Markdown for pull-request comments and the GitHub step summary: a summary table, then the findings of each
 * file (undetermined ones in their own list, suppressed ones counted).
 */
import type { Finding, ScanResult } from '../types.js';
import { callersSentence, messageOf, plural, sortFindings, summarize } from './common.js';
import { mermaidChain } from './explain.js';
import { addTo, appendAll } from '../collections.js';

/**
 * Text for a table cell or list item: `|` escaped, one line, and `<`, `>`, `&` as entities, so that a value quoted in a
 * message (`'<your-vault>'`, a resource name) shows instead of being taken for an HTML tag, which GitHub drops.
 */
function cell(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}

function row(f: Finding, docsUrl: string | undefined): string {
  const rule = docsUrl ? `[${f.ruleId}](${docsUrl})` : f.ruleId;
  return `| ${f.level} | ${rule} | ${f.region.startLine}:${f.region.startColumn} | ${cell(f.resource?.fullyQualifiedName ?? '')} | ${cell(messageOf(f))} |`;
}

export function formatMarkdown(result: ScanResult): string {
  const s = summarize(result);
  const docs = new Map(result.rules.map((r) => [r.id, r.docsUrl]));
  const out = ['## cmkguard', '', '| errors | warnings | notes | undetermined | suppressed | templates |', '|---:|---:|---:|---:|---:|---:|'];
  out.push(`| ${s.errors} | ${s.warnings} | ${s.notes} | ${s.undetermined} | ${s.suppressed} | ${s.templates} |`, '');
  const findings = sortFindings(result.findings.filter((f) => !f.suppression));
  const inputErrors = result.inputErrors ?? [];
  if (findings.length === 0 && (inputErrors.length || result.internalErrors.length)) {
    // Never "No problems found" for a run that could not read what it was given or failed inside.
    const errors = [inputErrors.length ? plural(inputErrors.length, 'input error') : '', result.internalErrors.length ? plural(result.internalErrors.length, 'internal error') : ''];
    out.push(`**Incomplete scan:** ${errors.filter(Boolean).join(', ')}; ${plural(s.templates, 'template')} scanned.`);
  } else if (findings.length === 0) out.push(`No problems found in ${plural(s.templates, 'template')}.`);
  const callers = callersSentence(result, (p) => `\`${p}\``);
  if (callers) out.push('', callers, '');
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) addTo(byFile, f.uri, f);
  for (const [uri, fs] of byFile) {
    const failing = fs.filter((f) => f.kind === 'fail');
    const open = fs.filter((f) => f.kind === 'open');
    out.push(`### \`${uri}\``, '');
    if (failing.length) {
      out.push('| level | rule | line:col | resource | message |', '|---|---|---|---|---|');
      appendAll(out, failing.map((f) => row(f, docs.get(f.ruleId))));
      out.push('');
    }
    if (open.length) {
      out.push('<details><summary>Undetermined: depends on values known only at deployment</summary>', '');
      appendAll(out, open.map((f) => `- **${f.ruleId}** ${f.region.startLine}:${f.region.startColumn}: ${cell(messageOf(f))}`));
      out.push('', '</details>', '');
    }
  }
  for (const [n, chain] of (result.chains ?? []).entries()) {
    out.push(`### CMK chain of \`${chain.registry}\` (\`${chain.file}\`)`, '', '```mermaid', mermaidChain(chain, `c${n}`), '```', '');
  }
  if (inputErrors.length || result.internalErrors.length) out.push('');
  for (const e of inputErrors) out.push(`> **Error:** ${cell(e)}`, '');
  for (const e of result.internalErrors) out.push(`> **Internal error:** ${cell(e.split('\n')[0]!)}`, '');
  return out.join('\n').trimEnd();
}
