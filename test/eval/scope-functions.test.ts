import { describe, expect, it } from 'vitest';
import { member } from '../../src/eval/expression.js';
import { output, run, tpl } from './helpers.js';

const MG_SCHEMA = 'https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#';

/** A template of the given $schema whose outputs are the given expressions. */
function outputs(schema: string | undefined, values: Record<string, string>): Record<string, unknown> {
  const t = tpl({ outputs: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { type: 'object', value: v }])) });
  return schema ? { ...t, $schema: schema } : t;
}

describe('managementGroup()', () => {
  it("has the type ARM's documented example shows", () => {
    const e = run(outputs(MG_SCHEMA, { mg: '[managementGroup()]' }), { context: { managementGroup: 'mg1' } });
    expect(member(output(e, 'mg'), 'type')).toBe('/providers/Microsoft.Management/managementGroups');
    expect(e.diagnostics).toEqual([]);
  });
});
