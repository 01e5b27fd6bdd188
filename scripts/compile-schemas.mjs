// Compiles the resource schemas to standalone validator code at build time, so that a scan never pays
// Ajv's compile time at startup. One module (dist/validators/index.cjs) holds every validator with its
// schema: a scan loads one file, and each validator is only set up the first time its type is checked.
// SCH001 falls back to compiling with Ajv when the module is absent (running from the sources).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv = require('ajv').default;
const standalone = require('ajv/dist/standalone').default;

const schemas = new URL('../schemas/resources/', import.meta.url);
const out = new URL('../dist/validators/', import.meta.url);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const entries = [];
for (const file of readdirSync(schemas).filter((f) => f.endsWith('.schema.json')).sort()) {
  const root = JSON.parse(readFileSync(new URL(file, schemas), 'utf8'));
  // Same options as SCH001's fallback: all errors, verbose (errors carry their schema node).
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, code: { source: true } });
  const code = standalone(ajv, ajv.compile(root));
  // Each standalone module runs in its own function scope, on first use: V8 only pre-parses the others.
  entries.push(
    `${JSON.stringify(file)}: () => {\nconst module = { exports: {} };\nconst exports = module.exports;\n${code}\nreturn { validate: module.exports, root: ${JSON.stringify(root)} };\n}`,
  );
}
writeFileSync(new URL('index.cjs', out), `"use strict";\nmodule.exports = {\n${entries.join(',\n')}\n};\n`);
