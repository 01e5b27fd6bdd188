import { describe, expect, it } from 'vitest';
import { template } from '../helpers/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { KEY, REGISTRY, VAULT, cmkStack, findResource, text, type Json } from './stack.js';

const RA = 'Microsoft.Authorization/roleAssignments';
const IDENTITY = 'Microsoft.ManagedIdentity/userAssignedIdentities';
const RA_ID = "[extensionResourceId(variables('vaultId'), 'Microsoft.Authorization/roleAssignments', guid(variables('vaultId'), variables('identityId'), variables('role')))]";
const REGISTRY_AT = '"dependsOn": [\n        "[variables(\'identityId\')]"';

function withDependsOn(deps: string[] | undefined): Json {
  const t = cmkStack();
  const reg = findResource(t, REGISTRY);
  if (deps) reg['dependsOn'] = deps;
  else delete reg['dependsOn'];
  return t;
}

/** The stack with an access-policy vault that grants the identity in its own accessPolicies. */
function inlinePolicyStack(): Json {
  const t = cmkStack();
  t['resources'] = (t['resources'] as Json[]).filter((r) => r['type'] !== RA);
  const vault = findResource(t, VAULT);
  vault['properties']['enableRbacAuthorization'] = false;
  vault['properties']['accessPolicies'] = [{ tenantId: '[subscription().tenantId]', objectId: "[reference(variables('identityId')).principalId]", permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } }];
  return t;
}

function symbolic(registryDependsOn: string[]): Json {
  return template({
    languageVersion: '2.0',
    resources: {
      uami: { type: IDENTITY, apiVersion: '2023-01-31', name: 'reg-id', location: 'westeurope' },
      kv: { type: VAULT, apiVersion: '2023-07-01', name: 'reg-kv', location: 'westeurope', properties: { tenantId: '[subscription().tenantId]', sku: { family: 'A', name: 'standard' }, enableRbacAuthorization: true } },
      key: { type: KEY, apiVersion: '2023-07-01', name: 'reg-kv/reg-key', dependsOn: ['kv'], properties: { kty: 'RSA' } },
      kvCrypto: {
        type: RA,
        apiVersion: '2022-04-01',
        scope: 'kv',
        name: "[guid(resourceId('Microsoft.KeyVault/vaults', 'reg-kv'), resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'reg-id'))]",
        properties: { roleDefinitionId: "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'e147488a-f6f5-4113-8e2d-b22465e65bf6')]", principalId: "[reference('uami').principalId]" },
        dependsOn: ['kv', 'uami'],
      },
      registry: {
        type: REGISTRY,
        apiVersion: '2023-07-01',
        name: 'symreg',
        location: 'westeurope',
        sku: { name: 'Premium' },
        identity: { type: 'UserAssigned', userAssignedIdentities: { "[format('{0}', resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'reg-id'))]": {} } },
        dependsOn: registryDependsOn,
        properties: { encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: "[reference('key').keyUri]", identity: "[reference('uami').clientId]" } } },
      },
    },
  });
}

describe('ACR009 registry-cmk-depends-on-access', () => {
  it('takes a dependsOn entry that gives the role assignment\'s name (computed the same way, with unknowns) as waiting for it', async () => {
    const byName = "[guid(variables('vaultId'), variables('identityId'), variables('role'))]";
    expect(await findingsOf('ACR009', withDependsOn(["[variables('identityId')]", byName]))).toEqual([]);
    const other = "[guid(variables('vaultId'), variables('identityId'), 'other')]";
    expect((await findingsOf('ACR009', withDependsOn(["[variables('identityId')]", other]))).map((f) => f.kind)).toEqual(['fail']);
  });

  it("resolves dependsOn entries in the classic 'Namespace/type/name' form", async () => {
    const identity = "[concat('Microsoft.ManagedIdentity/userAssignedIdentities/', 'reg-id')]";
    expect(await findingsOf('ACR009', withDependsOn([identity, RA_ID]))).toEqual([]);
    const other = "[concat('Microsoft.ManagedIdentity/userAssignedIdentities/', 'other-id')]";
    expect((await findingsOf('ACR009', withDependsOn([other, RA_ID]))).map((f) => f.kind)).toEqual(['fail']);
  });

  it('passes a registry that depends on its identity and its role assignment', async () => {
    expect(await findingsOf('ACR009', cmkStack())).toEqual([]);
    expect(await findingsOf('ACR009', symbolic(['uami', 'key', 'kvCrypto']))).toEqual([]);
  });

  it('fails a registry that does not depend on the role assignment, at its dependsOn', async () => {
    const t = withDependsOn(["[variables('identityId')]"]);
    const f = expectOneAt(await findingsOf('ACR009', t), t, REGISTRY_AT);
    expect(f.level).toBe('error');
    expect(f.message).toMatch(/'contosoreg' does not depend on the Key Vault Crypto Service Encryption User role assignment on vault 'reg-kv'/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg');
  });

  it('fails a registry that does not depend on the identity', async () => {
    const t = withDependsOn([RA_ID]);
    const f = expectOneAt(await findingsOf('ACR009', t), t, '"dependsOn": [\n        "[extensionResourceId');
    expect(f.message).toMatch(/does not depend on identity 'reg-id',/);
  });

  it('fails a registry without dependsOn, at the registry, naming both', async () => {
    const t = withDependsOn(undefined);
    const f = expectOneAt(await findingsOf('ACR009', t), t, '{\n      "type": "Microsoft.ContainerRegistry/registries"');
    expect(f.message).toMatch(/identity 'reg-id' or on the Key Vault Crypto Service Encryption User role assignment/);
  });

  it('follows dependencies transitively', async () => {
    const t = withDependsOn(["[variables('keyId')]"]);
    const key = findResource(t, KEY);
    key['dependsOn'] = ["[variables('vaultId')]", RA_ID];
    findResource(t, RA)['dependsOn'] = ["[variables('identityId')]"];
    expect(await findingsOf('ACR009', t)).toEqual([]);
  });

  it('checks symbolic templates', async () => {
    const t = symbolic(['uami', 'key']);
    const f = expectOneAt(await findingsOf('ACR009', t), t, '"dependsOn": [\n        "uami"');
    expect(f.message).toMatch(/role assignment 'kvCrypto'/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/symreg');
  });

  it('needs the vault itself when the grant is an access policy written in the vault', async () => {
    const t = inlinePolicyStack();
    findResource(t, REGISTRY)['dependsOn'] = ["[variables('identityId')]", "[variables('keyId')]"];
    expect(await findingsOf('ACR009', t)).toEqual([]);
    findResource(t, REGISTRY)['dependsOn'] = ["[variables('identityId')]"];
    const f = expectOneAt(await findingsOf('ACR009', t), t, REGISTRY_AT);
    expect(f.message).toMatch(/vault 'reg-kv', whose access policy grants the key/);
  });

  it('needs a vaults/accessPolicies resource that grants the key', async () => {
    const t = inlinePolicyStack();
    const vault = findResource(t, VAULT);
    const policies = vault['properties']['accessPolicies'];
    vault['properties']['accessPolicies'] = [];
    (t['resources'] as Json[]).push({ type: 'Microsoft.KeyVault/vaults/accessPolicies', apiVersion: '2023-07-01', name: 'reg-kv/add', dependsOn: ["[variables('vaultId')]"], properties: { accessPolicies: policies } });
    findResource(t, REGISTRY)['dependsOn'] = ["[variables('identityId')]", "[variables('keyId')]"];
    const f = expectOneAt(await findingsOf('ACR009', t), t, REGISTRY_AT);
    expect(f.message).toMatch(/access policy in 'reg-kv\/add'/);
    findResource(t, REGISTRY)['dependsOn'].push("[resourceId('Microsoft.KeyVault/vaults/accessPolicies', 'reg-kv', 'add')]");
    expect(await findingsOf('ACR009', t)).toEqual([]);
  });

  it('ignores a grant through the model the vault does not use (ACR010 reports it)', async () => {
    const t = withDependsOn(["[variables('identityId')]"]);
    findResource(t, VAULT)['properties']['enableRbacAuthorization'] = false;
    expect(await findingsOf('ACR009', t)).toEqual([]);
  });

  it('does not apply when the grant is deployed by another template', async () => {
    const t = withDependsOn(["[variables('identityId')]"]);
    const ra = findResource(t, RA);
    t['resources'] = (t['resources'] as Json[]).filter((r) => r !== ra);
    const other = template({ variables: t['variables'], resources: [ra] });
    expect(await findingsOf('ACR009', t, { 'grant.json': text(other) })).toEqual([]);
  });

  it('does not apply when the identity is deployed by another template', async () => {
    const t = withDependsOn([RA_ID]);
    const identity = findResource(t, IDENTITY);
    t['resources'] = (t['resources'] as Json[]).filter((r) => r !== identity);
    expect(await findingsOf('ACR009', t, { 'identity.json': text(template({ resources: [identity] })) })).toEqual([]);
  });

  describe('nested deployments', () => {
    /** The registry moves into an inline module; identity, vault and grant stay outside. */
    function registryInModule(moduleDependsOn: string[]): Json {
      const t = cmkStack();
      const reg = findResource(t, REGISTRY);
      t['resources'] = (t['resources'] as Json[]).filter((r) => r !== reg);
      reg['dependsOn'] = [];
      (t['resources'] as Json[]).push({
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'registry-module',
        dependsOn: moduleDependsOn,
        properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, template: template({ variables: t['variables'], resources: [reg] }) },
      });
      return t;
    }

    it('counts what the enclosing deployment depends on', async () => {
      expect(await findingsOf('ACR009', registryInModule(["[variables('identityId')]", RA_ID]))).toEqual([]);
    });

    it('fails inside the module when neither the registry nor its deployment waits for the grant', async () => {
      const t = registryInModule(["[variables('identityId')]"]);
      const f = expectOneAt(await findingsOf('ACR009', t), t, '"dependsOn": [],');
      expect(f.message).toMatch(/nested deployment 'registry-module'/);
      expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg');
    });

    it('counts a dependency on a module that deploys the grant', async () => {
      const t = cmkStack();
      const ra = findResource(t, RA);
      t['resources'] = (t['resources'] as Json[]).filter((r) => r !== ra);
      (t['resources'] as Json[]).splice(1, 0, {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'grant-module',
        properties: { mode: 'Incremental', template: template({ resources: [ra] }) },
      });
      const reg = findResource(t, REGISTRY);
      reg['dependsOn'] = ["[variables('identityId')]", "[resourceId('Microsoft.Resources/deployments', 'grant-module')]"];
      expect(await findingsOf('ACR009', t)).toEqual([]);
      reg['dependsOn'] = ["[variables('identityId')]"];
      expect((await findingsOf('ACR009', t)).map((f) => f.kind)).toEqual(['fail']);
    });
  });

  describe('undetermined', () => {
    it('when the encryption identity is not known but the template deploys an attached identity', async () => {
      const t = withDependsOn(["[variables('identityId')]"]);
      t['parameters']['clientId'] = { type: 'string' };
      findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['identity'] = "[parameters('clientId')]";
      const f = expectOneAt(await findingsOf('ACR009', t), t, REGISTRY_AT, 'open');
      expect(f.message).toMatch(/parameter 'clientId' has no value/);
    });

    it('when the grant principal is not known', async () => {
      const t = withDependsOn(["[variables('identityId')]"]);
      t['parameters']['principal'] = { type: 'string' };
      findResource(t, RA)['properties']['principalId'] = "[parameters('principal')]";
      const f = expectOneAt(await findingsOf('ACR009', t), t, REGISTRY_AT, 'open');
      expect(f.message).toMatch(/parameter 'principal' has no value/);
    });

    it('when the vault is declared existing, unless the registry depends on every candidate grant', async () => {
      const t = withDependsOn(["[variables('identityId')]"]);
      t['languageVersion'] = '2.0';
      findResource(t, VAULT)['existing'] = true;
      const f = expectOneAt(await findingsOf('ACR009', t), t, REGISTRY_AT, 'open');
      expect(f.message).toMatch(/^Registry 'contosoreg' does not depend on the .* role assignment .*, which grants identity 'reg-id' its key: if vault 'reg-kv' uses Azure RBAC, .*permission model is not known \(it is declared existing\)/);
      findResource(t, REGISTRY)['dependsOn'].push(RA_ID);
      expect(await findingsOf('ACR009', t)).toEqual([]);
    });

    it('when no scanned template declares the vault but the template grants on it (the Microsoft tutorial template)', async () => {
      const t = inlinePolicyStack();
      const vault = findResource(t, VAULT);
      t['resources'] = (t['resources'] as Json[]).filter((r) => ![VAULT, KEY, 'Microsoft.Insights/diagnosticSettings'].includes(r['type']));
      (t['resources'] as Json[]).push({ type: `${VAULT}/accessPolicies`, apiVersion: '2023-07-01', name: 'reg-kv/add', properties: { accessPolicies: vault['properties']['accessPolicies'] } });
      const registry = findResource(t, REGISTRY);
      registry['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = 'https://reg-kv.vault.azure.net/keys/reg-key';
      registry['dependsOn'] = ["[variables('identityId')]"];
      const f = expectOneAt(await findingsOf('ACR009', t), t, REGISTRY_AT, 'open');
      expect(f.message).toMatch(/does not depend on the access policy in 'reg-kv\/add', which grants identity 'reg-id' its key: .*\(no scanned template declares the vault\)/);
      registry['dependsOn'].push("[resourceId('Microsoft.KeyVault/vaults/accessPolicies', 'reg-kv', 'add')]");
      expect(await findingsOf('ACR009', t)).toEqual([]);
    });

    it('when the key identifier does not name its vault but the template grants on one (the tutorial template without kek_id)', async () => {
      const t = inlinePolicyStack();
      const vault = findResource(t, VAULT);
      t['resources'] = (t['resources'] as Json[]).filter((r) => ![VAULT, KEY, 'Microsoft.Insights/diagnosticSettings'].includes(r['type']));
      (t['resources'] as Json[]).push({ type: `${VAULT}/accessPolicies`, apiVersion: '2023-07-01', name: 'reg-kv/add', properties: { accessPolicies: vault['properties']['accessPolicies'] } });
      t['parameters']['keyId'] = { type: 'string' };
      const registry = findResource(t, REGISTRY);
      registry['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = "[parameters('keyId')]";
      registry['dependsOn'] = ["[variables('identityId')]"];
      const f = expectOneAt(await findingsOf('ACR009', t), t, REGISTRY_AT, 'open');
      expect(f.message).toMatch(/^Cannot tell whether registry 'contosoreg' depends on .*, because the key identifier does not say which vault holds the key: parameter 'keyId' has no value.* If it is vault 'reg-kv': .*does not depend on the access policy in 'reg-kv\/add'/);
      registry['dependsOn'].push("[resourceId('Microsoft.KeyVault/vaults/accessPolicies', 'reg-kv', 'add')]");
      expect(await findingsOf('ACR009', t)).toEqual([]);
    });

    it('when the key identifier does not name its vault and the registry races the grant on a vault the template deploys', async () => {
      const t = withDependsOn(["[variables('identityId')]"]);
      t['parameters']['keyId'] = { type: 'string' };
      findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = "[parameters('keyId')]";
      const f = expectOneAt(await findingsOf('ACR009', t), t, REGISTRY_AT, 'open');
      expect(f.message).toMatch(/does not say which vault holds the key: parameter 'keyId' has no value.* If it is vault 'reg-kv': Registry 'contosoreg' does not depend on the Key Vault Crypto Service Encryption User role assignment/);
      // Depending on every grant the template makes: whichever vault it is, nothing races.
      findResource(t, REGISTRY)['dependsOn'].push(RA_ID);
      expect(await findingsOf('ACR009', t)).toEqual([]);
    });
  });
});
