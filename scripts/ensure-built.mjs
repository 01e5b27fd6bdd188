// Builds only when dist/ is missing or older than a source file, so `npm start` stays quick.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const bin = path.join(root, 'dist', 'cli.js');

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(newest(path.join(root, 'src')), newest(path.join(root, 'rules')), statSync(path.join(root, 'package.json')).mtimeMs);
if (!existsSync(bin) || statSync(bin).mtimeMs < sources) {
  execSync('npm run build --silent', { cwd: root, stdio: 'inherit' });
}
