import { describe, expect, it } from 'vitest';
import { template } from '../helpers/scan.js';
import { expectOneAt, findingsOf } from './expect.js';
import { cmkStack, findResource, innerDeployment, type Json, KEY, recoverVault, REGISTRY, text, VAULT } from './stack.js';

const VAULT_FQN = 'Microsoft.KeyVault/vaults/reg-kv';
const vaultProps = (t: Json): Json => findResource(t, VAULT)['properties'];
/** The stack with the vault's network settings replaced. */
function withNetwork(settings: { networkAcls?: Json; publicNetworkAccess?: string }): Json {
  const t = cmkStack();
  const props = vaultProps(t);
  delete props['networkAcls'];
  Object.assign(props, settings);
  return t;
}

describe('KV007 keyvault-network-restricted', () => {
  it('is undetermined for a recovered vault that sets no network settings, and judges the ones it sets', async () => {
    // v-recover-minimal: the vault keeps its earlier firewall, which the template does not show.
    const t = recoverVault(cmkStack());
    const f = expectOneAt(await findingsOf('KV007', t), t, '"recover"', 'open');
    expect(f.message).toMatch(/recovered \(createMode 'recover'\) with its earlier settings, which the template does not show \(it does not set networkAcls.defaultAction\)/);
    expect(await findingsOf('KV007', recoverVault(cmkStack(), ['networkAcls']))).toEqual([]);
  });

  it('passes a vault that denies by default, or disables public network access', async () => {
    expect(await findingsOf('KV007', cmkStack())).toEqual([]);
    expect(await findingsOf('KV007', withNetwork({ networkAcls: { defaultAction: 'deny' } }))).toEqual([]);
    expect(await findingsOf('KV007', withNetwork({ publicNetworkAccess: 'Disabled' }))).toEqual([]);
    expect(await findingsOf('KV007', withNetwork({ publicNetworkAccess: 'disabled', networkAcls: { defaultAction: 'Allow' } }))).toEqual([]);
  });

  it('fails an open firewall at its defaultAction, naming the vault, as a warning', async () => {
    const t = withNetwork({ networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' } });
    const f = expectOneAt(await findingsOf('KV007', t), t, '"Allow"');
    expect(f.level).toBe('warning');
    expect(f.message).toMatch(/'reg-kv' \(CMK vault of registry 'contosoreg'\) is open to all networks: networkAcls.defaultAction is 'Allow' and publicNetworkAccess is absent/);
    expect(f.resource?.fullyQualifiedName).toBe(VAULT_FQN);
  });

  it('fails publicNetworkAccess Enabled without a firewall at the publicNetworkAccess value', async () => {
    const t = withNetwork({ publicNetworkAccess: 'Enabled' });
    expectOneAt(await findingsOf('KV007', t), t, '"Enabled"');
  });

  it('fails a vault with no network settings at its properties, and a firewall without defaultAction at networkAcls', async () => {
    const t = withNetwork({});
    const f = expectOneAt(await findingsOf('KV007', t), t, '"properties": {\n        "tenantId"');
    expect(f.message).toMatch(/defaultAction is absent \(Allow\) and publicNetworkAccess is absent \(Enabled\)/);
    const acl = withNetwork({ networkAcls: { bypass: 'AzureServices' } });
    expectOneAt(await findingsOf('KV007', acl), acl, '"networkAcls"');
  });

  it('does not count publicNetworkAccess on API versions older than 2021-06-01-preview', async () => {
    const t = withNetwork({ publicNetworkAccess: 'Disabled' });
    findResource(t, VAULT)['apiVersion'] = '2019-09-01';
    const f = expectOneAt(await findingsOf('KV007', t), t, '"Disabled"');
    expect(f.message).toMatch(/publicNetworkAccess is ignored by API version 2019-09-01/);
    findResource(t, VAULT)['apiVersion'] = '2021-06-01-preview';
    expect(await findingsOf('KV007', t)).toEqual([]);
  });

  it('is undetermined, not a pass, when the API version that decides whether publicNetworkAccess counts is unknown', async () => {
    const t = withNetwork({ publicNetworkAccess: 'Disabled' });
    t['parameters']['kvApi'] = { type: 'string' };
    findResource(t, VAULT)['apiVersion'] = "[parameters('kvApi')]";
    const f = expectOneAt(await findingsOf('KV007', t), t, `"[parameters('kvApi')]"`, 'open');
    expect(f.message).toMatch(/apiVersion is not known before deployment/);
  });

  it('checks symbolic-name templates', async () => {
    const t: Json = template({
      languageVersion: '2.0',
      resources: {
        kv: { type: VAULT, apiVersion: '2023-07-01', name: 'reg-kv', location: 'westeurope', properties: { tenantId: 'x', sku: { family: 'A', name: 'standard' }, publicNetworkAccess: 'Enabled' } },
        key: { type: KEY, apiVersion: '2023-07-01', name: "[format('{0}/{1}', 'reg-kv', 'reg-key')]", dependsOn: ['kv'], properties: { kty: 'RSA' } },
        reg: {
          type: REGISTRY,
          apiVersion: '2023-07-01',
          name: 'contosoreg',
          location: 'westeurope',
          sku: { name: 'Premium' },
          properties: { encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: "[reference('key').keyUri]", identity: 'x' } } },
        },
      },
    });
    const f = expectOneAt(await findingsOf('KV007', t), t, '"Enabled"');
    expect(f.resource?.fullyQualifiedName).toBe(VAULT_FQN);
  });

  it('checks a vault deployed by a nested deployment', async () => {
    const t = cmkStack();
    const vault = findResource(t, VAULT);
    t['resources'] = (t['resources'] as Json[]).filter((r) => r !== vault);
    vault['properties']['networkAcls'] = { defaultAction: "[parameters('firewall')]" };
    (t['resources'] as Json[]).push(innerDeployment('vault', { firewall: { value: 'Allow' } }, template({ parameters: { firewall: { type: 'string' } }, resources: [vault] })));
    const f = expectOneAt(await findingsOf('KV007', t), t, `"[parameters('firewall')]"`);
    expect(f.resource?.fullyQualifiedName).toBe(VAULT_FQN);
  });

  it('follows the chain into another scanned template', async () => {
    const t = cmkStack();
    const vault = findResource(t, VAULT);
    t['resources'] = (t['resources'] as Json[]).filter((r) => r !== vault);
    vault['properties']['networkAcls']['defaultAction'] = 'Allow';
    const findings = await findingsOf('KV007', t, { 'vault.json': text(template({ resources: [vault] })) });
    expect(findings.map((f) => [f.uri, f.kind, f.resource?.fullyQualifiedName])).toEqual([['vault.json', 'fail', VAULT_FQN]]);
  });

  it('is undetermined, naming the vault, when the vault is not in the scan', async () => {
    const t = cmkStack();
    t['resources'] = (t['resources'] as Json[]).filter((r) => r['type'] !== VAULT && r['type'] !== KEY);
    findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = 'https://shared-kv.vault.azure.net/keys/acr';
    const f = expectOneAt(await findingsOf('KV007', t), t, '"https://shared-kv', 'open');
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.KeyVault/vaults/shared-kv');
  });

  it('is undetermined when the deciding value comes from a parameter without value', async () => {
    const t = withNetwork({ networkAcls: { defaultAction: "[parameters('firewall')]" } });
    t['parameters']['firewall'] = { type: 'string' };
    expect(expectOneAt(await findingsOf('KV007', t), t, `"[parameters('firewall')]"`, 'open').message).toMatch(/parameter 'firewall' has no value/);
    const pna = withNetwork({ networkAcls: { defaultAction: 'Allow' }, publicNetworkAccess: "[parameters('access')]" });
    pna['parameters']['access'] = { type: 'string' };
    expectOneAt(await findingsOf('KV007', pna), pna, `"[parameters('access')]"`, 'open');
    // A known Deny decides alone.
    const decided = withNetwork({ networkAcls: { defaultAction: 'Deny' }, publicNetworkAccess: "[parameters('access')]" });
    decided['parameters']['access'] = { type: 'string' };
    expect(await findingsOf('KV007', decided)).toEqual([]);
  });
});
