/* eslint-disable */
/**
 * GENERATED FILE, do not edit. Made by `npm run generate` (scripts/generate-types.mjs) from schemas/resources/containerregistry-registries.schema.json.
 * Change the schema and run `npm run generate` again; test/schemas/generated.test.ts fails when this file is stale.
 */

/**
 * An evaluated Microsoft.ContainerRegistry/registries resource as rules see it (top-level fields other than type, name and apiVersion). Properties from API versions 2017-10-01 to 2026-03-01-preview; unknown properties are allowed.
 */
export interface ContainerRegistryResource {
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
  sku: ContainerRegistrySKU;
  identity?: ContainerRegistryIdentity;
  properties?: ContainerRegistryProperties;
  [k: string]: unknown;
}
/**
 * The registry SKU; sku.name is needed at creation.
 */
export interface ContainerRegistrySKU {
  /**
   * The registry tier. Customer-managed keys need Premium.
   *
   * Allowed values (case-insensitive): Classic, Basic, Standard, Premium.
   */
  name: string;
  /**
   * Read-only tier.
   */
  tier?: string;
  [k: string]: unknown;
}
/**
 * Managed identities of the registry (2019-12-01-preview and later).
 */
export interface ContainerRegistryIdentity {
  /**
   * Managed identity types. CMK at creation needs a user-assigned identity.
   *
   * Allowed values (case-insensitive): SystemAssigned, UserAssigned, 'SystemAssigned, UserAssigned', None.
   */
  type?: string;
  /**
   * User-assigned identities, keyed by resource id; each value is an object ({} in templates).
   */
  userAssignedIdentities?: {
    [k: string]: {
      [k: string]: unknown;
    };
  };
  /**
   * Read-only.
   */
  principalId?: string;
  /**
   * Read-only.
   */
  tenantId?: string;
  [k: string]: unknown;
}
export interface ContainerRegistryProperties {
  /**
   * Enables the admin user (default false).
   */
  adminUserEnabled?: boolean | string;
  /**
   * Allows anonymous pulls (Standard and Premium).
   */
  anonymousPullEnabled?: boolean | string;
  /**
   * Enables dedicated data endpoints (Premium).
   */
  dataEndpointEnabled?: boolean | string;
  encryption?: ContainerRegistryEncryption;
  networkRuleSet?: ContainerRegistryNetworkRuleSet;
  /**
   * Whether trusted Azure services bypass the network rules.
   *
   * Allowed values (case-insensitive): AzureServices, None.
   */
  networkRuleBypassOptions?: string;
  /**
   * Whether ACR Tasks bypass the network rules.
   */
  networkRuleBypassAllowedForTasks?: boolean | string;
  /**
   * Public network access.
   *
   * Allowed values (case-insensitive): Enabled, Disabled.
   */
  publicNetworkAccess?: string;
  /**
   * Legacy: zone redundancy is now on by default where zones exist.
   *
   * Allowed values (case-insensitive): Enabled, Disabled.
   */
  zoneRedundancy?: string;
  /**
   * Allowed values (case-insensitive): AbacRepositoryPermissions, LegacyRegistryPermissions.
   */
  roleAssignmentMode?: string;
  /**
   * Allowed values (case-insensitive): IPv4, IPv4AndIPv6.
   */
  endpointProtocol?: string;
  policies?: ContainerRegistryPolicies;
  /**
   * Classic SKU only (API versions up to 2019-05-01).
   */
  storageAccount?: {
    id: string;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}
/**
 * Customer-managed key encryption (2019-12-01-preview and later).
 */
export interface ContainerRegistryEncryption {
  /**
   * Whether a customer-managed key encrypts the registry.
   *
   * Allowed values (case-insensitive): enabled, disabled.
   */
  status?: string;
  keyVaultProperties?: ContainerRegistryKeyVaultProperties;
  [k: string]: unknown;
}
export interface ContainerRegistryKeyVaultProperties {
  /**
   * Key Vault key URI, with or without a version.
   */
  keyIdentifier?: string;
  /**
   * Client id of the identity that reads the key, or the literal system.
   */
  identity?: string;
  /**
   * Read-only.
   */
  versionedKeyIdentifier?: string;
  /**
   * Read-only.
   */
  keyRotationEnabled?: boolean | string;
  /**
   * Read-only.
   */
  lastKeyRotationTimestamp?: string;
  [k: string]: unknown;
}
export interface ContainerRegistryNetworkRuleSet {
  /**
   * Action when no rule matches; the registry API takes Allow when it is absent (an empty networkRuleSet, as official quickstarts write, is accepted).
   *
   * Allowed values (case-insensitive): Allow, Deny.
   */
  defaultAction?: string;
  ipRules?: {
    /**
     * Allowed values (case-insensitive): Allow.
     */
    action?: string;
    /**
     * IP address or CIDR range.
     */
    value: string;
    [k: string]: unknown;
  }[];
  virtualNetworkRules?: {
    /**
     * Allowed values (case-insensitive): Allow.
     */
    action?: string;
    /**
     * Subnet resource id.
     */
    id: string;
    [k: string]: unknown;
  }[];
  [k: string]: unknown;
}
export interface ContainerRegistryPolicies {
  quarantinePolicy?: {
    /**
     * Allowed values (case-insensitive): enabled, disabled.
     */
    status?: string;
    [k: string]: unknown;
  };
  trustPolicy?: {
    /**
     * Allowed values (case-insensitive): Notary.
     */
    type?: string;
    /**
     * Content trust; not supported together with CMK.
     *
     * Allowed values (case-insensitive): enabled, disabled.
     */
    status?: string;
    [k: string]: unknown;
  };
  retentionPolicy?: {
    /**
     * Days to keep untagged manifests.
     */
    days?: number | string;
    /**
     * Allowed values (case-insensitive): enabled, disabled.
     */
    status?: string;
    [k: string]: unknown;
  };
  exportPolicy?: {
    /**
     * Allowed values (case-insensitive): enabled, disabled.
     */
    status?: string;
    [k: string]: unknown;
  };
  softDeletePolicy?: {
    retentionDays?: number | string;
    /**
     * Allowed values (case-insensitive): enabled, disabled.
     */
    status?: string;
    [k: string]: unknown;
  };
  azureADAuthenticationAsArmPolicy?: {
    /**
     * Allowed values (case-insensitive): enabled, disabled.
     */
    status?: string;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}
