import { describe, expect, it } from 'vitest';
import { PARAMETERS_SCHEMA, TEMPLATE_SCHEMA } from '../helpers/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { cmkStack } from './stack.js';

describe('TPL003 template-parameter-missing', () => {
  it('passes parameters with defaults', async () => {
    expect(await findingsOf('TPL003', cmkStack())).toEqual([]);
  });

  it('reports a parameter without value at its declaration', async () => {
    const t = cmkStack();
    t['parameters']['workspace'] = { type: 'string' };
    const f = expectOneAt(await findingsOf('TPL003', t), t, '"workspace"');
    expect(f.level).toBe('warning');
  });

  it('is satisfied by a paired parameter file', async () => {
    const t = cmkStack();
    t['parameters']['workspace'] = { type: 'string' };
    const params = { $schema: PARAMETERS_SCHEMA, parameters: { workspace: { value: 'ws' } } };
    expect(await findingsOf('TPL003', t, { 'main.parameters.json': params })).toEqual([]);
  });

  it('says a module parameter comes from the calling deployment, not from a parameter file', async () => {
    const t = cmkStack();
    const module = { $schema: TEMPLATE_SCHEMA, contentVersion: '1.0.0.0', parameters: { skuName: { type: 'string' }, tier: { type: 'string' } }, resources: [] };
    (t['resources'] as object[]).push({
      type: 'Microsoft.Resources/deployments',
      apiVersion: '2022-09-01',
      name: 'acr',
      properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, parameters: { skuName: { value: null } }, template: module },
    });
    const messages = (await findingsOf('TPL003', t)).map((f) => f.message).sort();
    expect(messages).toEqual([
      "parameter 'skuName' has no value: no default and deployment 'acr' passes null; checks that depend on it are undetermined. Pass a value from deployment 'acr'.",
      "parameter 'tier' has no value: no default and deployment 'acr' does not pass it; checks that depend on it are undetermined. Pass a value from deployment 'acr'.",
    ]);
  });
});
