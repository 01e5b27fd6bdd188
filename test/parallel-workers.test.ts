/** evaluateInWorkers: a worker that dies loses only the templates it held, which the caller evaluates itself. */
import { describe, expect, it } from 'vitest';
import { evaluateInWorkers } from '../src/parallel.js';
import type { UnitEnv } from '../src/unit.js';

const FAILING = new URL('./helpers/failing-worker.mjs', import.meta.url);

describe('evaluateInWorkers', () => {
  it('returns every outcome but those in flight in a worker that exits, and does not hang', async () => {
    const jobs = Array.from({ length: 40 }, (_, i) => ({ file: `t${i}.json`, parameterFiles: [] }));
    const env = { dieAt: 5 } as unknown as UnitEnv;
    const outcomes = await evaluateInWorkers(jobs, env, 2, undefined, FAILING);
    expect(outcomes).toHaveLength(40);
    const missing = outcomes.flatMap((o, i) => (o ? [] : [i]));
    // The dying worker held job 5 and at most one job queued behind it; the other worker did all the rest.
    expect(missing).toContain(5);
    expect(missing.length).toBeLessThanOrEqual(2);
    outcomes.forEach((o, i) => {
      if (o) expect(o.scanned.path).toBe(`t${i}.json`);
    });
  });

  it('finishes every job when no worker fails, whatever the number of threads', async () => {
    const jobs = Array.from({ length: 25 }, (_, i) => ({ file: `t${i}.json`, parameterFiles: [] }));
    const outcomes = await evaluateInWorkers(jobs, { dieAt: -1 } as unknown as UnitEnv, 3, undefined, FAILING);
    expect(outcomes.map((o) => o?.scanned.path)).toEqual(jobs.map((j) => j.file));
  });
});
