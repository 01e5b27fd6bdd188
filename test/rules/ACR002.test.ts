import { describe, expect, it } from 'vitest';
import { findingsOf, expectOneAt } from './expect.js';
import { REGISTRY, cmkStack, findResource } from './stack.js';

describe('ACR002 registry-cmk-premium-sku', () => {
  it('passes a Premium CMK registry', async () => {
    expect(await findingsOf('ACR002', cmkStack())).toEqual([]);
  });

  it('fails a Standard CMK registry at sku.name', async () => {
    const t = cmkStack();
    findResource(t, REGISTRY)['sku']['name'] = 'Standard';
    const f = expectOneAt(await findingsOf('ACR002', t), t, '"Standard"');
    expect(f.message).toMatch(/Premium/);
  });

  it('fails a SKU computed by an expression, pointing at the expression', async () => {
    const t = cmkStack();
    t['parameters']['tier'] = { type: 'string', defaultValue: 'Basic' };
    findResource(t, REGISTRY)['sku'] = "[createObject('name', parameters('tier'))]";
    expectOneAt(await findingsOf('ACR002', t), t, `"[createObject('name', parameters('tier'))]"`);
  });

  it('ignores registries without CMK', async () => {
    const t = cmkStack();
    const reg = findResource(t, REGISTRY);
    reg['sku']['name'] = 'Basic';
    delete reg['properties']['encryption'];
    expect(await findingsOf('ACR002', t)).toEqual([]);
  });

  it('is undetermined for a non-Premium registry whose encryption status is not known', async () => {
    const t = cmkStack();
    t['parameters']['status'] = { type: 'string' };
    const reg = findResource(t, REGISTRY);
    reg['properties']['encryption']['status'] = "[parameters('status')]";
    reg['sku']['name'] = 'Standard';
    expectOneAt(await findingsOf('ACR002', t), t, `"[parameters('status')]"`, 'open');
    reg['sku']['name'] = 'Premium';
    expect(await findingsOf('ACR002', t)).toEqual([]);
  });
});
