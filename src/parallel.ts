/**
 * Evaluation spread over worker threads for large scans. Each worker loads and evaluates whole templates
 * (src/unit-worker.ts) and sends back located findings and resources; results are kept by template index,
 * so the report is the same whatever order the workers finish in. A unit whose worker fails is evaluated
 * again in the main thread: nothing is lost.
 */
import { Worker } from 'node:worker_threads';
import { ValueDecoder, ValueEncoder } from './eval/codec.js';
import type { EvaluatedResource } from './eval/template.js';
import type { ValueObject } from './eval/value.js';
import { WORKER } from './threads.js';
import type { UnitEnv, UnitJob, UnitOutcome } from './unit.js';

const JOBS_IN_FLIGHT = 2;

type EncodedResource = Omit<EvaluatedResource, 'name' | 'id' | 'scope' | 'body' | 'condition'> & { name: unknown; id: unknown; scope: unknown; body: unknown; condition?: unknown };

export function encodeOutcome(outcome: UnitOutcome): unknown {
  const e = new ValueEncoder();
  const encodeValue = (v: Parameters<ValueEncoder['encode']>[0]) => e.encode(v);
  return {
    ...outcome,
    runs: outcome.runs.map((run) => ({
      ...run,
      resources: run.resources.map((r): EncodedResource => ({ ...r, name: encodeValue(r.name), id: encodeValue(r.id), scope: encodeValue(r.scope), body: encodeValue(r.body), ...(r.condition !== undefined ? { condition: encodeValue(r.condition) } : {}) })),
    })),
  };
}

export function decodeOutcome(encoded: unknown): UnitOutcome {
  const d = new ValueDecoder();
  const decodeValue = (v: unknown) => d.decode(v);
  const outcome = encoded as Omit<UnitOutcome, 'runs'> & { runs: (Omit<UnitOutcome['runs'][number], 'resources'> & { resources: EncodedResource[] })[] };
  return {
    ...outcome,
    runs: outcome.runs.map((run) => ({
      ...run,
      resources: run.resources.map(({ condition, ...r }) => ({ ...r, name: decodeValue(r.name), id: decodeValue(r.id), scope: decodeValue(r.scope), body: decodeValue(r.body) as ValueObject, ...(condition !== undefined ? { condition: decodeValue(condition) } : {}) })),
    })),
  };
}

/**
 * Evaluates the jobs on `threads` workers. The result has an outcome per job index, or undefined where a
 * worker failed (the caller evaluates those itself). `script` is the worker's module (tests give one that fails).
 */
export async function evaluateInWorkers(
  jobs: UnitJob[],
  env: UnitEnv,
  threads: number,
  onProgress?: (done: number, total: number) => void,
  script: URL = WORKER,
): Promise<(UnitOutcome | undefined)[]> {
  const encoded: unknown[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const runWorker = () =>
    new Promise<void>((resolve) => {
      let worker: Worker;
      try {
        worker = new Worker(script, { workerData: env });
      } catch {
        resolve();
        return;
      }
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        void worker.terminate().finally(resolve);
      };
      let inFlight = 0;
      const feed = () => {
        if (next >= jobs.length) {
          if (inFlight === 0) finish();
          return;
        }
        const index = next++;
        inFlight++;
        worker.postMessage({ index, job: jobs[index] });
      };
      worker.on('message', (m: { index: number; outcome: unknown }) => {
        inFlight--;
        // Keep the worker busy first; decoding waits until every template is evaluated.
        feed();
        encoded[m.index] = m.outcome;
        onProgress?.(++done, jobs.length);
      });
      // Units in flight stay without a result and are evaluated in the main thread.
      worker.on('error', finish);
      worker.on('exit', finish);
      // A second job waits in the worker's queue, so it never idles for the round trip through this thread.
      for (let i = 0; i < JOBS_IN_FLIGHT; i++) feed();
    });
  await Promise.all(Array.from({ length: threads }, runWorker));
  return Array.from(encoded, (e) => (e === undefined ? undefined : decodeOutcome(e)));
}
