/* eslint-disable */
/**
 * GENERATED FILE, do not edit. Made by `npm run generate` (scripts/generate-types.mjs) from schemas/resources/*.schema.json and schemas/rule-metadata.schema.json.
 * Change the schema and run `npm run generate` again; test/schemas/generated.test.ts fails when this file is stale.
 */

import type { RoleAssignmentResource } from './authorization-roleassignments.js';
import type { ContainerRegistryReplicationResource } from './containerregistry-registries-replications.js';
import type { ContainerRegistryResource } from './containerregistry-registries.js';
import type { DiagnosticSettingResource } from './insights-diagnosticsettings.js';
import type { KeyVaultAccessPolicyResource } from './keyvault-vaults-accesspolicies.js';
import type { KeyVaultKeyResource } from './keyvault-vaults-keys.js';
import type { KeyVaultResource } from './keyvault-vaults.js';
import type { UserAssignedIdentityResource } from './managedidentity-userassignedidentities.js';
import type { RuleMetadata } from './rule-metadata.js';

export type {
  RoleAssignmentResource,
  ContainerRegistryReplicationResource,
  ContainerRegistryResource,
  DiagnosticSettingResource,
  KeyVaultAccessPolicyResource,
  KeyVaultKeyResource,
  KeyVaultResource,
  UserAssignedIdentityResource,
  RuleMetadata,
};

/** The schema file (in schemas/resources/) of every modelled ARM resource type. */
export const RESOURCE_SCHEMA_FILES = {
  'Microsoft.Authorization/roleAssignments': 'authorization-roleassignments.schema.json',
  'Microsoft.ContainerRegistry/registries/replications': 'containerregistry-registries-replications.schema.json',
  'Microsoft.ContainerRegistry/registries': 'containerregistry-registries.schema.json',
  'Microsoft.Insights/diagnosticSettings': 'insights-diagnosticsettings.schema.json',
  'Microsoft.KeyVault/vaults/accessPolicies': 'keyvault-vaults-accesspolicies.schema.json',
  'Microsoft.KeyVault/vaults/keys': 'keyvault-vaults-keys.schema.json',
  'Microsoft.KeyVault/vaults': 'keyvault-vaults.schema.json',
  'Microsoft.ManagedIdentity/userAssignedIdentities': 'managedidentity-userassignedidentities.schema.json',
} as const;

/** The evaluated record (top-level fields such as sku, identity, properties) of every modelled ARM resource type. */
export interface ResourceRecordByType {
  'Microsoft.Authorization/roleAssignments': RoleAssignmentResource;
  'Microsoft.ContainerRegistry/registries/replications': ContainerRegistryReplicationResource;
  'Microsoft.ContainerRegistry/registries': ContainerRegistryResource;
  'Microsoft.Insights/diagnosticSettings': DiagnosticSettingResource;
  'Microsoft.KeyVault/vaults/accessPolicies': KeyVaultAccessPolicyResource;
  'Microsoft.KeyVault/vaults/keys': KeyVaultKeyResource;
  'Microsoft.KeyVault/vaults': KeyVaultResource;
  'Microsoft.ManagedIdentity/userAssignedIdentities': UserAssignedIdentityResource;
}

export type ModelledResourceType = keyof ResourceRecordByType;
