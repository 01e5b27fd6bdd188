import { describe, expect, it } from 'vitest';
import { PARAMETERS_SCHEMA } from '../helpers/scan.js';
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
});
