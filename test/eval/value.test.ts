import { describe, expect, it } from 'vitest';
import { PartialString, Unknown, describeOrigins, sharedAcrossEvaluations } from '../../src/eval/value.js';

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

describe('describeOrigins', () => {
  it('names what the user can give first (parameters, secrets, context), then what only the deployment knows', () => {
    const clientId = Unknown.resource('/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id', ['clientId']);
    const mixed = Unknown.derived('if', [Unknown.derived('empty', [Unknown.parameter('acr')]), clientId, sub]);
    expect(describeOrigins(mixed)).toBe(
      "parameter 'acr' has no value (give a parameter file or a default); subscription().subscriptionId is only known at deployment (give it with --subscription-id); the runtime properties.clientId of resource '/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id' is only known at deployment",
    );
    expect(describeOrigins('known')).toBe('the value is not known before deployment');
  });

  it('names the option that gives each deployment-context value', () => {
    expect(describeOrigins(Unknown.context('subscription().tenantId'))).toBe('subscription().tenantId is only known at deployment (give it with --tenant-id)');
    expect(describeOrigins(Unknown.context('resourceGroup().location'))).toBe('resourceGroup().location is only known at deployment (give it with --location)');
    expect(describeOrigins(Unknown.context('deployment().name'))).toBe('deployment().name is only known at deployment');
  });
});
