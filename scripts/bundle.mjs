// Bundles the compiled command line (dist/src/cli.js) and the evaluation worker into dist/bundle/: one file
// to load instead of about ninety modules, which is most of a one-template (pre-commit) run's start-up.
// Lazily imported parts (live mode, worker pool, reports) stay separate chunks; the Azure SDK stays external.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const dist = new URL('../dist/', import.meta.url);
rmSync(new URL('bundle/', dist), { recursive: true, force: true });
await build({
  entryPoints: [new URL('src/cli.js', dist).pathname, new URL('src/unit-worker.js', dist).pathname],
  outdir: new URL('bundle/', dist).pathname,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // jsonc-parser's UMD build requires its parts dynamically; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  external: ['@azure/*'],
  // CommonJS dependencies (fast-glob, ajv) require Node's built-in modules: give the bundle a real require.
  banner: { js: "import { createRequire as __cmkguardRequire } from 'node:module'; const require = __cmkguardRequire(import.meta.url);" },
  logLevel: 'warning',
});
