/** Shared types of the pipeline: rule metadata, findings and scan results. Formatters see only these. */
import type { ChainView } from './chains.js';

export type Level = 'error' | 'warning' | 'note';
export type FailLevel = Level | 'none';

export interface RuleMeta {
  /** Stable id, never renamed or reused (GitHub matches alerts by it). */
  id: string;
  /** kebab-case name that users write in config. */
  name: string;
  level: Level;
  shortDescription: string;
  fullDescription: string;
  helpText: string;
  helpMarkdown: string;
  docsUrl: string;
  tags: string[];
  precision: 'very-high' | 'high' | 'medium' | 'low';
  /** Numeric string in (0, 10]; present only on security rules. */
  securitySeverity?: string;
  optionsSchema?: Record<string, unknown>;
  defaultOptions?: Record<string, unknown>;
}

export interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  /** Exclusive, as SARIF defines it. */
  endColumn: number;
}

export interface ResourceLabel {
  /** Provider part of the resource id: `Microsoft.KeyVault/vaults/kv/keys/k`. */
  fullyQualifiedName: string;
  type: string;
  name: string;
}

export interface Suppression {
  kind: 'inSource' | 'external';
  justification: string;
}

export interface Finding {
  ruleId: string;
  level: Level;
  /** `fail`: the rule is violated; `open`: undetermined, the message says what is unknown. */
  kind: 'fail' | 'open';
  message: string;
  /** Absolute path of the file. */
  file: string;
  /** POSIX path relative to the repository root. */
  uri: string;
  region: Region;
  /** Text of the first line of the region (for the text report); of a long line, a window around the region. */
  snippet?: string;
  /** 1-based column of the line where `snippet` starts, when it is a window of a long line (else 1). */
  snippetColumn?: number;
  resource?: ResourceLabel;
  /** Repository-relative path of the parameter file this evaluation used, when there was one. */
  parameterFile?: string;
  suppression?: Suppression;
  /** The finding is about a resource read from Azure in live mode (or predicted by what-if), not a template. */
  live?: { source: 'arm' | 'what-if'; resourceId: string };
}

export interface ScannedFile {
  path: string;
  uri: string;
  /**
   * `caller`: a template that was not passed, read because it deploys a passed module that no passed template
   * deploys; the module is checked through it, and its own findings are not reported.
   */
  kind: 'template' | 'parameters' | 'skipped' | 'caller';
  /** For a `caller`: the passed modules (repository-relative) it deploys, sorted. */
  callerOf?: string[];
}

export interface ScanResult {
  toolVersion: string;
  repoRoot: string;
  rules: RuleMeta[];
  files: ScannedFile[];
  findings: Finding[];
  /** Internal errors (a bug, an unreadable file): they make the exit code 2. */
  internalErrors: string[];
  /**
   * Inputs of the run that could not be used (a path not found, an unreadable parameter file, live mode not
   * starting): the report covers only the rest, and the exit code is 2.
   */
  inputErrors?: string[];
  /** Each CMK registry's chain with every rule's verdict, when asked for (explain, markdown). */
  chains?: ChainView[];
  /** Live mode: ARM calls made, resources read (ids), and what could not be read. */
  live?: { calls: number; resources: string[]; problems: string[]; predicted?: number };
}
