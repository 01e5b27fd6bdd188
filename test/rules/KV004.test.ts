import { describe, expect, it } from 'vitest';
import type { RuleSetting } from '../../src/scan.js';
import { template } from '../helpers/scan.js';
import { expectOneAt, findingsOf } from './expect.js';
import { cmkStack, findResource, innerDeployment, type Json, KEY, REGISTRY, text, VAULT } from './stack.js';

const KEY_FQN = 'Microsoft.KeyVault/vaults/reg-kv/keys/reg-key';
const minKeySize = (n: number) => ({ settings: new Map<string, RuleSetting>([['KV004', { enabled: true, options: { minKeySize: n } }]]) });
const keyProps = (t: Json): Json => findResource(t, KEY)['properties'];
/** The scan's clock fixed at 2026-06-01T00:00:00Z (Unix 1780272000) through option asOf. */
const asOf = (date = '2026-06-01') => ({ settings: new Map<string, RuleSetting>([['KV004', { enabled: true, options: { asOf: date } }]]) });
const JUNE_2026 = 1780272000;

/** The compliant stack in symbolic-name syntax (languageVersion 2.0), as Bicep compiles it. */
function symbolicStack(): Json {
  return template({
    languageVersion: '2.0',
    resources: {
      id: { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'reg-id', location: 'westeurope' },
      kv: {
        type: VAULT,
        apiVersion: '2023-07-01',
        name: 'reg-kv',
        location: 'westeurope',
        properties: { tenantId: '[subscription().tenantId]', sku: { family: 'A', name: 'standard' }, enablePurgeProtection: true, publicNetworkAccess: 'Disabled' },
      },
      key: {
        type: KEY,
        apiVersion: '2023-07-01',
        name: "[format('{0}/{1}', 'reg-kv', 'reg-key')]",
        dependsOn: ['kv'],
        properties: { kty: 'RSA', keySize: 3072, keyOps: ['wrapKey', 'unwrapKey'] },
      },
      reg: {
        type: REGISTRY,
        apiVersion: '2023-07-01',
        name: 'contosoreg',
        location: 'westeurope',
        sku: { name: 'Premium' },
        identity: { type: 'UserAssigned', userAssignedIdentities: { "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'reg-id')]": {} } },
        dependsOn: ['id', 'key'],
        properties: { encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: "[reference('key').keyUri]", identity: "[reference('id').clientId]" } } },
      },
    },
  });
}

/** The stack with vault and key moved into a nested deployment (inline template, inner scope). */
function nestedStack(): Json {
  const t = cmkStack();
  const vault = findResource(t, VAULT);
  const key = findResource(t, KEY);
  t['resources'] = (t['resources'] as Json[]).filter((r) => r !== vault && r !== key);
  (t['resources'] as Json[]).unshift(
    innerDeployment('keyvault', { vaultName: { value: 'reg-kv' } }, template({ parameters: { vaultName: { type: 'string' } }, resources: [vault, { ...key, name: "[format('{0}/reg-key', parameters('vaultName'))]", dependsOn: [] }] })),
  );
  return t;
}

describe('KV004 keyvault-key-type', () => {
  it('passes the stack: RSA 3072, no keyOps restriction', async () => {
    expect(await findingsOf('KV004', cmkStack())).toEqual([]);
  });

  it('passes lowercase rsa, absent keySize (2048) at the default minimum, and wrapKey/unwrapKey in any case', async () => {
    const t = cmkStack();
    const props = keyProps(t);
    props['kty'] = 'rsa';
    delete props['keySize'];
    props['keyOps'] = ['encrypt', 'WRAPKEY', 'unwrapKey'];
    expect(await findingsOf('KV004', t)).toEqual([]);
  });

  it('passes an RSA-HSM key in a premium vault', async () => {
    const t = cmkStack();
    keyProps(t)['kty'] = 'RSA-HSM';
    findResource(t, VAULT)['properties']['sku']['name'] = 'premium';
    expect(await findingsOf('KV004', t)).toEqual([]);
  });

  it('fails an elliptic-curve key at its kty, naming the key', async () => {
    const t = cmkStack();
    keyProps(t)['kty'] = 'EC';
    const f = expectOneAt(await findingsOf('KV004', t), t, '"EC"');
    expect(f.level).toBe('error');
    expect(f.message).toMatch(/reg-kv\/reg-key.*contosoreg.*'EC'.*RSA and RSA-HSM/);
    expect(f.resource?.fullyQualifiedName).toBe(KEY_FQN);
  });

  it('fails EC-HSM and oct-HSM too, and a key without kty at its properties', async () => {
    for (const kty of ['EC-HSM', 'oct-HSM']) {
      const t = cmkStack();
      keyProps(t)['kty'] = kty;
      expectOneAt(await findingsOf('KV004', t), t, `"${kty}"`);
    }
    const t = cmkStack();
    delete keyProps(t)['kty'];
    const f = expectOneAt(await findingsOf('KV004', t), t, '"properties": {\n        "keySize"');
    expect(f.message).toMatch(/does not set kty/);
  });

  it('fails a key below minKeySize at the size, and an absent size (2048) at the key properties', async () => {
    const t = cmkStack();
    keyProps(t)['keySize'] = 2048;
    expect(await findingsOf('KV004', t)).toEqual([]);
    const f = expectOneAt(await findingsOf('KV004', t, {}, minKeySize(3072)), t, '2048');
    expect(f.message).toMatch(/2048 bits, below the minimum of 3072/);
    const absent = cmkStack();
    delete keyProps(absent)['keySize'];
    const g = expectOneAt(await findingsOf('KV004', absent, {}, minKeySize(4096)), absent, '"properties": {\n        "kty"');
    expect(g.message).toMatch(/ARM default of 2048 bits/);
    expect(await findingsOf('KV004', cmkStack(), {}, minKeySize(3072))).toEqual([]);
  });

  it('fails an RSA-HSM key in a standard vault at the vault sku, naming the key', async () => {
    const t = cmkStack();
    keyProps(t)['kty'] = 'RSA-HSM';
    const f = expectOneAt(await findingsOf('KV004', t), t, '"standard"');
    expect(f.message).toMatch(/'reg-kv' has sku.name 'standard'.*RSA-HSM key 'reg-kv\/reg-key'.*premium/);
    expect(f.resource?.fullyQualifiedName).toBe(KEY_FQN);
  });

  it('fails keyOps without unwrapKey at the keyOps list', async () => {
    const t = cmkStack();
    keyProps(t)['keyOps'] = ['wrapKey', 'encrypt'];
    const f = expectOneAt(await findingsOf('KV004', t), t, '"keyOps"');
    expect(f.message).toMatch(/without unwrapKey/);
    const empty = cmkStack();
    keyProps(empty)['keyOps'] = [];
    expect((await findingsOf('KV004', empty)).map((x) => x.message)).toEqual([expect.stringMatching(/without wrapKey and unwrapKey/)]);
  });

  it('fails a disabled key at attributes.enabled: Key Vault allows no operation with it (k-disabled)', async () => {
    const t = cmkStack();
    keyProps(t)['attributes'] = { enabled: false };
    const f = expectOneAt(await findingsOf('KV004', t), t, 'false');
    expect(f.message).toMatch(/sets attributes.enabled to false: Key Vault allows no operation with a disabled key.*creates the registry, so the deployment fails/);
  });

  it('fails a key whose exp is not after the time it is judged at, at exp (k-exp-past), and passes a later one', async () => {
    const t = cmkStack();
    keyProps(t)['attributes'] = { enabled: true, exp: JUNE_2026 };
    const f = expectOneAt(await findingsOf('KV004', t, {}, asOf()), t, `${JUNE_2026}`);
    expect(f.message).toMatch(/expires at 2026-06-01T00:00:00Z \(attributes.exp 1780272000\), which is not after 2026-06-01T00:00:00Z \(option asOf\): Key Vault refuses to wrap with an expired key/);
    expect(await findingsOf('KV004', t, {}, asOf('2026-05-31T23:59:59Z'))).toEqual([]);
    keyProps(t)['attributes'] = { exp: 1577836800 }; // 2020-01-01, judged by the scan's own clock
    expectOneAt(await findingsOf('KV004', t), t, '1577836800');
  });

  it('fails a key whose nbf is after the time it is judged at, at nbf (k-nbf-future)', async () => {
    const t = cmkStack();
    keyProps(t)['attributes'] = { nbf: `${JUNE_2026 + 1}` };
    const f = expectOneAt(await findingsOf('KV004', t, {}, asOf()), t, `"${JUNE_2026 + 1}"`);
    expect(f.message).toMatch(/is not valid before 2026-06-01T00:00:01Z \(attributes.nbf 1780272001\), which is after 2026-06-01T00:00:00Z \(option asOf\)/);
    keyProps(t)['attributes'] = { nbf: JUNE_2026 };
    expect(await findingsOf('KV004', t, {}, asOf())).toEqual([]);
  });

  it('is undetermined when exp comes from a parameter without value', async () => {
    const t = cmkStack();
    t['parameters']['keyExpiry'] = { type: 'int' };
    keyProps(t)['attributes'] = { exp: "[parameters('keyExpiry')]" };
    const f = expectOneAt(await findingsOf('KV004', t), t, `"[parameters('keyExpiry')]"`, 'open');
    expect(f.message).toMatch(/enabled and within its validity period, because parameter 'keyExpiry' has no value/);
  });

  it('reports each problem of one key separately', async () => {
    const t = cmkStack();
    keyProps(t)['kty'] = 'RSA-HSM';
    keyProps(t)['keySize'] = 1024;
    keyProps(t)['keyOps'] = ['sign'];
    const messages = (await findingsOf('KV004', t)).map((f) => `${f.kind}: ${f.message}`).sort();
    expect(messages).toEqual([
      expect.stringMatching(/^fail: Key 'reg-kv\/reg-key' .*has 1024 bits, below the minimum of 2048/),
      expect.stringMatching(/^fail: Key 'reg-kv\/reg-key' .*limits keyOps to \["sign"\], without wrapKey and unwrapKey/),
      expect.stringMatching(/^fail: Key Vault 'reg-kv' has sku.name 'standard'/),
    ]);
  });

  it('checks a key shared by two registries once', async () => {
    const t = cmkStack();
    keyProps(t)['kty'] = 'EC';
    const second = structuredClone(findResource(t, REGISTRY));
    second['name'] = 'otherreg';
    (t['resources'] as Json[]).push(second);
    const f = expectOneAt(await findingsOf('KV004', t), t, '"EC"');
    expect(f.message).toMatch(/CMK of registries 'contosoreg' and 'otherreg'\)/);
  });

  it('finds the key through a literal key identifier', async () => {
    const t = cmkStack();
    keyProps(t)['kty'] = 'EC';
    findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = 'https://reg-kv.vault.azure.net/keys/reg-key';
    expectOneAt(await findingsOf('KV004', t), t, '"EC"');
  });

  it('checks symbolic-name templates (reference of a symbolic name)', async () => {
    const t = symbolicStack();
    expect(await findingsOf('KV004', t)).toEqual([]);
    t['resources']['key']['properties']['kty'] = 'RSA-HSM';
    const f = expectOneAt(await findingsOf('KV004', t), t, '"standard"');
    expect(f.resource?.fullyQualifiedName).toBe(KEY_FQN);
  });

  it('checks a key deployed by a nested deployment', async () => {
    const t = nestedStack();
    expect(await findingsOf('KV004', t)).toEqual([]);
    const inner = (t['resources'] as Json[])[0]!['properties']['template']['resources'][1];
    inner['properties']['kty'] = 'EC';
    const f = expectOneAt(await findingsOf('KV004', t), t, '"EC"');
    expect(f.resource?.fullyQualifiedName).toBe(KEY_FQN);
  });

  it('follows the chain into another scanned template', async () => {
    const t = cmkStack();
    const vault = findResource(t, VAULT);
    const key = findResource(t, KEY);
    t['resources'] = (t['resources'] as Json[]).filter((r) => r !== vault && r !== key);
    key['properties']['kty'] = 'EC';
    const other = template({ resources: [vault, key] });
    const findings = await findingsOf('KV004', t, { 'vault.json': text(other) });
    expect(findings.map((f) => [f.uri, f.kind, f.resource?.fullyQualifiedName])).toEqual([['vault.json', 'fail', KEY_FQN]]);
  });

  it('is undetermined, naming the key, when no scanned template deploys the key', async () => {
    const t = cmkStack();
    t['resources'] = (t['resources'] as Json[]).filter((r) => r['type'] !== KEY);
    const f = expectOneAt(await findingsOf('KV004', t), t, `"[reference(variables('keyId')).keyUri]"`, 'open');
    expect(f.message).toMatch(/no scanned template deploys key 'reg-kv\/reg-key' into vault 'reg-kv'/);
    expect(f.resource?.fullyQualifiedName).toBe(KEY_FQN);
    expect(f.level).toBe('note');
  });

  it('is undetermined when the key is only declared existing, or vault and key are elsewhere', async () => {
    const t = symbolicStack();
    t['resources']['key'] = { type: KEY, apiVersion: '2023-07-01', name: 'reg-kv/reg-key', existing: true };
    const f = expectOneAt(await findingsOf('KV004', t), t, `"[reference('key').keyUri]"`, 'open');
    expect(f.message).toMatch(/'reg-kv\/reg-key' is declared 'existing'/);
    expect(f.resource?.fullyQualifiedName).toBe(KEY_FQN);
    const elsewhere = cmkStack();
    elsewhere['resources'] = (elsewhere['resources'] as Json[]).filter((r) => r['type'] !== KEY && r['type'] !== VAULT);
    findResource(elsewhere, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = 'https://shared-kv.vault.azure.net/keys/acr';
    const g = expectOneAt(await findingsOf('KV004', elsewhere), elsewhere, '"https://shared-kv', 'open');
    expect(g.message).toMatch(/key 'shared-kv\/acr' is not in the scanned templates/);
    expect(g.resource?.fullyQualifiedName).toBe('Microsoft.KeyVault/vaults/shared-kv/keys/acr');
  });

  it('is undetermined when the key identifier, kty or keyOps is unknown', async () => {
    const t = cmkStack();
    t['parameters']['kid'] = { type: 'string' };
    findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = "[parameters('kid')]";
    expect(expectOneAt(await findingsOf('KV004', t), t, `"[parameters('kid')]"`, 'open').message).toMatch(/parameter 'kid' has no value/);

    const kty = cmkStack();
    kty['parameters']['kty'] = { type: 'string' };
    keyProps(kty)['kty'] = "[parameters('kty')]";
    expect(expectOneAt(await findingsOf('KV004', kty), kty, `"[parameters('kty')]"`, 'open').message).toMatch(/parameter 'kty' has no value/);

    const ops = cmkStack();
    ops['parameters']['op'] = { type: 'string' };
    keyProps(ops)['keyOps'] = ['wrapKey', "[parameters('op')]"];
    expectOneAt(await findingsOf('KV004', ops), ops, '"keyOps"', 'open');
  });

  it('is undetermined for an RSA-HSM key whose vault is declared existing', async () => {
    const t = symbolicStack();
    t['resources']['kv'] = { type: VAULT, apiVersion: '2023-07-01', name: 'reg-kv', existing: true };
    t['resources']['key']['properties']['kty'] = 'RSA-HSM';
    const f = expectOneAt(await findingsOf('KV004', t), t, '"RSA-HSM"', 'open');
    expect(f.message).toMatch(/premium.*'reg-kv' is declared 'existing'/);
  });

  it("says 'the key it names' when the key identifier is the keyUri of a key whose id is not known", async () => {
    const t = cmkStack();
    t['parameters']['keyId'] = { type: 'string' };
    const expression = "[reference(parameters('keyId'), '2023-07-01').keyUri]";
    findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = expression;
    const f = expectOneAt(await findingsOf('KV004', t), t, JSON.stringify(expression), 'open');
    expect(f.message).toMatch(/because the key it names is not in the scanned templates/);
    expect(f.message).not.toMatch(/\{vault\}|\{key\}/);
  });
});

