// A stand-in for src/unit-worker.ts that answers every job with an empty outcome and dies at the job whose
// index it is given in workerData.dieAt: what evaluateInWorkers must survive without losing a template.
import { parentPort, workerData } from 'node:worker_threads';

parentPort.on('message', ({ index, job }) => {
  if (index === workerData.dieAt) process.exit(1);
  parentPort.postMessage({ index, outcome: { scanned: { path: job.file, uri: job.file, kind: 'template' }, findings: [], runs: [], internalErrors: [], linked: [], links: [] } });
});
