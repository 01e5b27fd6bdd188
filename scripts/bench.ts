/**
 * Benchmark: cmkguard against the floor of any JSON tool in Node (read the files and JSON.parse them, one
 * thread), on the real templates of ../shared/corpus and ../shared/corpus-cmk; plus the single-template
 * (pre-commit) case against `node -e 0`. Reads ../shared; says so and exits 0 when it is absent.
 * Each corpus measure is the median of BENCH_RUNS fresh processes (default 3): one run on these shared
 * machines varies by a fifth.
 * Usage: npm run bench [-- <shared folder>]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadsFor } from '../src/threads.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const shared = path.resolve(process.argv[2] ?? path.join(root, '..', 'shared'));
const corpus = path.join(shared, 'corpus');
const corpusCmk = path.join(shared, 'corpus-cmk');

interface Stats {
  files: number;
  bytes: number;
  ms: number;
  cpuMs: number;
  maxRssMiB: number;
  findings: number;
  heapBeforeMiB?: number;
  heapKeptMiB?: number;
}

const RUNS = Math.max(1, Number(process.env['BENCH_RUNS'] ?? 3) || 3);

function child(mode: 'floor' | 'scan' | 'kept' | `scan:${number}`, dirs: string[]): Stats {
  const flags = mode === 'kept' ? ['--expose-gc'] : [];
  const r = spawnSync(process.execPath, [...flags, path.join(here, 'bench-child.js'), mode, ...dirs], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Stats;
}

/** The run with the median wall time of `RUNS` runs (memory and findings are the same in each), and the fastest time. */
function medianChild(mode: Parameters<typeof child>[0], dirs: string[]): Stats & { fastestMs: number } {
  const runs = Array.from({ length: RUNS }, () => child(mode, dirs)).sort((a, b) => a.ms - b.ms);
  return { ...runs[Math.floor(runs.length / 2)]!, fastestMs: runs[0]!.ms };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeCommand(args: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    times.push(performance.now() - t);
  }
  return median(times);
}

function report(label: string, dirs: string[]): void {
  const floor = medianChild('floor', dirs);
  const run = medianChild('scan', dirs);
  const mb = floor.bytes / 1e6;
  console.log(`${label}: ${run.files} files, ${mb.toFixed(1)} MB (medians of ${RUNS} runs)`);
  console.log(`  scan : ${(run.ms / 1000).toFixed(2)} s, ${(run.files / (run.ms / 1000)).toFixed(0)} files/s, CPU ${(run.cpuMs / 1000).toFixed(2)} s, peak RSS ${run.maxRssMiB.toFixed(0)} MiB, ${run.findings} findings`);
  console.log(`  floor: ${(floor.ms / 1000).toFixed(2)} s (read + JSON.parse, one thread), CPU ${(floor.cpuMs / 1000).toFixed(2)} s, peak RSS ${floor.maxRssMiB.toFixed(0)} MiB`);
  // A short floor (half a second) moves a lot between runs; the fastest runs of each are a steadier pair.
  console.log(`  ratio scan / floor: ${(run.ms / floor.ms).toFixed(2)} (medians), ${(run.fastestMs / floor.fastestMs).toFixed(2)} (fastest runs)`);
  // The default picks threads by core count (src/threads.ts); show one thread against one worker per core.
  const cores = availableParallelism();
  const one = threadsFor(run.files) === 1 ? run : medianChild('scan:1', dirs);
  const many = medianChild(`scan:${cores}`, dirs);
  const line = (s: Stats) => `${(s.ms / 1000).toFixed(2)} s (CPU ${(s.cpuMs / 1000).toFixed(2)} s)`;
  console.log(`  threads: 1 → ${line(one)}; ${cores} workers → ${line(many)}, peak RSS ${many.maxRssMiB.toFixed(0)} MiB (${cores} cores here)`);
  // What stays after the scan should be the findings and the bounded caches, whatever the number of files.
  const kept = child('kept', dirs);
  const keptMiB = kept.heapKeptMiB! - kept.heapBeforeMiB!;
  console.log(`  kept after the scan: ${keptMiB.toFixed(1)} MiB of heap with its ${kept.findings} findings of ${kept.files} files (findings and bounded caches)`);
}

if (!existsSync(corpus) && !existsSync(corpusCmk)) {
  console.log(`bench: no corpus under ${shared} (expected corpus/ and corpus-cmk/); nothing to measure.`);
} else {
  if (existsSync(corpus) && existsSync(corpusCmk)) report('whole corpus', [corpus, corpusCmk]);
  if (existsSync(corpusCmk)) report('corpus-cmk', [corpusCmk]);
}
const runs = 9;
const single = timeCommand([path.join(root, 'dist/cli.js'), 'scan', 'fixtures/cmk-registry.json', 'fixtures/cmk-registry.parameters.json'], runs);
const nodeFloor = timeCommand(['-e', '0'], runs);
console.log(`single template (median of ${runs}): ${single.toFixed(0)} ms; node -e 0: ${nodeFloor.toFixed(0)} ms; difference ${(single - nodeFloor).toFixed(0)} ms`);
