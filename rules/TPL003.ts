import { defineMeta } from '../src/meta.js';
import type { Rule } from '../src/rule-api.js';

/** Reported by the evaluator: a parameter with neither a default nor a parameter-file value. */
export const rule: Rule = {
  meta: defineMeta({
    id: 'TPL003',
    name: 'template-parameter-missing',
    level: 'warning',
    shortDescription: 'A template parameter has no (usable) value.',
    fullDescription:
      "A parameter has no default value and no value in the parameter file used for this evaluation (a null there counts as none), or an expression fails only because a parameter holds a placeholder: an empty default such as '' or null, an empty value from the parameter file, a nullable parameter without value. The deployment needs a real value; checks that depend on it are undetermined instead of guessed.",
    help: 'Add a parameter file next to the template (`<name>.parameters.json`) or pass one with `--parameters`, or give the parameter a `defaultValue`.',
    tags: ['template'],
    precision: 'very-high',
  }),
};
