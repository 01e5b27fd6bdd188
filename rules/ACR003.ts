import { nameOf } from '../src/cmk-rules.js';
import { describeOrigins } from '../src/eval/value.js';
import { VAULT_DNS_SUFFIXES } from '../src/graph.js';
import { defineMeta } from '../src/meta.js';
import { display, type Rule } from '../src/rule-api.js';

const meta = defineMeta({
  id: 'ACR003',
  name: 'registry-cmk-key-identifier',
  level: 'error',
  shortDescription: 'The registry key identifier must be a Key Vault key URI.',
  fullDescription:
    'encryption.keyVaultProperties.keyIdentifier must be https://<vault>.<vault DNS suffix>/keys/<name> with an optional 32-hex-digit version, where the suffix is vault.azure.net, vault.azure.cn, vault.usgovcloudapi.net or vault.microsoftazure.de. Managed HSM keys are not supported by Azure Container Registry.',
  help: [
    'Use the key URI of a Key Vault key, best from the key resource itself:',
    '```json',
    '"keyIdentifier": "[reference(resourceId(\'Microsoft.KeyVault/vaults/keys\', parameters(\'vaultName\'), parameters(\'keyName\'))).keyUri]"',
    '```',
    'or a literal `https://contoso-kv.vault.azure.net/keys/acr-cmk`.',
  ].join('\n'),
  tags: ['security', 'acr', 'cmk', 'keyvault'],
  precision: 'high',
  securitySeverity: '5.5',
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const link of ctx.graph.cmkLinks()) {
      const name = nameOf(link.registry);
      const kid = link.keyIdentifier;
      if (kid.status === 'invalid') {
        ctx.report({
          resource: link.registry,
          path: link.keyIdentifierPath,
          verdict: 'fail',
          message: `Registry '${name}' has key identifier ${display(kid.value)}, which is not a Key Vault key URI: ${kid.problem}. Use https://<vault>.${VAULT_DNS_SUFFIXES[0]}/keys/<key>[/<32-hex version>].`,
        });
      } else if (kid.status === 'unknown') {
        ctx.report({ resource: link.registry, path: link.keyIdentifierPath, verdict: 'undetermined', message: `Cannot tell whether the key identifier of registry '${name}' is a Key Vault key URI, because ${describeOrigins(kid.value)}.` });
      } else ctx.report({ resource: link.registry, path: link.keyIdentifierPath, verdict: 'pass', message: `Registry '${name}' names a Key Vault key.` });
    }
  },
};
