/**
 * Corpus pass: scans every template and parameter pairing of ../shared/corpus and ../shared/corpus-cmk
 * (real ARM templates from public repositories) through the whole pipeline. Fails on internal errors
 * (crashes, uncaught exceptions); reports how many templates end with TPL002, grouped by message.
 * Reads ../shared; says so and exits 0 when it is absent. CORPUS_LIST=1 also prints each template with TPL002.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { rules } from '../rules/index.js';
import { scan } from '../src/scan.js';

const shared = path.resolve(process.argv[2] ?? path.join(process.cwd(), '..', 'shared'));
const corpora = ['corpus', 'corpus-cmk'].map((c) => path.join(shared, c)).filter((c) => existsSync(c));
if (corpora.length === 0) {
  console.log(`corpus pass: no corpus under ${shared}; nothing to do.`);
  process.exit(0);
}

function normalize(message: string): string {
  return message
    .replace(/ in '.*$/, '')
    .replace(/'[^']*'/g, "'…'")
    .replace(/\d+/g, 'N');
}

let templates = 0;
let files = 0;
let parseErrors = 0;
const internal: string[] = [];
const tpl002Files = new Set<string>();
const groups = new Map<string, { count: number; example: string }>();
const started = Date.now();
for (const corpus of corpora) {
  for (const repo of readdirSync(corpus, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const dir = path.join(corpus, repo.name);
    const result = await scan({ paths: [dir], cwd: dir, repoRoot: shared, rules });
    files += result.files.length;
    templates += result.files.filter((f) => f.kind === 'template').length;
    internal.push(...result.internalErrors);
    for (const f of result.findings) {
      if (f.ruleId === 'TPL001') parseErrors++;
      if (f.ruleId !== 'TPL002') continue;
      if (!tpl002Files.has(f.uri) && process.env.CORPUS_LIST) console.log(`TPL002 ${f.uri}:${f.region.startLine}: ${f.message.slice(0, 240)}`);
      tpl002Files.add(f.uri);
      const key = normalize(f.message);
      const g = groups.get(key) ?? { count: 0, example: `${f.uri}:${f.region.startLine}: ${f.message}` };
      g.count++;
      groups.set(key, g);
    }
  }
}
const parseable = templates - parseErrors;
const share = parseable ? (100 * tpl002Files.size) / parseable : 0;
console.log(`corpus pass: ${files} JSON files, ${templates} templates (${parseErrors} not parseable), ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`templates with TPL002: ${tpl002Files.size} of ${parseable} parseable (${share.toFixed(2)}%)`);
for (const [key, g] of [...groups].sort((a, b) => b[1].count - a[1].count).slice(0, 40)) {
  console.log(`  ${String(g.count).padStart(5)}  ${key}\n         e.g. ${g.example.slice(0, 300)}`);
}
if (internal.length) {
  console.log(`\n${internal.length} internal errors:`);
  for (const e of internal.slice(0, 20)) console.log(`  ${e.split('\n').slice(0, 4).join('\n    ')}`);
  process.exit(1);
}
console.log('no internal errors');
