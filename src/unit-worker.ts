/** Worker thread of src/parallel.ts: evaluates the templates it is sent, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { encodeOutcome } from './parallel.js';
import { evaluateUnit, type UnitEnv, type UnitJob } from './unit.js';

const env = workerData as UnitEnv;
parentPort!.on('message', (m: { index: number; job: UnitJob }) => {
  parentPort!.postMessage({ index: m.index, outcome: encodeOutcome(evaluateUnit(m.job, env)) });
});
