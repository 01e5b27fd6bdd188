/* eslint-disable */
/**
 * GENERATED FILE, do not edit. Made by `npm run generate` (scripts/generate-types.mjs) from schemas/resources/keyvault-vaults.schema.json.
 * Change the schema and run `npm run generate` again; test/schemas/generated.test.ts fails when this file is stale.
 */

/**
 * An evaluated Microsoft.KeyVault/vaults resource as rules see it. Properties from API versions 2016-10-01 to 2026-03-01-preview; unknown properties are allowed.
 */
export interface KeyVaultResource {
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
  properties: KeyVaultProperties;
  [k: string]: unknown;
}
export interface KeyVaultProperties {
  /**
   * Azure AD tenant that authenticates requests to the vault.
   */
  tenantId: string;
  sku: KeyVaultSKU;
  /**
   * Ignored when enableRbacAuthorization is true.
   *
   * @maxItems 1024
   */
  accessPolicies?: KeyVaultAccessPolicyEntry[];
  enabledForDeployment?: boolean | string;
  enabledForDiskEncryption?: boolean | string;
  enabledForTemplateDeployment?: boolean | string;
  /**
   * Soft delete (default true since 2019-09-01; cannot be turned off).
   */
  enableSoftDelete?: boolean | string;
  /**
   * Days a deleted vault or key stays recoverable (7..90, default 90).
   */
  softDeleteRetentionInDays?: number | string;
  /**
   * Purge protection; irreversible once true.
   */
  enablePurgeProtection?: boolean | string;
  /**
   * Azure RBAC instead of access policies (default true from API 2026-02-01, false before).
   */
  enableRbacAuthorization?: boolean | string;
  /**
   * Allowed values (case-insensitive): recover, default.
   */
  createMode?: string;
  vaultUri?: string;
  /**
   * enabled (default) or disabled; the schema has no enum, compare case-insensitively.
   */
  publicNetworkAccess?: string;
  networkAcls?: KeyVaultNetworkRuleSet;
  [k: string]: unknown;
}
export interface KeyVaultSKU {
  /**
   * Allowed values (case-insensitive): A.
   */
  family: string;
  /**
   * premium is needed for HSM keys (RSA-HSM).
   *
   * Allowed values (case-insensitive): standard, premium.
   */
  name: string;
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
export interface KeyVaultNetworkRuleSet {
  /**
   * Whether trusted Azure services (ACR among them) bypass the firewall (default AzureServices).
   *
   * Allowed values (case-insensitive): AzureServices, None.
   */
  bypass?: string;
  /**
   * Allowed values (case-insensitive): Allow, Deny.
   */
  defaultAction?: string;
  ipRules?: {
    /**
     * IPv4 address or CIDR range.
     */
    value: string;
    [k: string]: unknown;
  }[];
  virtualNetworkRules?: {
    /**
     * Subnet resource id.
     */
    id: string;
    ignoreMissingVnetServiceEndpoint?: boolean | string;
    [k: string]: unknown;
  }[];
  [k: string]: unknown;
}
