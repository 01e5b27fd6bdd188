import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { RESOURCE_SCHEMA_FILES } from '../../src/generated/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = path.join(ROOT, 'schemas/resources');
const VOCABULARY = ['x-cmkguard-type', 'x-cmkguard-noun', 'x-cmkguard-enum', 'x-cmkguard-empty-is-unset', 'x-cmkguard-expects', 'x-cmkguard-reported-by'];

type Node = Record<string, unknown>;
const files = readdirSync(DIR).filter((f) => f.endsWith('.schema.json')).sort();
const load = (f: string): Node => JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Node;

function strictAjv() {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  ajv.addVocabulary(VOCABULARY);
  addFormats(ajv);
  return ajv;
}

/** Every schema node, with its JSON pointer. */
function nodes(node: unknown, at = ''): [string, Node][] {
  if (Array.isArray(node)) return node.flatMap((x, i) => nodes(x, `${at}/${i}`));
  if (!node || typeof node !== 'object') return [];
  const n = node as Node;
  return [[at, n], ...Object.entries(n).flatMap(([k, v]) => (k === 'x-cmkguard-enum' || k === 'enum' || k === 'required' ? [] : nodes(v, `${at}/${k}`)))];
}

describe('schemas/resources', () => {
  it('holds one schema per modelled type, as listed in src/generated/index.ts', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
    expect(Object.values(RESOURCE_SCHEMA_FILES).sort()).toEqual(files);
    const types = files.map((f) => load(f)['x-cmkguard-type']);
    expect(new Set(types).size).toBe(types.length);
    expect(types.sort()).toEqual(
      [
        'Microsoft.Authorization/roleAssignments',
        'Microsoft.ContainerRegistry/registries',
        'Microsoft.ContainerRegistry/registries/replications',
        'Microsoft.Insights/diagnosticSettings',
        'Microsoft.KeyVault/vaults',
        'Microsoft.KeyVault/vaults/accessPolicies',
        'Microsoft.KeyVault/vaults/keys',
        'Microsoft.ManagedIdentity/userAssignedIdentities',
      ].sort(),
    );
  });

  describe.each(files)('%s', (file) => {
    const schema = load(file);

    it('is a draft-07 schema with $id, title, x-cmkguard-type and x-cmkguard-noun, named after its type', () => {
      expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
      expect(schema['$id']).toBe(`https://github.com/cmkguard/cmkguard/schemas/resources/${file}`);
      expect(typeof schema['title']).toBe('string');
      expect(typeof schema['x-cmkguard-noun']).toBe('string');
      const type = schema['x-cmkguard-type'] as string;
      expect(type).toMatch(/^Microsoft\.[A-Za-z]+\/[A-Za-z]+(\/[A-Za-z]+)*$/);
      expect(file).toBe(`${type.replace(/^Microsoft\./, '').toLowerCase().replace(/\//g, '-')}.schema.json`);
      expect(schema['type']).toBe('object');
    });

    it('compiles in Ajv strict mode (no misspelled keywords)', () => {
      expect(() => strictAjv().compile(schema)).not.toThrow();
    });

    it('is permissive: no object forbids additional properties', () => {
      for (const [at, n] of nodes(schema)) expect(n['additionalProperties'], at).not.toBe(false);
    });

    it('writes case-insensitive enums as a pattern that accepts exactly the x-cmkguard-enum values in any case', () => {
      for (const [at, n] of nodes(schema)) {
        const values = n['x-cmkguard-enum'];
        if (values === undefined) continue;
        expect(Array.isArray(values), at).toBe(true);
        expect(n['type'], at).toBe('string');
        expect(n['enum'], `${at}: use a pattern, enum is case-sensitive`).toBeUndefined();
        const re = new RegExp(n['pattern'] as string);
        for (const v of values as string[]) {
          for (const variant of [v, v.toLowerCase(), v.toUpperCase()]) expect(re.test(variant), `${at}: ${variant}`).toBe(true);
          expect(re.test(`${v}x`), `${at}: ${v}x`).toBe(false);
          expect(re.test(v.slice(1)), `${at}: ${v.slice(1)}`).toBe(false);
        }
        // '' passes only where the schema says it stands for "not set" (x-cmkguard-empty-is-unset).
        expect(re.test(''), at).toBe(n['x-cmkguard-empty-is-unset'] === true);
      }
    });

    it('hands properties only to rules that exist (x-cmkguard-reported-by)', () => {
      const ids = new Set(rules.map((r) => r.meta.id));
      for (const [at, n] of nodes(schema)) if (n['x-cmkguard-reported-by'] !== undefined) expect(ids.has(n['x-cmkguard-reported-by'] as string), at).toBe(true);
    });
  });

  it('describes an access policy entry the same way in vaults and vaults/accessPolicies', () => {
    const vault = load('keyvault-vaults.schema.json') as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const child = load('keyvault-vaults-accesspolicies.schema.json') as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(child.properties.properties.properties.accessPolicies.items).toEqual(vault.properties.properties.properties.accessPolicies.items);
  });

  it('accepts ARM-lenient booleans and integers, and rejects other strings', () => {
    const validate = strictAjv().compile(load('keyvault-vaults-keys.schema.json'));
    expect(validate({ properties: { keySize: '3072', attributes: { enabled: 'TRUE', exp: 1767225600 } } })).toBe(true);
    expect(validate({ properties: { keySize: '3k' } })).toBe(false);
    expect(validate({ properties: { attributes: { enabled: 'yes' } } })).toBe(false);
  });
});

describe('schemas/rule-metadata.schema.json', () => {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas/rule-metadata.schema.json'), 'utf8')) as Node;

  it('compiles in Ajv strict mode', () => {
    expect(() => strictAjv().compile(schema)).not.toThrow();
  });

  it('takes a security severity in (0, 10] only', () => {
    const re = new RegExp((schema['properties'] as any).securitySeverity.pattern as string); // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const ok of ['0.1', '1', '5.5', '7.0', '9.99', '10', '10.0']) expect(re.test(ok), ok).toBe(true);
    for (const bad of ['0', '0.0', '-1', '10.5', '11', 'high', '', '5.', '.5', '05']) expect(re.test(bad), bad).toBe(false);
  });
});
