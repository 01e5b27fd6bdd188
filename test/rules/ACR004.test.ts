import { describe, expect, it } from 'vitest';
import type { RuleSetting } from '../../src/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { REGISTRY, cmkStack, findResource } from './stack.js';

function withKeyIdentifier(value: string) {
  const t = cmkStack();
  findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = value;
  return t;
}
const policy = (keyVersion: string) => ({ settings: new Map<string, RuleSetting>([['ACR004', { enabled: true, options: { keyVersion } }]]) });

describe('ACR004 registry-cmk-key-version', () => {
  it('passes a versionless key (default policy)', async () => {
    expect(await findingsOf('ACR004', cmkStack())).toEqual([]);
    expect(await findingsOf('ACR004', withKeyIdentifier('https://reg-kv.vault.azure.net/keys/reg-key'))).toEqual([]);
  });

  it('fails keyUriWithVersion and literal versions by default', async () => {
    const t = withKeyIdentifier("[reference(variables('keyId')).keyUriWithVersion]");
    const f = expectOneAt(await findingsOf('ACR004', t), t, `"[reference(variables('keyId')).keyUriWithVersion]"`);
    expect(f.level).toBe('warning');
    const lit = withKeyIdentifier('https://reg-kv.vault.azure.net/keys/reg-key/0123456789abcdef0123456789abcdef');
    expect((await findingsOf('ACR004', lit)).map((x) => x.kind)).toEqual(['fail']);
  });

  it('follows the keyVersion option', async () => {
    expect((await findingsOf('ACR004', cmkStack(), {}, policy('versioned'))).map((x) => x.kind)).toEqual(['fail']);
    const pinned = withKeyIdentifier('https://reg-kv.vault.azure.net/keys/reg-key/0123456789abcdef0123456789abcdef');
    expect(await findingsOf('ACR004', pinned, {}, policy('versioned'))).toEqual([]);
    expect(await findingsOf('ACR004', pinned, {}, policy('any'))).toEqual([]);
  });

  it("fails a version appended to the key's keyUri (how modules pin keyVersion), and the chain still reaches the vault", async () => {
    const expression = "[format('{0}/{1}', reference(variables('keyId')).keyUri, parameters('keyVersion'))]";
    const t = withKeyIdentifier(expression);
    t['parameters']['keyVersion'] = { type: 'string' };
    expectOneAt(await findingsOf('ACR004', t), t, `"${expression}"`);
    expect(await findingsOf('ACR003', t)).toEqual([]);
    // The vault behind the key is found: its settings are judged, not left undetermined.
    delete findResource(t, 'Microsoft.KeyVault/vaults')['properties']['enablePurgeProtection'];
    expect((await findingsOf('KV001', t)).map((f) => f.kind)).toEqual(['fail']);
  });

  it('is undetermined when an unknown key name could carry a version', async () => {
    const t = withKeyIdentifier("[format('https://reg-kv.vault.azure.net/keys/{0}', parameters('keyPath'))]");
    t['parameters']['keyPath'] = { type: 'string' };
    expect((await findingsOf('ACR004', t)).map((f) => f.kind)).toEqual(['open']);
  });
});
