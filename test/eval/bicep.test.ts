/** Shapes the current Bicep compiler emits (languageVersion 2.0), written by hand as Bicep writes them. */
import { describe, expect, it } from 'vitest';
import { Unknown } from '../../src/eval/value.js';
import { byName, output, run, tpl } from './helpers.js';

const SUB = '87d64d6d-6d17-4ad7-b507-16d9bc498781';

describe('Bicep extension resources', () => {
  const template = tpl({
    languageVersion: '2.0',
    imports: { k8s: { provider: 'Kubernetes', version: '1.0.0', config: { namespace: 'default' } } },
    extensions: { graphV1: { name: 'MicrosoftGraph', version: '1.0.0' }, k8sNew: { name: 'Kubernetes', version: '1.0.0' } },
    resources: {
      // Older compilers: `import` and type@version; newer ones: `extension`, a separate apiVersion, no name.
      ns: { import: 'k8s', type: 'core/Namespace@v1', properties: { metadata: { name: 'apps' } } },
      ns2: { extension: 'k8sNew', type: 'core/Namespace', apiVersion: 'v1', properties: { metadata: { name: 'apps2' } } },
      app: { extension: 'graphV1', type: 'Microsoft.Graph/applications', apiVersion: 'v1.0', properties: { uniqueName: 'app', displayName: 'App' } },
      sp: { extension: 'graphV1', type: 'Microsoft.Graph/servicePrincipals', apiVersion: 'v1.0', properties: { appId: "[reference('app').appId]" }, dependsOn: ['app'] },
      st: { type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: 'st1', dependsOn: ['ns2', 'sp'] },
    },
    outputs: { appId: { type: 'string', value: "[reference('app').appId]" } },
  });

  it('are not ARM resources without a name: no evaluation error, state unknown at deployment', () => {
    const e = run(template, { context: { subscriptionId: SUB, resourceGroup: 'rg' } });
    expect(e.diagnostics).toEqual([]);
    const sp = e.resources.find((r) => r.symbolicName === 'sp')!;
    expect(sp.type).toBe('Microsoft.Graph/servicePrincipals');
    expect(sp.apiVersion).toBe('v1.0');
    expect(output(e, 'appId')).toBeInstanceOf(Unknown);
    expect(byName(e, 'st1').dependsOn).toHaveLength(2);
  });

  it('still report an ARM resource without a name', () => {
    const e = run(tpl({ languageVersion: '2.0', resources: { st: { type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01' } } }));
    expect(e.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining("the resource has no 'name'")]);
  });
});

describe('module scope forms', () => {
  const SUB_SCHEMA = 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#';
  const module = (extra: Record<string, unknown>, template: Record<string, unknown>) => ({
    type: 'Microsoft.Resources/deployments',
    apiVersion: '2022-09-01',
    ...extra,
    properties: { expressionEvaluationOptions: { scope: 'inner' }, mode: 'Incremental', template: { languageVersion: '2.0', contentVersion: '1.0.0.0', ...template } },
  });

  it('deploys `scope: subscription()` from a resource group template to the subscription', () => {
    const e = run(
      tpl({
        languageVersion: '2.0',
        resources: {
          // Bicep: module sub 'sub.bicep' = { scope: subscription(), ... } in a resource group template.
          sub: module(
            { name: 'sub', subscriptionId: '[subscription().subscriptionId]', location: '[resourceGroup().location]' },
            {
              $schema: SUB_SCHEMA,
              resources: {
                rg: { type: 'Microsoft.Resources/resourceGroups', apiVersion: '2022-09-01', name: 'rg2', location: 'westeurope' },
                kvMod: module(
                  { name: 'kv', resourceGroup: 'rg2', dependsOn: ['rg'] },
                  { resources: { kv: { type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: 'kv1', location: "[resourceGroup().location]" } } },
                ),
              },
              outputs: { rgId: { type: 'string', value: "[resourceId('Microsoft.Resources/resourceGroups', 'rg2')]" } },
            },
          ),
        },
        outputs: { rgId: { type: 'string', value: "[reference('sub').outputs.rgId.value]" } },
      }),
      { context: { subscriptionId: SUB, resourceGroup: 'main', location: 'northeurope' } },
    );
    expect(e.diagnostics).toEqual([]);
    expect(byName(e, 'rg2').id).toBe(`/subscriptions/${SUB}/resourceGroups/rg2`);
    expect(byName(e, 'kv1').id).toBe(`/subscriptions/${SUB}/resourceGroups/rg2/providers/Microsoft.KeyVault/vaults/kv1`);
    expect(output(e, 'rgId')).toBe(`/subscriptions/${SUB}/resourceGroups/rg2`);
  });

  it('reports resourceGroup() inside a subscription-scoped module, as ARM does', () => {
    const e = run(
      tpl({
        languageVersion: '2.0',
        resources: {
          sub: module({ name: 'sub', subscriptionId: SUB, location: 'westeurope' }, { $schema: SUB_SCHEMA, resources: {}, outputs: { rg: { type: 'string', value: '[resourceGroup().name]' } } }),
        },
      }),
      { context: { subscriptionId: SUB, resourceGroup: 'main' } },
    );
    expect(e.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/^resourceGroup\(\) is not available in a subscription deployment/)]);
  });

  it('deploys `scope: tenant()` to the tenant', () => {
    const e = run(
      tpl({
        languageVersion: '2.0',
        resources: {
          t: module({ name: 't', scope: '/', location: 'westeurope' }, { $schema: 'https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#', resources: {}, outputs: { id: { type: 'string', value: "[resourceId('Microsoft.Management/managementGroups', 'mg1')]" } } }),
        },
        outputs: { id: { type: 'string', value: "[reference('t').outputs.id.value]" } },
      }),
      { context: { subscriptionId: SUB, resourceGroup: 'main' } },
    );
    expect(output(e, 'id')).toBe('/providers/Microsoft.Management/managementGroups/mg1');
  });
});

describe('module collections', () => {
  it('give their outputs through references(), as reference() does for one instance', () => {
    const e = run(
      tpl({
        languageVersion: '2.0',
        parameters: { names: { type: 'array', defaultValue: ['a', 'b', 'c'] } },
        resources: {
          mods: {
            copy: { name: 'mods', count: "[length(parameters('names'))]" },
            condition: "[not(equals(parameters('names')[copyIndex()], 'b'))]",
            type: 'Microsoft.Resources/deployments',
            apiVersion: '2022-09-01',
            name: "[format('mod-{0}', parameters('names')[copyIndex()])]",
            properties: {
              expressionEvaluationOptions: { scope: 'inner' },
              mode: 'Incremental',
              parameters: { n: { value: "[parameters('names')[copyIndex()]]" } },
              template: { languageVersion: '2.0', contentVersion: '1.0.0.0', parameters: { n: { type: 'string' } }, resources: {}, outputs: { v: { type: 'string', value: "[format('val-{0}', parameters('n'))]" } } },
            },
          },
        },
        outputs: {
          one: { type: 'string', value: "[reference(format('mods[{0}]', 2)).outputs.v.value]" },
          all: { type: 'array', value: "[map(references('mods'), lambda('m', lambdaVariables('m').outputs.v.value))]" },
          full: { type: 'array', value: "[map(references('mods', 'full'), lambda('m', lambdaVariables('m').properties.outputs.v.value))]" },
          state: { type: 'array', value: "[map(references('mods'), lambda('m', lambdaVariables('m').provisioningState))]" },
        },
      }),
    );
    expect(e.diagnostics).toEqual([]);
    expect(output(e, 'one')).toBe('val-c');
    // Condition-false instances are left out (arm-evaluator.md §2.8).
    expect(output(e, 'all')).toEqual(['val-a', 'val-c']);
    expect(output(e, 'full')).toEqual(['val-a', 'val-c']);
    // Runtime properties other than the outputs stay unknown.
    const state = output(e, 'state') as unknown[];
    expect(state).toHaveLength(2);
    for (const s of state) expect(s).toBeInstanceOf(Unknown);
  });
});

describe('list*() on symbolic names', () => {
  it('remembers the resource the symbolic name stands for', () => {
    const e = run(
      tpl({
        languageVersion: '2.0',
        resources: {
          stg: { type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: 'st1' },
          loop: { copy: { name: 'loop', count: 2 }, type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: "[format('lp{0}', copyIndex())]" },
        },
        outputs: {
          key: { type: 'string', value: "[listKeys('stg', '2023-01-01').keys[0].value]" },
          key1: { type: 'string', value: "[listKeys(format('loop[{0}]', 1), '2023-01-01').keys[0].value]" },
        },
      }),
      { context: { subscriptionId: SUB, resourceGroup: 'rg' } },
    );
    const targetOf = (name: string) => {
      const v = output(e, name) as Unknown;
      expect(v).toBeInstanceOf(Unknown);
      const origin = v.origins[0]!;
      return origin.kind === 'list' ? origin.target : undefined;
    };
    expect(targetOf('key')).toBe(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1`);
    expect(targetOf('key1')).toBe(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/lp1`);
  });
});

describe('deploy-time functions with known arguments', () => {
  it('say which function only the deployment answers', () => {
    const e = run(
      tpl({
        languageVersion: '2.0',
        outputs: {
          who: { type: 'string', value: '[deployer().objectId]' },
          again: { type: 'string', value: '[deployer().objectId]' },
          zones: { type: 'array', value: "[pickZones('Microsoft.Compute', 'virtualMachines', 'westeurope')]" },
        },
      }),
    );
    const who = output(e, 'who') as Unknown;
    expect(who).toBeInstanceOf(Unknown);
    expect(who.origins).toEqual([{ kind: 'runtime', name: 'deployer' }]);
    // One deployment has one deployer: the same expression is the same value.
    expect(who.key).toBe((output(e, 'again') as Unknown).key);
    expect((output(e, 'zones') as Unknown).origins).toEqual([{ kind: 'runtime', name: 'pickZones' }]);
  });
});

describe('compiled .bicepparam files', () => {
  const template = tpl({
    languageVersion: '2.0',
    parameters: { sku: { type: 'string' }, prefix: { type: 'string' } },
    resources: {},
    outputs: { sku: { type: 'string', value: "[parameters('sku')]" }, name: { type: 'string', value: "[parameters('prefix')]" } },
  });

  it('give a value written as an expression (externalInput()), known as far as the expression is', () => {
    const e = run(template, {
      params: {
        sku: { expression: "[externalInputs('sku_0')]" },
        prefix: { expression: "[format('acr-{0}', toLower('PROD'))]" },
      },
    });
    // The parameters have values: no TPL003 "has no value".
    expect(e.diagnostics).toEqual([]);
    const sku = output(e, 'sku') as Unknown;
    expect(sku).toBeInstanceOf(Unknown);
    expect(sku.origins).toEqual([{ kind: 'runtime', name: 'externalInputs' }]);
    expect(output(e, 'name')).toBe('acr-prod');
  });

  it('report an expression that fails at the parameter file', () => {
    const e = run(template, { params: { sku: { expression: "[substring('ab', 5)]" }, prefix: { value: 'p' } } });
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0]).toMatchObject({ ruleId: 'TPL002', file: '/virtual/main.parameters.json', path: ['parameters', 'sku', 'expression'] });
  });
});

describe('full runtime state of template resources', () => {
  it('knows the id and type a resource collection maps to (references(coll, full)), not the rest', () => {
    const e = run(
      tpl({
        languageVersion: '2.0',
        resources: {
          uais: { copy: { name: 'uais', count: 2 }, type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: "[format('id{0}', copyIndex())]" },
        },
        outputs: {
          // Bicep: toObject(uais, u => u.id, u => {}) for identity.userAssignedIdentities.
          attached: { type: 'object', value: "[toObject(references('uais', 'full'), lambda('u', lambdaVariables('u').id), lambda('u', createObject()))]" },
          type: { type: 'string', value: "[reference(format('uais[{0}]', 1), '2023-01-31', 'full').type]" },
          location: { type: 'string', value: "[reference(format('uais[{0}]', 1), '2023-01-31', 'full').location]" },
        },
      }),
      { context: { subscriptionId: SUB, resourceGroup: 'rg' } },
    );
    expect(e.diagnostics).toEqual([]);
    const id = (n: number) => `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id${n}`;
    expect(Object.keys(output(e, 'attached') as object)).toEqual([id(0), id(1)]);
    expect(output(e, 'type')).toBe('Microsoft.ManagedIdentity/userAssignedIdentities');
    expect(output(e, 'location')).toBeInstanceOf(Unknown);
  });
});

describe('references() of a collection whose condition is unknown', () => {
  it('is unknown, since which instances exist is decided at deployment', () => {
    const e = run(
      tpl({
        languageVersion: '2.0',
        parameters: { flags: { type: 'array' } },
        resources: {
          uais: { copy: { name: 'uais', count: 2 }, condition: "[parameters('flags')[copyIndex()]]", type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: "[format('id{0}', copyIndex())]" },
        },
        outputs: { n: { type: 'int', value: "[length(references('uais', 'full'))]" } },
      }),
    );
    expect(output(e, 'n')).toBeInstanceOf(Unknown);
    const known = run(
      tpl({
        languageVersion: '2.0',
        parameters: { flags: { type: 'array', defaultValue: [true, false] } },
        resources: {
          uais: { copy: { name: 'uais', count: 2 }, condition: "[parameters('flags')[copyIndex()]]", type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: "[format('id{0}', copyIndex())]" },
        },
        outputs: { n: { type: 'int', value: "[length(references('uais', 'full'))]" } },
      }),
    );
    expect(output(known, 'n')).toBe(1);
  });
});
