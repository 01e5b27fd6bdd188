import { describe, expect, it } from 'vitest';
import { template } from '../helpers/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { REGISTRY, cmkStack, findResource, type Json } from './stack.js';

/** The stack with the registry's network settings replaced. */
function withNetwork(settings: { publicNetworkAccess?: unknown; networkRuleSet?: unknown }): Json {
  const t = cmkStack();
  const props = findResource(t, REGISTRY)['properties'];
  delete props['publicNetworkAccess'];
  Object.assign(props, settings);
  return t;
}

describe('ACR011 registry-network-restricted', () => {
  it('passes the compliant stack (public network access disabled)', async () => {
    expect(await findingsOf('ACR011', cmkStack())).toEqual([]);
  });

  it('passes when either setting restricts access, compared case-insensitively', async () => {
    expect(await findingsOf('ACR011', withNetwork({ publicNetworkAccess: 'disabled' }))).toEqual([]);
    expect(await findingsOf('ACR011', withNetwork({ publicNetworkAccess: 'Enabled', networkRuleSet: { defaultAction: 'Deny', ipRules: [{ action: 'Allow', value: '203.0.113.0/24' }] } }))).toEqual([]);
    expect(await findingsOf('ACR011', withNetwork({ networkRuleSet: { defaultAction: 'deny' } }))).toEqual([]);
  });

  it('fails publicNetworkAccess Enabled without a deny rule, at publicNetworkAccess', async () => {
    const t = withNetwork({ publicNetworkAccess: 'Enabled' });
    const f = expectOneAt(await findingsOf('ACR011', t), t, '"Enabled"');
    expect(f.level).toBe('warning');
    expect(f.message).toMatch(/'contosoreg' is open to all networks: publicNetworkAccess is 'Enabled' and no networkRuleSet denies by default/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/contosoreg');
  });

  it('treats an absent publicNetworkAccess as Enabled, pointing at the defaultAction or at properties', async () => {
    const allow = withNetwork({ networkRuleSet: { defaultAction: 'Allow' } });
    const f = expectOneAt(await findingsOf('ACR011', allow), allow, '"Allow"');
    expect(f.message).toMatch(/publicNetworkAccess is not set \(Enabled\) and networkRuleSet.defaultAction is 'Allow'/);
    const bare = withNetwork({});
    expectOneAt(await findingsOf('ACR011', bare), bare, '"properties": {\n        "adminUserEnabled"');
  });

  it('applies to every registry, not only CMK ones', async () => {
    const t = template({ resources: [{ type: REGISTRY, apiVersion: '2023-07-01', name: 'plainreg', sku: { name: 'Standard' }, properties: {} }] });
    const f = expectOneAt(await findingsOf('ACR011', t), t, '"properties"');
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/plainreg');
    const none = template({ resources: [{ type: REGISTRY, apiVersion: '2023-07-01', name: 'plainreg', sku: { name: 'Basic' } }] });
    expectOneAt(await findingsOf('ACR011', none), none, '{\n      "type"');
  });

  it('evaluates expressions and points at them', async () => {
    const t = withNetwork({ publicNetworkAccess: "[if(parameters('private'), 'Disabled', 'Enabled')]" });
    t['parameters']['private'] = { type: 'bool', defaultValue: false };
    expectOneAt(await findingsOf('ACR011', t), t, `"[if(parameters('private')`);
    t['parameters']['private']['defaultValue'] = true;
    expect(await findingsOf('ACR011', t)).toEqual([]);
  });

  it('is undetermined when the deciding setting is not known', async () => {
    const t = withNetwork({ publicNetworkAccess: "[parameters('pna')]" });
    t['parameters']['pna'] = { type: 'string' };
    const f = expectOneAt(await findingsOf('ACR011', t), t, `"[parameters('pna')]"`, 'open');
    expect(f.message).toMatch(/Cannot tell whether registry 'contosoreg' restricts public network access, because parameter 'pna' has no value/);

    const both = withNetwork({ publicNetworkAccess: "[parameters('pna')]", networkRuleSet: { defaultAction: "[parameters('action')]" } });
    both['parameters']['pna'] = { type: 'string' };
    both['parameters']['action'] = { type: 'string' };
    const g = expectOneAt(await findingsOf('ACR011', both), both, `"[parameters('pna')]"`, 'open');
    expect(g.message).toMatch(/parameter 'pna' has no value.*parameter 'action' has no value/);

    // Both settings read from one object parameter (AVM style): the cause is given once.
    const shared = withNetwork({ publicNetworkAccess: "[parameters('acr').pna]", networkRuleSet: { defaultAction: "[parameters('acr').action]" } });
    shared['parameters']['acr'] = { type: 'object' };
    const h = expectOneAt(await findingsOf('ACR011', shared), shared, `"[parameters('acr').pna]"`, 'open');
    expect(h.message.match(/parameter 'acr' has no value/g)).toHaveLength(1);
  });

  it('is decided by a known restriction even when the other setting is unknown', async () => {
    const t = withNetwork({ publicNetworkAccess: "[parameters('pna')]", networkRuleSet: { defaultAction: 'Deny' } });
    t['parameters']['pna'] = { type: 'string' };
    expect(await findingsOf('ACR011', t)).toEqual([]);
    const u = withNetwork({ publicNetworkAccess: 'Disabled', networkRuleSet: { defaultAction: "[parameters('action')]" } });
    u['parameters']['action'] = { type: 'string' };
    expect(await findingsOf('ACR011', u)).toEqual([]);
  });

  it('checks symbolic (languageVersion 2.0) templates', async () => {
    const t = template({
      languageVersion: '2.0',
      resources: {
        reg: { type: REGISTRY, apiVersion: '2025-11-01', name: 'symreg', sku: { name: 'Premium' }, properties: { publicNetworkAccess: 'Enabled', networkRuleSet: { defaultAction: 'Allow' } } },
      },
    });
    const f = expectOneAt(await findingsOf('ACR011', t), t, '"Enabled"');
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.ContainerRegistry/registries/symreg');
  });

  it('checks a registry deployed by a nested module, per copy instance', async () => {
    const inner = template({
      parameters: { names: { type: 'array' } },
      resources: [{ type: REGISTRY, apiVersion: '2025-11-01', name: "[parameters('names')[copyIndex()]]", copy: { name: 'regs', count: "[length(parameters('names'))]" }, sku: { name: 'Premium' }, properties: { publicNetworkAccess: 'Enabled' } }],
    });
    const t = template({
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'registries',
          properties: { expressionEvaluationOptions: { scope: 'inner' }, mode: 'Incremental', parameters: { names: { value: ['rega', 'regb'] } }, template: inner },
        },
      ],
    });
    const findings = await findingsOf('ACR011', t);
    expect(findings.map((f) => f.resource?.fullyQualifiedName)).toEqual(['Microsoft.ContainerRegistry/registries/rega', 'Microsoft.ContainerRegistry/registries/regb']);
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/instance 0 of copy loop 'regs'/), expect.stringMatching(/instance 1 of copy loop 'regs'/)]);
  });
});
