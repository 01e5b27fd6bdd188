import { describe, expect, it } from 'vitest';
import { template } from '../helpers/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { cmkStack, findResource, innerDeployment, type Json, KEY, REGISTRY, text, VAULT } from './stack.js';

const REPLICATION = 'Microsoft.ContainerRegistry/registries/replications';
const REPLICATION_START = `{\n      "type": "${REPLICATION}"`;

function replication(region: string, registry = 'contosoreg'): Json {
  return {
    type: REPLICATION,
    apiVersion: '2023-07-01',
    name: `${registry}/${region}`,
    location: region,
    dependsOn: [`[resourceId('${REGISTRY}', '${registry}')]`],
    properties: { regionEndpointEnabled: true },
  };
}

function withReplications(...regions: string[]): Json {
  const t = cmkStack();
  (t['resources'] as Json[]).push(...regions.map((r) => replication(r)));
  return t;
}

describe('ACR013 registry-geo-replication-key-vault', () => {
  it('says nothing about the compliant stack (no replications)', async () => {
    expect(await findingsOf('ACR013', cmkStack())).toEqual([]);
  });

  it('notes a geo-replicated CMK registry once, at its first replication, naming the vault', async () => {
    const t = withReplications('northeurope', 'eastus');
    const f = expectOneAt(await findingsOf('ACR013', t), t, REPLICATION_START);
    expect(f.kind).toBe('fail');
    expect(f.level).toBe('note');
    expect(f.message).toMatch(/CMK registry 'contosoreg' has 2 replicas \(northeurope, eastus\).*Key Vault 'reg-kv'.*purge protection/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg/replications/northeurope');
  });

  it('finds replications declared as nested children of the registry', async () => {
    const t = cmkStack();
    findResource(t, REGISTRY)['resources'] = [{ type: 'replications', apiVersion: '2023-07-01', name: 'japaneast', location: 'japaneast', dependsOn: ['contosoreg'] }];
    const f = expectOneAt(await findingsOf('ACR013', t), t, '{\n          "type": "replications"');
    expect(f.message).toMatch(/a replica in japaneast/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg/replications/japaneast');
  });

  it('speaks of the registry, not of the first replication instance, when replications come from a copy loop', async () => {
    const t = cmkStack();
    (t['resources'] as Json[]).push({
      ...replication('placeholder'),
      name: "[format('contosoreg/{0}', parameters('regions')[copyIndex()])]",
      location: "[parameters('regions')[copyIndex()]]",
      copy: { name: 'replicas', count: "[length(parameters('regions'))]" },
    });
    t['parameters']['regions'] = { type: 'array', defaultValue: ['westus', 'japaneast'] };
    const found = await findingsOf('ACR013', t);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toMatch(/has 2 replicas \(westus, japaneast\)/);
    expect(found[0]!.message).not.toMatch(/instance/);
  });

  it('ignores registries without CMK and replications of other registries', async () => {
    const plain = withReplications('northeurope');
    delete findResource(plain, REGISTRY)['properties']['encryption'];
    expect(await findingsOf('ACR013', plain)).toEqual([]);
    const other = cmkStack();
    (other['resources'] as Json[]).push({ type: REGISTRY, apiVersion: '2023-07-01', name: 'otherreg', sku: { name: 'Premium' }, properties: {} }, replication('westus', 'otherreg'));
    expect(await findingsOf('ACR013', other)).toEqual([]);
  });

  it('names the vault from the key identifier when the vault is not in the scan', async () => {
    const t = withReplications('westus');
    t['resources'] = (t['resources'] as Json[]).filter((r) => r['type'] !== VAULT && r['type'] !== KEY);
    findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = 'https://shared-kv.vault.azure.net/keys/acr';
    const f = expectOneAt(await findingsOf('ACR013', t), t, REPLICATION_START);
    expect(f.message).toMatch(/Key Vault 'shared-kv'/);
  });

  it('skips replications whose condition is false; undetermined when it is unknown', async () => {
    const t = withReplications('westus');
    t['parameters']['geo'] = { type: 'bool' };
    (t['resources'] as Json[]).at(-1)!['condition'] = "[parameters('geo')]";
    const f = expectOneAt(await findingsOf('ACR013', t), t, `"[parameters('geo')]"`, 'open');
    expect(f.message).toMatch(/Cannot tell whether CMK registry 'contosoreg' is geo-replicated/);
    t['parameters']['geo']['defaultValue'] = false;
    expect(await findingsOf('ACR013', t)).toEqual([]);
    t['parameters']['geo']['defaultValue'] = true;
    expectOneAt(await findingsOf('ACR013', t), t, REPLICATION_START);
  });

  it('is undetermined when a replicated registry may or may not use CMK', async () => {
    const t = withReplications('westus');
    t['parameters']['encryptionStatus'] = { type: 'string' };
    findResource(t, REGISTRY)['properties']['encryption']['status'] = "[parameters('encryptionStatus')]";
    const f = expectOneAt(await findingsOf('ACR013', t), t, `"[parameters('encryptionStatus')]"`, 'open');
    expect(f.message).toMatch(/parameter 'encryptionStatus' has no value/);
  });

  it('checks symbolic (languageVersion 2.0) templates, as Bicep compiles a child declared with parent', async () => {
    const t = template({
      languageVersion: '2.0',
      resources: {
        key: { type: KEY, apiVersion: '2023-07-01', name: 'sym-kv/sym-key', properties: { kty: 'RSA' } },
        reg: {
          type: REGISTRY,
          apiVersion: '2025-11-01',
          name: 'symreg',
          location: 'westeurope',
          sku: { name: 'Premium' },
          properties: { encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: "[reference('key').keyUri]", identity: 'system' } } },
        },
        replica: { type: REPLICATION, apiVersion: '2025-11-01', name: "[format('{0}/{1}', 'symreg', 'westus')]", location: 'westus', dependsOn: ['reg'] },
      },
    });
    const f = expectOneAt(await findingsOf('ACR013', t), t, '"replica"');
    expect(f.message).toMatch(/'symreg' has a replica in westus.*Key Vault 'sym-kv'/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/symreg/replications/westus');
  });

  it('checks a registry and its replications deployed by a nested module', async () => {
    const inner = withReplications('northeurope');
    const t = template({
      resources: [innerDeployment('registry-module', undefined, inner)],
    });
    const f = expectOneAt(await findingsOf('ACR013', t), t, `{\n              "type": "${REPLICATION}"`);
    expect(f.message).toMatch(/'contosoreg' has a replica in northeurope/);
  });

  it('finds replications declared in another template of the scan', async () => {
    const t = cmkStack();
    const other = template({ resources: [replication('australiaeast')] });
    const findings = await findingsOf('ACR013', t, { 'replicas.json': text(other) });
    expect(findings.map((f) => [f.uri, f.kind, f.resource?.fullyQualifiedName])).toEqual([['replicas.json', 'fail', 'Microsoft.ContainerRegistry/registries/contosoreg/replications/australiaeast']]);
    expect(findings[0]!.message).toMatch(/Key Vault 'reg-kv'/);
  });

  it('never binds a replication of another template to a registry because both name it by a parameter of the same name', async () => {
    const t = cmkStack();
    t['parameters']['registryName'] = { type: 'string' };
    findResource(t, REGISTRY)['name'] = "[parameters('registryName')]";
    const replica = { ...replication('westus'), name: "[format('{0}/westus', parameters('registryName'))]", dependsOn: [] };
    const other = template({ parameters: { registryName: { type: 'string' } }, resources: [replica] });
    expect(await findingsOf('ACR013', t, { 'replicas.json': text(other) })).toEqual([]);
    // The same replication in the registry's own template is its replica.
    (t['resources'] as Json[]).push(replica);
    expect((await findingsOf('ACR013', t)).map((f) => f.kind)).toEqual(['fail']);
  });

  it('binds a replication to the registry of its own template when another template declares the same id', async () => {
    const t = withReplications('westus');
    const twin = cmkStack();
    const findings = await findingsOf('ACR013', t, { 'twin.json': text(twin) });
    expect(findings.map((f) => [f.uri, f.kind])).toEqual([['main.json', 'fail']]);
  });
});
