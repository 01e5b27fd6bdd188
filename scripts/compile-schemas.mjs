// Compiles the resource schemas to standalone validator code at build time (dist/validators/), so that a
// scan never pays Ajv's compile time at startup. SCH001 falls back to compiling when they are absent.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv = require('ajv').default;
const standalone = require('ajv/dist/standalone').default;

const schemas = new URL('../schemas/resources/', import.meta.url);
const out = new URL('../dist/validators/', import.meta.url);
mkdirSync(out, { recursive: true });
for (const file of readdirSync(schemas).filter((f) => f.endsWith('.schema.json'))) {
  // Same options as SCH001's fallback: all errors, verbose (errors carry their schema node).
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, code: { source: true } });
  const validate = ajv.compile(JSON.parse(readFileSync(new URL(file, schemas), 'utf8')));
  writeFileSync(new URL(file.replace(/\.schema\.json$/, '.cjs'), out), standalone(ajv, validate));
}
