/* eslint-disable */
/**
 * GENERATED FILE, do not edit. Made by `npm run generate` (scripts/generate-types.mjs) from schemas/resources/containerregistry-registries-replications.schema.json.
 * Change the schema and run `npm run generate` again; test/schemas/generated.test.ts fails when this file is stale.
 */

/**
 * An evaluated Microsoft.ContainerRegistry/registries/replications resource (geo-replica) as rules see it.
 */
export interface ContainerRegistryReplicationResource {
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
  properties?: ContainerRegistryReplicationProperties;
  [k: string]: unknown;
}
export interface ContainerRegistryReplicationProperties {
  /**
   * Whether requests are routed to this replica (default true).
   */
  regionEndpointEnabled?: boolean | string;
  /**
   * Allowed values (case-insensitive): Enabled, Disabled.
   */
  zoneRedundancy?: string;
  [k: string]: unknown;
}
