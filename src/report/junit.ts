/**
 * JUnit XML for test-report viewers: one test suite per scanned template, one failing test case per
 * unsuppressed finding at level warning or above (undetermined findings are skipped cases, notes are left out).
 */
import type { Finding, ScanResult } from '../types.js';
import { messageOf, sortFindings } from './common.js';
import { addTo } from '../collections.js';

function xml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

function testCase(f: Finding): string {
  const message = messageOf(f);
  const where = `${f.uri}:${f.region.startLine}:${f.region.startColumn}`;
  const name = xml(`${f.ruleId}${f.resource ? ` ${f.resource.fullyQualifiedName}` : ''} (${where})`);
  if (f.kind === 'open') return `    <testcase name="${name}" classname="${xml(f.uri)}"><skipped message="${xml(message)}"/></testcase>`;
  return `    <testcase name="${name}" classname="${xml(f.uri)}"><failure type="${f.level}" message="${xml(message)}">${xml(`${where} ${message}`)}</failure></testcase>`;
}

export function formatJunit(result: ScanResult): string {
  const findings = sortFindings(result.findings.filter((f) => !f.suppression && (f.kind === 'open' || f.level !== 'note')));
  const byFile = new Map<string, Finding[]>();
  for (const file of result.files) if (file.kind === 'template') byFile.set(file.uri, []);
  for (const f of findings) addTo(byFile, f.uri, f);
  const suites = [...byFile].map(([uri, fs]) => {
    const failures = fs.filter((f) => f.kind === 'fail').length;
    const skipped = fs.length - failures;
    const cases = fs.length ? fs.map(testCase) : [`    <testcase name="${xml(uri)}" classname="${xml(uri)}"/>`];
    return [`  <testsuite name="${xml(uri)}" tests="${Math.max(fs.length, 1)}" failures="${failures}" skipped="${skipped}" errors="0">`, ...cases, '  </testsuite>'].join('\n');
  });
  // Inputs that could not be used and internal errors: the run is incomplete, which a CI view must show.
  const runErrors = [...(result.inputErrors ?? []), ...result.internalErrors.map((e) => `internal error: ${e.split('\n')[0]}`)];
  if (runErrors.length) {
    const cases = runErrors.map((e) => `    <testcase name="${xml(e)}" classname="cmkguard"><error message="${xml(e)}"/></testcase>`);
    suites.push([`  <testsuite name="cmkguard" tests="${runErrors.length}" failures="0" skipped="0" errors="${runErrors.length}">`, ...cases, '  </testsuite>'].join('\n'));
  }
  const total = [...byFile.values()].reduce((n, fs) => n + Math.max(fs.length, 1), 0) + runErrors.length;
  const failures = findings.filter((f) => f.kind === 'fail').length;
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="cmkguard" tests="${total}" failures="${failures}" errors="${runErrors.length}">`, ...suites, '</testsuites>'].join('\n');
}
