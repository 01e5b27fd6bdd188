/**
 * Human-readable report (`--format text`, the default).
 *
 *     infra/main.json
 *       12:9   error         Registry 'contosoreg' does not enable a customer-managed key.  ACR001
 *           "encryption": { "status": "disabled" },
 *           ^^^^^^^^^^^^
 *       40:17  undetermined  The key vault name depends on parameter 'kvName', which has no value.  KV001
 *
 *     2 errors, 0 warnings, 0 notes, 1 undetermined in 1 file (2 templates scanned, 1 suppressed)
 *
 * - Findings are grouped by file (`Finding.uri`) and sorted by line and column inside a file.
 * - Each finding prints `line:col`, the level (`undetermined` for `kind: 'open'`), the message and the
 *   rule id, then, when `Finding.snippet` is set, the first line of the region with carets under the
 *   region columns (to the end of that line when the region spans several lines). Leading indentation
 *   is dropped and very long lines (minified JSON) are shown as a window around the region.
 * - Suppressed findings are not listed; they are counted in the summary.
 * - Internal errors are listed after the findings (`internal error: ...`) and counted in the summary.
 * - The last line is the summary; "No problems found in N templates." when nothing is left to report.
 * - ANSI colours only when `opts.color` is true (the CLI decides: a TTY and no NO_COLOR).
 * - The text has no trailing newline.
 */
import type { Finding, ScanResult } from '../types.js';
import { callersSentence, messageOf, plural, sortFindings, summarize } from './common.js';
import { maxOf } from '../collections.js';

export interface TextOptions {
  color: boolean;
}

/** Widest snippet text shown; longer lines are cut around the region. */
const MAX_SNIPPET = 120;
/** Characters kept before the region when a long line is cut. */
const SNIPPET_LEAD = 30;

type Style = (s: string) => string;

interface Palette {
  file: Style;
  pos: Style;
  error: Style;
  warning: Style;
  note: Style;
  open: Style;
  rule: Style;
  snippet: Style;
  ok: Style;
}

function sgr(open: string): Style {
  return (s) => (s === '' ? s : `\x1b[${open}m${s}\x1b[0m`);
}

const plain: Style = (s) => s;

function palette(color: boolean): Palette {
  if (!color) {
    return { file: plain, pos: plain, error: plain, warning: plain, note: plain, open: plain, rule: plain, snippet: plain, ok: plain };
  }
  return {
    file: sgr('1;4'),
    pos: sgr('2'),
    error: sgr('31'),
    warning: sgr('33'),
    note: sgr('36'),
    open: sgr('35'),
    rule: sgr('2'),
    snippet: plain,
    ok: sgr('32'),
  };
}

function labelOf(f: Finding): string {
  return f.kind === 'open' ? 'undetermined' : f.level;
}

function styleOf(f: Finding, p: Palette): Style {
  return f.kind === 'open' ? p.open : p[f.level];
}

/**
 * The snippet line and the caret line under the region, both without indentation prefix.
 * Exported for tests.
 */
export function snippetLines(snippet: string, f: Pick<Finding, 'region' | 'snippetColumn'>): { code: string; caret: string } {
  const line = (snippet.split(/\r\n|\r|\n/, 1)[0] ?? '').replace(/\t/g, ' ').trimEnd();
  const { startLine, startColumn, endLine, endColumn } = f.region;
  // A snippet that is a window of a long line starts at snippetColumn, and the line went on before it.
  const offset = (f.snippetColumn ?? 1) - 1;
  const cutBefore = offset > 0;
  let start = Math.min(Math.max(startColumn - 1 - offset, 0), line.length);
  let end = endLine === startLine ? Math.min(Math.max(endColumn - 1 - offset, start), line.length) : line.length;
  if (end <= start) end = start + 1;

  // Drop the indentation (but never the region itself).
  const indent = cutBefore ? 0 : line.length - line.trimStart().length;
  const cut = Math.min(indent, start);
  let code = line.slice(cut);
  start -= cut;
  end -= cut;

  if (code.length > MAX_SNIPPET || cutBefore) {
    let from = 0;
    let prefix = cutBefore ? '…' : '';
    if (end > MAX_SNIPPET) {
      from = Math.max(0, start - SNIPPET_LEAD);
      prefix = from > 0 || cutBefore ? '…' : '';
    }
    const to = Math.min(code.length, from + MAX_SNIPPET);
    const suffix = to < code.length ? '…' : '';
    code = prefix + code.slice(from, to) + suffix;
    start = start - from + prefix.length;
    end = Math.min(end - from, to - from) + prefix.length;
    if (end <= start) end = start + 1;
  }
  return { code, caret: padTo(code.slice(0, start)) + '^'.repeat(Math.max(1, displayWidth(code.slice(start, end)))) };
}

/** Blanks as wide on a terminal as `text` (tabs are already spaces here). */
function padTo(text: string): string {
  return ' '.repeat(displayWidth(text));
}

function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch);
  return width;
}

/** Combining marks, joiners and variation selectors take no column. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
/** East Asian wide and fullwidth characters and emoji take two (terminals follow Unicode's East Asian Width). */
const WIDE = /^[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{1f680}-\u{1f6ff}\u{20000}-\u{3fffd}]$/u;

/** Columns one code point takes on a terminal. */
function charWidth(ch: string): number {
  if (ZERO_WIDTH.test(ch)) return 0;
  return WIDE.test(ch) ? 2 : 1;
}

export function formatText(result: ScanResult, opts: TextOptions): string {
  const p = palette(opts.color);
  const s = summarize(result);
  const shown = sortFindings(result.findings.filter((f) => !f.suppression));
  const out: string[] = [];

  const groups = new Map<string, Finding[]>();
  for (const f of shown) {
    const g = groups.get(f.uri);
    if (g) g.push(f);
    else groups.set(f.uri, [f]);
  }

  for (const [uri, findings] of groups) {
    out.push(p.file(uri));
    const posWidth = maxOf(findings.map((f) => `${f.region.startLine}:${f.region.startColumn}`.length));
    const labelWidth = maxOf(findings.map((f) => labelOf(f).length));
    const indent = ' '.repeat(2 + posWidth + 2);
    for (const f of findings) {
      const pos = `${f.region.startLine}:${f.region.startColumn}`.padEnd(posWidth);
      const style = styleOf(f, p);
      const label = style(labelOf(f).padEnd(labelWidth));
      out.push(`  ${p.pos(pos)}  ${label}  ${messageOf(f)}  ${p.rule(f.ruleId)}`);
      if (f.snippet !== undefined && f.snippet.trim() !== '') {
        const { code, caret } = snippetLines(f.snippet, f);
        out.push(`${indent}${p.snippet(code)}`);
        out.push(`${indent}${style(caret)}`);
      }
    }
    out.push('');
  }

  const inputErrors = result.inputErrors ?? [];
  if (inputErrors.length > 0 || result.internalErrors.length > 0) {
    for (const e of inputErrors) out.push(p.error(`error: ${e}`));
    for (const e of result.internalErrors) out.push(p.error(`internal error: ${e}`));
    out.push('');
  }

  const callers = callersSentence(result);
  if (callers) out.push(callers, '');

  const shownCount = s.errors + s.warnings + s.notes + s.undetermined;
  const internal = result.internalErrors.length;
  let summary: string;
  if (inputErrors.length > 0 && shownCount === 0 && internal === 0) {
    // Never "No problems found" for a run that could not read what it was given.
    summary = p.error(`Incomplete scan: ${plural(inputErrors.length, 'input error')}; ${plural(s.templates, 'template')} scanned.`);
  } else if (shownCount === 0 && internal === 0) {
    const tail = s.suppressed > 0 ? ` (${s.suppressed} suppressed)` : '';
    summary = p.ok(`No problems found in ${plural(s.templates, 'template')}${tail}.`);
  } else {
    const counts =
      `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.notes, 'note')}, ` +
      `${s.undetermined} undetermined in ${plural(s.files, 'file')} ` +
      `(${plural(s.templates, 'template')} scanned${s.suppressed > 0 ? `, ${s.suppressed} suppressed` : ''})` +
      (inputErrors.length > 0 ? `; ${plural(inputErrors.length, 'input error')}` : '') +
      (internal > 0 ? `; ${plural(internal, 'internal error')}` : '');
    const style = s.errors > 0 || internal > 0 || inputErrors.length > 0 ? p.error : s.warnings > 0 ? p.warning : s.notes > 0 ? p.note : p.open;
    summary = opts.color ? `\x1b[1m${style(counts)}` : counts;
  }
  out.push(summary);
  return out.join('\n');
}
