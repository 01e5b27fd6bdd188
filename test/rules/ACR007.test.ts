import { describe, expect, it } from 'vitest';
import { compareApiVersions, parseApiVersion } from '../../src/api-versions.js';
import { template } from '../helpers/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { REGISTRY, cmkStack, findResource, text, type Json } from './stack.js';

function withApiVersion(apiVersion: string): Json {
  const t = cmkStack();
  findResource(t, REGISTRY)['apiVersion'] = apiVersion;
  return t;
}

/** The CMK stack in Bicep's symbolic form (languageVersion 2.0, resources object, reference('sym')). */
function symbolicStack(registryApi: string): Json {
  return template({
    languageVersion: '2.0',
    resources: {
      id: { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'reg-id', location: 'westeurope' },
      kv: { type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: 'reg-kv', location: 'westeurope', properties: { tenantId: '[subscription().tenantId]', sku: { family: 'A', name: 'standard' }, enablePurgeProtection: true } },
      key: { type: 'Microsoft.KeyVault/vaults/keys', apiVersion: '2023-07-01', name: 'reg-kv/reg-key', dependsOn: ['kv'], properties: { kty: 'RSA' } },
      reg: {
        type: REGISTRY,
        apiVersion: registryApi,
        name: 'symreg',
        location: 'westeurope',
        sku: { name: 'Premium' },
        identity: { type: 'UserAssigned', userAssignedIdentities: { "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'reg-id')]": {} } },
        dependsOn: ['id', 'key'],
        properties: { encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: "[reference('key').keyUri]", identity: "[reference('id').clientId]" } } },
      },
    },
  });
}

/** The CMK stack deployed by an inline nested deployment with inner scope. */
function nested(inner: Json): Json {
  return template({
    resources: [
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'registry-module',
        properties: { expressionEvaluationOptions: { scope: 'inner' }, mode: 'Incremental', template: inner },
      },
    ],
  });
}

describe('ACR007 version ordering', () => {
  it('orders by date, a preview before the stable version of the same date', () => {
    const v = (s: string) => parseApiVersion(s)!;
    expect(compareApiVersions(v('2019-05-01'), v('2019-12-01-preview'))).toBeLessThan(0);
    expect(compareApiVersions(v('2019-12-01-preview'), v('2019-12-01'))).toBeLessThan(0);
    expect(compareApiVersions(v('2019-12-01-PREVIEW'), v('2019-12-01-preview'))).toBe(0);
    expect(compareApiVersions(v('2021-09-01'), v('2020-11-01-preview'))).toBeGreaterThan(0);
    expect(parseApiVersion('latest')).toBeUndefined();
    expect(parseApiVersion('2019-13-01')).toBeUndefined();
  });
});

describe('ACR007 registry-cmk-api-version', () => {
  it('passes the compliant stack and stable versions from 2019-12-01-preview on', async () => {
    expect(await findingsOf('ACR007', cmkStack())).toEqual([]);
    for (const v of ['2021-09-01', '2025-11-01', '2019-12-01']) expect(await findingsOf('ACR007', withApiVersion(v))).toEqual([]);
  });

  it('fails a CMK registry declared with an API version older than 2019-12-01-preview, at the apiVersion', async () => {
    const t = withApiVersion('2019-05-01');
    const f = expectOneAt(await findingsOf('ACR007', t), t, '"2019-05-01"');
    expect(f.level).toBe('error');
    expect(f.message).toMatch(/contosoreg.*'2019-05-01'.*predates 2019-12-01-preview/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg');
  });

  it('compares dates, not strings: an older preview fails, the minimum preview itself only earns a note', async () => {
    const older = withApiVersion('2019-06-01-preview');
    const f = expectOneAt(await findingsOf('ACR007', older), older, '"2019-06-01-preview"');
    expect(f.level).toBe('error');
    const min = withApiVersion('2019-12-01-preview');
    expect((await findingsOf('ACR007', min)).map((x) => [x.kind, x.level])).toEqual([['fail', 'note']]);
    const day = withApiVersion('2019-11-30');
    expect((await findingsOf('ACR007', day)).map((x) => x.level)).toEqual(['error']);
  });

  it('gives a preview version a note recommending a stable one', async () => {
    for (const v of ['2020-11-01-preview', '2026-03-01-preview', '2023-01-01-PREVIEW']) {
      const t = withApiVersion(v);
      const f = expectOneAt(await findingsOf('ACR007', t), t, `"${v}"`);
      expect(f.level).toBe('note');
      expect(f.message).toMatch(/preview.*2021-09-01 on/);
    }
  });

  it('fails an apiVersion that is not an API version', async () => {
    const t = withApiVersion('latest');
    const f = expectOneAt(await findingsOf('ACR007', t), t, '"latest"');
    expect(f.message).toMatch(/not an API version/);
  });

  it('ignores registries without CMK (ACR001 reports those)', async () => {
    const t = withApiVersion('2017-10-01');
    delete findResource(t, REGISTRY)['properties']['encryption'];
    expect(await findingsOf('ACR007', t)).toEqual([]);
    const off = withApiVersion('2017-10-01');
    findResource(off, REGISTRY)['properties']['encryption']['status'] = 'disabled';
    expect(await findingsOf('ACR007', off)).toEqual([]);
  });

  it('evaluates an apiVersion expression, pointing at the expression', async () => {
    const t = withApiVersion("[parameters('acrApi')]");
    t['parameters']['acrApi'] = { type: 'string', defaultValue: '2019-05-01' };
    expectOneAt(await findingsOf('ACR007', t), t, `"[parameters('acrApi')]"`);
  });

  it('is undetermined when the apiVersion is not known, pointing at it', async () => {
    const t = withApiVersion("[parameters('acrApi')]");
    t['parameters']['acrApi'] = { type: 'string' };
    const f = expectOneAt(await findingsOf('ACR007', t), t, `"[parameters('acrApi')]"`, 'open');
    expect(f.level).toBe('note');
    expect(f.message).toMatch(/Cannot tell .*contosoreg.*parameters\('acrApi'\)/);
    // A parameter file that sets it decides.
    const params = { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#', contentVersion: '1.0.0.0', parameters: { acrApi: { value: '2025-11-01' } } };
    expect(await findingsOf('ACR007', t, { 'main.parameters.json': params })).toEqual([]);
  });

  it('is undetermined when an old registry may or may not enable CMK, and silent when its version is fine', async () => {
    const t = withApiVersion('2019-05-01');
    t['parameters']['encryptionStatus'] = { type: 'string' };
    findResource(t, REGISTRY)['properties']['encryption']['status'] = "[parameters('encryptionStatus')]";
    const f = expectOneAt(await findingsOf('ACR007', t), t, `"[parameters('encryptionStatus')]"`, 'open');
    expect(f.message).toMatch(/parameter 'encryptionStatus' has no value/);
    findResource(t, REGISTRY)['apiVersion'] = '2025-11-01';
    expect(await findingsOf('ACR007', t)).toEqual([]);
  });

  it('checks symbolic (languageVersion 2.0) templates', async () => {
    expect(await findingsOf('ACR007', symbolicStack('2023-07-01'))).toEqual([]);
    const t = symbolicStack('2019-05-01');
    const f = expectOneAt(await findingsOf('ACR007', t), t, '"2019-05-01"');
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/symreg');
  });

  it('checks a registry deployed by a nested module', async () => {
    const inner = withApiVersion('2020-11-01-preview');
    delete inner['$schema'];
    const t = nested(inner);
    const f = expectOneAt(await findingsOf('ACR007', t), t, '"2020-11-01-preview"');
    expect(f.level).toBe('note');
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg');
  });

  it('reports each copy instance at the loop body', async () => {
    const t = withApiVersion('2019-05-01');
    const reg = findResource(t, REGISTRY);
    reg['name'] = "[format('contosoreg{0}', copyIndex())]";
    reg['copy'] = { name: 'regs', count: 2 };
    const findings = await findingsOf('ACR007', t);
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/contosoreg0.*instance 0/), expect.stringMatching(/contosoreg1.*instance 1/)]);
    expect(new Set(findings.map((f) => f.region.startLine)).size).toBe(1);
    expect(text(t).split('\n')[findings[0]!.region.startLine - 1]).toMatch(/"2019-05-01"/);
  });
});
