import { describe, expect, it } from 'vitest';
import { findingsOf, expectOneAt } from './expect.js';
import { REGISTRY, cmkStack, findResource } from './stack.js';

function withKeyIdentifier(value: string) {
  const t = cmkStack();
  findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = value;
  return t;
}

describe('ACR003 registry-cmk-key-identifier', () => {
  it('passes reference(key).keyUri and literal Key Vault URIs in every cloud', async () => {
    expect(await findingsOf('ACR003', cmkStack())).toEqual([]);
    for (const uri of [
      'https://reg-kv.vault.azure.net/keys/reg-key',
      'https://reg-kv.vault.azure.cn/keys/reg-key/0123456789abcdef0123456789abcdef',
      'https://reg-kv.vault.usgovcloudapi.net/keys/reg-key',
    ]) {
      expect(await findingsOf('ACR003', withKeyIdentifier(uri))).toEqual([]);
    }
  });

  it('passes a URI built from the vault vaultUri', async () => {
    const t = withKeyIdentifier("[concat(reference(variables('vaultId')).vaultUri, 'keys/reg-key')]");
    expect(await findingsOf('ACR003', t)).toEqual([]);
  });

  it("fails vaultUri joined to '/keys/…' for its empty path segment, not for its host", async () => {
    const t = withKeyIdentifier("[concat(reference(variables('vaultId')).vaultUri, '/keys/reg-key')]");
    const f = expectOneAt(await findingsOf('ACR003', t), t, `"[concat(reference(variables('vaultId')).vaultUri, '/keys/reg-key')]"`);
    expect(f.message).toMatch(/its path has an empty segment \('\/\/'\): a vault's vaultUri already ends in '\/'/);
    expect(f.message).not.toMatch(/host/);
  });

  it("fails a version appended to the key's keyUri that is not 32 hex digits ('latest'), though the key's URI is only known at deployment", async () => {
    const t = withKeyIdentifier("[format('{0}/{1}', reference(variables('keyId')).keyUri, 'latest')]");
    const f = expectOneAt(await findingsOf('ACR003', t), t, `"[format('{0}/{1}', reference(variables('keyId')).keyUri, 'latest')]"`);
    expect(f.message).toMatch(/its version 'latest' is not 32 hexadecimal digits/);
  });

  it('fails a Managed HSM key', async () => {
    const t = withKeyIdentifier('https://hsm1.managedhsm.azure.net/keys/k');
    const f = expectOneAt(await findingsOf('ACR003', t), t, '"https://hsm1');
    expect(f.message).toMatch(/Managed HSM/);
  });

  it("fails the keyUri of a Managed HSM key resource, plain or with a version appended, though the URI is only known at deployment", async () => {
    const hsmKey = "resourceId('Microsoft.KeyVault/managedHSMs/keys', 'hsm1', 'acr-key')";
    for (const expression of [`[reference(${hsmKey}).keyUri]`, `[reference(${hsmKey}).keyUriWithVersion]`, `[format('{0}/{1}', reference(${hsmKey}).keyUri, parameters('keyVersion'))]`]) {
      const t = withKeyIdentifier(expression);
      t['parameters']['keyVersion'] = { type: 'string' };
      const f = expectOneAt(await findingsOf('ACR003', t), t, JSON.stringify(expression));
      expect(f.kind).toBe('fail');
      expect(f.message).toMatch(/it names a Managed HSM key; ACR supports keys in Key Vault only/);
    }
  });

  it('fails a secret URI and a bad version', async () => {
    const t = withKeyIdentifier('https://reg-kv.vault.azure.net/secrets/reg-key');
    expect((await findingsOf('ACR003', t))[0]?.message).toMatch(/keys/);
    const v = withKeyIdentifier('https://reg-kv.vault.azure.net/keys/reg-key/v1');
    expect((await findingsOf('ACR003', v))[0]?.message).toMatch(/32 hexadecimal/);
  });

  it('is undetermined for a parameter without value, and fails a known wrong host even with unknown parts', async () => {
    const t = withKeyIdentifier("[parameters('kid')]");
    t['parameters']['kid'] = { type: 'string' };
    expectOneAt(await findingsOf('ACR003', t), t, `"[parameters('kid')]"`, 'open');
    const w = withKeyIdentifier("[format('https://{0}.example.com/keys/k', parameters('host'))]");
    w['parameters']['host'] = { type: 'string' };
    expect((await findingsOf('ACR003', w)).map((f) => f.kind)).toEqual(['fail']);
  });

  it('fails vault and key names that Key Vault does not allow', async () => {
    const t = withKeyIdentifier('https://reg-kv.vault.azure.net/keys/key_1');
    expect((await findingsOf('ACR003', t))[0]?.message).toMatch(/key name 'key_1'/);
    const v = withKeyIdentifier('https://kv.vault.azure.net/keys/k');
    expect((await findingsOf('ACR003', v))[0]?.message).toMatch(/vault name 'kv'/);
  });
});
