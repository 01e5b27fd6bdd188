// Writes dist/cli.js, the package executable, after tsc (dist/src/) and the bundle (dist/bundle/, scripts/bundle.mjs).
import { chmodSync, writeFileSync } from 'node:fs';

const bin = new URL('../dist/cli.js', import.meta.url);
writeFileSync(bin, "#!/usr/bin/env node\nimport { run } from './bundle/cli.js';\nrun();\n");
chmodSync(bin, 0o755);
