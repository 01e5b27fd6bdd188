/** The GitHub Action (action.yml): valid YAML, every input used, and the scan step runs the built CLI. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateSarif } from './helpers/sarif-schema.js';
import { writeTree } from './helpers/scan.js';

const ROOT = path.resolve(import.meta.dirname, '..');

describe('action.yml', () => {
  const text = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
  const action = parse(text) as { inputs: Record<string, { description: string; default: string }>; runs: { using: string; steps: { run?: string; env?: Record<string, string> }[] } };

  it('parses as YAML and is a composite action', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs).length).toBeGreaterThan(0);
  });

  it('uses every input it declares, and describes each', () => {
    const steps = JSON.stringify(action.runs.steps);
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description.length, name).toBeGreaterThan(10);
      expect(steps.includes(`inputs.${name}`), `input ${name} is never used`).toBe(true);
    }
  });

  it('scans once: annotations on stdout, SARIF to a file, the fail level for the exit code, live options passed', () => {
    const run = action.runs.steps.find((s) => s.run?.includes('dist/cli.js'))!.run!;
    expect(run.match(/dist\/cli\.js/g)).toHaveLength(1);
    expect(run).toMatch(/--format github --sarif "\$sarif"/);
    expect(run).toContain('args+=(--fail-level "$CMKGUARD_FAIL_LEVEL")');
    expect(run).toContain('--live');
    expect(run).toContain('--subscription-id');
  });

  it('runs its scan step as GitHub would: annotations, a valid SARIF file and the exit code as outputs', () => {
    const step = action.runs.steps.find((s) => s.run?.includes('dist/cli.js'))!;
    const run = (failLevel: string, config = '') => {
      const tmp = writeTree({});
      const outputs = path.join(tmp, 'outputs');
      const env = {
        ...process.env,
        NO_COLOR: '1',
        GITHUB_OUTPUT: outputs,
        RUNNER_TEMP: tmp,
        GITHUB_ACTION_PATH: ROOT,
        CMKGUARD_PATHS: 'fixtures/violations/ACR002-standard-sku.json',
        CMKGUARD_CONFIG: config,
        CMKGUARD_FAIL_LEVEL: failLevel,
        CMKGUARD_CATEGORY: 'cmkguard',
        CMKGUARD_LIVE: 'false',
        CMKGUARD_SUBSCRIPTION: '',
      };
      // GitHub runs composite bash steps with `bash --noprofile --norc -eo pipefail`.
      const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], { cwd: ROOT, env, encoding: 'utf8' });
      const out = Object.fromEntries(readFileSync(outputs, 'utf8').trim().split('\n').map((l) => l.split('=') as [string, string]));
      return { r, out, sarif: path.join(tmp, 'cmkguard.sarif') };
    };
    const failing = run('error');
    expect(failing.r.status).toBe(0);
    expect(failing.r.stdout).toMatch(/^::error file=fixtures\/violations\/ACR002-standard-sku\.json,line=\d+/m);
    expect(failing.out).toMatchObject({ 'exit-code': '1', 'sarif-written': 'true', 'sarif-file': failing.sarif });
    const text = readFileSync(failing.sarif, 'utf8');
    expect(validateSarif(text)).toEqual([]);
    expect(JSON.parse(text).runs[0].results.some((x: { ruleId: string }) => x.ruleId === 'ACR002')).toBe(true);
    expect(run('none').out['exit-code']).toBe('0');
    // Without the input the configuration's failLevel decides.
    const cfg = writeTree({ 'c.yaml': 'failLevel: none\n' });
    expect(run('', path.join(cfg, 'c.yaml')).out['exit-code']).toBe('0');
    expect(run('').out['exit-code']).toBe('1');
    // A broken configuration is exit code 2 and leaves no SARIF to upload.
    const broken = run('error', 'no-such-config.yaml');
    expect(broken.out['exit-code']).toBe('2');
    expect(broken.out['sarif-written']).toBeUndefined();
    expect(existsSync(broken.sarif)).toBe(false);
  });

  it('uploads only a SARIF file that was written', () => {
    const upload = action.runs.steps.find((s) => JSON.stringify(s).includes('upload-sarif')) as { if?: string };
    expect(upload.if).toContain("steps.scan.outputs.sarif-written == 'true'");
  });
});
