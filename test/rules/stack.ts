/** A compliant CMK stack that rule tests mutate one property at a time. */
import { template } from '../helpers/scan.js';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const ROLE_CRYPTO_SERVICE_ENCRYPTION_USER = 'e147488a-f6f5-4113-8e2d-b22465e65bf6';

export function cmkStack(): Json {
  return template({
    parameters: {
      location: { type: 'string', defaultValue: 'westeurope' },
    },
    variables: {
      identityId: "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'reg-id')]",
      vaultId: "[resourceId('Microsoft.KeyVault/vaults', 'reg-kv')]",
      keyId: "[resourceId('Microsoft.KeyVault/vaults/keys', 'reg-kv', 'reg-key')]",
      role: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${ROLE_CRYPTO_SERVICE_ENCRYPTION_USER}')]`,
    },
    resources: [
      { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'reg-id', location: "[parameters('location')]" },
      {
        type: 'Microsoft.KeyVault/vaults',
        apiVersion: '2023-07-01',
        name: 'reg-kv',
        location: "[parameters('location')]",
        properties: {
          tenantId: '[subscription().tenantId]',
          sku: { family: 'A', name: 'standard' },
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: 90,
          enablePurgeProtection: true,
          networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' },
        },
      },
      {
        type: 'Microsoft.KeyVault/vaults/keys',
        apiVersion: '2023-07-01',
        name: 'reg-kv/reg-key',
        dependsOn: ["[variables('vaultId')]"],
        properties: {
          kty: 'RSA',
          keySize: 3072,
          rotationPolicy: { lifetimeActions: [{ trigger: { timeAfterCreate: 'P18M' }, action: { type: 'rotate' } }] },
        },
      },
      {
        type: 'Microsoft.Insights/diagnosticSettings',
        apiVersion: '2021-05-01-preview',
        name: 'kv-audit',
        scope: "[variables('vaultId')]",
        properties: { workspaceId: '/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/z', logs: [{ category: 'AuditEvent', enabled: true }] },
      },
      {
        type: 'Microsoft.Authorization/roleAssignments',
        apiVersion: '2022-04-01',
        name: "[guid(variables('vaultId'), variables('identityId'), variables('role'))]",
        scope: "[variables('vaultId')]",
        properties: { roleDefinitionId: "[variables('role')]", principalId: "[reference(variables('identityId')).principalId]", principalType: 'ServicePrincipal' },
      },
      {
        type: 'Microsoft.ContainerRegistry/registries',
        apiVersion: '2023-07-01',
        name: 'contosoreg',
        location: "[parameters('location')]",
        sku: { name: 'Premium' },
        identity: { type: 'UserAssigned', userAssignedIdentities: { "[variables('identityId')]": {} } },
        dependsOn: [
          "[variables('identityId')]",
          "[extensionResourceId(variables('vaultId'), 'Microsoft.Authorization/roleAssignments', guid(variables('vaultId'), variables('identityId'), variables('role')))]",
        ],
        properties: {
          adminUserEnabled: false,
          publicNetworkAccess: 'Disabled',
          encryption: {
            status: 'enabled',
            keyVaultProperties: {
              keyIdentifier: "[reference(variables('keyId')).keyUri]",
              identity: "[reference(variables('identityId')).clientId]",
            },
          },
        },
      },
    ],
  });
}

/**
 * Moves the stack's registry into an inline module (inner scope) that the stack deploys with `parameters`;
 * `module` builds the module template from the registry as the stack declared it.
 */
export function moveRegistryIntoModule(t: Json, parameters: Json, module: (registry: Json) => Json): Json {
  const resources = t['resources'] as Json[];
  const registry = findResource(t, REGISTRY);
  resources.splice(resources.indexOf(registry), 1);
  resources.push(innerDeployment('registry', parameters, module(registry)));
  return t;
}

/** A nested deployment `name` of an inline template with inner scope, passed `parameters` (`{ p: { value } }`). */
export function innerDeployment(name: string, parameters: Json | undefined, template: Json): Json {
  return {
    type: 'Microsoft.Resources/deployments',
    apiVersion: '2022-09-01',
    name,
    properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, ...(parameters ? { parameters } : {}), template },
  };
}

/**
 * Names the stack's vault (and its key, and every id built from them) by an expression such as
 * `parameters('vaultName')`, declaring the string parameters it uses without a value.
 */
export function nameVaultBy(t: Json, nameExpression: string, parameters: string[]): Json {
  for (const p of parameters) t['parameters'][p] = { type: 'string' };
  t['variables']['vaultId'] = `[resourceId('Microsoft.KeyVault/vaults', ${nameExpression})]`;
  t['variables']['keyId'] = `[resourceId('Microsoft.KeyVault/vaults/keys', ${nameExpression}, 'reg-key')]`;
  findResource(t, VAULT)['name'] = `[${nameExpression}]`;
  findResource(t, KEY)['name'] = `[format('{0}/reg-key', ${nameExpression})]`;
  return t;
}

/**
 * Turns the stack's vault into a recovery (createMode 'recover', domain.md §2): it keeps only tenantId, sku and
 * the properties named in `keep`; the deleted vault's earlier settings stand for the rest.
 */
export function recoverVault(t: Json, keep: string[] = []): Json {
  const props = findResource(t, VAULT)['properties'] as Json;
  for (const k of Object.keys(props)) if (!['tenantId', 'sku', ...keep].includes(k)) delete props[k];
  props['createMode'] = 'recover';
  return t;
}

export function findResource(t: Json, type: string): Json {
  const r = (t['resources'] as Json[]).find((x) => x['type'] === type);
  if (!r) throw new Error(`no ${type}`);
  return r;
}

export const REGISTRY = 'Microsoft.ContainerRegistry/registries';
export const VAULT = 'Microsoft.KeyVault/vaults';
export const KEY = 'Microsoft.KeyVault/vaults/keys';

export function text(t: Json): string {
  return `${JSON.stringify(t, null, 2)}\n`;
}
