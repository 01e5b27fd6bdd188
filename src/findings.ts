/**
 * Findings with positions: a rule or diagnostic verdict at an evaluated path becomes a finding with the
 * file's line and column. Position indexes are kept only while one template's findings are located.
 */
import type { JsonPath } from './eval/template.js';
import { decode, readRegularFile } from './load.js';
import { PositionIndex } from './locate.js';
import type { TracedOrigin } from './origin.js';
import type { Finding, Level, ResourceLabel, RuleMeta } from './types.js';
import { addTo } from './collections.js';

const indexes = new Map<string, PositionIndex>();

/** Finds all paths of each file in one pass before the findings are located one by one. */
export function prefetchPositions(requests: [string, JsonPath][], textOf: (file: string) => string): void {
  const byFile = new Map<string, JsonPath[]>();
  for (const [file, at] of requests) addTo(byFile, file, at);
  for (const [file, paths] of byFile) indexFor(file, textOf(file)).prefetch(paths);
}

/** Position trees are as large as the text: keep them only while one template's findings are located. */
export function releasePositions(): void {
  indexes.clear();
}

function indexFor(file: string, text: string): PositionIndex {
  let idx = indexes.get(file);
  if (!idx || idx.text !== text) {
    idx = new PositionIndex(text);
    indexes.set(file, idx);
  }
  return idx;
}

export function locatedFinding(
  meta: RuleMeta,
  level: Level,
  kind: 'fail' | 'open',
  message: string,
  file: string,
  uri: string,
  text: string,
  at: JsonPath,
  resource: ResourceLabel | undefined,
  parameterFile: string | undefined,
): Finding {
  const idx = indexFor(file, text);
  const { region } = idx.locate(at);
  return {
    ruleId: meta.id,
    level,
    kind,
    message: finishSentence(message),
    file,
    uri,
    region,
    ...snippetOf(idx.lineText(region.startLine), region.startColumn),
    resource,
    parameterFile,
  };
}

/** 1-based line and column of the JSON value at `at` in a file. */
function positionIn(file: string, text: string, at: JsonPath): { line: number; column: number } {
  const { region } = indexFor(file, text).locate(at);
  return { line: region.startLine, column: region.startColumn };
}

/** `main.parameters.json:6:16`: where a traced parameter value is written. */
export function originAt(o: TracedOrigin, uriOf: (file: string) => string, textOf: (file: string) => string): string {
  const { line, column } = positionIn(o.origin.file, textOf(o.origin.file), o.path);
  return `${uriOf(o.origin.file)}:${line}:${column}`;
}

export function fileFinding(ruleId: string, level: Level, message: string, file: string, uri: string, line: number, column: number, text?: string): Finding {
  const region = { startLine: line, startColumn: column, endLine: line, endColumn: column + 1 };
  return { ruleId, level, kind: 'fail', message, file, uri, region, ...(text !== undefined ? snippetOf(new PositionIndex(text).lineText(line), column) : {}) };
}

/** Characters of a long line a finding keeps: before its column, and in all. */
const SNIPPET_BEFORE = 64;
const SNIPPET_KEPT = 512;

/**
 * The snippet a finding keeps: its line, or of a long (minified) line a window around the column, copied out
 * of the file's text. A slice would keep the whole text alive for as long as the finding (V8 slices point
 * into their parent string), so a scan's findings would hold every file they came from.
 */
function snippetOf(line: string, column: number): Pick<Finding, 'snippet' | 'snippetColumn'> {
  const from = Math.max(0, Math.min(column - 1 - SNIPPET_BEFORE, line.length - SNIPPET_KEPT));
  const snippet = detached(line.slice(from, from + SNIPPET_KEPT));
  return from === 0 ? { snippet } : { snippet, snippetColumn: from + 1 };
}

function detached(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le');
}

export function finishSentence(s: string): string {
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** Reads a file's text for locating findings: from `texts` when it is there, else from disk (and keeps it). */
export function textReader(texts: Map<string, string>): (file: string) => string {
  return (file) => {
    let text = texts.get(file);
    if (text === undefined) {
      try {
        const bytes = readRegularFile(file, Number.MAX_SAFE_INTEGER);
        const decoded = Buffer.isBuffer(bytes) ? decode(bytes) : '';
        text = typeof decoded === 'string' ? decoded : '';
      } catch {
        text = '';
      }
      texts.set(file, text);
    }
    return text;
  };
}
