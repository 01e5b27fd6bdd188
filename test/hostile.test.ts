/** Hostile and broken input: each becomes a finding on its file, in bounded time, and the other files are still reported. */
import { describe, expect, it } from 'vitest';
import { only, scanFiles, TEMPLATE_SCHEMA } from './helpers/scan.js';
import { cmkStack, findResource, REGISTRY, text } from './rules/stack.js';

function violating() {
  const t = cmkStack();
  findResource(t, REGISTRY)['sku']['name'] = 'Standard';
  return text(t);
}

async function scanWithNeighbour(name: string, content: string) {
  const started = Date.now();
  const { result } = await scanFiles({ [name]: content, 'z-neighbour.json': violating() });
  const elapsed = Date.now() - started;
  expect(result.internalErrors).toEqual([]);
  expect(only(result.findings, 'ACR002').map((f) => f.uri)).toEqual(['z-neighbour.json']);
  expect(elapsed).toBeLessThan(20_000);
  return result.findings.filter((f) => f.uri === name);
}

describe('hostile templates', () => {
  it('stops a variable chain that doubles a string 60 times', async () => {
    const variables: Record<string, string> = { v0: 'xx' };
    for (let i = 1; i <= 60; i++) variables[`v${i}`] = `[concat(variables('v${i - 1}'), variables('v${i - 1}'))]`;
    const t = { $schema: TEMPLATE_SCHEMA, variables, outputs: { o: { type: 'string', value: "[variables('v60')]" } } };
    const findings = await scanWithNeighbour('double.json', JSON.stringify(t));
    expect(findings.map((f) => f.ruleId)).toContain('TPL002');
    expect(findings.some((f) => /longer than/.test(f.message))).toBe(true);
  });

  it('stops values that hold the same part twice at every level (2^40 elements expanded), in variables and in a reduce', async () => {
    const variables: Record<string, unknown> = { v0: { leaf: 'x' } };
    for (let i = 1; i <= 40; i++) variables[`v${i}`] = { l: `[variables('v${i - 1}')]`, r: `[variables('v${i - 1}')]` };
    const t = cmkStack();
    t['variables'] = { ...t['variables'], ...variables };
    findResource(t, REGISTRY)['tags'] = "[variables('v40')]";
    t['outputs'] = {
      asText: { type: 'string', value: "[string(variables('v40'))]" },
      same: { type: 'bool', value: "[equals(variables('v40'), variables('v39'))]" },
      folded: { type: 'string', value: "[string(reduce(range(0, 60), createObject(), lambda('acc', 'i', createObject('l', lambdaVariables('acc'), 'r', lambdaVariables('acc')))))]" },
    };
    const findings = await scanWithNeighbour('dag.json', text(t));
    expect(findings.filter((f) => f.ruleId === 'TPL002').length).toBeGreaterThan(0);
    expect(findings.some((f) => /a computed value has more than 1000000 elements/.test(f.message))).toBe(true);
  });

  it('stops a template that computes too much in all (a map of 10,000 ranges of 10,000)', async () => {
    const t = { $schema: TEMPLATE_SCHEMA, variables: { big: "[map(range(0, 10000), lambda('a', range(0, 10000)))]" }, outputs: { n: { type: 'int', value: "[length(variables('big'))]" } } };
    const findings = await scanWithNeighbour('mapmap.json', JSON.stringify(t));
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/computes more than 5000000 array elements and object members in all/)]);
  });

  it('reports a template with thousands of failing registries in every format, and explains each chain', async () => {
    const registries = Array.from({ length: 3000 }, (_, i) => ({
      type: REGISTRY,
      apiVersion: '2023-07-01',
      name: `acr${i}`,
      location: 'westeurope',
      sku: { name: 'Standard' },
      properties: { adminUserEnabled: true, encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: 'https://kv1.vault.azure.net/keys/k', identity: '00000000-0000-0000-0000-000000000001' } } },
    }));
    const { writeTree } = await import('./helpers/scan.js');
    const { scan } = await import('../src/scan.js');
    const { rules } = await import('../rules/index.js');
    const { formatText } = await import('../src/report/text.js');
    const { formatMarkdown } = await import('../src/report/markdown.js');
    const dir = writeTree({ 'many.json': { $schema: TEMPLATE_SCHEMA, contentVersion: '1.0.0.0', resources: registries } });
    const started = Date.now();
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules, chains: true });
    expect(only(result.findings, 'ACR002')).toHaveLength(3000);
    expect(result.chains).toHaveLength(3000);
    expect(result.chains!.every((c) => c.links.find((l) => l.role === 'registry')!.verdicts.some((v) => v.ruleId === 'ACR002'))).toBe(true);
    expect(formatText(result, { color: false }).split('\n').filter((l) => l.endsWith('ACR012')).length).toBe(3000);
    expect(formatMarkdown(result).split('\n').filter((l) => l.startsWith('| ') && l.includes('ACR012')).length).toBe(3000);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('reports values nested deeper than the evaluator follows', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const t = `{"$schema":"${TEMPLATE_SCHEMA}","resources":[{"type":"Microsoft.Storage/storageAccounts","apiVersion":"2023-01-01","name":"s","properties":${deep}}]}`;
    const findings = await scanWithNeighbour('deep.json', t);
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/nests deeper than 256 levels/)]);
  });

  it('survives 100,000 levels of JSON nesting', async () => {
    const t = `{"$schema":"${TEMPLATE_SCHEMA}","variables":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}},"outputs":{"o":{"type":"array","value":"[variables('x')]"}}}`;
    const findings = await scanWithNeighbour('very-deep.json', t);
    expect(findings.every((f) => f.ruleId === 'TPL002' || f.ruleId === 'TPL001')).toBe(true);
  });

  it('caps copy counts at ARM\'s limit of 800', async () => {
    const t = { $schema: TEMPLATE_SCHEMA, resources: [{ type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: "[format('s{0}', copyIndex())]", copy: { name: 'l', count: 100000000 } }] };
    const findings = await scanWithNeighbour('copies.json', JSON.stringify(t));
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/copy count 100000000 exceeds the limit of 800/)]);
  });

  it('keeps __proto__ and constructor keys as plain data', async () => {
    const t = `{"$schema":"${TEMPLATE_SCHEMA}","parameters":{"__proto__":{"type":"object","defaultValue":{"polluted":true}}},"variables":{"constructor":"[parameters('__proto__')]"},"outputs":{"o":{"type":"object","value":"[variables('constructor')]"}}}`;
    await scanWithNeighbour('proto.json', t);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('reports invalid UTF-8 and NUL bytes in a template instead of crashing', async () => {
    const bad = `{"$schema":"${TEMPLATE_SCHEMA}","resources":[]}`.replace('"resources"', '"res\u0000ources"');
    const findings = await scanWithNeighbour('nul.json', bad);
    expect(findings.length).toBeLessThanOrEqual(1);
  });
});

describe('hostile JSON with comments', () => {
  it('reports 100,000 levels of nesting in a JSONC file as TPL001 instead of overflowing the stack', async () => {
    const t = `// deep\n{"$schema":"${TEMPLATE_SCHEMA}","variables":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    const { result } = await scanFiles({ 'deep.jsonc': t, 'z-neighbour.json': violating() });
    expect(result.internalErrors).toEqual([]);
    expect(only(result.findings, 'TPL001').map((f) => f.message)).toEqual([expect.stringMatching(/nests too deeply/)]);
    expect(only(result.findings, 'ACR002').map((f) => f.uri)).toEqual(['z-neighbour.json']);
  });
});

describe('links in the scanned folder', () => {
  it('does not follow a directory link loop, nor a file link that leads outside the scan root', async () => {
    const { symlinkSync, mkdirSync, writeFileSync } = await import('node:fs');
    const path = (await import('node:path')).default;
    const { writeTree } = await import('./helpers/scan.js');
    const outside = writeTree({ 'secret.json': violating() });
    const dir = writeTree({ 'inside/ok.json': violating() });
    mkdirSync(path.join(dir, 'inside/sub'), { recursive: true });
    symlinkSync(path.join(dir, 'inside'), path.join(dir, 'inside/sub/loop'));
    symlinkSync(path.join(outside, 'secret.json'), path.join(dir, 'inside/escape.json'));
    symlinkSync(path.join(dir, 'inside/ok.json'), path.join(dir, 'inside/alias.json'));
    writeFileSync(path.join(dir, 'inside/readme.txt'), 'x');
    const { scan } = await import('../src/scan.js');
    const { rules } = await import('../rules/index.js');
    const started = Date.now();
    const result = await scan({ paths: ['inside'], cwd: dir, repoRoot: dir, rules });
    expect(Date.now() - started).toBeLessThan(20_000);
    // Discovery does not follow links at all: no loop, nothing outside the root, no file read twice.
    expect(result.files.map((f) => f.uri)).toEqual(['inside/ok.json']);
    expect(result.findings.every((f) => f.uri === 'inside/ok.json')).toBe(true);
  });
});

describe('no network', () => {
  it('never opens a connection, even for remote linked templates', async () => {
    const net = await import('node:net');
    const http = await import('node:http');
    const https = await import('node:https');
    const calls: string[] = [];
    const saved = { connect: net.Socket.prototype.connect, httpRequest: http.request, httpsRequest: https.request, fetch: globalThis.fetch };
    net.Socket.prototype.connect = function (...args: unknown[]) {
      calls.push(`connect ${JSON.stringify(args[0])}`);
      throw new Error('network used');
    } as typeof net.Socket.prototype.connect;
    globalThis.fetch = (async (input: unknown) => {
      calls.push(`fetch ${String(input)}`);
      throw new Error('network used');
    }) as typeof fetch;
    try {
      const linked = { $schema: TEMPLATE_SCHEMA, resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'remote', properties: { mode: 'Incremental', templateLink: { uri: 'https://example.com/t.json' } } }] };
      const findings = await scanWithNeighbour('remote.json', JSON.stringify(linked));
      expect(findings.map((f) => f.ruleId)).toEqual(['TPL004']);
    } finally {
      net.Socket.prototype.connect = saved.connect;
      globalThis.fetch = saved.fetch;
    }
    expect(calls).toEqual([]);
  });

  it('bounds the nested deployments of a template that deploys itself three times (3^10 without a budget)', async () => {
    const deploy = (k: number) => ({ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: `d${k}`, properties: { mode: 'Incremental', templateLink: { relativePath: 'fan.json' } } });
    const t = { $schema: TEMPLATE_SCHEMA, contentVersion: '1.0.0.0', resources: [deploy(0), deploy(1), deploy(2)] };
    const findings = await scanWithNeighbour('fan.json', JSON.stringify(t, null, 2));
    expect(findings.map((f) => f.message).filter((m) => m === 'the template runs more than 2000 nested deployments; the rest are not evaluated.')).toHaveLength(1);
  });

  it('bounds inline nested deployments in copy loops, and honours a configured deployment budget', async () => {
    const { evaluateTemplate } = await import('../src/eval/template.js');
    // 800 deployments, each with 800 deployments, each with 800: half a billion without a budget.
    let inner: Record<string, unknown> = { $schema: TEMPLATE_SCHEMA, resources: [] };
    for (let level = 0; level < 3; level++) {
      inner = { $schema: TEMPLATE_SCHEMA, resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: "[concat('d', copyIndex())]", copy: { name: 'c', count: 800 }, properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, template: inner } }] };
    }
    const run = evaluateTemplate({ file: '/x.json', json: inner, maxDeployments: 100 });
    expect(run.diagnostics.map((d) => d.message).filter((m) => m === 'the template runs more than 100 nested deployments; the rest are not evaluated')).toHaveLength(1);
    // Only templates of deployments that ran are expanded: at most 101 templates of 800 resources each.
    expect(run.resources.filter((r) => r.type === 'Microsoft.Resources/deployments').length).toBeLessThanOrEqual(101 * 800);
  });

  it('honours a configured expression nesting budget', async () => {
    const { evaluateTemplate } = await import('../src/eval/template.js');
    const { Budget } = await import('../src/eval/expression.js');
    const nested = `[${'concat('.repeat(20)}'x'${')'.repeat(20)}]`;
    const json = { $schema: TEMPLATE_SCHEMA, outputs: { o: { type: 'string', value: nested } } };
    expect(evaluateTemplate({ file: '/x.json', json }).diagnostics).toEqual([]);
    const limited = evaluateTemplate({ file: '/x.json', json, budget: new Budget(undefined, undefined, undefined, 10) });
    expect(limited.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/nests deeper than 10 levels/)]);
  });
});
