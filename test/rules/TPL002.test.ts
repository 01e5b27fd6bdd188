import { describe, expect, it } from 'vitest';
import { findingsOf, expectOneAt } from './expect.js';
import { VAULT, cmkStack, findResource, innerDeployment, text } from './stack.js';
import { PARAMETERS_SCHEMA, TEMPLATE_SCHEMA, positionOf } from '../helpers/scan.js';

describe('TPL002 template-evaluation-error', () => {
  it('passes a template whose expressions all evaluate', async () => {
    expect(await findingsOf('TPL002', cmkStack())).toEqual([]);
  });

  it('points at a parameter-file value for a parameter the template does not declare (ARM refuses it), naming the close one', async () => {
    const t = cmkStack();
    t['parameters']['kek_id'] = { type: 'string', defaultValue: 'https://reg-kv.vault.azure.net/keys/reg-key' };
    const params = text({ $schema: PARAMETERS_SCHEMA, contentVersion: '1.0.0.0', parameters: { location: { value: 'westeurope' }, key_id: { value: 'x' } } });
    const findings = await findingsOf('TPL002', t, { 'main.parameters.json': params });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.uri).toBe('main.parameters.json');
    expect(findings[0]!.message).toBe("the parameter file sets parameter 'key_id', which the template does not declare; ARM refuses the deployment. Did you mean 'kek_id'?");
    expect({ line: findings[0]!.region.startLine, column: findings[0]!.region.startColumn }).toEqual(positionOf(params, '"key_id"'));
  });

  it('reports a deployment that passes an undeclared parameter to its inner-scope template, unless it is not deployed', async () => {
    const module = (condition: boolean) => ({
      ...innerDeployment('mod', { skuName: { value: 'Premium' } }, { $schema: TEMPLATE_SCHEMA, contentVersion: '1.0.0.0', parameters: { sku: { type: 'string', defaultValue: 'Premium' } }, resources: [] }),
      condition,
    });
    const t = cmkStack();
    (t['resources'] as object[]).push(module(true));
    const f = expectOneAt(await findingsOf('TPL002', t), t, '"skuName"');
    expect(f.message).toMatch(/^deployment 'mod' passes parameter 'skuName', which the template does not declare \(parameters: sku\); ARM refuses the deployment\.$/);
    const off = cmkStack();
    (off['resources'] as object[]).push(module(false));
    expect(await findingsOf('TPL002', off)).toEqual([]);
  });

  it('says where a module is given the value its failing expression reads', async () => {
    const t = cmkStack();
    (t['resources'] as object[]).push(
      innerDeployment('naming', { count: { value: 'three' } }, {
        $schema: TEMPLATE_SCHEMA,
        contentVersion: '1.0.0.0',
        parameters: { count: { type: 'string' } },
        resources: [],
        outputs: { total: { type: 'int', value: "[add(int(parameters('count')), 1)]" } },
      }),
    );
    const f = expectOneAt(await findingsOf('TPL002', t), t, `"[add(int(parameters('count')), 1)]"`);
    const at = positionOf(text(t), '"three"');
    expect(f.message).toMatch(new RegExp(`got string 'three'.*The value is computed from parameter 'count' \\(passed by deployment 'naming' at main\\.json:${at.line}:${at.column}\\)\\.$`));
    // An error in the expression's own text is not the caller's: no note about the values it passes.
    const module = (t['resources'] as Record<string, any>[]).at(-1)!;
    module['properties']['template']['outputs']['total']['value'] = "[add(length(parameters('count')), parameters('missing'))]";
    const g = expectOneAt(await findingsOf('TPL002', t), t, `"[add(length(parameters('count')), parameters('missing'))]"`);
    expect(g.message).toMatch(/the template has no parameter 'missing'/);
    expect(g.message).not.toMatch(/passed by deployment/);
  });

  it('reports a copy loop on a child nested in its parent, and names null resources as null', async () => {
    const t = cmkStack();
    findResource(t, VAULT)['resources'] = [{ type: 'keys', apiVersion: '2023-07-01', name: "[concat('k', copyIndex())]", copy: { name: 'keys', count: 2 }, properties: { kty: 'RSA' } }];
    const f = expectOneAt(await findingsOf('TPL002', t), t, '"copy": {\n            "name": "keys"');
    expect(f.message).toMatch(/^a child resource nested in its parent cannot have a copy loop/);
    const empty = cmkStack();
    empty['resources'] = null;
    expect((await findingsOf('TPL002', empty)).map((x) => x.message)).toEqual(["'resources' must be an array or an object, not null."]);
  });

  it('reports a dependsOn cycle at the entry that closes it, but not through a resource that is not deployed', async () => {
    const identity = (name: string, dependsOn: string[], condition?: boolean) => ({
      type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
      apiVersion: '2023-01-31',
      name,
      location: 'westeurope',
      ...(condition === undefined ? {} : { condition }),
      dependsOn,
    });
    const idOf = (name: string) => `[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', '${name}')]`;
    const t = cmkStack();
    (t['resources'] as object[]).push(identity('id-a', [idOf('id-b')]), identity('id-b', ['[variables(\'identityId\')]', idOf('id-a')]));
    const f = expectOneAt(await findingsOf('TPL002', t), t, `"${idOf('id-a')}"`);
    expect(f.message).toBe("circular dependency: 'id-a' → 'id-b' → 'id-a'; ARM refuses the deployment. Remove one of these dependsOn entries.");
    const off = cmkStack();
    (off['resources'] as object[]).push(identity('id-a', [idOf('id-b')]), identity('id-b', [idOf('id-a')], false));
    expect(await findingsOf('TPL002', off)).toEqual([]);
  });

  it('takes no cycle from a bare name that several resources share (placeholder parameter values)', async () => {
    const t = cmkStack();
    t['parameters']['a'] = { type: 'string', defaultValue: 'same' };
    t['parameters']['b'] = { type: 'string', defaultValue: 'same' };
    (t['resources'] as object[]).push(
      { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: "[parameters('a')]", location: 'westeurope' },
      { type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: "[parameters('b')]", location: 'westeurope', dependsOn: ["[parameters('a')]"] },
    );
    expect(await findingsOf('TPL002', t)).toEqual([]);
  });

  it('points at the expression that calls an unknown function', async () => {
    const t = cmkStack();
    findResource(t, VAULT)['properties']['tenantId'] = '[subscriptions().tenantId]';
    const f = expectOneAt(await findingsOf('TPL002', t), t, '"[subscriptions().tenantId]"');
    expect(f.message).toBe("unknown function 'subscriptions' in '[subscriptions().tenantId]'. Did you mean 'subscription'?");
  });

  it("suggests the template's own user-defined functions from a nested template in outer scope, two levels down", async () => {
    const nested = (template: object) => ({ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'n', properties: { mode: 'Incremental', template } });
    const t = cmkStack();
    t['functions'] = [{ namespace: 'naming', members: { vaultName: { parameters: [], output: { type: 'string', value: 'kv' } } } }];
    const inner = { $schema: t['$schema'], contentVersion: '1.0.0.0', resources: [], outputs: { o: { type: 'string', value: '[naming.vaultNme()]' } } };
    (t['resources'] as object[]).push(nested({ $schema: t['$schema'], contentVersion: '1.0.0.0', resources: [nested(inner)] }));
    expect((await findingsOf('TPL002', t)).map((f) => f.message)).toEqual([
      "unknown user-defined function 'naming.vaultNme' in '[naming.vaultNme()]'. Did you mean 'naming.vaultName'?",
    ]);
  });

  it('suggests the function, parameter or variable a misspelled name is closest to, and only a close one', async () => {
    const t = cmkStack();
    t['variables']['storageName'] = 'st';
    t['functions'] = [{ namespace: 'naming', members: { vaultName: { parameters: [], output: { type: 'string', value: 'kv' } } } }];
    t['outputs'] = {
      library: { type: 'int', value: "[lenght('abc')]" },
      parameter: { type: 'string', value: "[parameters('locaton')]" },
      variable: { type: 'string', value: "[variables('storageNmae')]" },
      user: { type: 'string', value: '[naming.vaultNam()]' },
      none: { type: 'string', value: '[frobnicate()]' },
      noVariable: { type: 'string', value: "[variables('somethingElse')]" },
    };
    const messages = (await findingsOf('TPL002', t)).map((f) => f.message).sort();
    expect(messages).toEqual([
      "the template has no parameter 'locaton' in '[parameters('locaton')]'. Did you mean 'location'?",
      "the template has no variable 'somethingElse' in '[variables('somethingElse')]'.",
      "the template has no variable 'storageNmae' in '[variables('storageNmae')]'. Did you mean 'storageName'?",
      "unknown function 'frobnicate' in '[frobnicate()]'.",
      "unknown function 'lenght' in '[lenght('abc')]'. Did you mean 'length'?",
      "unknown user-defined function 'naming.vaultNam' in '[naming.vaultNam()]'. Did you mean 'naming.vaultName'?",
    ]);
  });

  it('reports syntax errors and wrong argument counts', async () => {
    const t = cmkStack();
    findResource(t, VAULT)['properties']['tenantId'] = "[concat('a']";
    findResource(t, VAULT)['location'] = "[resourceGroup('x', 'y').location]";
    const messages = (await findingsOf('TPL002', t)).map((f) => f.message);
    expect(messages).toHaveLength(2);
    expect(messages).toContainEqual(expect.stringMatching(/syntax error.*missing '\)'/));
    expect(messages).toContainEqual(expect.stringMatching(/resourceGroup takes 0 arguments, got 2/));
  });

  it('says which of type and name a resource lacks, at the resource', async () => {
    const t = cmkStack();
    (t['resources'] as object[]).push({ apiVersion: '2023-01-01', name: 'typeless' }, { type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', kind: 'StorageV2' });
    const messages = (await findingsOf('TPL002', t)).map((f) => [f.message, f.region.startLine]);
    const text = JSON.stringify(t, null, 2).split('\n');
    const lineOf = (needle: string) => text.findIndex((l) => l.includes(needle)) + 1;
    expect(messages).toEqual([
      [expect.stringMatching(/^the resource has no 'type'; ARM requires/), lineOf('"name": "typeless"') - 2],
      [expect.stringMatching(/^the resource has no 'name'; ARM requires/), lineOf('"kind": "StorageV2"') - 3],
    ]);
  });
});
