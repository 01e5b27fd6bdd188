/**
 * Types generated from the JSON schemas in schemas/ (see src/generated, `npm run generate`): the evaluated
 * record of every modelled resource type, and the rule metadata. RuleMeta in types.ts stays hand-written;
 * the check below makes the build fail when it and schemas/rule-metadata.schema.json drift apart.
 */
import type { RuleMetadata } from './generated/index.js';
import type { RuleMeta } from './types.js';

export type {
  ContainerRegistryReplicationResource,
  ContainerRegistryResource,
  DiagnosticSettingResource,
  KeyVaultAccessPolicyResource,
  KeyVaultKeyResource,
  KeyVaultResource,
  ModelledResourceType,
  ResourceRecordByType,
  RoleAssignmentResource,
  RuleMetadata,
  UserAssignedIdentityResource,
} from './generated/index.js';
export { RESOURCE_SCHEMA_FILES } from './generated/index.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

/** Compile-time only: RuleMeta and the generated RuleMetadata describe the same shape. */
export type RuleMetaMatchesSchema = Assert<Same<RuleMeta, RuleMetadata>>;
