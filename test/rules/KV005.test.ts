import { describe, expect, it } from 'vitest';
import { template } from '../helpers/scan.js';
import { expectOneAt, findingsOf } from './expect.js';
import { cmkStack, findResource, innerDeployment, type Json, KEY, REGISTRY, text, VAULT } from './stack.js';

const KEY_FQN = 'Microsoft.KeyVault/vaults/reg-kv/keys/reg-key';
const keyProps = (t: Json): Json => findResource(t, KEY)['properties'];
const ROTATE = { lifetimeActions: [{ trigger: { timeAfterCreate: 'P18M' }, action: { type: 'rotate' } }] };

/** Vault, key and registry in symbolic-name syntax (languageVersion 2.0), as Bicep compiles them. */
function symbolicStack(): Json {
  return template({
    languageVersion: '2.0',
    resources: {
      kv: { type: VAULT, apiVersion: '2023-07-01', name: 'reg-kv', location: 'westeurope', properties: { tenantId: 'x', sku: { family: 'A', name: 'standard' } } },
      key: {
        type: KEY,
        apiVersion: '2023-07-01',
        name: "[format('{0}/{1}', 'reg-kv', 'reg-key')]",
        dependsOn: ['kv'],
        properties: { kty: 'RSA', keySize: 3072, rotationPolicy: structuredClone(ROTATE) },
      },
      reg: {
        type: REGISTRY,
        apiVersion: '2023-07-01',
        name: 'contosoreg',
        location: 'westeurope',
        sku: { name: 'Premium' },
        dependsOn: ['key'],
        properties: { encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: "[reference('key').keyUri]", identity: 'x' } } },
      },
    },
  });
}

describe('KV005 keyvault-key-rotation', () => {
  it('does not count a rotation policy that the key apiVersion predates (2021-10-01), and passes it from 2022-07-01 or in a preview from 2021-04-01-preview', async () => {
    // k-rot-oldapi: rotationPolicy is first stable in 2022-07-01 and absent from 2021-10-01, so ARM ignores it.
    const t = cmkStack();
    const key = findResource(t, KEY);
    key['apiVersion'] = '2021-10-01';
    const f = expectOneAt(await findingsOf('KV005', t), t, '"lifetimeActions"');
    expect(f.message).toMatch(/has a rotationPolicy, but rotationPolicy is ignored by API version 2021-10-01 \(it exists from 2022-07-01, and in previews from 2021-04-01-preview\)/);
    for (const ok of ['2022-07-01', '2021-06-01-preview']) {
      key['apiVersion'] = ok;
      expect(await findingsOf('KV005', t)).toEqual([]);
    }
  });

  it('is undetermined when the key apiVersion is not known before deployment', async () => {
    const t = cmkStack();
    t['parameters']['keyApi'] = { type: 'string' };
    findResource(t, KEY)['apiVersion'] = "[parameters('keyApi')]";
    const f = expectOneAt(await findingsOf('KV005', t), t, `"[parameters('keyApi')]"`, 'open');
    expect(f.message).toMatch(/its apiVersion is not known before deployment, and rotationPolicy exists only from 2022-07-01/);
  });

  it('passes a key with a rotate lifetime action, in any case and next to notify actions', async () => {
    expect(await findingsOf('KV005', cmkStack())).toEqual([]);
    const t = cmkStack();
    keyProps(t)['rotationPolicy'] = {
      attributes: { expiryTime: 'P2Y' },
      lifetimeActions: [
        { trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } },
        { trigger: { timeAfterCreate: 'P18M' }, action: { type: 'Rotate' } },
      ],
    };
    expect(await findingsOf('KV005', t)).toEqual([]);
  });

  it('fails a key without rotationPolicy at its properties, as a warning naming the key', async () => {
    const t = cmkStack();
    delete keyProps(t)['rotationPolicy'];
    const f = expectOneAt(await findingsOf('KV005', t), t, '"properties": {\n        "kty"');
    expect(f.level).toBe('warning');
    expect(f.message).toMatch(/'reg-kv\/reg-key' \(CMK of registry 'contosoreg'\) has no rotationPolicy/);
    expect(f.resource?.fullyQualifiedName).toBe(KEY_FQN);
  });

  it('fails a rotationPolicy that an expression leaves null as no rotationPolicy, at the expression', async () => {
    const t = cmkStack();
    keyProps(t)['rotationPolicy'] = '[null()]';
    const f = expectOneAt(await findingsOf('KV005', t), t, '"[null()]"');
    expect(f.message).toMatch(/has no rotationPolicy/);
  });

  it('fails a rotation policy that only notifies, at its lifetimeActions', async () => {
    const t = cmkStack();
    keyProps(t)['rotationPolicy'] = { attributes: { expiryTime: 'P1Y' }, lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'notify' } }] };
    const f = expectOneAt(await findingsOf('KV005', t), t, '"lifetimeActions"');
    expect(f.message).toMatch(/no 'rotate' action/);
  });

  it('fails a rotation policy without lifetimeActions at the policy', async () => {
    const t = cmkStack();
    keyProps(t)['rotationPolicy'] = { attributes: { expiryTime: 'P1Y' } };
    const f = expectOneAt(await findingsOf('KV005', t), t, '"rotationPolicy"');
    expect(f.message).toMatch(/without lifetimeActions/);
  });

  it('checks symbolic-name templates', async () => {
    const t = symbolicStack();
    expect(await findingsOf('KV005', t)).toEqual([]);
    t['resources']['key']['properties']['rotationPolicy']['lifetimeActions'][0]['action']['type'] = 'notify';
    const f = expectOneAt(await findingsOf('KV005', t), t, '"lifetimeActions"');
    expect(f.resource?.fullyQualifiedName).toBe(KEY_FQN);
  });

  it('checks a key deployed by a nested deployment with inner scope', async () => {
    const t = cmkStack();
    const key = findResource(t, KEY);
    t['resources'] = (t['resources'] as Json[]).filter((r) => r !== key);
    delete key['properties']['rotationPolicy'];
    (t['resources'] as Json[]).push(
      innerDeployment('key', { keyName: { value: 'reg-key' } }, template({ parameters: { keyName: { type: 'string' } }, resources: [{ ...key, name: "[format('reg-kv/{0}', parameters('keyName'))]", dependsOn: [] }] })),
    );
    const f = expectOneAt(await findingsOf('KV005', t), t, '"properties": {\n                "kty"');
    expect(f.resource?.fullyQualifiedName).toBe(KEY_FQN);
  });

  it('follows the chain into another scanned template', async () => {
    const t = cmkStack();
    const key = findResource(t, KEY);
    t['resources'] = (t['resources'] as Json[]).filter((r) => r !== key);
    delete key['properties']['rotationPolicy'];
    const findings = await findingsOf('KV005', t, { 'keys.json': text(template({ resources: [key] })) });
    expect(findings.map((f) => [f.uri, f.kind, f.resource?.fullyQualifiedName])).toEqual([['keys.json', 'fail', KEY_FQN]]);
  });

  it('is undetermined, naming the key, when the key is not deployed by the scan', async () => {
    const t = cmkStack();
    t['resources'] = (t['resources'] as Json[]).filter((r) => r['type'] !== KEY);
    const f = expectOneAt(await findingsOf('KV005', t), t, `"[reference(variables('keyId')).keyUri]"`, 'open');
    expect(f.message).toMatch(/Cannot tell whether the CMK key has a rotation policy.*'reg-kv\/reg-key'/);
    expect(f.resource?.fullyQualifiedName).toBe(KEY_FQN);
  });

  it('is undetermined when the policy or an action type comes from a parameter without value', async () => {
    const t = cmkStack();
    t['parameters']['actions'] = { type: 'array' };
    keyProps(t)['rotationPolicy'] = { lifetimeActions: "[parameters('actions')]" };
    expect(expectOneAt(await findingsOf('KV005', t), t, `"[parameters('actions')]"`, 'open').message).toMatch(/parameter 'actions' has no value/);

    const a = cmkStack();
    a['parameters']['action'] = { type: 'string' };
    keyProps(a)['rotationPolicy'] = { lifetimeActions: [{ trigger: { timeAfterCreate: 'P1Y' }, action: { type: "[parameters('action')]" } }] };
    expectOneAt(await findingsOf('KV005', a), a, '"lifetimeActions"', 'open');
  });
});
