/** The library entry point: the same pipeline the CLI runs, for tools that embed cmkguard. */
export { scan, type ScanOptions, type RuleSetting } from './scan.js';
export { evaluateTemplate, type Evaluation, type EvaluatedResource, type EvaluateOptions } from './eval/template.js';
export { formatters, type FormatName, type FormatOptions } from './report/index.js';
export { rules } from '../rules/index.js';
export type { Finding, RuleMeta, ScanResult, Level, FailLevel } from './types.js';
