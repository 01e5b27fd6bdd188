/**
 * Values that only stand for "fill me in" ('' or null defaults, nullable parameters without value, empty values
 * in parameter files): an expression that fails on them asks for a value (TPL003) instead of calling the
 * template broken (TPL002). Also: what ARM never evaluates stays quiet, and deployment references know only
 * their outputs.
 */
import { describe, expect, it } from 'vitest';
import { PartialString, Unknown } from '../../src/eval/value.js';
import { byName, output, run, tpl } from './helpers.js';

const VNET_ID = "[split(parameters('hubVnetId'), '/')[2]]";

function rules(e: ReturnType<typeof run>): string[] {
  return e.diagnostics.map((d) => d.ruleId);
}

describe('placeholder parameter values', () => {
  it("asks for a value when an expression fails on an empty default, and keeps the result unknown", () => {
    const e = run(tpl({ parameters: { hubVnetId: { type: 'string', defaultValue: '' } }, outputs: { sub: { type: 'string', value: VNET_ID } } }));
    expect(rules(e)).toEqual(['TPL003']);
    expect(e.diagnostics[0]!.message).toContain("'hubVnetId' (its default is \"\")");
    expect(e.diagnostics[0]!.message).toContain('index 2 is out of range');
    expect(e.diagnostics[0]!.path).toEqual(['outputs', 'sub', 'value']);
    expect(output(e, 'sub')).toBeInstanceOf(Unknown);
  });

  it('asks for a value when a placeholder leaves a resource name or name segment empty, and keeps the name unknown', () => {
    const t = tpl({
      parameters: { registryName: { type: 'string', defaultValue: '' }, workspace: { type: 'string', defaultValue: '' } },
      resources: [
        { type: 'Microsoft.ContainerRegistry/registries', apiVersion: '2023-07-01', name: "[concat('acr', parameters('registryName'))]", location: 'westeurope', properties: {} },
        { type: 'Microsoft.ContainerRegistry/registries', apiVersion: '2023-07-01', name: "[parameters('registryName')]", location: 'westeurope', properties: {} },
        { type: 'Microsoft.OperationalInsights/workspaces/views', apiVersion: '2015-11-01-preview', name: "[concat(parameters('workspace'), '/backup')]", properties: {} },
        { type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: '', location: 'westeurope', properties: {} },
      ],
    });
    const e = run(t);
    // 'acr' + '' is a real name; '' and '/backup' are not. A literal empty name is no placeholder's fault.
    expect(e.diagnostics.map((d) => [d.ruleId, d.path.join('/'), /^parameter '(\w+)' \((.*?)\)/.exec(d.message)?.slice(1)])).toEqual([
      ['TPL003', 'resources/1/name', ['registryName', 'its default is ""']],
      ['TPL003', 'resources/2/name', ['workspace', 'its default is ""']],
    ]);
    expect(e.diagnostics[0]!.message).toContain("the resource name would be '', and ARM rejects an empty name or name segment");
    expect(e.resources.map((r) => (typeof r.name === 'string' ? r.name : r.name instanceof Unknown ? 'unknown' : r.name instanceof PartialString ? `${r.name.prefix}…${r.name.suffix}` : typeof r.name))).toEqual([
      'acr',
      'unknown',
      '…/backup',
      '',
    ]);
    // With a real value nothing is reported and the name is that value.
    const given = run(t, { params: { registryName: { value: 'contoso' }, workspace: { value: 'ws' } } });
    expect(given.diagnostics).toEqual([]);
    expect(given.resources.map((r) => r.name)).toEqual(['acrcontoso', 'contoso', 'ws/backup', '']);
  });

  it('evaluates normally once a real value is given', () => {
    const t = tpl({ parameters: { hubVnetId: { type: 'string', defaultValue: '' } }, outputs: { sub: { type: 'string', value: VNET_ID } } });
    const e = run(t, { params: { hubVnetId: { value: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub' } } });
    expect(e.diagnostics).toEqual([]);
    expect(output(e, 'sub')).toBe('s1');
  });

  it('names an empty value from the parameter file, and null, [] and {} defaults', () => {
    const t = tpl({
      parameters: { a: { type: 'string' }, b: { type: 'object', defaultValue: null }, c: { type: 'array', defaultValue: [] }, d: { type: 'object', defaultValue: {} } },
      outputs: {
        a: { type: 'string', value: "[split(parameters('a'), '/')[2]]" },
        b: { type: 'string', value: "[parameters('b').name]" },
        c: { type: 'string', value: "[parameters('c')[0]]" },
        d: { type: 'string', value: "[parameters('d').name]" },
      },
    });
    const e = run(t, { params: { a: { value: '' } } });
    expect(rules(e)).toEqual(['TPL003', 'TPL003', 'TPL003', 'TPL003']);
    expect(e.diagnostics.map((d) => /\((.*?)\)/.exec(d.message)![1])).toEqual([
      'the parameter file gives ""',
      'its default is null',
      'its default is []',
      'its default is {}',
    ]);
  });

  it('follows placeholders through variables, also when the variable is read a second time', () => {
    const t = tpl({
      parameters: { hubVnetId: { type: 'string', defaultValue: '' } },
      variables: { parts: "[split(parameters('hubVnetId'), '/')]" },
      outputs: { sub: { type: 'string', value: "[variables('parts')[2]]" }, rg: { type: 'string', value: "[variables('parts')[4]]" } },
    });
    const e = run(t);
    expect(rules(e)).toEqual(['TPL003', 'TPL003']);
    expect(e.diagnostics.every((d) => d.message.includes("'hubVnetId'"))).toBe(true);
  });

  it('treats a nullable parameter without value as a placeholder', () => {
    const t = tpl({ parameters: { peId: { type: 'string', nullable: true } }, outputs: { o: { type: 'string', value: "[split(parameters('peId'), '/')[2]]" } } });
    const e = run(t);
    expect(rules(e)).toEqual(['TPL003']);
    expect(e.diagnostics[0]!.message).toContain('nullable, and no value is given');
  });

  it('still reports TPL002 when the expression is broken whatever the value', () => {
    const t = tpl({
      parameters: { p: { type: 'string', defaultValue: '' } },
      outputs: { o: { type: 'string', value: "[concat(split(parameters('p'), '/')[2], variables('missing'))]" } },
    });
    const e = run(t);
    expect(rules(e)).toEqual(['TPL002']);
  });

  it('keeps nothing from the trial evaluation: a variable first computed there is computed again for real', () => {
    const t = tpl({
      parameters: { p: { type: 'string', defaultValue: '' } },
      variables: { v: "[concat('x', parameters('p'))]" },
      outputs: {
        first: { type: 'string', value: "[concat(split(parameters('p'), '/')[2], variables('v'))]" },
        later: { type: 'string', value: "[variables('v')]" },
      },
    });
    const e = run(t);
    expect(rules(e)).toEqual(['TPL003']);
    expect(output(e, 'later')).toBe('x');
  });

  it('reports TPL002 for a real default that fails: only empty values are placeholders', () => {
    const t = tpl({ parameters: { p: { type: 'string', defaultValue: 'not-an-id' } }, outputs: { o: { type: 'string', value: "[split(parameters('p'), '/')[2]]" } } });
    expect(rules(run(t))).toEqual(['TPL002']);
  });

  it('asks for a value when a copy count comes from a placeholder', () => {
    const t = tpl({
      parameters: { tags: { type: 'object', defaultValue: '' } },
      resources: [{ type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: "[concat('st', copyIndex())]", copy: { name: 'l', count: "[parameters('tags')]" } }],
    });
    const e = run(t);
    expect(rules(e)).toEqual(['TPL003']);
    expect(e.diagnostics[0]!.message).toContain('copy count must be a non-negative integer');
  });

  it('treats null from a parameter file as no value for a parameter that needs one', () => {
    const t = tpl({ parameters: { pw: { type: 'securestring' } }, outputs: { o: { type: 'string', value: "[base64(parameters('pw'))]" } } });
    const e = run(t, { params: { pw: { value: null } } });
    expect(rules(e)).toEqual(['TPL003']);
    expect(e.diagnostics[0]!.message).toContain('the parameter file gives null');
    expect(output(e, 'o')).toBeInstanceOf(Unknown);
  });
});

describe('what ARM does not evaluate', () => {
  it('stays quiet about fields of an existing declaration', () => {
    const t = tpl({
      languageVersion: '2.0',
      parameters: { peId: { type: 'string', nullable: true } },
      resources: {
        pe: {
          existing: true,
          type: 'Microsoft.Network/privateEndpoints',
          apiVersion: '2024-01-01',
          subscriptionId: "[split(parameters('peId'), '/')[2]]",
          resourceGroup: "[split(parameters('peId'), '/')[4]]",
          name: "[last(split(parameters('peId'), '/'))]",
        },
      },
    });
    expect(run(t).diagnostics).toEqual([]);
  });
});

describe('reference() of a deployment', () => {
  const t = tpl({
    resources: [
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'inner',
        properties: {
          mode: 'Incremental',
          expressionEvaluationOptions: { scope: 'inner' },
          template: tpl({ outputs: { id: { type: 'string', value: 'abc' } } }),
        },
      },
    ],
    outputs: {
      fromOutputs: { type: 'string', value: "[reference('inner').outputs.id.value]" },
      state: { type: 'string', value: "[reference('inner').provisioningState]" },
      scope: { type: 'string', value: "[reference('inner', '2022-09-01', 'Full').scope]" },
      safe: { type: 'string', value: "[tryGet(reference('inner'), 'timestamp')]" },
    },
  });

  it('knows the outputs; other properties exist only at deploy time', () => {
    const e = run(t);
    expect(e.diagnostics).toEqual([]);
    expect(output(e, 'fromOutputs')).toBe('abc');
    for (const o of ['state', 'scope', 'safe']) expect(output(e, o)).toBeInstanceOf(Unknown);
  });

  it('still refuses an output the deployment does not have', () => {
    const broken = structuredClone(t) as { outputs: Record<string, unknown> };
    broken.outputs = { o: { type: 'string', value: "[reference('inner').outputs.nope.value]" } };
    expect(rules(run(broken as Record<string, unknown>))).toEqual(['TPL002']);
  });
});

describe('module parameters built by a loop', () => {
  it("passes a parameter whose value is a property copy loop named 'value'", () => {
    const t = tpl({
      variables: { names: ['a', 'b', 'c'] },
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'm',
          properties: {
            mode: 'Incremental',
            expressionEvaluationOptions: { scope: 'inner' },
            parameters: { items: { copy: [{ name: 'value', count: "[length(variables('names'))]", input: "[createObject('n', variables('names')[copyIndex('value')])]" }] } },
            template: tpl({
              parameters: { items: { type: 'array', defaultValue: [] } },
              resources: [{ type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: "[concat('st', parameters('items')[copyIndex()].n)]", copy: { name: 'l', count: "[length(parameters('items'))]" } }],
            }),
          },
        },
      ],
    });
    const e = run(t);
    expect(e.diagnostics).toEqual([]);
    expect(['sta', 'stb', 'stc'].map((n) => byName(e, n).type)).toEqual(Array(3).fill('Microsoft.Storage/storageAccounts'));
  });
});
