/**
 * How many worker threads evaluate a scan (src/parallel.ts). Kept apart from the workers themselves so
 * that deciding costs nothing: a small scan never loads the worker machinery.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** Below this many templates, starting workers costs more than it saves (a pre-commit run has a few). */
export const PARALLEL_MIN_TEMPLATES = 48;
/**
 * Measured on two cores: V8 already spends the second core on garbage collection and compilation, so two
 * workers were slower than one thread (whole corpus 11.5 s against 9.2 s; corpus-cmk 4.6 s against 3.3 s,
 * with 8.7 s of CPU instead of 5.2 s). Workers start by default only where there are cores to spare.
 */
const MIN_CORES_FOR_AUTO = 4;
const MAX_THREADS = 8;
export const WORKER = new URL('./unit-worker.js', import.meta.url);

/** Threads to evaluate `count` templates with: `jobs` when given, else one per core for large scans. */
export function threadsFor(count: number, jobs?: number): number {
  if (jobs !== undefined) return workerBuilt() ? Math.max(1, Math.min(jobs, count)) : 1;
  const cores = os.availableParallelism();
  if (count < PARALLEL_MIN_TEMPLATES || cores < MIN_CORES_FOR_AUTO || !workerBuilt()) return 1;
  return Math.min(cores, MAX_THREADS, count);
}

/** Running from TypeScript sources (tests) there is no compiled worker. */
export function workerBuilt(): boolean {
  return existsSync(fileURLToPath(WORKER));
}

