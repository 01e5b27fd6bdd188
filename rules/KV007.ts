import { forEachCmkVault, nameOf, registryNames } from '../src/cmk-rules.js';
import { defineMeta } from '../src/meta.js';
import { display, type Rule } from '../src/rule-api.js';
import { setting, settingIs, whyNotKnown, type Setting } from '../src/settings.js';

const meta = defineMeta({
  id: 'KV007',
  name: 'keyvault-network-restricted',
  level: 'warning',
  shortDescription: 'The Key Vault that holds a registry key should not be open to all networks.',
  fullDescription:
    'A CMK vault reachable from any network exposes the registry key to anyone who obtains a credential for it. The vault should disable public network access (publicNetworkAccess Disabled, honoured from Key Vault API version 2021-06-01-preview) or deny by default in its firewall (networkAcls.defaultAction Deny; absent means Allow). The registry still reaches its key as a trusted Azure service when networkAcls.bypass is AzureServices (see KV003).',
  help: [
    'Deny public traffic by default and let trusted Azure services (the registry) through:',
    '```json',
    '"properties": { "networkAcls": { "defaultAction": "Deny", "bypass": "AzureServices" } }',
    '```',
    'or use private endpoints only: `"publicNetworkAccess": "Disabled"`.',
  ].join('\n'),
  tags: ['security', 'keyvault', 'cmk', 'network'],
  precision: 'very-high',
  securitySeverity: '5.0',
});

export const rule: Rule = {
  meta,
  check(ctx) {
    forEachCmkVault(ctx, 'the CMK vault is closed to public networks', (vault, links) => {
      const name = `Key Vault '${nameOf(vault)}' (CMK vault of ${registryNames(links)})`;
      // As ARM takes them: a property the vault's API version does not know is ignored.
      const deny = setting(vault, ['properties', 'networkAcls', 'defaultAction']);
      const pna = setting(vault, ['properties', 'publicNetworkAccess']);
      const denies = settingIs(deny, 'Deny');
      const disabled = settingIs(pna, 'Disabled');
      if (denies === true) {
        ctx.report({ resource: vault, path: deny.path, verdict: 'pass', message: `${name} denies public traffic by default.` });
        return;
      }
      if (disabled === true) {
        ctx.report({ resource: vault, path: pna.path, verdict: 'pass', message: `${name} disables public network access.` });
        return;
      }
      if (denies === undefined || disabled === undefined) {
        const unknown = denies === undefined ? deny : pna;
        ctx.report({
          resource: vault,
          path: unknown.path,
          verdict: 'undetermined',
          message: `Cannot tell whether ${name} is open to all networks, because ${whyNotKnown(unknown)}.`,
        });
        return;
      }
      const firewall = deny.state === 'known' ? `networkAcls.defaultAction is ${display(deny.value)}` : deny.state === 'missing' && deny.ignored ? `${deny.ignored}, so the firewall allows all` : 'networkAcls.defaultAction is absent (Allow)';
      const access = pna.state === 'known' ? `publicNetworkAccess is ${display(pna.value)}` : pna.state === 'missing' && pna.ignored ? pna.ignored : 'publicNetworkAccess is absent (Enabled)';
      // Point at the value that opens the vault: the firewall default when written, else public access, else where the firewall belongs.
      const written = (s: Setting): boolean => s.state === 'known' || (s.state === 'missing' && !!s.ignored);
      const at = written(deny) ? deny.path : written(pna) ? pna.path : deny.path;
      ctx.report({
        resource: vault,
        path: at,
        verdict: 'fail',
        message: `${name} is open to all networks: ${firewall} and ${access}, so the registry key is reachable from the internet by anyone holding a credential. Set networkAcls.defaultAction to 'Deny' (keep bypass 'AzureServices' for the registry) or publicNetworkAccess to 'Disabled'.`,
      });
    });
  },
};
