/* eslint-disable */
/**
 * GENERATED FILE, do not edit. Made by `npm run generate` (scripts/generate-types.mjs) from schemas/resources/managedidentity-userassignedidentities.schema.json.
 * Change the schema and run `npm run generate` again; test/schemas/generated.test.ts fails when this file is stale.
 */

/**
 * An evaluated Microsoft.ManagedIdentity/userAssignedIdentities resource as rules see it. principalId, clientId and tenantId are read-only runtime values.
 */
export interface UserAssignedIdentityResource {
  /**
   * Azure region of the resource.
   */
  location: string;
  /**
   * Resource tags.
   */
  tags?: {
    [k: string]: unknown;
  };
  properties?: UserAssignedIdentityProperties;
  [k: string]: unknown;
}
export interface UserAssignedIdentityProperties {
  /**
   * API 2024-11-30 and later.
   *
   * Allowed values (case-insensitive): None, Regional.
   */
  isolationScope?: string;
  /**
   * Read-only: object id, for access policies and role assignments.
   */
  principalId?: string;
  /**
   * Read-only: client id, for the registry's keyVaultProperties.identity.
   */
  clientId?: string;
  /**
   * Read-only.
   */
  tenantId?: string;
  [k: string]: unknown;
}
