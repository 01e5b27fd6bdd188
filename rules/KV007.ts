import { apiVersionIsFrom } from '../src/api-versions.js';
import { forEachCmkVault, nameOf, registryNames } from '../src/cmk-rules.js';
import { describeOrigins } from '../src/eval/value.js';
import { defineMeta } from '../src/meta.js';
import { display, isSetTo, read, type Rule } from '../src/rule-api.js';

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

/** The first Key Vault API version that has publicNetworkAccess; older versions ignore it. */
const PNA_SINCE = '2021-06-01';

export const rule: Rule = {
  meta,
  check(ctx) {
    forEachCmkVault(ctx, 'the CMK vault is closed to public networks', (vault, links) => {
      const name = `Key Vault '${nameOf(vault)}' (CMK vault of ${registryNames(links)})`;
      const deny = read(vault, ['properties', 'networkAcls', 'defaultAction']);
      const pna = read(vault, ['properties', 'publicNetworkAccess']);
      // An API version that is not known gets the benefit of the doubt.
      const pnaHonoured = apiVersionIsFrom(vault.apiVersion, PNA_SINCE) !== false;
      const denies = isSetTo(deny, 'Deny');
      const disabledValue = isSetTo(pna, 'Disabled');
      const disabled = pnaHonoured ? disabledValue : false;
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
          message: `Cannot tell whether ${name} is open to all networks, because ${describeOrigins(unknown.state === 'missing' ? null : unknown.value)}.`,
        });
        return;
      }
      const firewall = deny.state === 'known' ? `networkAcls.defaultAction is ${display(deny.value)}` : 'networkAcls.defaultAction is absent (Allow)';
      const access =
        pna.state === 'missing'
          ? 'publicNetworkAccess is absent (Enabled)'
          : !pnaHonoured
            ? `publicNetworkAccess is ignored by API version ${vault.apiVersion} (it needs 2021-06-01-preview or later)`
            : `publicNetworkAccess is ${display(pna.value)}`;
      // Point at the value that opens the vault: the firewall default when written, else public access, else where the firewall belongs.
      const at = deny.state === 'known' ? deny.path : pna.state === 'known' ? pna.path : deny.path;
      ctx.report({
        resource: vault,
        path: at,
        verdict: 'fail',
        message: `${name} is open to all networks: ${firewall} and ${access}, so the registry key is reachable from the internet by anyone holding a credential. Set networkAcls.defaultAction to 'Deny' (keep bypass 'AzureServices' for the registry) or publicNetworkAccess to 'Disabled'.`,
      });
    });
  },
};
