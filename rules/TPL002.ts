import { defineMeta } from '../src/meta.js';
import type { Rule } from '../src/rule-api.js';

/** Reported by the evaluator: an expression that Azure Resource Manager would reject. */
export const rule: Rule = {
  meta: defineMeta({
    id: 'TPL002',
    name: 'template-evaluation-error',
    level: 'error',
    shortDescription: 'A template expression cannot be evaluated.',
    fullDescription:
      'An ARM expression has a syntax error, calls an unknown function, passes the wrong number or type of arguments, builds a resource id whose type and name segments do not match, refers to a circular variable, or exceeds an evaluation budget. The deployment would fail, and values that depend on it cannot be checked.',
    help: 'Read the message: it names the expression and the problem. Typical fixes: close the brackets, use `parameters(...)`/`variables(...)` with an existing name, give `resourceId` one name per type segment (`resourceId(\'Microsoft.KeyVault/vaults/keys\', vaultName, keyName)`).',
    tags: ['template', 'correctness'],
    precision: 'high',
  }),
};
