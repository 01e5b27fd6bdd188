import { describe, expect, it } from 'vitest';
import { template } from '../helpers/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { REGISTRY, cmkStack, findResource, text, type Json } from './stack.js';

/** Which occurrence of `needle` is the first one after the trust policy in the template text. */
function inTrustPolicy(t: Json, needle: string): number {
  const s = text(t);
  const from = s.search(/"trustPolicy"/i);
  return s.slice(0, from).split(needle).length;
}

function withTrust(status: unknown): Json {
  const t = cmkStack();
  findResource(t, REGISTRY)['properties']['policies'] = { trustPolicy: { type: 'Notary', status } };
  return t;
}

describe('ACR008 registry-cmk-content-trust', () => {
  it('passes the compliant stack (no trust policy) and a disabled trust policy', async () => {
    expect(await findingsOf('ACR008', cmkStack())).toEqual([]);
    expect(await findingsOf('ACR008', withTrust('disabled'))).toEqual([]);
    const t = cmkStack();
    findResource(t, REGISTRY)['properties']['policies'] = { retentionPolicy: { days: 7, status: 'enabled' } };
    expect(await findingsOf('ACR008', t)).toEqual([]);
  });

  it('fails a CMK registry that enables content trust, at the status', async () => {
    const t = withTrust('enabled');
    const f = expectOneAt(await findingsOf('ACR008', t), t, '"enabled"', 'fail', inTrustPolicy(t, '"enabled"'));
    expect(f.level).toBe('error');
    expect(f.message).toMatch(/contosoreg.*content trust is not supported in CMK registries/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg');
  });

  it('compares case-insensitively and matches property names case-insensitively', async () => {
    const t = cmkStack();
    findResource(t, REGISTRY)['properties']['Policies'] = { TrustPolicy: { Status: 'Enabled' } };
    expectOneAt(await findingsOf('ACR008', t), t, '"Enabled"', 'fail', inTrustPolicy(t, '"Enabled"'));
  });

  it('ignores content trust on a registry without CMK', async () => {
    const t = withTrust('enabled');
    findResource(t, REGISTRY)['properties']['encryption']['status'] = 'disabled';
    expect(await findingsOf('ACR008', t)).toEqual([]);
    delete findResource(t, REGISTRY)['properties']['encryption'];
    expect(await findingsOf('ACR008', t)).toEqual([]);
  });

  it('evaluates an expression, pointing at it', async () => {
    const t = withTrust("[if(parameters('signing'), 'enabled', 'disabled')]");
    t['parameters']['signing'] = { type: 'bool', defaultValue: true };
    expectOneAt(await findingsOf('ACR008', t), t, `"[if(parameters('signing')`);
  });

  it('is undetermined when the trust status is not known', async () => {
    const t = withTrust("[parameters('trust')]");
    t['parameters']['trust'] = { type: 'string' };
    const f = expectOneAt(await findingsOf('ACR008', t), t, `"[parameters('trust')]"`, 'open');
    expect(f.message).toMatch(/Cannot tell whether CMK registry 'contosoreg' enables content trust, because parameter 'trust' has no value/);
  });

  it('is undetermined when a trusting registry may or may not use CMK; silent when trust is off', async () => {
    const t = withTrust('enabled');
    t['parameters']['encryptionStatus'] = { type: 'string' };
    findResource(t, REGISTRY)['properties']['encryption']['status'] = "[parameters('encryptionStatus')]";
    const f = expectOneAt(await findingsOf('ACR008', t), t, `"[parameters('encryptionStatus')]"`, 'open');
    expect(f.message).toMatch(/parameter 'encryptionStatus' has no value/);
    findResource(t, REGISTRY)['properties']['policies']['trustPolicy']['status'] = 'disabled';
    expect(await findingsOf('ACR008', t)).toEqual([]);
  });

  it('checks symbolic (languageVersion 2.0) templates', async () => {
    const t = template({
      languageVersion: '2.0',
      resources: {
        key: { type: 'Microsoft.KeyVault/vaults/keys', apiVersion: '2023-07-01', name: 'reg-kv/reg-key', properties: { kty: 'RSA' } },
        reg: {
          type: REGISTRY,
          apiVersion: '2025-11-01',
          name: 'symreg',
          sku: { name: 'Premium' },
          properties: {
            encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: "[reference('key').keyUri]", identity: 'system' } },
            policies: { trustPolicy: { type: 'Notary', status: 'enabled' } },
          },
        },
      },
    });
    const f = expectOneAt(await findingsOf('ACR008', t), t, '"enabled"', 'fail', inTrustPolicy(t, '"enabled"'));
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/symreg');
  });

  it('checks a registry deployed by a nested module', async () => {
    const inner = withTrust('enabled');
    const t = template({
      resources: [
        { type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'registry-module', properties: { expressionEvaluationOptions: { scope: 'inner' }, mode: 'Incremental', template: inner } },
      ],
    });
    expectOneAt(await findingsOf('ACR008', t), t, '"enabled"', 'fail', inTrustPolicy(t, '"enabled"'));
  });
});
