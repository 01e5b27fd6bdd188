/* eslint-disable */
/**
 * GENERATED FILE, do not edit. Made by `npm run generate` (scripts/generate-types.mjs) from schemas/rule-metadata.schema.json.
 * Change the schema and run `npm run generate` again; test/schemas/generated.test.ts fails when this file is stale.
 */

/**
 * The metadata every cmkguard rule carries (RuleMeta in src/types.ts): what the SARIF report, the docs and the config need. test/rules/completeness.test.ts validates every rule against it.
 */
export interface RuleMetadata {
  /**
   * Stable id, never renamed or reused (GitHub matches alerts by it): an area prefix and three digits.
   */
  id: string;
  /**
   * kebab-case name that users write in config.
   */
  name: string;
  /**
   * Default level of a failure; undetermined results are always notes.
   */
  level: 'error' | 'warning' | 'note';
  /**
   * One sentence (SARIF rule shortDescription).
   */
  shortDescription: string;
  /**
   * Why the rule exists and what it checks (SARIF rule fullDescription).
   */
  fullDescription: string;
  /**
   * Plain-text help: what to change (SARIF rule help.text).
   */
  helpText: string;
  /**
   * Markdown help (SARIF rule help.markdown).
   */
  helpMarkdown: string;
  /**
   * The rule's documentation page (SARIF rule helpUri).
   */
  docsUrl: string;
  /**
   * SARIF rule properties.tags; security rules carry 'security'.
   *
   * @maxItems 20
   */
  tags: string[];
  /**
   * SARIF rule properties.precision.
   */
  precision: 'very-high' | 'high' | 'medium' | 'low';
  /**
   * SARIF rule properties.security-severity: a number in (0, 10] written as a string. Only on security rules.
   */
  securitySeverity?: string;
  /**
   * JSON schema of the rule's options object; a rule without one takes no options.
   */
  optionsSchema?: {
    [k: string]: unknown;
  };
  /**
   * Option values used when the config sets none.
   */
  defaultOptions?: {
    [k: string]: unknown;
  };
}
