/* eslint-disable */
/**
 * GENERATED FILE, do not edit. Made by `npm run generate` (scripts/generate-types.mjs) from schemas/resources/insights-diagnosticsettings.schema.json.
 * Change the schema and run `npm run generate` again; test/schemas/generated.test.ts fails when this file is stale.
 */

/**
 * An evaluated Microsoft.Insights/diagnosticSettings resource (an extension resource; scope is the resource whose logs it sends) as rules see it.
 */
export interface DiagnosticSettingResource {
  /**
   * Resource id whose logs and metrics are sent.
   */
  scope?: string;
  properties?: DiagnosticSettingProperties;
  [k: string]: unknown;
}
export interface DiagnosticSettingProperties {
  /**
   * Log Analytics workspace resource id.
   */
  workspaceId?: string;
  storageAccountId?: string;
  eventHubAuthorizationRuleId?: string;
  eventHubName?: string;
  serviceBusRuleId?: string;
  marketplacePartnerId?: string;
  logAnalyticsDestinationType?: string;
  logs?: DiagnosticLogSettings[];
  metrics?: DiagnosticMetricSettings[];
  [k: string]: unknown;
}
export interface DiagnosticLogSettings {
  /**
   * e.g. AuditEvent.
   */
  category?: string;
  /**
   * e.g. audit or allLogs.
   */
  categoryGroup?: string;
  enabled: boolean | string;
  retentionPolicy?: DiagnosticRetentionPolicy;
  [k: string]: unknown;
}
export interface DiagnosticRetentionPolicy {
  enabled: boolean | string;
  days: number | string;
  [k: string]: unknown;
}
export interface DiagnosticMetricSettings {
  category?: string;
  timeGrain?: string;
  enabled: boolean | string;
  retentionPolicy?: DiagnosticRetentionPolicy1;
  [k: string]: unknown;
}
export interface DiagnosticRetentionPolicy1 {
  enabled: boolean | string;
  days: number | string;
  [k: string]: unknown;
}
