/**
 * Report formatter registry. Every formatter takes the ScanResult (nothing else: formatters never know
 * rule internals) and options, and returns the whole report as a string without a trailing newline
 * (the CLI adds one when it writes to stdout or a file).
 */
import type { ScanResult } from '../types.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';
import { formatAzureDevOps, formatGithub } from './ci.js';
import { formatJunit } from './junit.js';
import { formatMarkdown } from './markdown.js';

export type FormatName = 'text' | 'json' | 'sarif' | 'github' | 'azure-devops' | 'markdown' | 'junit';

export interface FormatOptions {
  /** text: ANSI colours (the CLI sets it for a TTY without NO_COLOR). Default false. */
  color?: boolean;
  /** sarif: category for `automationDetails.id`. Default `cmkguard`. */
  category?: string;
  /** sarif: most results written; the most severe are kept. Default 5000. */
  maxResults?: number;
}

export type Formatter = (result: ScanResult, opts?: FormatOptions) => string;

export const formatNames: readonly FormatName[] = ['text', 'json', 'sarif', 'github', 'azure-devops', 'markdown', 'junit'];

export const formatters: Record<FormatName, Formatter> = {
  text: (result, opts = {}) => formatText(result, { color: opts.color ?? false }),
  json: (result) => formatJson(result),
  sarif: (result, opts = {}) => formatSarif(result, { category: opts.category, maxResults: opts.maxResults }),
  github: (result) => formatGithub(result),
  'azure-devops': (result) => formatAzureDevOps(result),
  markdown: (result) => formatMarkdown(result),
  junit: (result) => formatJunit(result),
};

export function isFormatName(name: string): name is FormatName {
  return (formatNames as readonly string[]).includes(name);
}

export { formatText } from './text.js';
export { formatJson, buildJsonReport } from './json.js';
export { formatSarif, buildSarif } from './sarif.js';
