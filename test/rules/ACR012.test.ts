import { describe, expect, it } from 'vitest';
import { template } from '../helpers/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { REGISTRY, cmkStack, findResource, type Json } from './stack.js';

function withAdmin(value: unknown): Json {
  const t = cmkStack();
  findResource(t, REGISTRY)['properties']['adminUserEnabled'] = value;
  return t;
}

describe('ACR012 registry-admin-user-disabled', () => {
  it('passes the compliant stack (adminUserEnabled false) and an absent adminUserEnabled (default false)', async () => {
    expect(await findingsOf('ACR012', cmkStack())).toEqual([]);
    const t = cmkStack();
    delete findResource(t, REGISTRY)['properties']['adminUserEnabled'];
    expect(await findingsOf('ACR012', t)).toEqual([]);
    expect(await findingsOf('ACR012', withAdmin('False'))).toEqual([]);
  });

  it('fails adminUserEnabled true, at the value', async () => {
    const t = withAdmin(true);
    const f = expectOneAt(await findingsOf('ACR012', t), t, 'true,\n        "publicNetworkAccess"');
    expect(f.level).toBe('warning');
    expect(f.message).toMatch(/'contosoreg' sets adminUserEnabled to true: .*bypass Azure RBAC/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg');
  });

  it("accepts ARM's string booleans", async () => {
    const t = withAdmin('True');
    expectOneAt(await findingsOf('ACR012', t), t, '"True"');
  });

  it('applies to every registry, not only CMK ones; property names match case-insensitively', async () => {
    const t = template({ resources: [{ type: REGISTRY, apiVersion: '2023-07-01', name: 'plainreg', sku: { name: 'Basic' }, properties: { AdminUserEnabled: true } }] });
    const f = expectOneAt(await findingsOf('ACR012', t), t, 'true');
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/plainreg');
  });

  it('evaluates expressions and points at them', async () => {
    const t = withAdmin("[equals(parameters('env'), 'dev')]");
    t['parameters']['env'] = { type: 'string', defaultValue: 'dev' };
    expectOneAt(await findingsOf('ACR012', t), t, `"[equals(parameters('env'), 'dev')]"`);
    t['parameters']['env']['defaultValue'] = 'prod';
    expect(await findingsOf('ACR012', t)).toEqual([]);
  });

  it('is undetermined when the value is not known, and decided by a parameter file', async () => {
    const t = withAdmin("[parameters('admin')]");
    t['parameters']['admin'] = { type: 'bool' };
    const f = expectOneAt(await findingsOf('ACR012', t), t, `"[parameters('admin')]"`, 'open');
    expect(f.level).toBe('note');
    expect(f.message).toMatch(/Cannot tell whether registry 'contosoreg' enables the admin user, because parameter 'admin' has no value/);
    const params = (value: boolean) => ({ 'main.parameters.json': { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#', contentVersion: '1.0.0.0', parameters: { admin: { value } } } });
    expect((await findingsOf('ACR012', t, params(true))).map((x) => [x.kind, x.parameterFile])).toEqual([['fail', 'main.parameters.json']]);
    expect(await findingsOf('ACR012', t, params(false))).toEqual([]);
  });

  it('checks symbolic (languageVersion 2.0) templates', async () => {
    const t = template({
      languageVersion: '2.0',
      parameters: { admin: { type: 'bool', defaultValue: true } },
      resources: { reg: { type: REGISTRY, apiVersion: '2025-11-01', name: 'symreg', sku: { name: 'Premium' }, properties: { adminUserEnabled: "[parameters('admin')]" } } },
    });
    const f = expectOneAt(await findingsOf('ACR012', t), t, `"[parameters('admin')]"`);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/symreg');
  });

  it('checks a registry deployed by a nested module, with the value passed in', async () => {
    const inner = template({
      parameters: { admin: { type: 'bool' } },
      resources: [{ type: REGISTRY, apiVersion: '2025-11-01', name: 'modreg', sku: { name: 'Premium' }, properties: { adminUserEnabled: "[parameters('admin')]" } }],
    });
    const t = template({
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'registry-module',
          properties: { expressionEvaluationOptions: { scope: 'inner' }, mode: 'Incremental', parameters: { admin: { value: true } }, template: inner },
        },
      ],
    });
    const f = expectOneAt(await findingsOf('ACR012', t), t, `"[parameters('admin')]"`);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/modreg');
  });
});
