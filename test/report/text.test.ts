import { describe, it, expect } from 'vitest';
import { formatText, snippetLines } from '../../src/report/text.js';
import { ACR001_SNIPPET, F_ACR001, F_KV005, F_OPEN, F_SUPPRESSED, F_TPL003, MAIN, SPACED, CLEAN, scanResult } from './fixture.js';

const ESC = '\x1b[';

describe('formatText', () => {
  const out = formatText(scanResult(), { color: false });
  const lines = out.split('\n');

  it('groups findings under one header per file, files in order, findings by line', () => {
    expect(lines.filter((l) => l === MAIN)).toHaveLength(1);
    expect(lines.filter((l) => l === SPACED)).toHaveLength(1);
    const iMain = lines.indexOf(MAIN);
    const iSpaced = lines.indexOf(SPACED);
    expect(iMain).toBe(0);
    expect(iSpaced).toBeGreaterThan(iMain);
    const iAcr = lines.findIndex((l) => l.includes(F_ACR001.message));
    const iKv = lines.findIndex((l) => l.includes(F_KV005.message));
    const iTpl = lines.findIndex((l) => l.includes(F_TPL003.message));
    const iOpen = lines.findIndex((l) => l.includes(F_OPEN.message));
    expect(iMain < iAcr && iAcr < iKv && iKv < iSpaced).toBe(true);
    // Line 5 (TPL003) before line 21 (open) in the second file.
    expect(iSpaced < iTpl && iTpl < iOpen).toBe(true);
  });

  it('prints line:col, level, message and rule id', () => {
    const row = lines.find((l) => l.includes(F_ACR001.message))!;
    expect(row).toMatch(/^ {2}12:9 +error +Registry 'contosoreg' does not enable .*'disabled' {2}ACR001$/);
    const kv = lines.find((l) => l.includes(F_KV005.message))!;
    expect(kv).toMatch(/^ {2}40:7 +warning +Key 'acr-cmk'.* {2}KV005$/);
  });

  it('names the parameter file a finding comes from, unless the finding is in it', () => {
    const kv = lines.find((l) => l.includes(F_KV005.message))!;
    expect(kv).toContain(`${F_KV005.message} (with infra/main.prod.parameters.json)  KV005`);
    const inFile = formatText(scanResult({ findings: [{ ...F_KV005, uri: 'infra/main.prod.parameters.json' }] }), { color: false });
    expect(inFile).not.toContain('(with ');
  });

  it('aligns the level column inside a file group', () => {
    const a = lines.find((l) => l.includes(F_ACR001.message))!;
    const b = lines.find((l) => l.includes(F_KV005.message))!;
    expect(a.indexOf('error')).toBe(b.indexOf('warning'));
    expect(a.indexOf('Registry')).toBe(b.indexOf('Key'));
  });

  it('labels undetermined findings instead of showing their level', () => {
    const row = lines.find((l) => l.includes(F_OPEN.message))!;
    expect(row).toMatch(/^ {2}21:21 +undetermined +Undetermined: .* {2}ACR001$/);
    expect(row).not.toMatch(/\bnote\b/);
  });

  it('shows the snippet with carets under the region columns', () => {
    const i = lines.findIndex((l) => l.includes(F_ACR001.message));
    const code = lines[i + 1]!;
    const caret = lines[i + 2]!;
    expect(code.trim()).toBe(ACR001_SNIPPET.trim());
    expect(caret.trim()).toMatch(/^\^+$/);
    expect(caret.indexOf('^')).toBe(code.indexOf('"encryption"'));
    const width = F_ACR001.region.endColumn - F_ACR001.region.startColumn;
    expect(caret.trim()).toHaveLength(width);
    // The underline ends under the closing brace of the region.
    expect(code[caret.lastIndexOf('^')]).toBe('}');
  });

  it('prints no snippet lines for a finding without snippet', () => {
    const i = lines.findIndex((l) => l.includes(F_TPL003.message));
    expect(lines[i + 1]).toMatch(/^ {2}\d+:\d+ /);
  });

  it('does not list suppressed findings but counts them', () => {
    expect(out).not.toContain(F_SUPPRESSED.message);
    expect(out).not.toContain('ACR013');
    expect(lines.at(-1)).toBe('1 error, 2 warnings, 0 notes, 1 undetermined in 2 files (3 templates scanned, 1 suppressed)');
  });

  it('has no ANSI escapes without colour', () => {
    expect(out).not.toContain(ESC);
  });

  it('colours levels, caret and summary with colour on', () => {
    const colored = formatText(scanResult(), { color: true });
    expect(colored).toContain(`${ESC}31merror`);
    expect(colored).toContain(`${ESC}33mwarning`);
    expect(colored).toContain(`${ESC}35mundetermined`);
    expect(colored).toMatch(/\x1b\[31m\^+\x1b\[0m/);
    // Stripping the escapes gives the plain report.
    // eslint-disable-next-line no-control-regex
    expect(colored.replace(/\x1b\[[0-9;]*m/g, '')).toBe(out);
  });

  it('reports a clean scan', () => {
    expect(formatText(CLEAN(), { color: false })).toBe('No problems found in 3 templates.');
    expect(formatText(scanResult({ findings: [F_SUPPRESSED] }), { color: false })).toBe('No problems found in 3 templates (1 suppressed).');
    const one = scanResult({ findings: [], files: [{ path: '/r/a.json', uri: 'a.json', kind: 'template' }] });
    expect(formatText(one, { color: false })).toBe('No problems found in 1 template.');
    expect(formatText(CLEAN(), { color: true })).toBe(`${ESC}32mNo problems found in 3 templates.${ESC}0m`);
  });

  it('uses singular words for counts of one', () => {
    const r = scanResult({ findings: [F_KV005] });
    expect(formatText(r, { color: false }).split('\n').at(-1)).toBe('0 errors, 1 warning, 0 notes, 0 undetermined in 1 file (3 templates scanned)');
  });

  it('lists internal errors and counts them', () => {
    const r = scanResult({ findings: [], internalErrors: ['cannot read infra/broken.json: EACCES'] });
    const t = formatText(r, { color: false });
    expect(t).toContain('internal error: cannot read infra/broken.json: EACCES');
    expect(t.split('\n').at(-1)).toBe('0 errors, 0 warnings, 0 notes, 0 undetermined in 0 files (3 templates scanned); 1 internal error');
  });

  it('lists input errors, counts them, and never calls an incomplete scan clean', () => {
    const clean = formatText(scanResult({ findings: [], inputErrors: ['path not found: infra/old'] }), { color: false });
    expect(clean).toContain('error: path not found: infra/old');
    expect(clean.split('\n').at(-1)).toBe('Incomplete scan: 1 input error; 3 templates scanned.');
    const withFindings = formatText(scanResult({ findings: [F_KV005], inputErrors: ['a', 'b'] }), { color: false });
    expect(withFindings.split('\n').at(-1)).toBe('0 errors, 1 warning, 0 notes, 0 undetermined in 1 file (3 templates scanned); 2 input errors');
  });

  it('has no trailing newline', () => {
    expect(out.endsWith('\n')).toBe(false);
  });
});

describe('snippetLines', () => {
  const at = (startLine: number, startColumn: number, endLine: number, endColumn: number) => ({
    region: { startLine, startColumn, endLine, endColumn },
  });

  it('drops indentation and keeps the caret under the region', () => {
    const line = '    "sku": { "name": "Basic" }';
    const col = line.indexOf('"Basic"') + 1;
    const r = snippetLines(line, at(1, col, 1, col + 7));
    expect(r.code).toBe('"sku": { "name": "Basic" }');
    expect(r.caret).toBe(' '.repeat(17) + '^^^^^^^');
    expect(r.code.slice(r.caret.indexOf('^'), r.caret.length)).toBe('"Basic"');
  });

  it('pads by terminal columns, not UTF-16 units: wide CJK and emoji take two, astral narrow symbols one, combining marks none', () => {
    for (const [before, pad] of [['"😀😀é日本", ', 13], ['"𝄞", ', 5], ['"ﬁ\u0301", ', 5]] as const) {
      const line = `{ "note": ${before}"sku": "Standard" }`;
      const col = line.indexOf('"Standard"') + 1; // UTF-16 column, as SARIF counts
      const r = snippetLines(line, at(1, col, 1, col + 10));
      expect(r.caret).toBe(' '.repeat('{ "note": '.length + pad + '"sku": '.length) + '^'.repeat(10));
    }
  });

  it('underlines to the end of the line for a multi-line region', () => {
    const r = snippetLines('  "properties": {   ', at(3, 3, 9, 4));
    expect(r.code).toBe('"properties": {');
    expect(r.caret).toBe('^'.repeat('"properties": {'.length));
  });

  it('shows at least one caret for an empty region', () => {
    expect(snippetLines('{', at(1, 2, 1, 2)).caret).toBe(' ^');
  });

  it('cuts a long minified line around the region', () => {
    const prefix = '{"a":"' + 'x'.repeat(500) + '",';
    const target = '"encryption":{"status":"disabled"}';
    const line = prefix + target + ',"b":"' + 'y'.repeat(500) + '"}';
    const start = prefix.length + 1;
    const r = snippetLines(line, at(1, start, 1, start + target.length));
    expect(r.code.length).toBeLessThanOrEqual(122);
    expect(r.code.startsWith('…')).toBe(true);
    expect(r.code.endsWith('…')).toBe(true);
    const s = r.caret.indexOf('^');
    expect(r.code.slice(s, s + target.length)).toBe(target);
    expect(r.caret.length - s).toBe(target.length);
  });

  it('places the caret in a snippet that is a window of a long line, marking the cut before it', () => {
    const line = 'z'.repeat(300) + '"status":"disabled"' + 'y'.repeat(50);
    const col = 301; // 1-based column of "status" in the full line
    const window = line.slice(200);
    const r = snippetLines(window, { region: { startLine: 1, startColumn: col, endLine: 1, endColumn: col + 8 }, snippetColumn: 201 });
    expect(r.code.startsWith('…')).toBe(true);
    const s = r.caret.indexOf('^');
    expect(r.code.slice(s, s + 8)).toBe('"status"');
  });

  it('replaces tabs so the caret stays aligned', () => {
    const r = snippetLines('\t\t"a":\t"b"', at(1, 8, 1, 11));
    expect(r.code).toBe('"a": "b"');
    expect(r.code.slice(r.caret.indexOf('^'))).toBe('"b"');
  });
});
