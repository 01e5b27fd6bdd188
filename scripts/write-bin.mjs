// Writes dist/cli.js, the package's executable, after tsc has compiled src/ to dist/src/.
import { chmodSync, writeFileSync } from 'node:fs';

const bin = new URL('../dist/cli.js', import.meta.url);
writeFileSync(bin, "#!/usr/bin/env node\nimport { run } from './src/cli.js';\nrun();\n");
chmodSync(bin, 0o755);
