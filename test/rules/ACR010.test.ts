import { describe, expect, it } from 'vitest';
import { isModelled } from '../../src/graph.js';
import { template } from '../helpers/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { KEY, REGISTRY, VAULT, cmkStack, findResource, nameVaultBy, recoverVault, text, type Json } from './stack.js';

const RA = 'Microsoft.Authorization/roleAssignments';
const IDENTITY = 'Microsoft.ManagedIdentity/userAssignedIdentities';
const CRYPTO_USER = '12338af0-0e69-4776-bea7-57ae8d297424';
const ADMINISTRATOR = '00482a5a-887f-4fb3-b363-3b7fe8e74483';
const KV_READER = '21090545-7ca7-4776-b22c-e363652d74d2';
const SUB = '11111111-2222-3333-4444-555555555555';
const OTHER_SUB = '99999999-2222-3333-4444-555555555555';

const roleId = (guid: string) => `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${guid}')]`;

function withoutRoleAssignment(t: Json): Json {
  t['resources'] = (t['resources'] as Json[]).filter((r) => r['type'] !== RA);
  findResource(t, REGISTRY)['dependsOn'] = ["[variables('identityId')]", "[variables('vaultId')]"];
  return t;
}

/** The stack with an access-policy vault granting the identity by an inline access policy. */
function accessPolicyStack(keys: unknown[] = ['get', 'wrapKey', 'unwrapKey'], objectId = "[reference(variables('identityId')).principalId]"): Json {
  const t = withoutRoleAssignment(cmkStack());
  const vault = findResource(t, VAULT);
  vault['properties']['enableRbacAuthorization'] = false;
  vault['properties']['accessPolicies'] = [{ tenantId: '[subscription().tenantId]', objectId, permissions: { keys } }];
  return t;
}

/** The last occurrence of a needle (the registry comes last in the stack). */
function last(t: Json, needle: string): number {
  return text(t).split(needle).length - 1;
}

function symbolic(rbac: boolean): Json {
  return template({
    languageVersion: '2.0',
    resources: {
      uami: { type: IDENTITY, apiVersion: '2023-01-31', name: 'reg-id', location: 'westeurope' },
      kv: {
        type: VAULT,
        apiVersion: '2023-07-01',
        name: 'reg-kv',
        location: 'westeurope',
        properties: { tenantId: '[subscription().tenantId]', sku: { family: 'A', name: 'standard' }, enableRbacAuthorization: rbac, enablePurgeProtection: true },
      },
      key: { type: KEY, apiVersion: '2023-07-01', name: 'reg-kv/reg-key', dependsOn: ['kv'], properties: { kty: 'RSA' } },
      kvCrypto: {
        type: RA,
        apiVersion: '2022-04-01',
        // As Bicep writes `scope: kv`: a vault id relative to the deployment.
        scope: "[format('Microsoft.KeyVault/vaults/{0}', 'reg-kv')]",
        name: "[guid(resourceId('Microsoft.KeyVault/vaults', 'reg-kv'), resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'reg-id'))]",
        properties: { roleDefinitionId: roleId('e147488a-f6f5-4113-8e2d-b22465e65bf6'), principalId: "[reference('uami').principalId]", principalType: 'ServicePrincipal' },
        dependsOn: ['kv', 'uami'],
      },
      registry: {
        type: REGISTRY,
        apiVersion: '2023-07-01',
        name: 'symreg',
        location: 'westeurope',
        sku: { name: 'Premium' },
        identity: { type: 'UserAssigned', userAssignedIdentities: { "[format('{0}', resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'reg-id'))]": {} } },
        dependsOn: ['uami', 'key', 'kvCrypto'],
        properties: { encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: "[reference('key').keyUri]", identity: "[reference('uami').clientId]" } } },
      },
    },
  });
}

describe('ACR010 registry-cmk-key-access', () => {
  describe('Azure RBAC vaults', () => {
    it('passes Key Vault Crypto Service Encryption User at the vault (classic and symbolic)', async () => {
      expect(await findingsOf('ACR010', cmkStack())).toEqual([]);
      expect(await findingsOf('ACR010', symbolic(true))).toEqual([]);
    });

    it('passes Crypto User at the resource group and Administrator on the CMK key', async () => {
      const rg = cmkStack();
      const ra = findResource(rg, RA);
      delete ra['scope'];
      ra['properties']['roleDefinitionId'] = roleId(CRYPTO_USER);
      expect(await findingsOf('ACR010', rg)).toEqual([]);
      const key = cmkStack();
      findResource(key, RA)['scope'] = "[variables('keyId')]";
      findResource(key, RA)['properties']['roleDefinitionId'] = roleId(ADMINISTRATOR);
      expect(await findingsOf('ACR010', key)).toEqual([]);
    });

    it('fails a role assignment on another key of the vault, at its scope', async () => {
      const t = cmkStack();
      findResource(t, RA)['scope'] = "[resourceId('Microsoft.KeyVault/vaults/keys', 'reg-kv', 'other-key')]";
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"[resourceId('Microsoft.KeyVault/vaults/keys', 'reg-kv', 'other-key')]"`);
      expect(f.message).toMatch(/another key/);
    });

    it('fails a role that cannot wrap and unwrap, at the role definition, naming the role', async () => {
      const t = cmkStack();
      findResource(t, RA)['properties']['roleDefinitionId'] = roleId(KV_READER);
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"${roleId(KV_READER)}"`);
      expect(f.message).toMatch(/Key Vault Reader does not allow key read, wrap and unwrap/);
      expect(f.resource?.fullyQualifiedName).toMatch(/^Microsoft.Authorization\/roleAssignments\//);
    });

    describe('principalType', () => {
      const withType = (type: string | undefined): Json => {
        const t = cmkStack();
        if (type === undefined) delete findResource(t, RA)['properties']['principalType'];
        else findResource(t, RA)['properties']['principalType'] = type;
        return t;
      };

      it("fails a principalType other than ServicePrincipal, at it: ARM refuses the assignment", async () => {
        const t = withType('User');
        const f = expectOneAt(await findingsOf('ACR010', t), t, '"User"');
        expect(f.message).toBe(
          "The Key Vault Crypto Service Encryption User role assignment on vault 'reg-kv' does not let identity 'reg-id' (encryption identity of registry 'contosoreg') use its key in vault 'reg-kv': its principalType is 'User', but identity 'reg-id' is a managed identity, whose type is 'ServicePrincipal'. ARM refuses such an assignment (UnmatchedPrincipalType), so the deployment fails: set principalType to 'ServicePrincipal'.",
        );
        const group = withType('group');
        expect(expectOneAt(await findingsOf('ACR010', group), group, '"group"').message).toMatch(/its principalType is 'group'/);
      });

      it("passes ServicePrincipal in any case, an absent principalType, '' (Azure Verified Modules' \"not set\"), and leaves a misspelling to SCH001", async () => {
        for (const type of ['servicePrincipal', undefined, '', 'ServicePrinciple']) expect(await findingsOf('ACR010', withType(type))).toEqual([]);
      });

      it('is undetermined when the principalType is a parameter without value', async () => {
        const t = withType("[parameters('ptype')]");
        t['parameters']['ptype'] = { type: 'string' };
        const f = expectOneAt(await findingsOf('ACR010', t), t, `"[parameters('ptype')]"`, 'open');
        expect(f.message).toMatch(/because parameter 'ptype' has no value/);
      });

      it("judges an if() between known principal types by each value: '' and null() leave the type to ARM", async () => {
        const choose = (a: string, b: string): Json => {
          const t = withType(`[if(equals(parameters('env'), 'dev'), ${a}, ${b})]`);
          t['parameters']['env'] = { type: 'string' };
          return t;
        };
        // Whichever the deployment chooses, the assignment fits a managed identity.
        expect(await findingsOf('ACR010', choose("''", "'ServicePrincipal'"))).toEqual([]);
        // One choice fits and the other does not: it depends on the deployment.
        for (const [a, b] of [["''", "'User'"], ['null()', "'User'"]]) {
          const t = choose(a!, b!);
          expect(expectOneAt(await findingsOf('ACR010', t), t, '"[if(', 'open').message).toMatch(/because parameter 'env' has no value/);
        }
        const never = choose("'User'", "'Group'");
        expectOneAt(await findingsOf('ACR010', never), never, '"[if(');
      });

      it('does not judge the principalType of an assignment to another principal', async () => {
        const t = withType('User');
        (t['resources'] as Json[]).unshift({ type: IDENTITY, apiVersion: '2023-01-31', name: 'other-id', location: 'westeurope' });
        findResource(t, RA)['properties']['principalId'] = "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'other-id')).principalId]";
        expect((await findingsOf('ACR010', t)).map((f) => f.message)).toEqual([expect.stringMatching(/^Nothing grants identity 'reg-id'/)]);
      });
    });

    it('fails a role assignment that names the client id instead of the principal id', async () => {
      const t = cmkStack();
      findResource(t, RA)['properties']['principalId'] = "[reference(variables('identityId')).clientId]";
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"[reference(variables('identityId')).clientId]"`);
      expect(f.message).toMatch(/by its clientId, but principalId must be the principal \(object\) id/);
    });

    it('fails an access policy on an RBAC vault: access policies are ignored, at enableRbacAuthorization', async () => {
      const t = accessPolicyStack();
      findResource(t, VAULT)['properties']['enableRbacAuthorization'] = true;
      const f = expectOneAt(await findingsOf('ACR010', t), t, 'true,\n        "enableSoftDelete"');
      expect(f.message).toMatch(/uses Azure RBAC \(enableRbacAuthorization is true\).*access policy.*does not count.*ignore access policies/);
      expect(f.resource?.fullyQualifiedName).toBe('Microsoft.KeyVault/vaults/reg-kv');
    });

    it('uses RBAC by default from API version 2026-02-01', async () => {
      const t = accessPolicyStack();
      const vault = findResource(t, VAULT);
      delete vault['properties']['enableRbacAuthorization'];
      vault['apiVersion'] = '2026-02-01';
      const f = expectOneAt(await findingsOf('ACR010', t), t, '"properties": {\n        "tenantId"');
      expect(f.message).toMatch(/API version 2026-02-01 creates vaults with Azure RBAC by default/);
      const rbac = cmkStack();
      delete findResource(rbac, VAULT)['properties']['enableRbacAuthorization'];
      findResource(rbac, VAULT)['apiVersion'] = '2026-02-01';
      expect(await findingsOf('ACR010', rbac)).toEqual([]);
    });

    it('fails when nothing grants the identity access, at the registry identity', async () => {
      const t = withoutRoleAssignment(cmkStack());
      const needle = `"[reference(variables('identityId')).clientId]"`;
      const f = expectOneAt(await findingsOf('ACR010', t), t, needle, 'fail', last(t, needle));
      expect(f.message).toMatch(/Nothing grants identity 'reg-id' .*'reg-kv'.*Key Vault Crypto Service Encryption User/);
      expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg');
    });

    it('fails a grant to another identity', async () => {
      const t = cmkStack();
      (t['resources'] as Json[]).unshift({ type: IDENTITY, apiVersion: '2023-01-31', name: 'other-id', location: 'westeurope' });
      findResource(t, RA)['properties']['principalId'] = "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'other-id')).principalId]";
      const needle = `"[reference(variables('identityId')).clientId]"`;
      expectOneAt(await findingsOf('ACR010', t), t, needle, 'fail', last(t, needle));
    });

    it('is undetermined when the role assignment principal is a parameter without value', async () => {
      const t = cmkStack();
      t['parameters']['principal'] = { type: 'string' };
      findResource(t, RA)['properties']['principalId'] = "[parameters('principal')]";
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"[parameters('principal')]"`, 'open');
      expect(f.message).toMatch(/parameter 'principal' has no value/);
    });

    it('judges a custom role defined in the scan by its data actions (when the scan keeps role definitions)', async () => {
      const custom = (dataActions: string[]) => {
        const t = cmkStack();
        (t['resources'] as Json[]).unshift({
          type: 'Microsoft.Authorization/roleDefinitions',
          apiVersion: '2022-04-01',
          name: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
          properties: { roleName: 'acr-cmk', permissions: [{ actions: [], dataActions }], assignableScopes: ['[resourceGroup().id]'] },
        });
        findResource(t, RA)['properties']['roleDefinitionId'] = "[resourceId('Microsoft.Authorization/roleDefinitions', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee')]";
        return t;
      };
      const needle = `"[resourceId('Microsoft.Authorization/roleDefinitions', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee')]"`;
      const covering = custom(['Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/wrap/action', 'Microsoft.KeyVault/vaults/keys/unwrap/action']);
      const wildcard = custom(['Microsoft.KeyVault/vaults/keys/*']);
      const readOnly = custom(['Microsoft.KeyVault/vaults/keys/read']);
      if (isModelled('Microsoft.Authorization/roleDefinitions')) {
        expect(await findingsOf('ACR010', covering)).toEqual([]);
        expect(await findingsOf('ACR010', wildcard)).toEqual([]);
        const f = expectOneAt(await findingsOf('ACR010', readOnly), readOnly, needle);
        expect(f.message).toMatch(/custom role/);
      } else {
        // The scan drops the contents of role definitions: a custom role stays open, never a failure.
        for (const t of [covering, wildcard, readOnly]) expectOneAt(await findingsOf('ACR010', t), t, needle, 'open');
      }
    });

    it('is undetermined for an unrecognised role GUID (maybe a custom role elsewhere)', async () => {
      const t = cmkStack();
      findResource(t, RA)['properties']['roleDefinitionId'] = roleId('aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
      expectOneAt(await findingsOf('ACR010', t), t, `"${roleId('aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee')}"`, 'open');
    });

    it('names a role it cannot tell without doubling words', async () => {
      const t = cmkStack();
      t['parameters']['roleId'] = { type: 'string' };
      findResource(t, RA)['properties']['roleDefinitionId'] = "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', parameters('roleId'))]";
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', parameters('roleId'))]"`, 'open');
      expect(f.message).toMatch(
        /^Cannot tell whether the role assignment on vault 'reg-kv' grants identity 'reg-id' \(encryption identity of registry 'contosoreg'\) get, wrapKey and unwrapKey on vault 'reg-kv', because parameter 'roleId' has no value /,
      );
      const guid = cmkStack();
      findResource(guid, RA)['properties']['roleDefinitionId'] = roleId('aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
      const g = (await findingsOf('ACR010', guid))[0]!;
      expect(g.message).toMatch(/^Cannot tell whether the role assignment of role aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee on vault 'reg-kv' grants /);
    });
  });

  describe('access-policy vaults', () => {
    it('passes get, wrapKey and unwrapKey in any case, or all', async () => {
      expect(await findingsOf('ACR010', accessPolicyStack())).toEqual([]);
      expect(await findingsOf('ACR010', accessPolicyStack(['Get', 'WrapKey', 'UnwrapKey', 'List']))).toEqual([]);
      expect(await findingsOf('ACR010', accessPolicyStack(['All']))).toEqual([]);
    });

    it('fails missing key permissions, at the keys list, naming them', async () => {
      const t = accessPolicyStack(['get', 'wrapKey']);
      const f = expectOneAt(await findingsOf('ACR010', t), t, '"keys": [');
      expect(f.message).toMatch(/lack unwrapKey/);
    });

    it('names each copy instance of a property copy loop and what it lacks, at the loop body', async () => {
      const t = accessPolicyStack();
      t['variables']['grants'] = [['get', 'list'], ['get', 'wrapKey']];
      const props = findResource(t, VAULT)['properties'];
      delete props['accessPolicies'];
      props['copy'] = [
        {
          name: 'accessPolicies',
          count: "[length(variables('grants'))]",
          input: { tenantId: '[subscription().tenantId]', objectId: "[reference(variables('identityId')).principalId]", permissions: { keys: "[variables('grants')[copyIndex('accessPolicies')]]" } },
        },
      ];
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"[variables('grants')[copyIndex('accessPolicies')]]"`);
      expect(f.message).toBe(
        "None of the 2 grants to identity 'reg-id' (encryption identity of registry 'contosoreg') on vault 'reg-kv' lets it use its key: the access policy of vault 'reg-kv' (instance 0 of copy loop 'accessPolicies'): its keys permissions lack wrapKey, unwrapKey; the access policy of vault 'reg-kv' (instance 1 of copy loop 'accessPolicies'): its keys permissions lack unwrapKey. ACR needs get, wrapKey and unwrapKey, and registry creation fails without them: in one of them, add get, wrapKey and unwrapKey to its keys permissions.",
      );
      t['variables']['grants'] = [['get']];
      const one = expectOneAt(await findingsOf('ACR010', t), t, `"[variables('grants')[copyIndex('accessPolicies')]]"`);
      expect(one.message).toMatch(/^The access policy of vault 'reg-kv' \(instance 0 of copy loop 'accessPolicies'\) does not let .*lack wrapKey, unwrapKey\./);
    });

    it('names the entries of a literal list by index when there are several', async () => {
      const t = accessPolicyStack(['get']);
      const list = findResource(t, VAULT)['properties']['accessPolicies'];
      list.push({ ...list[0], permissions: { keys: ['get', 'wrapKey'] } });
      const f = (await findingsOf('ACR010', t))[0]!;
      expect(f.message).toMatch(/: the access policy of vault 'reg-kv' \(accessPolicies\[0\]\): its keys permissions lack wrapKey, unwrapKey; the access policy of vault 'reg-kv' \(accessPolicies\[1\]\): its keys permissions lack unwrapKey\./);
    });

    it('fails an access policy whose objectId is the client id', async () => {
      const t = accessPolicyStack(undefined, "[reference(variables('identityId')).clientId]");
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"[reference(variables('identityId')).clientId]"`);
      expect(f.message).toMatch(/by its clientId, but objectId must be the principal \(object\) id/);
    });

    it('fails a role assignment on an access-policy vault, at enableRbacAuthorization', async () => {
      const t = cmkStack();
      findResource(t, VAULT)['properties']['enableRbacAuthorization'] = false;
      const f = expectOneAt(await findingsOf('ACR010', t), t, 'false,\n        "enableSoftDelete"');
      expect(f.message).toMatch(/uses access policies.*role assignment.*does not count/);
    });

    it('treats an absent enableRbacAuthorization before 2026-02-01 as access policies', async () => {
      const t = cmkStack();
      delete findResource(t, VAULT)['properties']['enableRbacAuthorization'];
      const f = expectOneAt(await findingsOf('ACR010', t), t, '"properties": {\n        "tenantId"');
      expect(f.message).toMatch(/before API version 2026-02-01 vaults are created with access policies/);
      expect(await findingsOf('ACR010', accessPolicyStack())).toEqual([]);
    });

    it('ignores enableRbacAuthorization under an API version that predates it (2018-02-14): an access-policy vault', async () => {
      // o-kv2018-rbac: the property exists from 2019-09-01, so the vault uses access policies and the role assignment does not count.
      const t = cmkStack();
      findResource(t, VAULT)['apiVersion'] = '2018-02-14';
      const f = expectOneAt(await findingsOf('ACR010', t), t, 'true,\n        "enableSoftDelete"');
      expect(f.message).toMatch(/uses access policies \(enableRbacAuthorization is ignored by API version 2018-02-14 \(it exists from 2019-09-01\), and before API version 2026-02-01 vaults are created with access policies\).*role assignment.*does not count.*enableRbacAuthorization: true, with an apiVersion from 2019-09-01 on/);
      findResource(t, VAULT)['apiVersion'] = '2019-09-01';
      expect(await findingsOf('ACR010', t)).toEqual([]);
    });

    it('is undetermined when enableRbacAuthorization is set but the API version that decides whether it counts is unknown', async () => {
      const t = cmkStack();
      t['parameters']['kvApi'] = { type: 'string' };
      findResource(t, VAULT)['apiVersion'] = "[parameters('kvApi')]";
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"[parameters('kvApi')]"`, 'open');
      expect(f.message).toMatch(/permission model is not known \(enableRbacAuthorization is not known: its apiVersion is not known before deployment/);
    });

    it('counts vaults/accessPolicies add resources, not remove', async () => {
      const t = withoutRoleAssignment(cmkStack());
      findResource(t, VAULT)['properties']['enableRbacAuthorization'] = false;
      const policy = {
        type: 'Microsoft.KeyVault/vaults/accessPolicies',
        apiVersion: '2023-07-01',
        name: 'reg-kv/add',
        dependsOn: ["[variables('vaultId')]"],
        properties: { accessPolicies: [{ tenantId: '[subscription().tenantId]', objectId: "[reference(variables('identityId')).principalId]", permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } }] },
      };
      (t['resources'] as Json[]).push(policy);
      expect(await findingsOf('ACR010', t)).toEqual([]);
      policy.name = 'reg-kv/remove';
      expect((await findingsOf('ACR010', t)).map((f) => f.kind)).toEqual(['fail']);
    });

    it('fails a compound identity (applicationId set)', async () => {
      const t = accessPolicyStack();
      findResource(t, VAULT)['properties']['accessPolicies'][0]['applicationId'] = '99999999-0000-0000-0000-000000000000';
      const f = expectOneAt(await findingsOf('ACR010', t), t, '"99999999-0000-0000-0000-000000000000"');
      expect(f.message).toMatch(/compound identity/);
    });

    describe("an entry's tenantId must be the vault's", () => {
      const TENANT_A = '11111111-1111-1111-1111-111111111111';
      const TENANT_B = '22222222-2222-2222-2222-222222222222';
      const tenants = (vaultTenant: string, entryTenant: string): Json => {
        const t = accessPolicyStack();
        findResource(t, VAULT)['properties']['tenantId'] = vaultTenant;
        findResource(t, VAULT)['properties']['accessPolicies'][0]['tenantId'] = entryTenant;
        return t;
      };

      it('fails an entry of another tenant, at its tenantId, saying why', async () => {
        const t = tenants(TENANT_A, TENANT_B);
        const f = expectOneAt(await findingsOf('ACR010', t), t, `"${TENANT_B}"`);
        expect(f.message).toBe(
          `The access policy of vault 'reg-kv' does not let identity 'reg-id' (encryption identity of registry 'contosoreg') use its key in vault 'reg-kv': its tenantId '${TENANT_B}' is not the vault's tenantId '${TENANT_A}', and a vault honours only access policies of its own tenant. ACR needs get, wrapKey and unwrapKey, and registry creation fails without them: set its tenantId to the vault's ([subscription().tenantId] on both, say).`,
        );
      });

      it('fails an entry of another tenant in a vaults/accessPolicies add resource', async () => {
        const t = withoutRoleAssignment(cmkStack());
        findResource(t, VAULT)['properties']['enableRbacAuthorization'] = false;
        findResource(t, VAULT)['properties']['tenantId'] = TENANT_A;
        (t['resources'] as Json[]).push({
          type: 'Microsoft.KeyVault/vaults/accessPolicies',
          apiVersion: '2023-07-01',
          name: 'reg-kv/add',
          dependsOn: ["[variables('vaultId')]"],
          properties: { accessPolicies: [{ tenantId: TENANT_B, objectId: "[reference(variables('identityId')).principalId]", permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } }] },
        });
        const f = expectOneAt(await findingsOf('ACR010', t), t, `"${TENANT_B}"`);
        expect(f.message).toMatch(/^The access policy in 'reg-kv\/add' does not let .*its tenantId '2{8}-.*' is not the vault's tenantId '1{8}-/);
      });

      it('passes the same tenant, literal (any case) or built the same way, and an entry of another tenant beside a good one', async () => {
        expect(await findingsOf('ACR010', tenants(TENANT_A, TENANT_A.toUpperCase()))).toEqual([]);
        expect(await findingsOf('ACR010', tenants('[subscription().tenantId]', '[subscription().tenantId]'))).toEqual([]);
        const both = accessPolicyStack();
        const list = findResource(both, VAULT)['properties']['accessPolicies'];
        list.unshift({ ...list[0], tenantId: TENANT_B });
        expect(await findingsOf('ACR010', both)).toEqual([]);
      });

      it("is undetermined when one side is known only at deployment, and decides it when the tenant is given", async () => {
        const t = tenants('[subscription().tenantId]', TENANT_B);
        const f = expectOneAt(await findingsOf('ACR010', t), t, `"${TENANT_B}"`, 'open');
        expect(f.message).toMatch(/^Cannot tell whether the access policy of vault 'reg-kv' grants .* because subscription\(\)\.tenantId is only known at deployment/);
        expect(await findingsOf('ACR010', t, {}, { context: { tenantId: TENANT_B } })).toEqual([]);
        expect((await findingsOf('ACR010', t, {}, { context: { tenantId: TENANT_A } })).map((x) => x.kind)).toEqual(['fail']);
      });
    });

    it('is undetermined when the permissions come from a parameter without value', async () => {
      const t = accessPolicyStack();
      t['parameters']['keyPerms'] = { type: 'array' };
      findResource(t, VAULT)['properties']['accessPolicies'][0]['permissions']['keys'] = "[parameters('keyPerms')]";
      expectOneAt(await findingsOf('ACR010', t), t, `"[parameters('keyPerms')]"`, 'open');
    });
  });

  it("finds the identity a grant names by reference(concat('Namespace/type/', name)), the classic short form", async () => {
    const t = accessPolicyStack(['get', 'wrapKey', 'unwrapKey'], "[reference(concat('Microsoft.ManagedIdentity/userAssignedIdentities/', 'reg-id')).principalId]");
    expect(await findingsOf('ACR010', t)).toEqual([]);
    // The identity's own template is not needed: the short form names the identity of the deployment's resource group.
    const other = accessPolicyStack(['get', 'wrapKey', 'unwrapKey'], "[reference(concat('Microsoft.ManagedIdentity/userAssignedIdentities/', 'reg-id'), '2023-01-31').principalId]");
    other['resources'] = (other['resources'] as Json[]).filter((r) => r['type'] !== IDENTITY);
    findResource(other, REGISTRY)['dependsOn'] = ["[variables('vaultId')]"];
    expect(await findingsOf('ACR010', other)).toEqual([]);
  });

  describe('undetermined', () => {
    it('when the only grant has a condition known only at deployment, pointing at the condition', async () => {
      const t = cmkStack();
      t['parameters']['grantKey'] = { type: 'bool' };
      findResource(t, RA)['condition'] = "[parameters('grantKey')]";
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"[parameters('grantKey')]"`, 'open');
      expect(f.message).toMatch(/role assignment on vault 'reg-kv' grants identity 'reg-id' .*, because it is deployed only when its condition holds, and parameter 'grantKey' has no value/);
      // The same for a vaults/accessPolicies resource; a certain grant beside it decides.
      const a = withoutRoleAssignment(cmkStack());
      findResource(a, VAULT)['properties']['enableRbacAuthorization'] = false;
      a['parameters']['grantKey'] = { type: 'bool' };
      const entry = { tenantId: '[subscription().tenantId]', objectId: "[reference(variables('identityId')).principalId]", permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } };
      (a['resources'] as Json[]).push({ type: `${VAULT}/accessPolicies`, apiVersion: '2023-07-01', name: 'reg-kv/add', condition: "[parameters('grantKey')]", properties: { accessPolicies: [entry] } });
      expectOneAt(await findingsOf('ACR010', a), a, `"[parameters('grantKey')]"`, 'open');
      findResource(a, VAULT)['properties']['accessPolicies'] = [entry];
      expect(await findingsOf('ACR010', a)).toEqual([]);
    });

    it('takes the permission model of a recovered vault as unknown unless the template sets it (v-recover-minimal)', async () => {
      const t = recoverVault(cmkStack());
      const f = expectOneAt(await findingsOf('ACR010', t), t, '"recover"', 'open');
      expect(f.message).toMatch(/permission model is not known \(enableRbacAuthorization is not known: the vault is recovered \(createMode 'recover'\) with its earlier settings/);
      expect(await findingsOf('ACR010', recoverVault(cmkStack(), ['enableRbacAuthorization']))).toEqual([]);
    });

    it('does not fail a recovered access-policy vault whose template lists no access policies: it keeps its earlier ones', async () => {
      const t = recoverVault(accessPolicyStack(), ['enableRbacAuthorization']);
      const f = expectOneAt(await findingsOf('ACR010', t), t, '"recover"', 'open');
      expect(f.message).toMatch(/no grant in the scanned templates does, but its access policies are not known, because the vault is recovered/);
      expect(await findingsOf('ACR010', recoverVault(accessPolicyStack(), ['enableRbacAuthorization', 'accessPolicies']))).toEqual([]);
    });

    it('names the vault when it is not in the scan', async () => {
      const t = cmkStack();
      t['resources'] = (t['resources'] as Json[]).filter((r) => ![VAULT, KEY, RA, 'Microsoft.Insights/diagnosticSettings'].includes(r['type']));
      findResource(t, REGISTRY)['dependsOn'] = ["[variables('identityId')]"];
      findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = 'https://shared-kv.vault.azure.net/keys/acr';
      const f = expectOneAt(await findingsOf('ACR010', t), t, '"https://shared-kv', 'open');
      expect(f.message).toMatch(/'shared-kv' is not in the scanned templates/);
      expect(f.resource?.fullyQualifiedName).toBe('Microsoft.KeyVault/vaults/shared-kv');
    });

    it('takes no access policy of a vault declared with a false condition as a grant: that vault is not deployed', async () => {
      const t = accessPolicyStack();
      findResource(t, VAULT)['condition'] = false;
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"[reference(variables('keyId')`, 'open');
      expect(f.message).toMatch(/the declaration of Key Vault 'reg-kv' has a false condition/);
    });

    it('is undetermined when the registry names its identity by a literal id and the grant by resourceId() with the subscription unknown', async () => {
      const literalId = `/subscriptions/${SUB}/resourceGroups/rg-sec/providers/Microsoft.ManagedIdentity/userAssignedIdentities/reg-id`;
      const t = cmkStack();
      const registry = findResource(t, REGISTRY);
      registry['identity']['userAssignedIdentities'] = { [literalId]: {} };
      registry['properties']['encryption']['keyVaultProperties']['identity'] = `[reference('${literalId}', '2023-01-31').clientId]`;
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"[reference(variables('identityId')).principalId]"`, 'open');
      expect(f.message).toMatch(/because subscription\(\)\.subscriptionId is only known at deployment/);
      // Deployed to that subscription and resource group, the grant is the registry's; elsewhere it is another identity.
      expect(await findingsOf('ACR010', t, {}, { context: { subscriptionId: SUB, resourceGroup: 'rg-sec' } })).toEqual([]);
      const elsewhere = await findingsOf('ACR010', t, {}, { context: { subscriptionId: SUB, resourceGroup: 'rg-app' } });
      expect(elsewhere.map((x) => x.kind)).toEqual(['fail']);
    });

    it('is undetermined for a role assignment on a literal subscription while the vault\'s subscription is unknown', async () => {
      const t = cmkStack();
      const ra = findResource(t, RA);
      ra['scope'] = `/subscriptions/${SUB}`;
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"/subscriptions/${SUB}"`, 'open');
      expect(f.message).toMatch(/only known at deployment/);
      expect(await findingsOf('ACR010', t, {}, { context: { subscriptionId: SUB } })).toEqual([]);
      expect((await findingsOf('ACR010', t, {}, { context: { subscriptionId: OTHER_SUB } })).map((x) => x.kind)).toEqual(['fail']);
    });

    it("names the identity's runtime principal id, not the grant's literal GUID, as what is unknown", async () => {
      const t = cmkStack();
      findResource(t, RA)['properties']['principalId'] = '9f8e7d6c-5b4a-4321-9876-0123456789ab';
      const f = expectOneAt(await findingsOf('ACR010', t), t, '"9f8e7d6c-5b4a-4321-9876-0123456789ab"', 'open');
      expect(f.message).toMatch(/because the runtime properties\.principalId of resource '.*userAssignedIdentities\/reg-id' is only known at deployment/);
    });

    it('is undetermined for an existing vault', async () => {
      const t = cmkStack();
      t['languageVersion'] = '2.0';
      findResource(t, VAULT)['existing'] = true;
      const needle = `"[reference(variables('keyId')).keyUri]"`;
      const f = expectOneAt(await findingsOf('ACR010', t), t, needle, 'open');
      expect(f.message).toMatch(/declared 'existing'/);
    });

    it('is undetermined for a literal GUID identity', async () => {
      const t = cmkStack();
      findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['identity'] = '11111111-2222-3333-4444-555555555555';
      const f = expectOneAt(await findingsOf('ACR010', t), t, '"11111111-2222-3333-4444-555555555555"', 'open');
      expect(f.message).toMatch(/cannot tell which principal/);
    });

    it('is undetermined when the permission model is not known and only one model grants access', async () => {
      const t = cmkStack();
      t['parameters']['rbac'] = { type: 'bool' };
      findResource(t, VAULT)['properties']['enableRbacAuthorization'] = "[parameters('rbac')]";
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"[parameters('rbac')]"`, 'open');
      expect(f.message).toMatch(/permission model is not known.*parameter 'rbac' has no value/);
    });

    it('is undetermined when enableRbacAuthorization is absent and the API version is not known', async () => {
      const t = cmkStack();
      t['parameters']['kvApi'] = { type: 'string' };
      const vault = findResource(t, VAULT);
      delete vault['properties']['enableRbacAuthorization'];
      vault['apiVersion'] = "[parameters('kvApi')]";
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"[parameters('kvApi')]"`, 'open');
      expect(f.message).toMatch(/API version is not known/);
    });

    it('is undetermined when the vault takes its whole access policy list from a parameter without value', async () => {
      const t = accessPolicyStack();
      t['parameters']['policies'] = { type: 'array' };
      findResource(t, VAULT)['properties']['accessPolicies'] = "[parameters('policies')]";
      const f = expectOneAt(await findingsOf('ACR010', t), t, `"[parameters('policies')]"`, 'open');
      expect(f.message).toMatch(/its access policies are not known, because parameter 'policies' has no value/);
    });

    it('passes an unknown model when both models grant access', async () => {
      const t = accessPolicyStack();
      t['parameters']['rbac'] = { type: 'bool' };
      findResource(t, VAULT)['properties']['enableRbacAuthorization'] = "[parameters('rbac')]";
      (t['resources'] as Json[]).push(findResource(cmkStack(), RA));
      expect(await findingsOf('ACR010', t)).toEqual([]);
    });
  });

  it("judges no grant for an identity the registry does not attach (identity.type 'None'): ACR005 fails it", async () => {
    const t = withoutRoleAssignment(cmkStack());
    findResource(t, REGISTRY)['identity']['type'] = 'None';
    expect(await findingsOf('ACR010', t)).toEqual([]);
    expect((await findingsOf('ACR005', t)).map((f) => f.kind)).toEqual(['fail']);
    findResource(t, REGISTRY)['identity']['type'] = 'systemassigned,userassigned';
    expect((await findingsOf('ACR010', t)).map((f) => f.message)).toEqual([expect.stringMatching(/^Nothing grants identity 'reg-id'/)]);
  });

  it("grants the registry's system-assigned identity through reference(..., 'full').identity.principalId", async () => {
    const t = cmkStack();
    const reg = findResource(t, REGISTRY);
    reg['identity']['type'] = 'SystemAssigned, UserAssigned';
    reg['properties']['encryption']['keyVaultProperties']['identity'] = 'system';
    findResource(t, RA)['properties']['principalId'] = "[reference(resourceId('Microsoft.ContainerRegistry/registries', 'contosoreg'), '2023-07-01', 'full').identity.principalId]";
    expect(await findingsOf('ACR010', t)).toEqual([]);
    const f = expectOneAt(await findingsOf('ACR010', cmkStackWithSystemIdentity()), cmkStackWithSystemIdentity(), '"system"', 'fail');
    expect(f.message).toMatch(/system-assigned identity of registry 'contosoreg'/);
  });

  it('finds the vault and the grant in another template of the scan', async () => {
    const t = cmkStack();
    const moved = (t['resources'] as Json[]).filter((r) => [VAULT, KEY, RA].includes(r['type']));
    t['resources'] = (t['resources'] as Json[]).filter((r) => !moved.includes(r));
    findResource(t, REGISTRY)['dependsOn'] = ["[variables('identityId')]"];
    const other = template({ variables: t['variables'], resources: moved });
    expect(await findingsOf('ACR010', t, { 'vault.json': text(other) })).toEqual([]);
    findResource(other, RA)['properties']['roleDefinitionId'] = roleId(KV_READER);
    const findings = await findingsOf('ACR010', t, { 'vault.json': text(other) });
    expect(findings.map((f) => [f.uri, f.kind])).toEqual([['vault.json', 'fail']]);
  });

  it('never lends a grant to the vault from another template that deploys its own copy of that vault (dev and prod twins)', async () => {
    // Same literal names, so the ids are equal while the subscription is unknown; each template grants its own vault.
    const prod = cmkStack();
    findResource(prod, RA)['properties']['roleDefinitionId'] = roleId(KV_READER);
    const findings = await findingsOf('ACR010', prod, { 'dev.json': text(cmkStack()) });
    expect(findings.map((f) => [f.uri, f.kind])).toEqual([['main.json', 'fail']]);
    // The same holds for a vaults/accessPolicies child in the twin.
    const prodPolicies = accessPolicyStack(['get']);
    const devPolicies = accessPolicyStack([]);
    const policy = devPolicies['resources'].find((r: Json) => r['type'] === VAULT)['properties']['accessPolicies'];
    devPolicies['resources'].push({ type: `${VAULT}/accessPolicies`, apiVersion: '2023-07-01', name: 'reg-kv/add', properties: { accessPolicies: policy.map((p: Json) => ({ ...p, permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } })) } });
    const twin = await findingsOf('ACR010', prodPolicies, { 'dev.json': text(devPolicies) });
    expect(twin.map((f) => [f.uri, f.kind])).toEqual([['main.json', 'fail']]);
  });

  it('takes no grant of another template as proof when it names the principal through a parameter of the same name', async () => {
    const t = cmkStack();
    t['parameters']['identityName'] = { type: 'string' };
    t['variables']['identityId'] = "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('identityName'))]";
    findResource(t, IDENTITY)['name'] = "[parameters('identityName')]";
    const moved = (t['resources'] as Json[]).filter((r) => [VAULT, KEY, RA].includes(r['type']));
    t['resources'] = (t['resources'] as Json[]).filter((r) => !moved.includes(r));
    findResource(t, REGISTRY)['dependsOn'] = ["[variables('identityId')]"];
    const other = template({ parameters: { identityName: { type: 'string' } }, variables: t['variables'], resources: moved });
    const findings = await findingsOf('ACR010', t, { 'vault.json': text(other) });
    expect(findings.map((f) => f.kind)).toEqual(['open']);
    // With the identity named literally in both, the grant is the registry's.
    const literal = structuredClone(other);
    literal['variables']['identityId'] = "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'reg-id')]";
    const u = cmkStack();
    u['resources'] = (u['resources'] as Json[]).filter((r) => ![VAULT, KEY, RA].includes(r['type']));
    findResource(u, REGISTRY)['dependsOn'] = ["[variables('identityId')]"];
    expect(await findingsOf('ACR010', u, { 'vault.json': text(literal) })).toEqual([]);
  });

  it('takes no role assignment of another template for one on the vault when both name the vault through a parameter of the same name', async () => {
    const t = nameVaultBy(cmkStack(), "parameters('vaultName')", ['vaultName']);
    expect(await findingsOf('ACR010', t)).toEqual([]);
    const ra = findResource(t, RA);
    t['resources'] = (t['resources'] as Json[]).filter((r) => r !== ra);
    findResource(t, REGISTRY)['dependsOn'] = ["[variables('identityId')]"];
    const other = template({ parameters: { vaultName: { type: 'string' } }, variables: t['variables'], resources: [ra] });
    const findings = await findingsOf('ACR010', t, { 'grant.json': text(other) });
    expect(findings.map((f) => [f.uri, f.kind])).toEqual([['main.json', 'fail']]);
  });

  it('counts a grant made inside a nested deployment', async () => {
    const t = cmkStack();
    const ra = findResource(t, RA);
    t['resources'] = (t['resources'] as Json[]).filter((r) => r !== ra);
    findResource(t, REGISTRY)['dependsOn'] = ["[variables('identityId')]", "[resourceId('Microsoft.Resources/deployments', 'grant')]"];
    (t['resources'] as Json[]).push({
      type: 'Microsoft.Resources/deployments',
      apiVersion: '2022-09-01',
      name: 'grant',
      dependsOn: ["[variables('identityId')]", "[variables('vaultId')]"],
      properties: { mode: 'Incremental', template: template({ resources: [ra] }) },
    });
    expect(await findingsOf('ACR010', t)).toEqual([]);
  });

  it('checks symbolic templates: a role assignment on an access-policy vault fails', async () => {
    const t = symbolic(false);
    const f = expectOneAt(await findingsOf('ACR010', t), t, 'false,\n        "enablePurgeProtection"');
    expect(f.message).toMatch(/'kvCrypto'/);
  });
});

function cmkStackWithSystemIdentity(): Json {
  const t = cmkStack();
  const reg = findResource(t, REGISTRY);
  reg['identity']['type'] = 'SystemAssigned, UserAssigned';
  reg['properties']['encryption']['keyVaultProperties']['identity'] = 'system';
  return t;
}
