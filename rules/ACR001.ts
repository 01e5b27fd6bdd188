import { nameOf } from '../src/cmk-rules.js';
import { describeOrigins } from '../src/eval/value.js';
import { REGISTRY } from '../src/graph.js';
import { defineMeta } from '../src/meta.js';
import { display, equalsIgnoreCase, read, type Rule } from '../src/rule-api.js';

const meta = defineMeta({
  id: 'ACR001',
  name: 'registry-cmk-required',
  level: 'error',
  shortDescription: 'Container registries must encrypt content with a customer-managed key.',
  fullDescription:
    'A container registry must set properties.encryption.status to enabled with a keyVaultProperties.keyIdentifier. CMK can only be enabled when the registry is created, so a registry deployed without it cannot be fixed later without recreating it.',
  help: [
    'Set `properties.encryption` when the registry is created:',
    '```json',
    '"encryption": {',
    '  "status": "enabled",',
    '  "keyVaultProperties": {',
    '    "keyIdentifier": "[reference(resourceId(\'Microsoft.KeyVault/vaults/keys\', parameters(\'vaultName\'), parameters(\'keyName\'))).keyUri]",',
    '    "identity": "[reference(resourceId(\'Microsoft.ManagedIdentity/userAssignedIdentities\', parameters(\'identityName\'))).clientId]"',
    '  }',
    '}',
    '```',
  ].join('\n'),
  tags: ['security', 'acr', 'cmk', 'encryption'],
  precision: 'very-high',
  securitySeverity: '7.0',
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const registry of ctx.graph.deployed(REGISTRY)) {
      const name = nameOf(registry);
      const encryption = read(registry, ['properties', 'encryption']);
      if (encryption.state === 'missing') {
        ctx.report({
          resource: registry,
          path: encryption.path,
          verdict: 'fail',
          message: `Registry '${name}' does not enable a customer-managed key: properties.encryption is ${encryption.isNull ? 'null, which ARM treats as not set' : 'missing'}. Add encryption with status 'enabled' and a keyVaultProperties.keyIdentifier; CMK can only be turned on when the registry is created.`,
        });
        continue;
      }
      const status = read(registry, ['properties', 'encryption', 'status']);
      if (status.state === 'missing') {
        ctx.report({ resource: registry, path: status.path, verdict: 'fail', message: `Registry '${name}' has an encryption block without status: set encryption.status to 'enabled'.` });
        continue;
      }
      const enabled = equalsIgnoreCase(status.value, 'enabled');
      if (enabled === undefined) {
        ctx.report({ resource: registry, path: status.path, verdict: 'undetermined', message: `Cannot tell whether registry '${name}' enables a customer-managed key, because ${describeOrigins(status.value)}.` });
        continue;
      }
      if (!enabled) {
        ctx.report({ resource: registry, path: status.path, verdict: 'fail', message: `Registry '${name}' sets encryption.status to ${display(status.value)}: set it to 'enabled' to encrypt with a customer-managed key.` });
        continue;
      }
      const kid = read(registry, ['properties', 'encryption', 'keyVaultProperties', 'keyIdentifier']);
      if (kid.state === 'unknown' && kid.path.length < 4 && !kid.present) {
        ctx.report({ resource: registry, path: kid.path, verdict: 'undetermined', message: `Cannot tell whether registry '${name}' names a key, because ${describeOrigins(kid.value)}.` });
        continue;
      }
      if (kid.state === 'missing') {
        ctx.report({ resource: registry, path: kid.path, verdict: 'fail', message: `Registry '${name}' enables encryption but names no key: set encryption.keyVaultProperties.keyIdentifier to the Key Vault key URI.` });
        continue;
      }
      ctx.report({ resource: registry, path: status.path, verdict: 'pass', message: `Registry '${name}' enables a customer-managed key.` });
    }
  },
};
