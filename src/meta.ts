/** Builds complete rule metadata from the parts a rule author writes. */
import type { Level, RuleMeta } from './types.js';

export const DOCS_BASE = 'https://github.com/cmkguard/cmkguard/blob/main/docs/rules/';

export interface RuleMetaInput {
  id: string;
  name: string;
  level: Level;
  shortDescription: string;
  fullDescription: string;
  /** Markdown: what to change, with a small example. The plain-text help is derived from it. */
  help: string;
  tags: string[];
  precision: RuleMeta['precision'];
  securitySeverity?: string;
  optionsSchema?: Record<string, unknown>;
  defaultOptions?: Record<string, unknown>;
}

export function defineMeta(input: RuleMetaInput): RuleMeta {
  const { help, ...rest } = input;
  return {
    ...rest,
    helpMarkdown: help,
    helpText: help.replace(/```[a-z]*\n?/g, '').replace(/`/g, '').replace(/\*\*/g, ''),
    docsUrl: `${DOCS_BASE}${input.id}.md`,
  };
}
