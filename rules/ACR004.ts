import { nameOf } from '../src/cmk-rules.js';
import { describeOrigins } from '../src/eval/value.js';
import { defineMeta } from '../src/meta.js';
import { option, type Rule } from '../src/rule-api.js';

type KeyVersionPolicy = 'versionless' | 'versioned' | 'any';

const meta = defineMeta({
  id: 'ACR004',
  name: 'registry-cmk-key-version',
  level: 'warning',
  shortDescription: 'The registry key identifier should follow the key-version policy (versionless by default).',
  fullDescription:
    'With a versionless key identifier, ACR picks up new key versions within an hour, so key rotation needs no redeployment. A pinned version needs a manual rotate-key for every rotation. Option keyVersion: versionless (default) fails pinned versions, versioned fails versionless identifiers, any never fails.',
  help: [
    'For automatic rotation, drop the version: use the key\'s `keyUri` rather than `keyUriWithVersion`:',
    '```json',
    '"keyIdentifier": "[reference(resourceId(\'Microsoft.KeyVault/vaults/keys\', parameters(\'vaultName\'), parameters(\'keyName\'))).keyUri]"',
    '```',
    'Set the option `keyVersion: versioned` in `.cmkguard.yaml` if your policy requires pinned versions.',
  ].join('\n'),
  tags: ['security', 'acr', 'cmk', 'rotation'],
  precision: 'high',
  securitySeverity: '3.0',
  optionsSchema: {
    type: 'object',
    properties: { keyVersion: { enum: ['versionless', 'versioned', 'any'] } },
    additionalProperties: false,
  },
  defaultOptions: { keyVersion: 'versionless' },
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const policy = option<KeyVersionPolicy>(ctx, meta, 'keyVersion');
    if (policy === 'any') return;
    for (const link of ctx.graph.cmkLinks()) {
      const kid = link.keyIdentifier;
      if (kid.status === 'invalid') continue;
      const name = nameOf(link.registry);
      const at = { resource: link.registry, path: link.keyIdentifierPath };
      if (kid.version === 'unknown') {
        ctx.report({ ...at, verdict: 'undetermined', message: `Cannot tell whether the key identifier of registry '${name}' pins a key version, because ${describeOrigins(kid.value)}.` });
      } else if (policy === 'versionless' && kid.version === 'pinned') {
        ctx.report({
          ...at,
          verdict: 'fail',
          message: `Registry '${name}' pins a key version, so it will not follow key rotation: every new version needs 'az acr encryption rotate-key'. Use the versionless key URI (the key's keyUri, not keyUriWithVersion).`,
        });
      } else if (policy === 'versioned' && kid.version === 'none') {
        ctx.report({ ...at, verdict: 'fail', message: `Registry '${name}' uses a versionless key identifier, but the keyVersion policy requires a pinned version: use the key's keyUriWithVersion.` });
      } else ctx.report({ ...at, verdict: 'pass', message: `Registry '${name}' follows the ${policy} key-version policy.` });
    }
  },
};
