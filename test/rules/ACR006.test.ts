import { describe, expect, it } from 'vitest';
import { template } from '../helpers/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { REGISTRY, cmkStack, findResource, type Json } from './stack.js';

function withIdentityType(type: unknown): Json {
  const t = cmkStack();
  findResource(t, REGISTRY)['identity']['type'] = type;
  return t;
}

/** A symbolic-name (languageVersion 2.0) template with one CMK registry. */
function symbolic(identityType: string): Json {
  return template({
    languageVersion: '2.0',
    resources: {
      uami: { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'reg-id', location: 'westeurope' },
      registry: {
        type: REGISTRY,
        apiVersion: '2023-07-01',
        name: 'symreg',
        location: 'westeurope',
        sku: { name: 'Premium' },
        identity: { type: identityType, userAssignedIdentities: { "[format('{0}', resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'reg-id'))]": {} } },
        dependsOn: ['uami'],
        properties: { encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: 'https://reg-kv.vault.azure.net/keys/reg-key', identity: "[reference('uami').clientId]" } } },
      },
    },
  });
}

describe('ACR006 registry-cmk-identity-type', () => {
  it('passes UserAssigned, SystemAssigned plus UserAssigned, in any case and spacing', async () => {
    expect(await findingsOf('ACR006', cmkStack())).toEqual([]);
    for (const type of ['SystemAssigned, UserAssigned', 'SystemAssigned,UserAssigned', 'userassigned']) {
      expect(await findingsOf('ACR006', withIdentityType(type))).toEqual([]);
    }
  });

  it('fails a CMK registry with only a system-assigned identity, at identity.type', async () => {
    const t = withIdentityType('SystemAssigned');
    const f = expectOneAt(await findingsOf('ACR006', t), t, '"SystemAssigned"');
    expect(f.level).toBe('error');
    expect(f.message).toMatch(/contosoreg.*'SystemAssigned'.*user-assigned/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg');
  });

  it("fails identity type 'None'", async () => {
    const t = withIdentityType('None');
    expectOneAt(await findingsOf('ACR006', t), t, '"None"');
  });

  it('fails a CMK registry without identity, at the registry', async () => {
    const t = cmkStack();
    delete findResource(t, REGISTRY)['identity'];
    const f = expectOneAt(await findingsOf('ACR006', t), t, '{\n      "type": "Microsoft.ContainerRegistry/registries"');
    expect(f.message).toMatch(/has no identity/);
  });

  it('fails a CMK registry whose identity an expression leaves null, at that expression, as no identity', async () => {
    const t = cmkStack();
    findResource(t, REGISTRY)['identity'] = '[null()]';
    const f = expectOneAt(await findingsOf('ACR006', t), t, '"[null()]"');
    expect(f.message).toMatch(/enables a customer-managed key but has no identity/);
  });

  it('fails an identity without type, at the identity object', async () => {
    const t = cmkStack();
    delete findResource(t, REGISTRY)['identity']['type'];
    expectOneAt(await findingsOf('ACR006', t), t, '"identity": {');
  });

  it('points at the expression that computes the type', async () => {
    const t = cmkStack();
    t['parameters']['idType'] = { type: 'string', defaultValue: 'SystemAssigned' };
    findResource(t, REGISTRY)['identity']['type'] = "[parameters('idType')]";
    expectOneAt(await findingsOf('ACR006', t), t, `"[parameters('idType')]"`);
  });

  it('ignores registries without CMK', async () => {
    const t = withIdentityType('SystemAssigned');
    delete findResource(t, REGISTRY)['properties']['encryption'];
    expect(await findingsOf('ACR006', t)).toEqual([]);
  });

  it('is undetermined when the type comes from a parameter without value', async () => {
    const t = cmkStack();
    t['parameters']['idType'] = { type: 'string' };
    findResource(t, REGISTRY)['identity']['type'] = "[parameters('idType')]";
    const f = expectOneAt(await findingsOf('ACR006', t), t, `"[parameters('idType')]"`, 'open');
    expect(f.level).toBe('note');
    expect(f.message).toMatch(/parameter 'idType' has no value/);
  });

  it('decides on a partly known type when the known part names UserAssigned', async () => {
    const t = cmkStack();
    t['parameters']['extra'] = { type: 'string' };
    findResource(t, REGISTRY)['identity']['type'] = "[concat(parameters('extra'), ', UserAssigned')]";
    expect(await findingsOf('ACR006', t)).toEqual([]);
  });

  it('is undetermined when the encryption status is unknown and the type lacks UserAssigned; silent when it has it', async () => {
    const t = withIdentityType('SystemAssigned');
    t['parameters']['status'] = { type: 'string' };
    findResource(t, REGISTRY)['properties']['encryption']['status'] = "[parameters('status')]";
    expectOneAt(await findingsOf('ACR006', t), t, `"[parameters('status')]"`, 'open');
    findResource(t, REGISTRY)['identity']['type'] = 'UserAssigned';
    expect(await findingsOf('ACR006', t)).toEqual([]);
  });

  it('checks symbolic (languageVersion 2.0) templates', async () => {
    expect(await findingsOf('ACR006', symbolic('UserAssigned'))).toEqual([]);
    const t = symbolic('SystemAssigned');
    const f = expectOneAt(await findingsOf('ACR006', t), t, '"SystemAssigned"');
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/symreg');
  });

  it('checks a registry in a nested deployment (inner scope)', async () => {
    const inner = withIdentityType('SystemAssigned');
    const t = template({
      resources: [
        { type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'registry-module', properties: { expressionEvaluationOptions: { scope: 'inner' }, mode: 'Incremental', template: inner } },
      ],
    });
    const f = expectOneAt(await findingsOf('ACR006', t), t, '"SystemAssigned"');
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg');
  });
});
