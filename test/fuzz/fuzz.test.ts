/**
 * Property-based tests: random expressions and random templates never make an exception escape, and results
 * are deterministic. A quick run belongs to `npm test`; `npm run fuzz` sets FUZZ_RUNS for a long campaign.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateTemplate } from '../../src/eval/template.js';
import { parseExpression } from '../../src/eval/parser.js';
import { TemplateEvalError } from '../../src/eval/functions/types.js';
import { toDisplayJson } from '../../src/eval/value.js';
import { parseJsonText } from '../../src/load.js';
import { PositionIndex } from '../../src/locate.js';
import { scan } from '../../src/scan.js';
import { rules } from '../../rules/index.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 200);
const ROOT = path.resolve(import.meta.dirname, '../..');
const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

const FUNCTIONS = [
  'concat', 'format', 'if', 'equals', 'not', 'and', 'or', 'length', 'empty', 'union', 'createArray', 'createObject', 'split', 'join',
  'toLower', 'toUpper', 'substring', 'replace', 'string', 'int', 'add', 'sub', 'mul', 'div', 'mod', 'range', 'take', 'skip', 'first',
  'last', 'contains', 'indexOf', 'coalesce', 'json', 'base64', 'guid', 'uniqueString', 'resourceId', 'subscription', 'resourceGroup',
  'reference', 'parameters', 'variables', 'copyIndex', 'tryGet', 'items', 'min', 'max', 'padLeft', 'uri', 'dataUri', 'nope', 'listKeys',
  'lenght', 'naming.suffix', 'naming.sufix', 'other.suffix',
];

/** Random expression text built from the real grammar, plus some noise. */
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 6 }).map((s) => `'${s.replace(/'/g, "''")}'`),
    fc.integer({ min: -5, max: 50 }).map(String),
    fc.constantFrom("parameters('p')", "variables('v')", "parameters('missing')", 'newGuid()', "reference('r').x"),
    fc.tuple(fc.constantFrom(...FUNCTIONS), fc.array(tie('e'), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`),
    fc.tuple(tie('e'), fc.constantFrom('.a', '[0]', "['b']", '.length')).map(([e, acc]) => `${e}${acc}`),
  ),
})).e;

/** A deployment of an inline template, in outer (ARM's default) or inner scope. */
function nested(name: string, scope: 'inner' | 'outer', template: object): object {
  return { type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name, properties: { mode: 'Incremental', expressionEvaluationOptions: { scope }, template } };
}

function evaluate(expression: string): unknown {
  const value = `[${expression}]`;
  const leaf = { $schema: SCHEMA, resources: [{ type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: 'n', properties: { x: value } }], outputs: { o: { type: 'object', value } } };
  const result = evaluateTemplate({
    file: '/fuzz/main.json',
    json: {
      $schema: SCHEMA,
      parameters: { p: { type: 'string', defaultValue: 'a/b,c' }, missing: { type: 'object' } },
      variables: { v: [1, 'x', { a: 1 }] },
      functions: [{ namespace: 'naming', members: { suffix: { parameters: [], output: { type: 'string', value: '-x' } } } }],
      resources: [
        { type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: 'r', properties: { x: value } },
        // The same expression two levels down in outer scope (the caller's parameters, variables and functions) and in inner scope.
        nested('outer', 'outer', { $schema: SCHEMA, resources: [nested('outer2', 'outer', leaf)] }),
        nested('inner', 'inner', leaf),
      ],
      outputs: { o: { type: 'object', value } },
    },
  });
  return { outputs: toDisplayJson(result.outputs), diagnostics: result.diagnostics.map((d) => d.message) };
}

describe('fuzzing', () => {
  it('regression: accessors and tryGet with object or array keys (found by the fuzzer)', () => {
    for (const e of ["tryGet('', variables('v'))", "variables('v')[variables('v')]", "reference('r')[variables('v')]"]) {
      const out = evaluate(e) as { diagnostics: string[] };
      expect(out.diagnostics.join('\n')).not.toMatch(/Cannot convert/);
    }
  });

  it('parses random expression text without throwing anything but TemplateEvalError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          parseExpression(`[${text}]`);
        } catch (err) {
          expect(err).toBeInstanceOf(TemplateEvalError);
        }
      }),
      { numRuns: RUNS * 5 },
    );
  });

  it('evaluates random expressions without an escaping exception, deterministically', () => {
    fc.assert(
      fc.property(expr, (e) => {
        expect(JSON.stringify(evaluate(e))).toBe(JSON.stringify(evaluate(e)));
      }),
      { numRuns: RUNS },
    );
  });

  it('evaluates random template shapes without an escaping exception', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(json, json, json, (parameters, variables, resources) => {
        const template = { $schema: SCHEMA, parameters, variables, resources, outputs: { o: { type: 'object', value: "[variables('x')]" } } };
        const run = () => JSON.stringify(toDisplayJson(evaluateTemplate({ file: '/fuzz/t.json', json: template }).outputs));
        expect(run()).toBe(run());
      }),
      { numRuns: RUNS },
    );
  });

  it('scans mutated fixture templates without an internal error', async () => {
    const fixtures = ['fixtures/cmk-registry.json', 'fixtures/bicep/cmk-registry-modules.json', 'fixtures/violations/ACR010-role-assignment-on-access-policy-vault.json'];
    const texts = fixtures.map((f) => readFileSync(path.join(ROOT, f), 'utf8'));
    await fc.assert(
      fc.asyncProperty(fc.nat(texts.length - 1), fc.nat(), fc.integer({ min: 0, max: 8 }), fc.constantFrom('', '[', ']', '{', '}', ',', '"', "'", '(', ')', '[[', 'null', '0', '-1', '"x"', "[concat('a'"), async (which, at, cut, insert) => {
        const text = texts[which]!;
        const pos = at % (text.length + 1);
        const mutated = text.slice(0, pos) + insert + text.slice(pos + cut);
        const dir = mkdtempSync(path.join(tmpdir(), 'cmkguard-fuzz-'));
        writeFileSync(path.join(dir, 'main.json'), mutated);
        const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules });
        expect(result.internalErrors).toEqual([]);
      }),
      { numRuns: Math.max(20, Math.floor(RUNS / 10)) },
    );
  });

  it('never loses an error in a template, whatever links the templates of a scan form (modules, cycles, conditions)', async () => {
    // Templates t0..tn-1, each deploying some others by relativePath under a condition that is true, false or
    // unknown, and each holding an output that always fails. Modules are checked through their callers only:
    // every template's error must still be reported, through a caller or on its own.
    const link = fc.record({ to: fc.nat(5), condition: fc.constantFrom<boolean | string>(true, false, "[parameters('deploy')]") });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(fc.array(link, { maxLength: 3 }), { minLength: 6, maxLength: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), async (n, links, ownParameters) => {
        const dir = mkdtempSync(path.join(tmpdir(), 'cmkguard-fuzz-'));
        for (let i = 0; i < n; i++) {
          const resources = links[i]!.filter((l) => l.to < n).map((l, k) => ({
            condition: l.condition,
            type: 'Microsoft.Resources/deployments',
            apiVersion: '2022-09-01',
            name: `d${k}`,
            properties: { mode: 'Incremental', templateLink: { relativePath: `t${l.to}.json` }, parameters: { deploy: { value: true } } },
          }));
          const template = { $schema: SCHEMA, contentVersion: '1.0.0.0', parameters: { deploy: { type: 'bool' } }, resources, outputs: { o: { type: 'string', value: `[variables('missing${i}')]` } } };
          writeFileSync(path.join(dir, `t${i}.json`), JSON.stringify(template, null, 2));
          if (ownParameters[i]) writeFileSync(path.join(dir, `t${i}.parameters.json`), JSON.stringify({ $schema: SCHEMA.replace('deploymentTemplate', 'deploymentParameters'), parameters: { deploy: { value: false } } }));
        }
        const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules });
        expect(result.internalErrors).toEqual([]);
        for (let i = 0; i < n; i++) {
          expect(result.findings.some((f) => f.ruleId === 'TPL002' && f.uri === `t${i}.json` && f.message.includes(`'missing${i}'`))).toBe(true);
        }
      }),
      { numRuns: Math.max(20, Math.floor(RUNS / 10)) },
    );
  });

  it('parses and locates in mutated JSON text without crashing', () => {
    const base = JSON.stringify({ $schema: SCHEMA, resources: [{ type: 'Microsoft.KeyVault/vaults', name: 'kv', properties: { a: [1, 2, { b: 'c' }] } }] }, null, 2);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: base.length }), fc.integer({ min: 0, max: 5 }), fc.string({ maxLength: 4 }), (at, cut, insert) => {
        const text = base.slice(0, at) + insert + base.slice(at + cut);
        const parsed = parseJsonText(text);
        const region = new PositionIndex(text).locate(['resources', 0, 'properties', 'a', 2, 'b']).region;
        expect(region.startLine).toBeGreaterThanOrEqual(1);
        expect('json' in parsed || 'error' in parsed).toBe(true);
      }),
      { numRuns: RUNS * 5 },
    );
  });
});
