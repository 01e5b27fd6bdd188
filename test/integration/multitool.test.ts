/**
 * SARIF of every fixture validated by the reference validator, @microsoft/sarif-multitool, with the SARIF and
 * GitHub (Ghas) rule sets. The tool exits 0 even when it finds errors, so its own output log is read.
 * Run by `npm run test:integration` (it downloads the tool through npx).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');

describe('SARIF Multitool', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmkguard-sarif-'));
  const fixtures = ['fixtures/cmk-registry.json', 'fixtures/bicep/cmk-registry-modules.json', ...readdirSync(path.join(ROOT, 'fixtures/violations')).filter((f) => !f.includes('.parameters.')).map((f) => `fixtures/violations/${f}`)];

  function validate(sarif: string): string[] {
    const out = `${sarif}.validation.sarif`;
    // The npm wrapper runs the tool through a shell: the inner quotes keep ';' from ending the command.
    execFileSync('npx', ['--yes', '@microsoft/sarif-multitool@5.7.0', 'validate', sarif, '--rule-kind', '"Sarif;Ghas"', '--level', '"Error;Warning"', '--output', out, '--log', 'ForceOverwrite'], { cwd: dir, stdio: 'pipe' });
    const log = JSON.parse(readFileSync(out, 'utf8')) as { runs: { results?: { ruleId: string; level?: string; message: { text?: string } }[] }[] };
    return (log.runs[0]!.results ?? []).filter((r) => r.level === 'error' || r.level === 'warning' || r.level === undefined).map((r) => `${r.ruleId}: ${r.message.text ?? ''}`);
  }

  it('catches a broken log (the check can fail)', () => {
    const sarif = path.join(dir, 'broken.sarif');
    spawnSync(process.execPath, [CLI, 'scan', 'fixtures/violations/ACR002-standard-sku.json', '--format', 'sarif', '--output', sarif], { cwd: ROOT });
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    log.$schema = 'https://schemastore.azurewebsites.net/schemas/json/sarif-2.1.0-rtm.6.json';
    delete log.runs[0].tool.driver.rules[0].fullDescription;
    writeFileSync(sarif, JSON.stringify(log));
    expect(validate(sarif).join('\n')).toMatch(/GH1011|SARIF1011/);
  }, 300_000);

  it.each(fixtures)('reports no errors or warnings on the SARIF of %s', (fixture) => {
    const sarif = path.join(dir, `${path.basename(fixture)}.sarif`);
    spawnSync(process.execPath, [CLI, 'scan', fixture, '--format', 'sarif', '--output', sarif], { cwd: ROOT });
    expect(validate(sarif)).toEqual([]);
  }, 300_000);
});
