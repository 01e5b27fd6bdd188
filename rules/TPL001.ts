import { defineMeta } from '../src/meta.js';
import type { Rule } from '../src/rule-api.js';

/** Reported by the loader: the file claims to be an ARM template or parameter file but cannot be read as JSON. */
export const rule: Rule = {
  meta: defineMeta({
    id: 'TPL001',
    name: 'template-parse-error',
    level: 'error',
    shortDescription: 'The template or parameter file is not valid JSON.',
    fullDescription:
      'The file names an ARM deployment template or parameter schema but is neither JSON nor JSON with comments and trailing commas, so Azure Resource Manager cannot deploy it and no other rule can check it.',
    help: 'Fix the JSON syntax at the reported position. Comments (`//`, `/* */`) and trailing commas are accepted; unquoted keys, single quotes and missing commas are not.',
    tags: ['template', 'correctness'],
    precision: 'very-high',
  }),
};
