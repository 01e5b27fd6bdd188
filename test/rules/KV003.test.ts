import { describe, expect, it } from 'vitest';
import { findingsOf, expectOneAt } from './expect.js';
import { VAULT, cmkStack, findResource, recoverVault } from './stack.js';

describe('KV003 keyvault-trusted-services', () => {
  it('is undetermined for a recovered vault that sets no bypass, and passes one that sets it', async () => {
    const t = recoverVault(cmkStack());
    expectOneAt(await findingsOf('KV003', t), t, '"recover"', 'open');
    expect(await findingsOf('KV003', recoverVault(cmkStack(), ['networkAcls']))).toEqual([]);
  });

  it('passes bypass AzureServices, absent bypass, and an open vault with bypass None', async () => {
    expect(await findingsOf('KV003', cmkStack())).toEqual([]);
    const absent = cmkStack();
    delete findResource(absent, VAULT)['properties']['networkAcls']['bypass'];
    expect(await findingsOf('KV003', absent)).toEqual([]);
    const open = cmkStack();
    findResource(open, VAULT)['properties']['networkAcls'] = { defaultAction: 'Allow', bypass: 'None' };
    expect(await findingsOf('KV003', open)).toEqual([]);
  });

  it('fails a Deny firewall with bypass None at the bypass value', async () => {
    const t = cmkStack();
    findResource(t, VAULT)['properties']['networkAcls']['bypass'] = 'None';
    const f = expectOneAt(await findingsOf('KV003', t), t, '"None"');
    expect(f.message).toMatch(/trusted Azure service/);
  });

  it('fails public network access disabled with bypass None', async () => {
    const t = cmkStack();
    const props = findResource(t, VAULT)['properties'];
    props['networkAcls'] = { defaultAction: 'Allow', bypass: 'None' };
    props['publicNetworkAccess'] = 'Disabled';
    expect((await findingsOf('KV003', t)).map((f) => f.kind)).toEqual(['fail']);
  });

  it('is undetermined when bypass comes from a parameter without value', async () => {
    const t = cmkStack();
    t['parameters']['bypass'] = { type: 'string' };
    findResource(t, VAULT)['properties']['networkAcls']['bypass'] = "[parameters('bypass')]";
    expectOneAt(await findingsOf('KV003', t), t, `"[parameters('bypass')]"`, 'open');
  });

  it('does not count publicNetworkAccess that the API version ignores as a restriction', async () => {
    // o-kv2019-pna-bypassnone: API 2019-09-01 has no publicNetworkAccess, so the vault is open and bypass None blocks nothing.
    const t = cmkStack();
    const vault = findResource(t, VAULT);
    vault['apiVersion'] = '2019-09-01';
    vault['properties']['networkAcls'] = { defaultAction: 'Allow', bypass: 'None' };
    vault['properties']['publicNetworkAccess'] = 'Disabled';
    expect(await findingsOf('KV003', t)).toEqual([]);
    vault['apiVersion'] = '2021-06-01-preview';
    expect((await findingsOf('KV003', t)).map((f) => f.kind)).toEqual(['fail']);
  });

  it('is undetermined when the vault restricts access through a property its unknown API version may not know', async () => {
    const t = cmkStack();
    t['parameters']['kvApi'] = { type: 'string' };
    const vault = findResource(t, VAULT);
    vault['apiVersion'] = "[parameters('kvApi')]";
    vault['properties']['networkAcls'] = { defaultAction: 'Allow', bypass: 'None' };
    vault['properties']['publicNetworkAccess'] = 'Disabled';
    const f = expectOneAt(await findingsOf('KV003', t), t, `"[parameters('kvApi')]"`, 'open');
    expect(f.message).toMatch(/because its apiVersion is not known before deployment, and networkAcls exists only from 2018-02-14/);
  });
});
