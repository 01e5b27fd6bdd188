import { describe, expect, it } from 'vitest';
import { idKeysMayMatch } from '../../src/eval/ids.js';
import { template } from '../helpers/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { REGISTRY, cmkStack, findResource, moveRegistryIntoModule, text, type Json } from './stack.js';

const IDENTITY = 'Microsoft.ManagedIdentity/userAssignedIdentities';

/** The encryption identity is the registry's last property: the last occurrence of its text. */
function last(t: Json, needle: string): number {
  return text(t).split(needle).length - 1;
}

function withIdentity(value: unknown): Json {
  const t = cmkStack();
  findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['identity'] = value;
  return t;
}

/** A symbolic-name (languageVersion 2.0) template, as Bicep compiles it. */
function symbolic(identity: string): Json {
  return template({
    languageVersion: '2.0',
    resources: {
      uami: { type: IDENTITY, apiVersion: '2023-01-31', name: 'reg-id', location: 'westeurope' },
      other: { type: IDENTITY, apiVersion: '2023-01-31', name: 'other-id', location: 'westeurope' },
      registry: {
        type: REGISTRY,
        apiVersion: '2023-07-01',
        name: 'symreg',
        location: 'westeurope',
        sku: { name: 'Premium' },
        identity: { type: 'UserAssigned', userAssignedIdentities: { "[format('{0}', resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'reg-id'))]": {} } },
        dependsOn: ['uami'],
        properties: { encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: 'https://reg-kv.vault.azure.net/keys/reg-key', identity } } },
      },
    },
  });
}

function nested(inner: Json): Json {
  return template({
    resources: [
      { type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'registry-module', properties: { expressionEvaluationOptions: { scope: 'inner' }, mode: 'Incremental', template: inner } },
    ],
  });
}

describe('ACR005 id matching', () => {
  it('compares id keys with unknown parts three-valued', () => {
    expect(idKeysMayMatch('/subscriptions/⟨s⟩/x/reg-id', '/subscriptions/⟨s⟩/x/reg-id')).toBe(true);
    expect(idKeysMayMatch('/subscriptions/⟨s⟩/x/reg-id', '/subscriptions/⟨s⟩/x/other-id')).toBe(false);
    expect(idKeysMayMatch('/subscriptions/⟨s⟩/x/reg-id', '/subscriptions/1/x/reg-id')).toBeUndefined();
    expect(idKeysMayMatch('/subscriptions/⟨s⟩/x/reg-id', '/subscriptions/1/x/other-id')).toBe(false);
    expect(idKeysMayMatch("⟨parameters('uamiid')⟩", '/subscriptions/⟨s⟩/x/reg-id')).toBeUndefined();
    expect(idKeysMayMatch('/subscriptions/1/x/a', '/subscriptions/1/x/b')).toBe(false);
  });
});

describe('ACR005 registry-cmk-identity-match', () => {
  it('reads identities attached through a map built by reduce/map/createObject over resource ids (the AVM pattern)', async () => {
    // A module gets identity resource ids from its caller and keys userAssignedIdentities by them. The ids keep
    // an unknown subscription, yet the map is known: its keys are the ids' canonical text.
    const withModule = (attachedVariable: string) =>
      moveRegistryIntoModule(cmkStack(), { ids: { value: [`[variables('${attachedVariable}')]`] }, cmkIdentity: { value: "[variables('identityId')]" }, keyId: { value: "[variables('keyId')]" } }, (registry) =>
        template({
          parameters: { ids: { type: 'array' }, cmkIdentity: { type: 'string' }, keyId: { type: 'string' } },
          variables: {
            attached:
              "[reduce(map(parameters('ids'), lambda('id', createObject(format('{0}', lambdaVariables('id')), createObject()))), createObject(), lambda('cur', 'next', union(lambdaVariables('cur'), lambdaVariables('next'))))]",
          },
          resources: [
            {
              ...registry,
              identity: "[createObject('type', 'UserAssigned', 'userAssignedIdentities', variables('attached'))]",
              dependsOn: [],
              properties: { ...registry['properties'], encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: "[reference(parameters('keyId'), '2023-07-01').keyUri]", identity: "[reference(parameters('cmkIdentity'), '2023-01-31').clientId]" } } },
            },
          ],
        }),
      );
    expect(await findingsOf('ACR005', withModule('identityId'))).toEqual([]);
    const other = withModule('otherIdentity');
    other['variables']['otherIdentity'] = `[resourceId('${IDENTITY}', 'other-id')]`;
    const f = await findingsOf('ACR005', other);
    expect(f.map((x) => [x.kind, x.message])).toEqual([['fail', expect.stringMatching(/names the client id of identity 'reg-id', which is not attached to the registry/)]]);
  });

  it('passes the client id of an attached identity (classic and symbolic)', async () => {
    expect(await findingsOf('ACR005', cmkStack())).toEqual([]);
    expect(await findingsOf('ACR005', symbolic("[reference('uami').clientId]"))).toEqual([]);
    expect(await findingsOf('ACR005', withIdentity("[reference(variables('identityId'), '2023-01-31', 'Full').properties.clientId]"))).toEqual([]);
  });

  it('fails a principal id used instead of the client id, at the identity value', async () => {
    const t = withIdentity("[reference(variables('identityId')).principalId]");
    const needle = `"[reference(variables('identityId')).principalId]"`;
    const f = expectOneAt(await findingsOf('ACR005', t), t, needle, 'fail', last(t, needle));
    expect(f.level).toBe('error');
    expect(f.message).toMatch(/principalId \(object id\) of 'reg-id'.*clientId/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg');
  });

  it('fails a principal id in symbolic form', async () => {
    const t = symbolic("[reference('uami').principalId]");
    const f = expectOneAt(await findingsOf('ACR005', t), t, `"[reference('uami').principalId]"`);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/symreg');
  });

  it('fails a resource id, computed or literal', async () => {
    const t = withIdentity("[variables('identityId')]");
    const f = expectOneAt(await findingsOf('ACR005', t), t, `"[variables('identityId')]"`, 'fail', last(t, `"[variables('identityId')]"`));
    expect(f.message).toMatch(/resource id \(of 'reg-id'\)/);
    const lit = withIdentity('/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/reg-id');
    expect((await findingsOf('ACR005', lit)).map((x) => x.kind)).toEqual(['fail']);
    const full = withIdentity("[reference(variables('identityId'), '2023-01-31', 'Full').id]");
    expect((await findingsOf('ACR005', full)).map((x) => x.kind)).toEqual(['fail']);
  });

  it('fails the client id of an identity that is not attached, naming it', async () => {
    const t = symbolic("[reference('other').clientId]");
    const f = expectOneAt(await findingsOf('ACR005', t), t, `"[reference('other').clientId]"`);
    expect(f.message).toMatch(/identity 'other-id', which is not attached/);
  });

  it('fails when the registry lists no user-assigned identities at all', async () => {
    const t = cmkStack();
    delete findResource(t, REGISTRY)['identity']['userAssignedIdentities'];
    const f = expectOneAt(await findingsOf('ACR005', t), t, `"[reference(variables('identityId')).clientId]"`);
    expect(f.message).toMatch(/not attached/);
  });

  describe('identity.type decides whether the listed identities are attached', () => {
    const CLIENT = `"[reference(variables('identityId')).clientId]"`;
    const withType = (type: string | undefined, identity?: string): Json => {
      const t = identity === undefined ? cmkStack() : withIdentity(identity);
      if (type === undefined) delete findResource(t, REGISTRY)['identity']['type'];
      else findResource(t, REGISTRY)['identity']['type'] = type;
      return t;
    };

    it("fails an identity listed under type 'None' (any case), 'SystemAssigned' or no type: nothing user-assigned is attached", async () => {
      const t = withType('None');
      const f = expectOneAt(await findingsOf('ACR005', t), t, CLIENT, 'fail', last(t, CLIENT));
      expect(f.message).toBe(
        "Registry 'contosoreg' names the client id of identity 'reg-id', which it does not attach: 'reg-id' is listed in identity.userAssignedIdentities, but identity.type 'None' attaches no user-assigned identity, and ACR can only use attached identities. Set identity.type to 'UserAssigned' (or 'SystemAssigned, UserAssigned').",
      );
      for (const type of ['none', 'SystemAssigned']) {
        const other = withType(type);
        expect(expectOneAt(await findingsOf('ACR005', other), other, CLIENT, 'fail', last(other, CLIENT)).message).toMatch(new RegExp(`identity\\.type '${type}' attaches no user-assigned identity`));
      }
      const untyped = withType(undefined);
      expect(expectOneAt(await findingsOf('ACR005', untyped), untyped, CLIENT, 'fail', last(untyped, CLIENT)).message).toMatch(/identity\.type is not set, so the registry attaches no user-assigned identity/);
    });

    it('says so for a principal id too, and for a literal client id an exported template lists', async () => {
      const principal = withType('None', "[reference(variables('identityId')).principalId]");
      expect((await findingsOf('ACR005', principal))[0]!.message).toMatch(/principalId \(object id\) of 'reg-id', and 'reg-id' is listed in identity\.userAssignedIdentities, but identity\.type 'None' attaches/);
      const exported = withType('None', 'cccccccc-0000-0000-0000-000000000002');
      findResource(exported, REGISTRY)['identity']['userAssignedIdentities'] = {
        "[variables('identityId')]": { principalId: 'aaaaaaaa-0000-0000-0000-000000000001', clientId: 'cccccccc-0000-0000-0000-000000000002' },
      };
      expect((await findingsOf('ACR005', exported)).map((f) => `${f.kind}: ${f.message}`)).toEqual([expect.stringMatching(/^fail: .*which it does not attach: 'reg-id' is listed/)]);
    });

    it('passes UserAssigned in any case, with SystemAssigned, with or without a space', async () => {
      for (const type of ['userassigned', 'USERASSIGNED', 'SystemAssigned, UserAssigned', 'SystemAssigned,UserAssigned', 'systemassigned ,  userassigned']) {
        expect(await findingsOf('ACR005', withType(type))).toEqual([]);
      }
    });

    it('is undetermined when the type is a parameter without value', async () => {
      const t = withType("[parameters('identityType')]");
      t['parameters']['identityType'] = { type: 'string' };
      const f = expectOneAt(await findingsOf('ACR005', t), t, CLIENT, 'open', last(t, CLIENT));
      expect(f.message).toMatch(/because identity\.type is not known before deployment: parameter 'identityType' has no value/);
    });
  });

  it("passes 'system' with a system-assigned identity, fails it without", async () => {
    const t = withIdentity('system');
    findResource(t, REGISTRY)['identity']['type'] = 'SystemAssigned, UserAssigned';
    expect(await findingsOf('ACR005', t)).toEqual([]);
    const bad = withIdentity('system');
    const f = expectOneAt(await findingsOf('ACR005', bad), bad, '"system"');
    expect(f.message).toMatch(/no system-assigned identity.*'UserAssigned'/);
  });

  it('fails a missing identity, at keyVaultProperties', async () => {
    const t = cmkStack();
    delete findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['identity'];
    expectOneAt(await findingsOf('ACR005', t), t, '"keyVaultProperties"');
  });

  it('fails the name of the identity, saying so', async () => {
    const t = withIdentity('reg-id');
    const f = expectOneAt(await findingsOf('ACR005', t), t, '"reg-id"', 'fail', 2);
    expect(f.message).toMatch(/name of identity 'reg-id'/);
  });

  it('is undetermined for a literal GUID it cannot match', async () => {
    const t = withIdentity('11111111-2222-3333-4444-555555555555');
    const f = expectOneAt(await findingsOf('ACR005', t), t, '"11111111-2222-3333-4444-555555555555"', 'open');
    expect(f.level).toBe('note');
    expect(f.message).toMatch(/literal GUID/);
  });

  it('matches a literal GUID against the ids an exported template lists for attached identities', async () => {
    const exported = (identity: string) => {
      const t = withIdentity(identity);
      const reg = findResource(t, REGISTRY);
      reg['identity']['userAssignedIdentities'] = {
        "[variables('identityId')]": { principalId: 'aaaaaaaa-0000-0000-0000-000000000001', clientId: 'cccccccc-0000-0000-0000-000000000002' },
      };
      return t;
    };
    expect(await findingsOf('ACR005', exported('cccccccc-0000-0000-0000-000000000002'))).toEqual([]);
    const t = exported('aaaaaaaa-0000-0000-0000-000000000001');
    const f = expectOneAt(await findingsOf('ACR005', t), t, '"aaaaaaaa-0000-0000-0000-000000000001"', 'fail', 2);
    expect(f.message).toMatch(/principal id .*'cccccccc-0000-0000-0000-000000000002'/);
  });

  it('is undetermined when the identity comes from a parameter without value', async () => {
    const t = withIdentity("[parameters('clientId')]");
    t['parameters']['clientId'] = { type: 'string' };
    const f = expectOneAt(await findingsOf('ACR005', t), t, `"[parameters('clientId')]"`, 'open');
    expect(f.message).toMatch(/parameter 'clientId' has no value/);
  });

  it('is undetermined when the attached identity ids are not known', async () => {
    const t = cmkStack();
    t['parameters']['uamiId'] = { type: 'string' };
    findResource(t, REGISTRY)['identity']['userAssignedIdentities'] = { "[parameters('uamiId')]": {} };
    expectOneAt(await findingsOf('ACR005', t), t, `"[reference(variables('identityId')).clientId]"`, 'open');
  });

  it('passes when the id in userAssignedIdentities is the same parameter-built id', async () => {
    const t = cmkStack();
    t['parameters']['identityName'] = { type: 'string' };
    t['variables']['identityId'] = "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('identityName'))]";
    findResource(t, 'Microsoft.ManagedIdentity/userAssignedIdentities')['name'] = "[parameters('identityName')]";
    expect(await findingsOf('ACR005', t)).toEqual([]);
  });

  it('checks a registry in a nested deployment, pointing inside the module', async () => {
    const t = nested(withIdentity("[reference(variables('identityId')).principalId]"));
    const needle = `"[reference(variables('identityId')).principalId]"`;
    const f = expectOneAt(await findingsOf('ACR005', t), t, needle, 'fail', last(t, needle));
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg');
  });

  it('follows a client id passed out of a module as an output', async () => {
    const mod = template({
      resources: [{ type: IDENTITY, apiVersion: '2023-01-31', name: 'reg-id', location: 'westeurope' }],
      outputs: {
        clientId: { type: 'string', value: "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'reg-id')).clientId]" },
        principalId: { type: 'string', value: "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'reg-id')).principalId]" },
      },
    });
    const t = symbolic("[reference('identityModule').outputs.clientId.value]");
    t['resources']['identityModule'] = { type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'identity', properties: { expressionEvaluationOptions: { scope: 'inner' }, mode: 'Incremental', template: mod } };
    expect(await findingsOf('ACR005', t)).toEqual([]);
    t['resources']['registry']['properties']['encryption']['keyVaultProperties']['identity'] = "[reference('identityModule').outputs.principalId.value]";
    expect((await findingsOf('ACR005', t)).map((f) => f.message)).toEqual([expect.stringMatching(/principalId/)]);
  });

  it('matches an identity deployed by another template of the scan', async () => {
    const t = cmkStack();
    const identity = findResource(t, IDENTITY);
    t['resources'] = (t['resources'] as Json[]).filter((r) => r !== identity);
    const other = template({ resources: [identity] });
    expect(await findingsOf('ACR005', t, { 'identity.json': text(other) })).toEqual([]);
    const wrong = withIdentity("[reference(variables('identityId')).principalId]");
    wrong['resources'] = (wrong['resources'] as Json[]).filter((r) => r['type'] !== IDENTITY);
    const needle = `"[reference(variables('identityId')).principalId]"`;
    const f = expectOneAt(await findingsOf('ACR005', wrong, { 'identity.json': text(other) }), wrong, needle, 'fail', last(wrong, needle));
    expect(f.message).toMatch(/'reg-id'/);
  });

  it('is undetermined when the encryption status is unknown and the identity is wrong', async () => {
    const t = withIdentity("[reference(variables('identityId')).principalId]");
    t['parameters']['status'] = { type: 'string' };
    findResource(t, REGISTRY)['properties']['encryption']['status'] = "[parameters('status')]";
    expectOneAt(await findingsOf('ACR005', t), t, `"[parameters('status')]"`, 'open');
  });
});
