import { defineMeta } from '../src/meta.js';
import type { Rule } from '../src/rule-api.js';

/** Reported by the evaluator: a linked template that cannot be loaded from the scan. */
export const rule: Rule = {
  meta: defineMeta({
    id: 'TPL004',
    name: 'template-link-unresolved',
    level: 'warning',
    shortDescription: 'A linked template cannot be loaded.',
    fullDescription:
      'A nested deployment links its template by a remote URI or template spec (never fetched), by a relative path to a missing file, or by a path outside the scan root. Its resources and outputs are not checked and values that depend on them are undetermined.',
    help: 'Use `templateLink.relativePath` to a file inside the scanned folder, or scan the linked template file directly.',
    tags: ['template'],
    precision: 'very-high',
  }),
};
