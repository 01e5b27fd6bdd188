import { forEachCmkVault, nameOf, registryNames } from '../src/cmk-rules.js';
import { defineMeta } from '../src/meta.js';
import { display, or3, type Rule } from '../src/rule-api.js';
import { setting, settingIs, whyNotKnown } from '../src/settings.js';

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
      // As ARM takes them: a property the vault's API version does not know is ignored.
      const bypass = setting(vault, ['properties', 'networkAcls', 'bypass']);
      if (bypass.state === 'missing') {
        const why = bypass.ignored ? `${bypass.ignored}, so there is no firewall` : 'bypass defaults to AzureServices';
        ctx.report({ resource: vault, path: bypass.path, verdict: 'pass', message: `Key Vault '${name}' lets trusted services through (${why}).` });
        return;
      }
      const none = settingIs(bypass, 'None');
      if (none === false) {
        ctx.report({ resource: vault, path: bypass.path, verdict: 'pass', message: `Key Vault '${name}' lets trusted services through.` });
        return;
      }
      const deny = setting(vault, ['properties', 'networkAcls', 'defaultAction']);
      const pna = setting(vault, ['properties', 'publicNetworkAccess']);
      const denies = settingIs(deny, 'Deny');
      const disabled = settingIs(pna, 'Disabled');
      const restricted = or3(denies, disabled);
      if (restricted === false) {
        const ignored = [deny, pna].flatMap((s) => (s.state === 'missing' && s.ignored ? [s.ignored] : []));
        ctx.report({ resource: vault, path: bypass.path, verdict: 'pass', message: `Key Vault '${name}' does not restrict network access${ignored.length ? ` (${ignored.join('; ')})` : ''}.` });
        return;
      }
      if (restricted === undefined || none === undefined) {
        const unknownValue = none === undefined ? bypass : denies === undefined ? deny : pna;
        ctx.report({
          resource: vault,
          path: unknownValue.path,
          verdict: 'undetermined',
          message: `Cannot tell whether Key Vault '${name}' blocks the registry's key access, because ${whyNotKnown(unknownValue)}.`,
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
