/** Shapes the current Bicep compiler emits (languageVersion 2.0), written by hand as Bicep writes them. */
import { describe, expect, it } from 'vitest';
import { Unknown } from '../../src/eval/value.js';
import { byName, output, run, tpl } from './helpers.js';

const SUB = '87d64d6d-6d17-4ad7-b507-16d9bc498781';

describe('Bicep extension resources', () => {
  const template = tpl({
    languageVersion: '2.0',
    imports: { k8s: { provider: 'Kubernetes', version: '1.0.0', config: { namespace: 'default' } } },
    extensions: { graphV1: { name: 'MicrosoftGraph', version: '1.0.0' }, k8sNew: { name: 'Kubernetes', version: '1.0.0' } },
    resources: {
      // Older compilers: `import` and type@version; newer ones: `extension`, a separate apiVersion, no name.
      ns: { import: 'k8s', type: 'core/Namespace@v1', properties: { metadata: { name: 'apps' } } },
      ns2: { extension: 'k8sNew', type: 'core/Namespace', apiVersion: 'v1', properties: { metadata: { name: 'apps2' } } },
      app: { extension: 'graphV1', type: 'Microsoft.Graph/applications', apiVersion: 'v1.0', properties: { uniqueName: 'app', displayName: 'App' } },
      sp: { extension: 'graphV1', type: 'Microsoft.Graph/servicePrincipals', apiVersion: 'v1.0', properties: { appId: "[reference('app').appId]" }, dependsOn: ['app'] },
      st: { type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: 'st1', dependsOn: ['ns2', 'sp'] },
    },
    outputs: { appId: { type: 'string', value: "[reference('app').appId]" } },
  });

  it('are not ARM resources without a name: no evaluation error, state unknown at deployment', () => {
    const e = run(template, { context: { subscriptionId: SUB, resourceGroup: 'rg' } });
    expect(e.diagnostics).toEqual([]);
    const sp = e.resources.find((r) => r.symbolicName === 'sp')!;
    expect(sp.type).toBe('Microsoft.Graph/servicePrincipals');
    expect(sp.apiVersion).toBe('v1.0');
    expect(output(e, 'appId')).toBeInstanceOf(Unknown);
    expect(byName(e, 'st1').dependsOn).toHaveLength(2);
  });

  it('still report an ARM resource without a name', () => {
    const e = run(tpl({ languageVersion: '2.0', resources: { st: { type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01' } } }));
    expect(e.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining("the resource has no 'name'")]);
  });
});
