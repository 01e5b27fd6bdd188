import { forEachCmkVault, nameOf, registryNames } from '../src/cmk-rules.js';
import { describeOrigins } from '../src/eval/value.js';
import { defineMeta } from '../src/meta.js';
import { display, equalsIgnoreCase, isSetTo, or3, read, type Rule } from '../src/rule-api.js';

const meta = defineMeta({
  id: 'KV003',
  name: 'keyvault-trusted-services',
  level: 'error',
  shortDescription: 'A firewalled CMK Key Vault must let trusted Azure services through.',
  fullDescription:
    'Azure Container Registry reaches its key as a trusted Azure service. When the CMK vault restricts network access (networkAcls.defaultAction Deny, or publicNetworkAccess Disabled), networkAcls.bypass must not be None; an absent bypass means AzureServices and passes.',
  help: [
    'Keep the firewall, and let trusted services through:',
    '```json',
    '"networkAcls": { "defaultAction": "Deny", "bypass": "AzureServices" }',
    '```',
  ].join('\n'),
  tags: ['security', 'keyvault', 'cmk', 'network'],
  precision: 'very-high',
  securitySeverity: '5.5',
});

export const rule: Rule = {
  meta,
  check(ctx) {
    forEachCmkVault(ctx, 'the CMK vault lets trusted Azure services through its firewall', (vault, links) => {
      const name = nameOf(vault);
      const bypass = read(vault, ['properties', 'networkAcls', 'bypass']);
      if (bypass.state === 'missing') {
        ctx.report({ resource: vault, path: bypass.path, verdict: 'pass', message: `Key Vault '${name}' lets trusted services through (bypass defaults to AzureServices).` });
        return;
      }
      const none = bypass.state === 'known' ? equalsIgnoreCase(bypass.value, 'None') : undefined;
      if (none === false) {
        ctx.report({ resource: vault, path: bypass.path, verdict: 'pass', message: `Key Vault '${name}' lets trusted services through.` });
        return;
      }
      const deny = read(vault, ['properties', 'networkAcls', 'defaultAction']);
      const pna = read(vault, ['properties', 'publicNetworkAccess']);
      const denies = isSetTo(deny, 'Deny');
      const disabled = isSetTo(pna, 'Disabled');
      const restricted = or3(denies, disabled);
      if (restricted === false) {
        ctx.report({ resource: vault, path: bypass.path, verdict: 'pass', message: `Key Vault '${name}' does not restrict network access.` });
        return;
      }
      if (restricted === undefined || none === undefined) {
        const unknownValue = none === undefined ? bypass : denies === undefined ? deny : pna;
        ctx.report({
          resource: vault,
          path: unknownValue.path,
          verdict: 'undetermined',
          message: `Cannot tell whether Key Vault '${name}' blocks the registry's key access, because ${describeOrigins(unknownValue.state === 'missing' ? null : unknownValue.value)}.`,
        });
        return;
      }
      ctx.report({
        resource: vault,
        path: bypass.path,
        verdict: 'fail',
        message: `Key Vault '${name}' restricts network access and sets networkAcls.bypass to ${display(bypass.state === 'known' ? bypass.value : null)}, so ${registryNames(links)} cannot reach its key as a trusted Azure service. Set bypass to 'AzureServices'.`,
      });
    });
  },
};
