/** The GitHub Action (action.yml): valid YAML, every input used, and the scan step runs the built CLI. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

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

  it('passes live mode and the subscription to both scan runs', () => {
    const run = action.runs.steps.find((s) => s.run?.includes('dist/cli.js'))!.run!;
    expect(run.match(/"\$\{common\[@\]\}"/g)).toHaveLength(2);
    expect(run).toContain('--live');
    expect(run).toContain('--subscription-id');
  });
});
