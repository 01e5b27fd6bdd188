import { describe, expect, it } from 'vitest';
import { findingsOf, expectOneAt } from './expect.js';
import { REGISTRY, cmkStack, findResource } from './stack.js';

describe('ACR001 registry-cmk-required', () => {
  it('passes a registry that enables CMK', async () => {
    expect(await findingsOf('ACR001', cmkStack())).toEqual([]);
  });

  it('fails a registry without encryption, at its properties', async () => {
    const t = cmkStack();
    delete findResource(t, REGISTRY)['properties']['encryption'];
    const f = expectOneAt(await findingsOf('ACR001', t), t, '"properties": {\n        "adminUserEnabled"');
    expect(f.level).toBe('error');
    expect(f.message).toMatch(/contosoreg/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg');
  });

  it('fails an encryption that an expression leaves null (a module whose key parameter is not given), at the expression', async () => {
    const t = cmkStack();
    t['parameters']['customerManagedKey'] = { type: 'object', nullable: true };
    const expression = "[if(not(empty(parameters('customerManagedKey'))), createObject('status', 'enabled'), null())]";
    findResource(t, REGISTRY)['properties']['encryption'] = expression;
    const f = expectOneAt(await findingsOf('ACR001', t), t, `"${expression}"`);
    expect(f.message).toMatch(/properties\.encryption is null, which ARM treats as not set\./);
    // The same when the parameter's type definition is the nullable one (Bicep `type cmkType = {...}?`), with no TPL003.
    t['parameters']['customerManagedKey'] = { $ref: '#/definitions/cmkType' };
    t['definitions'] = { cmkType: { type: 'object', nullable: true } };
    expectOneAt(await findingsOf('ACR001', t), t, `"${expression}"`);
    expect(await findingsOf('TPL003', t)).toEqual([]);
  });

  it('says only what decides the status when the encryption is an if() whose other parts are runtime values', async () => {
    const t = cmkStack();
    t['parameters']['cmk'] = { type: 'object' };
    const kvp = "createObject('identity', reference(variables('identityId')).clientId, 'keyIdentifier', reference(variables('keyId')).keyUri)";
    const expression = `[if(not(empty(parameters('cmk'))), createObject('status', 'enabled', 'keyVaultProperties', ${kvp}), null())]`;
    findResource(t, REGISTRY)['properties']['encryption'] = expression;
    const f = expectOneAt(await findingsOf('ACR001', t), t, `"${expression}"`, 'open');
    expect(f.message).toBe("Cannot tell whether registry 'contosoreg' enables a customer-managed key, because parameter 'cmk' has no value (give a parameter file or a default).");
    // Both branches enable CMK (with different key URIs): the condition does not matter for the status.
    const pinned = kvp.replace('.keyUri)', '.keyUriWithVersion)');
    findResource(t, REGISTRY)['properties']['encryption'] = `[if(not(empty(parameters('cmk'))), createObject('status', 'enabled', 'keyVaultProperties', ${kvp}), createObject('status', 'enabled', 'keyVaultProperties', ${pinned}))]`;
    expect(await findingsOf('ACR001', t)).toEqual([]);
  });

  it('fails status disabled at the status value', async () => {
    const t = cmkStack();
    findResource(t, REGISTRY)['properties']['encryption']['status'] = 'disabled';
    expectOneAt(await findingsOf('ACR001', t), t, '"disabled"');
  });

  it('fails a missing key identifier', async () => {
    const t = cmkStack();
    delete findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'];
    expectOneAt(await findingsOf('ACR001', t), t, '"keyVaultProperties"');
  });

  it('is undetermined when the status comes from a parameter without value', async () => {
    const t = cmkStack();
    t['parameters']['encryptionStatus'] = { type: 'string' };
    findResource(t, REGISTRY)['properties']['encryption']['status'] = "[parameters('encryptionStatus')]";
    const f = expectOneAt(await findingsOf('ACR001', t), t, `"[parameters('encryptionStatus')]"`, 'open');
    expect(f.level).toBe('note');
    expect(f.message).toMatch(/parameter 'encryptionStatus' has no value/);
  });

  it('decides on the value from a parameter file, per parameter file', async () => {
    const t = cmkStack();
    t['parameters']['encryptionStatus'] = { type: 'string' };
    findResource(t, REGISTRY)['properties']['encryption']['status'] = "[parameters('encryptionStatus')]";
    const params = (v: string) => ({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#', parameters: { encryptionStatus: { value: v } } });
    const findings = await findingsOf('ACR001', t, { 'main.parameters.dev.json': params('disabled'), 'main.parameters.prod.json': params('enabled') });
    expect(findings.map((f) => [f.kind, f.parameterFile])).toEqual([['fail', 'main.parameters.dev.json']]);
  });

  it('is undetermined when keyVaultProperties as a whole comes from a parameter without value', async () => {
    const t = cmkStack();
    t['parameters']['kvp'] = { type: 'object' };
    findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties'] = "[parameters('kvp')]";
    expectOneAt(await findingsOf('ACR001', t), t, `"[parameters('kvp')]"`, 'open');
  });
});
