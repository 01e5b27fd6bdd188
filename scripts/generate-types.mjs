// Generates TypeScript types from the JSON schemas: src/generated/<schema>.ts for every resource schema in
// schemas/resources/ and for schemas/rule-metadata.schema.json, plus src/generated/index.ts.
// `npm run generate` writes them; test/schemas/generated.test.ts calls generate() and fails when they are stale.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const GENERATED_DIR = path.join(ROOT, 'src', 'generated');

const banner = (source) =>
  [
    '/* eslint-disable */',
    '/**',
    ` * GENERATED FILE, do not edit. Made by \`npm run generate\` (scripts/generate-types.mjs) from ${source}.`,
    ' * Change the schema and run `npm run generate` again; test/schemas/generated.test.ts fails when this file is stale.',
    ' */',
  ].join('\n');

const STYLE = { singleQuote: true, printWidth: 140, trailingComma: 'all', bracketSpacing: true, semi: true, tabWidth: 2, useTabs: false };

/** The interface name json-schema-to-typescript derives from a title ("Key Vault resource" → KeyVaultResource). */
function typeNameOf(title) {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

function schemaSources() {
  const dir = path.join(ROOT, 'schemas', 'resources');
  const resources = readdirSync(dir)
    .filter((f) => f.endsWith('.schema.json'))
    .sort()
    .map((f) => ({ file: `schemas/resources/${f}`, base: f.replace(/\.schema\.json$/, ''), schema: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) }));
  const meta = { file: 'schemas/rule-metadata.schema.json', base: 'rule-metadata', schema: JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'rule-metadata.schema.json'), 'utf8')) };
  return { resources, meta };
}

/** Adds the allowed values of a case-insensitive enum (x-cmkguard-enum) to its description, for the doc comment. */
function annotate(node) {
  if (Array.isArray(node)) return node.forEach(annotate);
  if (!node || typeof node !== 'object') return;
  const values = node['x-cmkguard-enum'];
  if (Array.isArray(values)) {
    const allowed = `Allowed values (case-insensitive): ${values.map((v) => (v.includes(',') ? `'${v}'` : v)).join(', ')}.`;
    node.description = node.description ? `${node.description}\n\n${allowed}` : allowed;
  }
  for (const v of Object.values(node)) annotate(v);
}

/** Every generated file: name (relative to src/generated) → content. Writes nothing. */
export async function generate() {
  const { compile } = await import('json-schema-to-typescript');
  const { resources, meta } = schemaSources();
  const out = new Map();
  for (const src of [...resources, meta]) {
    if (typeof src.schema.title !== 'string') throw new Error(`${src.file}: a title is required (it names the generated type)`);
    const schema = structuredClone(src.schema);
    annotate(schema);
    const ts = await compile(schema, typeNameOf(src.schema.title), {
      bannerComment: banner(src.file),
      additionalProperties: true,
      declareExternallyReferenced: true,
      format: true,
      maxItems: -1,
      strictIndexSignatures: false,
      unknownAny: true,
      unreachableDefinitions: false,
      style: STYLE,
      cwd: path.dirname(path.join(ROOT, src.file)),
    });
    const name = typeNameOf(src.schema.title);
    if (!ts.includes(`export interface ${name} `)) throw new Error(`${src.file}: expected the generated file to declare interface ${name}`);
    out.set(`${src.base}.ts`, ts);
  }
  const entries = resources.map((r) => {
    const type = r.schema['x-cmkguard-type'];
    if (typeof type !== 'string') throw new Error(`${r.file}: x-cmkguard-type (the ARM resource type) is required`);
    return { type, name: typeNameOf(r.schema.title), base: r.base, file: `${r.base}.schema.json` };
  });
  const metaName = typeNameOf(meta.schema.title);
  const index = [
    banner('schemas/resources/*.schema.json and schemas/rule-metadata.schema.json'),
    '',
    ...entries.map((e) => `import type { ${e.name} } from './${e.base}.js';`),
    `import type { ${metaName} } from './${meta.base}.js';`,
    '',
    'export type {',
    ...[...entries.map((e) => e.name), metaName].map((n) => `  ${n},`),
    '};',
    '',
    '/** The schema file (in schemas/resources/) of every modelled ARM resource type. */',
    'export const RESOURCE_SCHEMA_FILES = {',
    ...entries.map((e) => `  '${e.type}': '${e.file}',`),
    '} as const;',
    '',
    '/** The evaluated record (top-level fields such as sku, identity, properties) of every modelled ARM resource type. */',
    'export interface ResourceRecordByType {',
    ...entries.map((e) => `  '${e.type}': ${e.name};`),
    '}',
    '',
    'export type ModelledResourceType = keyof ResourceRecordByType;',
    '',
  ].join('\n');
  out.set('index.ts', index);
  return out;
}

async function main() {
  const files = await generate();
  mkdirSync(GENERATED_DIR, { recursive: true });
  for (const f of readdirSync(GENERATED_DIR)) if (!files.has(f)) rmSync(path.join(GENERATED_DIR, f));
  for (const [name, content] of files) writeFileSync(path.join(GENERATED_DIR, name), content);
  console.log(`wrote ${files.size} files to ${path.relative(process.cwd(), GENERATED_DIR) || '.'}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
