/** Template semantics: the test cases of arm-evaluator.md §6 that concern templates, not single functions. */
import { describe, expect, it } from 'vitest';
import { PartialString, Unknown, isObject, valueKey, type Value } from '../../src/eval/value.js';
import { byName, evalExpr, output, run, tpl } from './helpers.js';

const SUB = '87d64d6d-6d17-4ad7-b507-16d9bc498781';

function str(v: Value): string {
  if (typeof v !== 'string') throw new Error(`expected a string, got ${valueKey(v)}`);
  return v;
}

describe('expression strings (case 1-4)', () => {
  it('treats [[ as an escaped literal and leaves non-expressions alone', () => {
    expect(evalExpr('[[test]').value).toBe('[test]');
    expect(evalExpr('[[]').value).toBe('[]');
    expect(evalExpr('[test').value).toBe('[test');
    expect(evalExpr(" [concat('a')]").value).toBe(" [concat('a')]");
  });

  it("unescapes '' inside string literals", () => {
    expect(evalExpr("[concat('it''s', ' ok')]").value).toBe("it's ok");
  });

  it('looks variables up case-insensitively', () => {
    expect(evalExpr("[VARIABLES('Var1')]", { variables: { var1: 'hello' } }).value).toBe('hello');
  });

  it('evaluates parameter defaults that are expressions, and keeps a missing parameter unknown', () => {
    const params = { a: { type: 'string' }, b: { type: 'string', defaultValue: "[concat(parameters('a'),'-x')]" } };
    const t = tpl({ parameters: params, outputs: { b: { type: 'string', value: "[parameters('b')]" } } });
    expect(output(run(t, { params: { a: { value: 'p' } } }), 'b')).toBe('p-x');
    const missing = run(t);
    const b = output(missing, 'b');
    expect(b).toBeInstanceOf(PartialString);
    expect((b as PartialString).suffix).toBe('-x');
    expect(missing.diagnostics.filter((d) => d.ruleId === 'TPL003').map((d) => d.path)).toEqual([['parameters', 'a']]);
  });

  it('never evaluates values that come from a parameter file', () => {
    const t = tpl({ parameters: { p: { type: 'string' } }, outputs: { o: { type: 'string', value: "[parameters('p')]" } } });
    expect(output(run(t, { params: { p: { value: "[concat('x')]" } } }), 'o')).toBe("[concat('x')]");
  });
});

describe('toLower and toUpper over strings with holes', () => {
  it('map the known text and keep the holes, so names built the usual way stay partly known', () => {
    const name = evalExpr("[toLower(concat('KV-App-', uniqueString(resourceGroup().id)))]").value;
    expect(name).toBeInstanceOf(PartialString);
    expect((name as PartialString).prefix).toBe('kv-app-');
    // uniqueString() is lower case already: lower-casing it again is the same value.
    expect(valueKey(name)).toBe(valueKey(evalExpr("[concat('kv-app-', uniqueString(resourceGroup().id))]").value));
    const upper = evalExpr("[toUpper(concat('kv-', uniqueString(resourceGroup().id), '-x'))]").value as PartialString;
    expect([upper.prefix, upper.suffix]).toEqual(['KV-', '-X']);
    expect(valueKey(upper)).not.toBe(valueKey(evalExpr("[concat('KV-', uniqueString(resourceGroup().id), '-X')]").value));
    // A value unknown as a whole stays unknown, and the same call gives the same value.
    const p = { parameters: { n: { type: 'string' } } };
    const whole = evalExpr("[toLower(parameters('n'))]", p).value;
    expect(whole).toBeInstanceOf(Unknown);
    expect(valueKey(whole)).toBe(valueKey(evalExpr("[toLower(parameters('n'))]", p).value));
    expect(valueKey(whole)).not.toBe(valueKey(evalExpr("[parameters('n')]", p).value));
  });
});

describe('keys of values built from unknowns', () => {
  it('stay bounded when big known values and unknowns nest, and still tell equal values from different ones', () => {
    // A region table indexed by an unknown location, fed through nested calls: spelled out, each level
    // quoted the one below again, and real templates reached megabyte keys.
    const regions = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`region${i}`, { abbreviation: `r${i}`, pair: `region${(i + 1) % 60}`, zones: ['1', '2', '3'] }]));
    let expr = "variables('regions')[parameters('location')].abbreviation";
    for (let i = 0; i < 6; i++) expr = `variables('regions')[toLower(format('{0}-{1}', ${expr}, variables('regions')[concat(parameters('location'), '${i}')].pair))]`;
    const extra = { parameters: { location: { type: 'string' }, other: { type: 'string' } }, variables: { regions } };
    const a = evalExpr(`[${expr}]`, extra).value;
    const b = evalExpr(`[${expr}]`, extra).value;
    const c = evalExpr(`[${expr.replace("parameters('location')", "parameters('other')")}]`, extra).value;
    expect(valueKey(a).length).toBeLessThan(4000);
    expect(valueKey(a)).toBe(valueKey(b));
    expect(valueKey(a)).not.toBe(valueKey(c));
  });
});

describe('resource ids (cases 21-24)', () => {
  const ctx = { subscriptionId: SUB, resourceGroup: 'testRg' };
  it('builds ids from the deployment context', () => {
    expect(evalExpr("[resourceId('My.Rp/parent/child','myParent','myChild')]", {}, ctx).value).toBe(
      `/subscriptions/${SUB}/resourceGroups/testRg/providers/My.Rp/parent/myParent/child/myChild`,
    );
    expect(evalExpr("[tenantResourceId('My.Rp/parent/child','myParent','myChild')]", {}, ctx).value).toBe('/providers/My.Rp/parent/myParent/child/myChild');
    expect(evalExpr("[managementGroupResourceId('mg1','My.Rp/parent/child','myParent','myChild')]", {}, ctx).value).toBe(
      '/providers/Microsoft.Management/managementGroups/mg1/providers/My.Rp/parent/myParent/child/myChild',
    );
    expect(evalExpr("[subscriptionResourceId('Microsoft.Resources/resourceGroups','rg')]", {}, ctx).value).toBe(`/subscriptions/${SUB}/resourceGroups/rg`);
  });

  it('keeps unknown subscription and resource group as holes that still compare equal', () => {
    const a = evalExpr("[resourceId('Microsoft.KeyVault/vaults','kv')]").value;
    const b = evalExpr("[resourceId('Microsoft.KeyVault/vaults', 'kv')]").value;
    expect(a).toBeInstanceOf(PartialString);
    expect((a as PartialString).suffix).toBe('/providers/Microsoft.KeyVault/vaults/kv');
    expect(valueKey(a)).toBe(valueKey(b));
    expect(valueKey(a)).not.toBe(valueKey(evalExpr("[resourceId('Microsoft.KeyVault/vaults','kv2')]").value));
  });

  it('gives an expression property name that holes the subscription back from objectKeys() as that id', () => {
    const t = tpl({
      variables: { ids: { "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id1')]": {} } },
      outputs: {
        first: { type: 'string', value: "[first(objectKeys(variables('ids')))]" },
        same: { type: 'bool', value: "[equals(first(objectKeys(variables('ids'))), resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id1'))]" },
      },
    });
    const e = run(t);
    const first = output(e, 'first');
    expect(first).toBeInstanceOf(PartialString);
    expect((first as PartialString).suffix).toBe('/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1');
    expect(output(e, 'same')).toBe(true);
  });

  it('reports a segment mismatch', () => {
    const r = evalExpr("[resourceId('Microsoft.Network/virtualNetworks/subnets','vnet')]");
    expect(r.value).toBeInstanceOf(Unknown);
    expect(r.diagnostics[0]?.ruleId).toBe('TPL002');
    expect(r.diagnostics[0]?.message).toMatch(/incorrect segment lengths/);
  });

  it('gives classic nested children their full type, name and id', () => {
    const e = run(
      tpl({
        resources: [
          { type: 'Microsoft.DataFactory/factories', apiVersion: '2018-06-01', name: 'df', resources: [{ type: 'datasets', apiVersion: '2018-06-01', name: 'ds' }] },
        ],
      }),
      { context: ctx },
    );
    const child = e.resources[1]!;
    expect(child.type).toBe('Microsoft.DataFactory/factories/datasets');
    expect(child.name).toBe('df/ds');
    expect(child.id).toBe(`/subscriptions/${SUB}/resourceGroups/testRg/providers/Microsoft.DataFactory/factories/df/datasets/ds`);
    expect(child.path).toEqual(['resources', 0, 'resources', 0]);
  });
});

describe('copy loops and conditions (cases 25-29)', () => {
  it('expands resource copies with copyIndex offsets; count 0 gives none', () => {
    const mk = (count: number) =>
      run(tpl({ resources: [{ type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: "[format('st{0}', copyIndex(1))]", copy: { name: 'st', count } }] }));
    expect(mk(3).resources.map((r) => r.name)).toEqual(['st1', 'st2', 'st3']);
    expect(mk(3).resources.map((r) => r.copy?.index)).toEqual([0, 1, 2]);
    expect(mk(0).resources).toEqual([]);
  });

  it('expands property loops, alone and inside a resource loop', () => {
    const e = run(
      tpl({
        resources: [
          {
            type: 'Microsoft.Compute/virtualMachines',
            apiVersion: '2023-03-01',
            name: "[format('vm{0}', copyIndex())]",
            copy: { name: 'vms', count: 2 },
            properties: {
              storageProfile: {
                copy: [{ name: 'dataDisks', count: 3, input: { lun: "[copyIndex('dataDisks')]", vm: '[copyIndex()]' } }],
              },
            },
          },
        ],
      }),
    );
    const vm1 = byName(e, 'vm1');
    const disks = ((vm1.body['properties'] as Record<string, Value>)['storageProfile'] as Record<string, Value>)['dataDisks'] as Record<string, Value>[];
    expect(disks.map((d) => d['lun'])).toEqual([0, 1, 2]);
    expect(disks.map((d) => d['vm'])).toEqual([1, 1, 1]);
  });

  it('builds variable copies', () => {
    const r = evalExpr("[variables('itemForLoop')]", {
      variables: { copy: [{ name: 'itemForLoop', count: 10, input: "[range(0,10)[copyIndex('itemForLoop')]]" }] },
    });
    expect(r.value).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('marks condition-false resources as not deployed, drops dependencies on them, keeps their nested children', () => {
    const e = run(
      tpl({
        resources: [
          { type: 'Microsoft.Web/sites', apiVersion: '2022-03-01', name: 'app', condition: false, resources: [{ type: 'config', apiVersion: '2022-03-01', name: 'web' }] },
          { type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: 'st', dependsOn: ['app'] },
        ],
      }),
    );
    expect(byName(e, 'app').deployed).toBe(false);
    expect(byName(e, 'app/web').deployed).toBe(true);
    expect(byName(e, 'st').dependsOn).toEqual([byName(e, 'app').key]);
  });

  it('evaluates conditions per copy instance', () => {
    const e = run(
      tpl({
        resources: [
          {
            type: 'Microsoft.Storage/storageAccounts',
            apiVersion: '2023-01-01',
            name: "[format('st{0}', copyIndex())]",
            condition: '[equals(mod(copyIndex(),2),0)]',
            copy: { name: 'st', count: 4 },
          },
        ],
      }),
    );
    expect(e.resources.filter((r) => r.deployed === true).map((r) => r.name)).toEqual(['st0', 'st2']);
  });

  it('keeps one placeholder instance when the copy count is unknown', () => {
    const e = run(
      tpl({
        parameters: { n: { type: 'int' } },
        resources: [{ type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: "[format('st{0}', copyIndex())]", copy: { name: 'st', count: "[parameters('n')]" } }],
      }),
    );
    expect(e.resources).toHaveLength(1);
    expect(e.resources[0]!.copy).toEqual({ name: 'st', index: 0, countKnown: false });
    expect(e.resources[0]!.name).toBeInstanceOf(PartialString);
    expect((e.resources[0]!.name as PartialString).prefix).toBe('st');
  });
});

describe('nested deployments (cases 30-33, 40)', () => {
  const nested = (scope: string | undefined) =>
    tpl({
      variables: { exampleVar: 'from parent template' },
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'nestedTemplate1',
          properties: {
            ...(scope ? { expressionEvaluationOptions: { scope } } : {}),
            mode: 'Incremental',
            template: tpl({
              variables: { exampleVar: 'from nested template' },
              outputs: { testVar: { type: 'string', value: "[variables('exampleVar')]" } },
            }),
          },
        },
      ],
      outputs: { messageFromLinkedTemplate: { type: 'string', value: "[reference('nestedTemplate1').outputs.testVar.value]" } },
    });

  it('uses the nested variables with inner scope and the parent ones with outer (default) scope', () => {
    expect(output(run(nested('inner')), 'messageFromLinkedTemplate')).toBe('from nested template');
    expect(output(run(nested('outer')), 'messageFromLinkedTemplate')).toBe('from parent template');
    expect(output(run(nested(undefined)), 'messageFromLinkedTemplate')).toBe('from parent template');
  });

  it("gives no computed outputs for a deployment whose condition is false: reference() reads what Azure has", () => {
    const t = nested('inner');
    const [deployment] = t['resources'] as Record<string, unknown>[];
    deployment!['condition'] = false;
    const e = run(t);
    const out = output(e, 'messageFromLinkedTemplate');
    expect(out).toBeInstanceOf(Unknown);
    expect((out as Unknown).key).toMatch(/nestedTemplate1/);
    // Deployed, it is computed as before.
    expect(output(run(nested('inner')), 'messageFromLinkedTemplate')).toBe('from nested template');
  });

  it('keeps outer scope as the default in symbolic-name (languageVersion 2.0) templates', () => {
    const symbolic = (scope: string | undefined) => {
      const t = nested(scope);
      const [deployment] = t['resources'] as object[];
      return { ...t, languageVersion: '2.0', resources: { nestedTemplate1: deployment } };
    };
    expect(output(run(symbolic(undefined)), 'messageFromLinkedTemplate')).toBe('from parent template');
    expect(output(run(symbolic('inner')), 'messageFromLinkedTemplate')).toBe('from nested template');
  });

  it('gives an inner deployment its target resource group, an outer one the parent resource group', () => {
    const mk = (scope: string) =>
      run(
        tpl({
          resources: [
            {
              type: 'Microsoft.Resources/deployments',
              apiVersion: '2022-09-01',
              name: 'n',
              resourceGroup: 'otherRg',
              properties: { expressionEvaluationOptions: { scope }, mode: 'Incremental', template: tpl({ outputs: { rg: { type: 'string', value: '[resourceGroup().name]' } } }) },
            },
          ],
          outputs: { rg: { type: 'string', value: "[reference('n').outputs.rg.value]" } },
        }),
        { context: { resourceGroup: 'parentRg' } },
      );
    expect(output(mk('inner'), 'rg')).toBe('otherRg');
    expect(output(mk('outer'), 'rg')).toBe('parentRg');
  });

  it('passes parameters into inner templates, evaluated in the parent, with nested defaults for the rest', () => {
    const e = run(
      tpl({
        parameters: { x: { type: 'string', defaultValue: 'from-parent' } },
        resources: [
          {
            type: 'Microsoft.Resources/deployments',
            apiVersion: '2022-09-01',
            name: 'n',
            properties: {
              expressionEvaluationOptions: { scope: 'inner' },
              mode: 'Incremental',
              parameters: { passed: { value: "[parameters('x')]" } },
              template: tpl({
                parameters: { passed: { type: 'string' }, withDefault: { type: 'string', defaultValue: 'nested-default' } },
                outputs: { o: { type: 'string', value: "[concat(parameters('passed'), '+', parameters('withDefault'))]" } },
              }),
            },
          },
        ],
        outputs: { o: { type: 'string', value: "[reference('n').outputs.o.value]" } },
      }),
    );
    expect(output(e, 'o')).toBe('from-parent+nested-default');
    expect(e.diagnostics).toEqual([]);
  });

  it('reads languageVersion 2.0 module outputs by symbolic name; runtime outputs stay unknown', () => {
    const e = run(
      tpl({
        languageVersion: '2.0',
        resources: {
          modA: {
            type: 'Microsoft.Resources/deployments',
            apiVersion: '2022-09-01',
            name: 'modA',
            properties: {
              expressionEvaluationOptions: { scope: 'inner' },
              mode: 'Incremental',
              parameters: { p: { value: 'hello!' } },
              template: tpl({
                parameters: { p: { type: 'string' } },
                outputs: {
                  o: { type: 'string', value: "[parameters('p')]" },
                  r: { type: 'object', value: "[reference(resourceId('Microsoft.Storage/storageAccounts', 'st'), '2020-01-01')]" },
                },
              }),
            },
          },
        },
        outputs: {
          o: { type: 'string', value: "[reference('modA').outputs.o.value]" },
          r: { type: 'object', value: "[reference('modA').outputs.r.value]" },
        },
      }),
    );
    expect(output(e, 'o')).toBe('hello!');
    expect(output(e, 'r')).toBeInstanceOf(Unknown);
  });

  it('matches classic Bicep module references by deployment id', () => {
    const e = run(
      tpl({
        resources: [
          {
            type: 'Microsoft.Resources/deployments',
            apiVersion: '2022-09-01',
            name: 'mod',
            resourceGroup: 'rg2',
            properties: { expressionEvaluationOptions: { scope: 'inner' }, mode: 'Incremental', template: tpl({ outputs: { o: { type: 'string', value: 'module-output' } } }) },
          },
        ],
        outputs: {
          o: {
            type: 'string',
            value:
              "[reference(extensionResourceId(format('/subscriptions/{0}/resourceGroups/{1}', subscription().subscriptionId, 'rg2'), 'Microsoft.Resources/deployments', 'mod'), '2025-04-01').outputs.o.value]",
          },
        },
      }),
    );
    expect(output(e, 'o')).toBe('module-output');
  });

  it('reports remote linked templates and keeps their outputs unknown', () => {
    const e = run(
      tpl({
        resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'l', properties: { mode: 'Incremental', templateLink: { uri: 'https://example.com/t.json' } } }],
        outputs: { o: { type: 'string', value: "[reference('l').outputs.x.value]" } },
      }),
    );
    expect(e.diagnostics.map((d) => d.ruleId)).toEqual(['TPL004']);
    expect(output(e, 'o')).toBeInstanceOf(Unknown);
  });
});

describe('copyIndex() without a loop name', () => {
  it('is refused in a property copy loop, which must be named, with the fix; it still works in a resource loop', () => {
    const e = run(
      tpl({
        resources: [
          {
            type: 'Microsoft.Network/virtualNetworks',
            apiVersion: '2023-05-01',
            name: 'vnet',
            properties: { copy: [{ name: 'subnets', count: 2, input: { name: "[concat('s', copyIndex(1))]" } }] },
          },
          { type: 'Microsoft.Network/publicIPAddresses', apiVersion: '2023-05-01', name: "[concat('ip', copyIndex(1))]", copy: { name: 'ips', count: 2 } },
        ],
      }),
    );
    const tpl002 = e.diagnostics.filter((d) => d.ruleId === 'TPL002');
    expect(tpl002.map((d) => d.message)).toEqual([expect.stringMatching(/^copyIndex\(\) without a loop name is not allowed in the property or variable copy loop 'subnets'.*Name the loop: copyIndex\('subnets', 1\)\.$/)]);
    expect(e.resources.map((r) => r.name)).toEqual(expect.arrayContaining(['ip1', 'ip2']));
  });
});

describe('[[ escapes in templates nested in outer-scope templates', () => {
  /** root → deployment `outerDep` (outer scope, inline) → deployment `innerDep` (scope as given) with `innerResources`. */
  const chain = (innerScope: 'inner' | 'outer', innerResources: object[], innerOutputs: object = {}) =>
    tpl({
      parameters: { hub: { type: 'string', defaultValue: 'hub-vnet' } },
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'outerDep',
          properties: {
            mode: 'Incremental',
            template: tpl({
              resources: [
                {
                  type: 'Microsoft.Resources/deployments',
                  apiVersion: '2022-09-01',
                  name: 'innerDep',
                  properties: {
                    mode: 'Incremental',
                    expressionEvaluationOptions: { scope: innerScope },
                    ...(innerScope === 'inner' ? { parameters: { hubName: { value: "[parameters('hub')]" } } } : {}),
                    template: tpl({ ...(innerScope === 'inner' ? { parameters: { hubName: { type: 'string' } } } : {}), resources: innerResources, outputs: innerOutputs }),
                  },
                },
              ],
            }),
          },
        },
      ],
    });
  const peering = (name: string) => ({ type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings', apiVersion: '2023-05-01', name, properties: {} });

  it("are expressions of an inner-scope template inside an outer-scope one: the outer pass took one '[' off", () => {
    const e = run(chain('inner', [peering("[[concat(parameters('hubName'), '/', 'to-spoke')]")], { n: { type: 'string', value: "[[parameters('hubName')]" } }));
    expect(e.diagnostics.filter((d) => d.ruleId === 'TPL002')).toEqual([]);
    expect(byName(e, 'hub-vnet/to-spoke').type).toBe('Microsoft.Network/virtualNetworks/virtualNetworkPeerings');
  });

  it('stay literal text in an inner-scope template the root deploys directly, and in a linked or doubly escaped one', () => {
    const direct = run(
      tpl({
        resources: [
          {
            type: 'Microsoft.Resources/deployments',
            apiVersion: '2022-09-01',
            name: 'innerDep',
            properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, template: tpl({ outputs: { lit: { type: 'string', value: "[[parameters('x')]" } } }) },
          },
        ],
        outputs: { lit: { type: 'string', value: "[reference('innerDep').outputs.lit.value]" } },
      }),
    );
    expect(output(direct, 'lit')).toBe("[parameters('x')]");
    // Two passes (inner template under an outer one) leave `[[[x]` as the literal `[x]`.
    const e = run(chain('inner', [peering("[[[literal]")]));
    expect(e.resources.map((r) => r.name)).toContain('[literal]');
  });

  it('are expressions in a parameter entry written as one expression, in an inner-scope template inside an outer-scope one', () => {
    // innerDep deploys `leaf`, passing `name` as a whole-entry expression (Bicep's form), escaped for the outer pass.
    const leaf = {
      type: 'Microsoft.Resources/deployments',
      apiVersion: '2022-09-01',
      name: 'leaf',
      properties: {
        mode: 'Incremental',
        expressionEvaluationOptions: { scope: 'inner' },
        parameters: { name: "[[createObject('value', concat(parameters('hubName'), '/from-entry'))]" },
        template: tpl({ parameters: { name: { type: 'string' } }, resources: [peering("[[parameters('name')]")] }),
      },
    };
    const e = run(chain('inner', [leaf]));
    expect(byName(e, 'hub-vnet/from-entry').type).toBe('Microsoft.Network/virtualNetworks/virtualNetworkPeerings');
  });

  it('are literal text in an outer-scope template inside an outer-scope one, as in the outer one itself: both are evaluated in the one pass of the root', () => {
    const tagged = (name: string) => ({ ...peering(name), properties: { note: "[[concat('a', 'b')]" } });
    const t = chain('outer', [tagged('hub/in-outer-of-outer')]);
    // The same escape written in the outer template's own resources.
    const outerTemplate = (t['resources'] as { properties: { template: { resources: object[] } } }[])[0]!.properties.template;
    outerTemplate.resources.push(tagged('hub/in-outer'));
    const e = run(t);
    expect(byName(e, 'hub/in-outer').body['properties']).toEqual({ note: "[concat('a', 'b')]" });
    expect(byName(e, 'hub/in-outer-of-outer').body['properties']).toEqual({ note: "[concat('a', 'b')]" });
  });
});

describe('languageVersion 2.0 and functions (cases 34-40)', () => {
  it('computes ids of existing resources and keeps their state unknown', () => {
    const e = run(
      tpl({
        languageVersion: '2.0',
        resources: { kv: { type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: 'testkeyvault', existing: true, resourceGroup: 'otherGroup' } },
        outputs: { uri: { type: 'string', value: "[reference('kv').vaultUri]" } },
      }),
      { context: { subscriptionId: SUB } },
    );
    const kv = e.resources[0]!;
    expect(kv.id).toBe(`/subscriptions/${SUB}/resourceGroups/otherGroup/providers/Microsoft.KeyVault/vaults/testkeyvault`);
    expect(kv.existing).toBe(true);
    expect(kv.deployed).toBe(false);
    const uri = output(e, 'uri') as Unknown;
    expect(uri).toBeInstanceOf(Unknown);
    expect(uri.ref?.path).toEqual(['properties', 'vaultUri']);
    expect(uri.ref?.target).toBe(kv.id);
  });

  it('resolves dependsOn on a single loop instance or the whole loop', () => {
    const mk = (dep: string) =>
      run(
        tpl({
          languageVersion: '2.0',
          resources: {
            storageAccounts: { type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: "[format('st{0}', copyIndex())]", copy: { name: 'storageAccounts', count: 3 } },
            app: { type: 'Microsoft.Web/sites', apiVersion: '2022-03-01', name: 'app', dependsOn: [dep] },
          },
        }),
      );
    const one = mk("[format('storageAccounts[{0}]', 1)]");
    expect(byName(one, 'app').dependsOn).toEqual([byName(one, 'st1').key]);
    const all = mk('storageAccounts');
    expect(byName(all, 'app').dependsOn).toHaveLength(3);
  });

  it('calls user-defined functions', () => {
    const functions = [
      {
        namespace: '__bicep',
        members: {
          buildUrl: {
            parameters: [
              { name: 'https', type: 'bool' },
              { name: 'hostname', type: 'string' },
              { name: 'path', type: 'string' },
            ],
            output: {
              type: 'string',
              value: "[format('{0}://{1}{2}', if(parameters('https'),'https','http'), parameters('hostname'), if(empty(parameters('path')),'',format('/{0}',parameters('path'))))]",
            },
          },
        },
      },
    ];
    expect(evalExpr("[__bicep.buildUrl(true(), 'google.com', 'search')]", { functions }).value).toBe('https://google.com/search');
  });

  it('keeps newGuid() defaults unknown and rejects utcNow() outside parameter defaults', () => {
    const e = run(
      tpl({
        parameters: { suffix: { type: 'string', defaultValue: '[newGuid()]' } },
        variables: { stamp: '[utcNow()]' },
        outputs: { name: { type: 'string', value: "[format('st{0}', uniqueString(parameters('suffix')))]" }, stamp: { type: 'string', value: "[variables('stamp')]" } },
      }),
    );
    const name = output(e, 'name');
    expect(name).toBeInstanceOf(PartialString);
    expect(JSON.stringify((name as PartialString).origins)).toContain('newGuid');
    expect(e.diagnostics.some((d) => d.ruleId === 'TPL002' && /utcNow/.test(d.message))).toBe(true);
  });

  it('evaluates expression property names', () => {
    const r = evalExpr("[parameters('tags')]", { parameters: { k: { type: 'string', defaultValue: 'env' }, tags: { type: 'object', defaultValue: { "[parameters('k')]": 'v' } } } });
    expect(isObject(r.value) && { ...r.value }).toEqual({ env: 'v' });
  });

  it('keeps list*() results unknown and remembers the resource they read', () => {
    const r = evalExpr("[listKeys(resourceId('Microsoft.Storage/storageAccounts','st'),'2023-01-01').keys[0].value]", {}, { subscriptionId: SUB, resourceGroup: 'rg' });
    expect(r.value).toBeInstanceOf(Unknown);
    const origin = (r.value as Unknown).origins[0]!;
    expect(origin.kind).toBe('list');
    expect(origin.kind === 'list' && origin.target).toBe(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st`);
  });

  it('proves a reference() clientId is the clientId of that identity without knowing any GUID', () => {
    const e = run(
      tpl({
        resources: [
          { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'id1' },
          {
            type: 'Microsoft.ContainerRegistry/registries',
            apiVersion: '2023-07-01',
            name: 'reg',
            properties: { x: "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id1')).clientId]" },
          },
        ],
      }),
    );
    const id = byName(e, 'id1').id;
    const x = (byName(e, 'reg').body['properties'] as Record<string, Value>)['x'] as Unknown;
    expect(x.ref?.path).toEqual(['properties', 'clientId']);
    expect(valueKey(x.ref!.target)).toBe(valueKey(id));
    expect(str(byName(e, 'reg').apiVersion)).toBe('2023-07-01');
  });
});

describe('robustness', () => {
  it('reports circular variables instead of looping', () => {
    const r = evalExpr("[variables('a')]", { variables: { a: "[variables('b')]", b: "[variables('a')]" } });
    expect(r.diagnostics.some((d) => /circular/.test(d.message))).toBe(true);
  });

  it('reports unknown functions with the expression', () => {
    const r = evalExpr('[subscriptions().id]');
    expect(r.diagnostics[0]?.message).toMatch(/unknown function 'subscriptions'/);
    expect(r.diagnostics[0]?.path).toEqual(['outputs', 'result', 'value']);
  });

  it('does not report errors inside resources ARM does not evaluate (condition false, existing, extensions)', () => {
    const e = run(
      tpl({
        parameters: { id: { type: 'string', defaultValue: '' } },
        resources: [
          { condition: "[not(empty(parameters('id')))]", type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: "[split(parameters('id'), '/')[8]]", properties: { x: "[split(parameters('id'), '/')[4]]" } },
          { existing: true, type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: "[split(parameters('id'), '/')[8]]" },
        ],
      }),
    );
    expect(e.diagnostics).toEqual([]);
    const bad = run(tpl({ parameters: { id: { type: 'string', defaultValue: '' } }, resources: [{ type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: "[split(parameters('id'), '/')[8]]" }] }));
    expect(bad.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/index 8 is out of range/)]);
  });

  it('uses the default of a parameter that is given null', () => {
    const t = tpl({ parameters: { p: { type: 'string', defaultValue: 'fallback' } }, outputs: { o: { type: 'string', value: "[parameters('p')]" } } });
    expect(output(run(t, { params: { p: { value: null } } }), 'o')).toBe('fallback');
  });

  it('evaluates a nested template that receives parameters in its own scope, even without scope inner', () => {
    const e = run(
      tpl({
        resources: [
          {
            type: 'Microsoft.Resources/deployments',
            apiVersion: '2022-09-01',
            name: 'n',
            properties: { mode: 'Incremental', parameters: { p: { value: 'given' } }, template: tpl({ parameters: { p: { type: 'string' } }, outputs: { o: { type: 'string', value: "[parameters('p')]" } } }) },
          },
        ],
        outputs: { o: { type: 'string', value: "[reference('n').outputs.o.value]" } },
      }),
    );
    expect(output(e, 'o')).toBe('given');
  });

  it('reads classic providers/diagnosticSettings children relative to their parent', () => {
    const e = run(
      tpl({
        resources: [
          { type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: 'kv', resources: [{ type: 'providers/diagnosticSettings', apiVersion: '2021-05-01-preview', name: 'Microsoft.Insights/audit' }] },
        ],
      }),
      { context: { subscriptionId: 's', resourceGroup: 'rg' } },
    );
    expect(e.diagnostics).toEqual([]);
    expect(e.resources[1]!.type).toBe('Microsoft.KeyVault/vaults/providers/diagnosticSettings');
    expect(e.resources[1]!.id).toBe('/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/providers/Microsoft.Insights/diagnosticSettings/audit');
  });
});

describe('extension resource scopes', () => {
  it('resolves a relative scope (Bicep `scope: vault`) against the deployment', () => {
    const e = run(
      tpl({
        resources: [
          { type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: 'kv' },
          { type: 'Microsoft.Authorization/roleAssignments', apiVersion: '2022-04-01', name: 'ra', scope: "[format('Microsoft.KeyVault/vaults/{0}', 'kv')]" },
        ],
      }),
      { context: { subscriptionId: 's', resourceGroup: 'rg' } },
    );
    expect(e.resources[1]!.scope).toBe(e.resources[0]!.id);
    expect(e.resources[1]!.id).toBe('/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/providers/Microsoft.Authorization/roleAssignments/ra');
  });
});

describe('lookups by computed name', () => {
  it('keeps variables(parameters(x)) unknown when x has no value, and resolves it when it has', () => {
    const body = { parameters: { role: { type: 'string' } }, variables: { Owner: 'o-guid', Reader: 'r-guid' }, outputs: { o: { type: 'string', value: "[variables(parameters('role'))]" } } };
    const unknown = run(tpl(body));
    expect(output(unknown, 'o')).toBeInstanceOf(Unknown);
    expect(unknown.diagnostics.filter((d) => d.ruleId === 'TPL002')).toEqual([]);
    expect(output(run(tpl(body), { params: { role: { value: 'reader' } } }), 'o')).toBe('r-guid');
  });
});
