import { describe, expect, it } from 'vitest';
import { PartialString, Unknown, sharedAcrossEvaluations } from '../../src/eval/value.js';

const sub = Unknown.context('subscription().subscriptionId');
const rg = Unknown.context('resourceGroup().name');
const id = (name: string | Unknown) => PartialString.of(['/subscriptions/', sub, '/resourceGroups/', rg, '/providers/Microsoft.KeyVault/vaults/', name]);

describe('sharedAcrossEvaluations: can equal text from two templates name the same thing?', () => {
  it('yes for known values and for what rests only on the shared deployment context', () => {
    expect(sharedAcrossEvaluations('kv')).toBe(true);
    expect(sharedAcrossEvaluations(id('kv'))).toBe(true);
    expect(sharedAcrossEvaluations(Unknown.derived('uniqueString', [id('kv')]))).toBe(true);
    // The runtime state of a resource named that way is the same resource's.
    expect(sharedAcrossEvaluations(Unknown.resource(id('kv'), ['vaultUri']))).toBe(true);
  });

  it("no for a template's own parameters, secrets, deployment() and values without a known cause", () => {
    expect(sharedAcrossEvaluations(id(Unknown.parameter('vaultName')))).toBe(false);
    expect(sharedAcrossEvaluations(Unknown.resource(id(Unknown.parameter('vaultName')), ['vaultUri']))).toBe(false);
    expect(sharedAcrossEvaluations(Unknown.secret('key'))).toBe(false);
    expect(sharedAcrossEvaluations(id(Unknown.context('deployment().name')))).toBe(false);
    expect(sharedAcrossEvaluations(Unknown.derived('copyIndex', ['loop']))).toBe(false);
  });
});
