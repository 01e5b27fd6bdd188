/**
 * Measured in a fresh process by scripts/bench.ts: either the JSON.parse floor or a full scan of the given
 * folders (`scan:<n>`: with n threads; `kept`: one thread, then the heap that stays with the results, which
 * needs --expose-gc). Prints one JSON line: {files, bytes, ms, cpuMs, maxRssMiB, findings[, heapBeforeMiB,
 * heapKeptMiB]}.
 */
import { readFileSync } from 'node:fs';
import fg from 'fast-glob';
import { rules } from '../rules/index.js';
import { scan } from '../src/scan.js';

const [mode, ...dirs] = process.argv.slice(2);
const started = performance.now();
let files = 0;
let bytes = 0;
let findings = 0;
let extra: Record<string, number | undefined> = {};
if (mode === 'floor') {
  for (const dir of dirs) {
    for (const f of fg.sync(['**/*.json', '**/*.jsonc'], { cwd: dir, absolute: true, dot: true, ignore: ['**/node_modules/**', '**/.git/**'] })) {
      const text = readFileSync(f, 'utf8');
      files++;
      bytes += text.length;
      try {
        JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      } catch {
        // JSONC and broken files: the floor only counts the attempt
      }
    }
  }
} else {
  const gc = (globalThis as { gc?: () => void }).gc;
  const heapNow = async (): Promise<number> => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    gc!();
    gc!();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  const heapBefore = mode === 'kept' ? await heapNow() : undefined;
  const results: Awaited<ReturnType<typeof scan>>[] = [];
  for (const dir of dirs) {
    const jobs = mode?.startsWith('scan:') ? Number(mode.slice(5)) : mode === 'kept' ? 1 : undefined;
    const result = await scan({ paths: [dir], cwd: dir, repoRoot: dir, rules, jobs });
    results.push(result);
  }
  // Everything the scans returned is still referenced here: the heap that stays is what the results cost.
  if (mode === 'kept') extra = { heapBeforeMiB: heapBefore, heapKeptMiB: await heapNow() };
  for (const result of results) {
    files += result.files.length;
    findings += result.findings.length;
  }
}
const ms = performance.now() - started;
const usage = process.resourceUsage();
// CPU time counts every thread of the process (workers, garbage collector): what the scan costs the machine.
const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
process.stdout.write(`${JSON.stringify({ files, bytes, ms, cpuMs, maxRssMiB: usage.maxRSS / 1024, findings, ...extra })}\n`);
