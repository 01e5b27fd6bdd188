/* eslint-disable */
/**
 * GENERATED FILE, do not edit. Made by `npm run generate` (scripts/generate-types.mjs) from schemas/resources/keyvault-vaults-accesspolicies.schema.json.
 * Change the schema and run `npm run generate` again; test/schemas/generated.test.ts fails when this file is stale.
 */

/**
 * An evaluated Microsoft.KeyVault/vaults/accessPolicies resource (named '<vault>/add', '<vault>/replace' or '<vault>/remove') as rules see it.
 */
export interface KeyVaultAccessPolicyResource {
  properties: KeyVaultAccessPolicyProperties;
  [k: string]: unknown;
}
export interface KeyVaultAccessPolicyProperties {
  /**
   * Access policies to add, replace or remove (at most 16 per resource).
   *
   * @maxItems 16
   */
  accessPolicies: KeyVaultAccessPolicyEntry[];
  [k: string]: unknown;
}
export interface KeyVaultAccessPolicyEntry {
  /**
   * Tenant of the identity; must be the vault's tenant.
   */
  tenantId: string;
  /**
   * Object (principal) id of the identity, never its client id.
   */
  objectId: string;
  /**
   * Application id for compound identities; leave absent (an empty string, common in exported templates, means none).
   */
  applicationId?: string;
  permissions: KeyVaultPermissions;
  [k: string]: unknown;
}
export interface KeyVaultPermissions {
  /**
   * Key permissions; ACR CMK needs get, wrapKey and unwrapKey (or all).
   */
  keys?: string[];
  secrets?: string[];
  certificates?: string[];
  storage?: string[];
  [k: string]: unknown;
}
