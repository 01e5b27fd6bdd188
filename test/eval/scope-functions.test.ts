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

const SUB_SCHEMA = 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#';
const TENANT_SCHEMA = 'https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#';

/** A deployment resource with an inner-scoped template that outputs `expr`; `target` holds subscriptionId/resourceGroup/scope. */
function nested(target: Record<string, unknown>, expr: string, schema?: string): Record<string, unknown> {
  const inner = outputs(schema, { o: expr });
  return {
    type: 'Microsoft.Resources/deployments',
    apiVersion: '2022-09-01',
    name: 'inner',
    location: 'westus',
    ...target,
    properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, template: inner },
  };
}

function messages(e: ReturnType<typeof run>): string[] {
  return e.diagnostics.filter((d) => d.ruleId === 'TPL002').map((d) => d.message);
}

describe('scope functions outside their deployment scopes', () => {
  it('refuses subscription() in management group and tenant deployments', () => {
    for (const schema of [MG_SCHEMA, TENANT_SCHEMA]) {
      const e = run(outputs(schema, { sub: '[subscription()]' }));
      const [msg] = messages(e);
      expect(msg).toMatch(/^subscription\(\) is not available in a (management group|tenant) deployment \(ARM allows it only in resource group and subscription deployments\)/);
      expect(msg).toMatch(/nested deployment that targets a subscription/);
      expect(e.diagnostics[0]!.path).toEqual(['outputs', 'sub', 'value']);
    }
  });

  it('refuses managementGroup() outside management group deployments', () => {
    for (const schema of [undefined, SUB_SCHEMA, TENANT_SCHEMA]) {
      const [msg] = messages(run(outputs(schema, { mg: '[managementGroup()]' })));
      expect(msg).toMatch(/^managementGroup\(\) is not available in a (resource group|subscription|tenant) deployment \(ARM allows it only in management group deployments\)/);
    }
  });

  it('keeps subscription() in resource group and subscription deployments, managementGroup() in management group ones', () => {
    expect(run(outputs(undefined, { sub: '[subscription()]' })).diagnostics).toEqual([]);
    expect(run(outputs(SUB_SCHEMA, { sub: '[subscription()]' })).diagnostics).toEqual([]);
    expect(run(outputs(MG_SCHEMA, { mg: '[managementGroup()]' })).diagnostics).toEqual([]);
  });

  it('judges a nested deployment by the scope it deploys to, not by its template $schema', () => {
    const ctx = { context: { subscriptionId: '11111111-1111-1111-1111-111111111111', managementGroup: 'mg1' } };
    // ARM's documented example: a management group template deploys a deploymentTemplate.json template to a subscription.
    const toSub = run({ ...tpl({ resources: [nested({ subscriptionId: 'sub2' }, '[subscription().subscriptionId]')], outputs: { o: { type: 'string', value: "[reference('inner').outputs.o.value]" } } }), $schema: MG_SCHEMA }, ctx);
    expect(toSub.diagnostics).toEqual([]);
    expect(output(toSub, 'o')).toBe('sub2');
    // A subscription template deploying to a resource group may use resourceGroup(); at the subscription itself it may not.
    const toRg = run({ ...tpl({ resources: [nested({ resourceGroup: 'rg1' }, '[resourceGroup().name]', SUB_SCHEMA)] }), $schema: SUB_SCHEMA }, ctx);
    expect(toRg.diagnostics).toEqual([]);
    const atSub = run({ ...tpl({ resources: [nested({}, '[resourceGroup().name]')] }), $schema: SUB_SCHEMA }, ctx);
    expect(messages(atSub)[0]).toMatch(/^resourceGroup\(\) is not available in a subscription deployment/);
    // A tenant template deploying to a management group may use managementGroup().
    const toMg = run({ ...tpl({ resources: [nested({ scope: 'Microsoft.Management/managementGroups/mg2' }, '[managementGroup().name]', TENANT_SCHEMA)], outputs: { o: { type: 'string', value: "[reference('inner').outputs.o.value]" } } }), $schema: TENANT_SCHEMA }, ctx);
    expect(toMg.diagnostics).toEqual([]);
    expect(output(toMg, 'o')).toBe('mg2');
    // A resource group deployment nests resource group deployments only with subscriptionId alone (no location)...
    const { location: _, ...withoutLocation } = nested({ subscriptionId: 'sub2' }, '[resourceGroup().name]', SUB_SCHEMA);
    const fromRg = run(tpl({ resources: [withoutLocation] }), ctx);
    expect(fromRg.diagnostics).toEqual([]);
    // ...and deploys to the subscription with a location too (Bicep's `scope: subscription()`), where resourceGroup() is refused.
    const toSubFromRg = run(tpl({ resources: [nested({ subscriptionId: 'sub2' }, '[resourceGroup().name]', SUB_SCHEMA)] }), ctx);
    expect(messages(toSubFromRg)[0]).toMatch(/^resourceGroup\(\) is not available in a subscription deployment/);
  });
});
