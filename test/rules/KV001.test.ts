import { describe, expect, it } from 'vitest';
import type { RuleSetting } from '../../src/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { KEY, REGISTRY, VAULT, cmkStack, findResource, moveRegistryIntoModule, nameVaultBy, recoverVault, text, type Json } from './stack.js';
import { template } from '../helpers/scan.js';

describe('KV001 keyvault-purge-protection', () => {
  it('is undetermined for a recovered vault (createMode recover) that does not set purge protection, at createMode', async () => {
    // v-recover: the vault comes back with its earlier settings, so absent does not mean off.
    const t = recoverVault(cmkStack(), ['enableRbacAuthorization']);
    const f = expectOneAt(await findingsOf('KV001', t), t, '"recover"', 'open');
    expect(f.message).toMatch(/because the vault is recovered \(createMode 'recover'\) with its earlier settings, which the template does not show \(it does not set enablePurgeProtection\): set enablePurgeProtection in the template/);
    expect(await findingsOf('KV001', recoverVault(cmkStack(), ['enablePurgeProtection']))).toEqual([]);
    const off = recoverVault(cmkStack(), ['enablePurgeProtection']);
    findResource(off, VAULT)['properties']['enablePurgeProtection'] = false;
    expect((await findingsOf('KV001', off)).map((f) => f.kind)).toEqual(['fail']);
  });

  it('is undetermined when createMode comes from a parameter without value and purge protection is absent', async () => {
    const t = cmkStack();
    t['parameters']['mode'] = { type: 'string' };
    const props = findResource(t, VAULT)['properties'];
    delete props['enablePurgeProtection'];
    props['createMode'] = "[parameters('mode')]";
    const f = expectOneAt(await findingsOf('KV001', t), t, `"[parameters('mode')]"`, 'open');
    expect(f.message).toMatch(/whether the vault is recovered with its earlier settings \(createMode 'recover'\) is not known: parameter 'mode' has no value/);
  });

  it('passes a CMK vault with purge protection', async () => {
    expect(await findingsOf('KV001', cmkStack())).toEqual([]);
  });

  it('fails a CMK vault without purge protection, at its properties', async () => {
    const t = cmkStack();
    delete findResource(t, VAULT)['properties']['enablePurgeProtection'];
    const f = expectOneAt(await findingsOf('KV001', t), t, '"properties": {\n        "tenantId"');
    expect(f.message).toMatch(/reg-kv.*contosoreg/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.KeyVault/vaults/reg-kv');
  });

  it('fails an enablePurgeProtection that an expression leaves null (a module\'s optional parameter), at the expression', async () => {
    const t = cmkStack();
    t['parameters']['purge'] = { type: 'bool', defaultValue: false };
    const expression = "[if(parameters('purge'), parameters('purge'), null())]";
    findResource(t, VAULT)['properties']['enablePurgeProtection'] = expression;
    const f = expectOneAt(await findingsOf('KV001', t), t, `"${expression}"`);
    expect(f.message).toMatch(/leaves enablePurgeProtection null \(ARM treats that as not set, which means off\)/);
  });

  it('fails enablePurgeProtection false at the value', async () => {
    const t = cmkStack();
    findResource(t, VAULT)['properties']['enablePurgeProtection'] = false;
    expectOneAt(await findingsOf('KV001', t), t, 'false');
  });

  it('finds the CMK vault by the host of a literal key identifier', async () => {
    const t = cmkStack();
    delete findResource(t, VAULT)['properties']['enablePurgeProtection'];
    findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = 'https://REG-KV.vault.azure.net/keys/reg-key';
    expect((await findingsOf('KV001', t)).map((f) => f.kind)).toEqual(['fail']);
  });

  it('finds the CMK vault in another template of the scan', async () => {
    const t = cmkStack();
    const vault = findResource(t, VAULT);
    t['resources'] = (t['resources'] as object[]).filter((r) => r !== vault);
    delete vault['properties']['enablePurgeProtection'];
    const other = template({ resources: [vault] });
    const findings = await findingsOf('KV001', t, { 'vault.json': text(other) });
    expect(findings.map((f) => [f.uri, f.kind])).toEqual([['vault.json', 'fail']]);
  });

  it('is undetermined, naming the vault, when the vault is not in the scan', async () => {
    const t = cmkStack();
    t['resources'] = (t['resources'] as { type: string }[]).filter((r) => r.type !== VAULT && r.type !== 'Microsoft.KeyVault/vaults/keys');
    findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = 'https://shared-kv.vault.azure.net/keys/acr';
    const f = expectOneAt(await findingsOf('KV001', t), t, '"https://shared-kv', 'open');
    expect(f.message).toMatch(/'shared-kv' is not in the scanned templates: scan the template that deploys it too, or read it from Azure with --live\.$/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.KeyVault/vaults/shared-kv');
  });

  it('checks only CMK vaults by default, every vault with scope all', async () => {
    const t = cmkStack();
    (t['resources'] as object[]).push({ type: VAULT, apiVersion: '2023-07-01', name: 'other-kv', properties: { tenantId: 'x', sku: { family: 'A', name: 'standard' } } });
    expect(await findingsOf('KV001', t)).toEqual([]);
    const all = { settings: new Map<string, RuleSetting>([['KV001', { enabled: true, options: { scope: 'all' } }]]) };
    expect((await findingsOf('KV001', t, {}, all)).map((f) => f.message)).toEqual([expect.stringMatching(/'other-kv'/)]);
  });

  it('follows a module that re-declares the caller\'s vault as existing from its resource id (the AVM registry pattern)', async () => {
    // The caller deploys vault, key and identity and passes their resource ids; the module splits the vault id
    // into subscription, resource group and name for its `existing` declarations. The subscription and the
    // resource group stay unknown, yet each split segment is exactly them, so the module's vault is the caller's.
    const segment = (i: number) => `split(parameters('cmk').keyVaultResourceId, '/')[${i}]`;
    const vaultName = "last(split(parameters('cmk').keyVaultResourceId, '/'))";
    const existingAt = { subscriptionId: `[${segment(2)}]`, resourceGroup: `[${segment(4)}]` };
    const cmk = { keyVaultResourceId: "[variables('vaultId')]", keyName: 'reg-key', identityId: "[variables('identityId')]" };
    const t = moveRegistryIntoModule(cmkStack(), { cmk: { value: cmk } }, (registry) => ({
      ...template({ parameters: { cmk: { type: 'object' } } }),
      languageVersion: '2.0',
      resources: {
        vault: { existing: true, type: VAULT, apiVersion: '2023-07-01', ...existingAt, name: `[${vaultName}]` },
        key: { existing: true, type: KEY, apiVersion: '2023-07-01', ...existingAt, name: `[format('{0}/{1}', ${vaultName}, parameters('cmk').keyName)]` },
        registry: {
          ...registry,
          identity: { type: 'UserAssigned', userAssignedIdentities: { "[parameters('cmk').identityId]": {} } },
          dependsOn: ['key'],
          properties: { ...registry['properties'], encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: "[reference('key').keyUri]", identity: "[reference(parameters('cmk').identityId, '2023-01-31').clientId]" } } },
        },
      },
    }));
    delete findResource(t, VAULT)['properties']['enablePurgeProtection'];
    const f = expectOneAt(await findingsOf('KV001', t), t, '"properties": {\n        "tenantId"');
    expect(f.message).toMatch(/Key Vault 'reg-kv' \(CMK vault of registry 'contosoreg'\) does not set enablePurgeProtection/);
  });

  it('leaves a vault declared with a false condition (new or existing) undetermined, and fails it when it is deployed', async () => {
    const stack = (newOrExisting: string): Json => {
      const t = cmkStack();
      t['parameters']['newOrExisting'] = { type: 'string', defaultValue: newOrExisting };
      const vault = findResource(t, VAULT);
      delete vault['properties']['enablePurgeProtection'];
      vault['condition'] = "[equals(parameters('newOrExisting'), 'new')]";
      return t;
    };
    const deployed = await findingsOf('KV001', stack('new'));
    expect(deployed.map((f) => f.kind)).toEqual(['fail']);
    const t = stack('existing');
    const f = expectOneAt(await findingsOf('KV001', t), t, `"[reference(variables('keyId')`, 'open');
    expect(f.message).toMatch(/the declaration of Key Vault 'reg-kv' has a false condition, so the vault comes from elsewhere/);
  });

  it('finds a vault named by a parameter from a key URI whose host is built from the same parameter', async () => {
    const t = nameVaultBy(cmkStack(), "parameters('vaultName')", ['vaultName']);
    const keyUri = "[format('https://{0}{1}/keys/reg-key', parameters('vaultName'), environment().suffixes.keyvaultDns)]";
    findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = keyUri;
    delete findResource(t, VAULT)['properties']['enablePurgeProtection'];
    expect((await findingsOf('KV001', t)).map((f) => f.kind)).toEqual(['fail']);
    // In another template the same parameter name is another value: that vault is not the CMK vault.
    const moved = (t['resources'] as Json[]).filter((r) => [VAULT, KEY].includes(r['type']));
    t['resources'] = (t['resources'] as Json[]).filter((r) => !moved.includes(r));
    const other = template({ parameters: { vaultName: { type: 'string' } }, resources: moved });
    const findings = await findingsOf('KV001', t, { 'vault.json': text(other) });
    expect(findings.map((f) => [f.uri, f.kind])).toEqual([['main.json', 'open']]);
  });

  it('checks the vault deployed by another template over an existing declaration of it', async () => {
    const t = cmkStack();
    const vault = findResource(t, VAULT);
    delete vault['properties']['enablePurgeProtection'];
    const deployedElsewhere = template({ resources: [structuredClone(vault)] });
    vault['existing'] = true;
    t['languageVersion'] = '2.0';
    const findings = await findingsOf('KV001', t, { 'vault.json': text(deployedElsewhere) });
    expect(findings.map((f) => [f.uri, f.kind])).toEqual([['vault.json', 'fail']]);
  });

  it('never takes a vault of another template for the CMK vault because both name it by a parameter of the same name', async () => {
    // Both templates say parameters('vaultName') and neither has a value: the names may differ at deployment.
    const named = (t: Json): Json => {
      nameVaultBy(t, "parameters('vaultName')", ['vaultName']);
      delete findResource(t, VAULT)['properties']['enablePurgeProtection'];
      return t;
    };
    // In one template the parameter is one value: the vault is the CMK vault and fails.
    const whole = named(cmkStack());
    expect((await findingsOf('KV001', whole)).map((f) => f.kind)).toEqual(['fail']);

    const t = named(cmkStack());
    const moved = (t['resources'] as Json[]).filter((r) => [VAULT, KEY].includes(r['type']));
    t['resources'] = (t['resources'] as Json[]).filter((r) => !moved.includes(r));
    const other = template({ parameters: { vaultName: { type: 'string' } }, resources: moved });
    const findings = await findingsOf('KV001', t, { 'vault.json': text(other) });
    expect(findings.map((f) => [f.uri, f.kind])).toEqual([['main.json', 'open']]);
    expect(findings[0]!.message).toMatch(/not in the scanned templates/);
  });

  it('is undetermined when the key identifier is not known', async () => {
    const t = cmkStack();
    t['parameters']['kid'] = { type: 'string' };
    findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = "[parameters('kid')]";
    const f = expectOneAt(await findingsOf('KV001', t), t, `"[parameters('kid')]"`, 'open');
    expect(f.message).toMatch(/parameter 'kid' has no value/);
  });
});
