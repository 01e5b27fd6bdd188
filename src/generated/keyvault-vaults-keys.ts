/* eslint-disable */
/**
 * GENERATED FILE, do not edit. Made by `npm run generate` (scripts/generate-types.mjs) from schemas/resources/keyvault-vaults-keys.schema.json.
 * Change the schema and run `npm run generate` again; test/schemas/generated.test.ts fails when this file is stale.
 */

/**
 * An evaluated Microsoft.KeyVault/vaults/keys resource as rules see it (API 2019-09-01 and later). ARM creates the key only if it does not exist.
 */
export interface KeyVaultKeyResource {
  /**
   * Resource tags.
   */
  tags?: {
    [k: string]: unknown;
  };
  properties: KeyVaultKeyProperties;
  [k: string]: unknown;
}
export interface KeyVaultKeyProperties {
  /**
   * Key type; ACR supports RSA and RSA-HSM only.
   *
   * Allowed values (case-insensitive): EC, EC-HSM, RSA, RSA-HSM, oct-HSM.
   */
  kty?: string;
  /**
   * Key size in bits: 2048, 3072 or 4096 for RSA (default 2048).
   */
  keySize?: number | string;
  /**
   * Elliptic curve for EC keys.
   *
   * Allowed values (case-insensitive): P-256, P-384, P-521, P-256K.
   */
  curveName?: string;
  /**
   * Permitted operations; ACR needs wrapKey and unwrapKey.
   */
  keyOps?: string[];
  attributes?: KeyAttributes;
  rotationPolicy?: KeyRotationPolicy;
  release_policy?: {
    contentType?: string;
    data?: string;
    [k: string]: unknown;
  };
  /**
   * Read-only: versionless key URI.
   */
  keyUri?: string;
  /**
   * Read-only: key URI with version.
   */
  keyUriWithVersion?: string;
  [k: string]: unknown;
}
export interface KeyAttributes {
  enabled?: boolean | string;
  /**
   * Expiry, seconds since 1970-01-01Z.
   */
  exp?: number | string;
  /**
   * Not before, seconds since 1970-01-01Z.
   */
  nbf?: number | string;
  exportable?: boolean | string;
  [k: string]: unknown;
}
/**
 * API 2022-07-01 and later (preview since 2021-04-01-preview).
 */
export interface KeyRotationPolicy {
  attributes?: {
    /**
     * ISO 8601 duration, e.g. P2Y.
     */
    expiryTime?: string;
    [k: string]: unknown;
  };
  lifetimeActions?: {
    trigger?: {
      /**
       * ISO 8601 duration.
       */
      timeAfterCreate?: string;
      /**
       * ISO 8601 duration.
       */
      timeBeforeExpiry?: string;
      [k: string]: unknown;
    };
    action?: {
      /**
       * Allowed values (case-insensitive): rotate, notify.
       */
      type?: string;
      [k: string]: unknown;
    };
    [k: string]: unknown;
  }[];
  [k: string]: unknown;
}
