import { describe, expect, it } from 'vitest';
import type { RuleSetting } from '../../src/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { VAULT, cmkStack, findResource, recoverVault } from './stack.js';

describe('KV002 keyvault-soft-delete', () => {
  it('leaves the retention of a recovered vault undetermined, and names recovery when it sets enableSoftDelete false', async () => {
    // v-sd-false-recover: only a soft-deleted vault can be recovered, and soft delete cannot be turned off.
    const t = recoverVault(cmkStack(), ['enableSoftDelete', 'softDeleteRetentionInDays']);
    const f = expectOneAt(await findingsOf('KV002', t), t, '"recover"', 'open');
    expect(f.message).toMatch(/retention is fixed when a vault is created/);
    findResource(t, VAULT)['properties']['enableSoftDelete'] = false;
    const off = expectOneAt(await findingsOf('KV002', t), t, 'false');
    expect(off.message).toMatch(/is recovered \(createMode 'recover'\), so it had soft delete on, and soft delete cannot be turned off/);
  });

  it('passes soft delete on, and an absent enableSoftDelete (platform default)', async () => {
    expect(await findingsOf('KV002', cmkStack())).toEqual([]);
    const t = cmkStack();
    delete findResource(t, VAULT)['properties']['enableSoftDelete'];
    expect(await findingsOf('KV002', t)).toEqual([]);
  });

  it('fails enableSoftDelete false', async () => {
    const t = cmkStack();
    findResource(t, VAULT)['properties']['enableSoftDelete'] = false;
    expectOneAt(await findingsOf('KV002', t), t, 'false');
  });

  it('fails a retention outside 7..90 and below minRetentionDays', async () => {
    const t = cmkStack();
    findResource(t, VAULT)['properties']['softDeleteRetentionInDays'] = 5;
    expectOneAt(await findingsOf('KV002', t), t, '5,');
    const u = cmkStack();
    findResource(u, VAULT)['properties']['softDeleteRetentionInDays'] = 30;
    expect(await findingsOf('KV002', u)).toEqual([]);
    const strict = { settings: new Map<string, RuleSetting>([['KV002', { enabled: true, options: { minRetentionDays: 60 } }]]) };
    expect((await findingsOf('KV002', u, {}, strict))[0]?.message).toMatch(/minRetentionDays is 60/);
  });

  it('decides a retention chosen by if() between known values when every choice is judged the same', async () => {
    const withDays = (days: string) => {
      const t = cmkStack();
      t['parameters']['env'] = { type: 'string' };
      t['parameters']['days'] = { type: 'int' };
      findResource(t, VAULT)['properties']['softDeleteRetentionInDays'] = days;
      return t;
    };
    // Both choices are within 7..90: nothing to report, although 'env' has no value.
    expect(await findingsOf('KV002', withDays("[if(equals(parameters('env'), 'dev'), 7, if(equals(parameters('env'), 'test'), 30, 90))]"))).toEqual([]);
    const bothBad = withDays("[if(equals(parameters('env'), 'dev'), 5, 3)]");
    const f = expectOneAt(await findingsOf('KV002', bothBad), bothBad, '"[if(');
    expect(f.message).toMatch(/sets softDeleteRetentionInDays to 5 or 3 \(depending on deployment: parameter 'env' has no value.*\); it must be within 7\.\.90/);
    const mixed = withDays("[if(equals(parameters('env'), 'dev'), 5, 90)]");
    const o = expectOneAt(await findingsOf('KV002', mixed), mixed, '"[if(', 'open');
    expect(o.message).toMatch(/because parameter 'env' has no value.*: it is 5 or 90, and 5 is not within 7\.\.90/);
    // A choice of null() leaves the property unset (ARM drops null properties): the default 90 days, never a bad value.
    const unsetOrBad = withDays("[if(equals(parameters('env'), 'dev'), null(), 3)]");
    const u = expectOneAt(await findingsOf('KV002', unsetOrBad), unsetOrBad, '"[if(', 'open');
    expect(u.message).toMatch(/it is not set \(90\) or 3, and 3 is not within 7\.\.90/);
    expect(await findingsOf('KV002', withDays("[if(equals(parameters('env'), 'dev'), null(), 30)]"))).toEqual([]);
    // A choice that is itself unknown leaves the retention open.
    const open = withDays("[if(equals(parameters('env'), 'dev'), 7, parameters('days'))]");
    expect(expectOneAt(await findingsOf('KV002', open), open, '"[if(', 'open').message).not.toMatch(/it is/);
  });
});
