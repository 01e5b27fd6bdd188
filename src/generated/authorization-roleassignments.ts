/* eslint-disable */
/**
 * GENERATED FILE, do not edit. Made by `npm run generate` (scripts/generate-types.mjs) from schemas/resources/authorization-roleassignments.schema.json.
 * Change the schema and run `npm run generate` again; test/schemas/generated.test.ts fails when this file is stale.
 */

/**
 * An evaluated Microsoft.Authorization/roleAssignments resource (an extension resource; scope is the resource it is assigned on) as rules see it.
 */
export interface RoleAssignmentResource {
  /**
   * Resource id the role is assigned on (extension resource scope).
   */
  scope?: string;
  properties: RoleAssignmentProperties;
  [k: string]: unknown;
}
export interface RoleAssignmentProperties {
  /**
   * Role definition resource id; the GUID at its end names the role.
   */
  roleDefinitionId: string;
  /**
   * Object (principal) id of the identity, never its client id.
   */
  principalId: string;
  /**
   * Set ServicePrincipal for a freshly created managed identity (2018-09-01-preview and later). '' is accepted as not set, as Azure Verified Modules write it.
   *
   * Allowed values (case-insensitive): User, Group, ServicePrincipal, ForeignGroup, Device.
   */
  principalType?: string;
  condition?: string;
  conditionVersion?: string;
  description?: string;
  delegatedManagedIdentityResourceId?: string;
  [k: string]: unknown;
}
