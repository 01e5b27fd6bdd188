import { nameOf, reportCmkUnknown } from '../src/cmk-rules.js';
import { describeOrigins } from '../src/eval/value.js';
import { identityTypeIncludes } from '../src/identity.js';
import { defineMeta } from '../src/meta.js';
import { display, presentDepth, read, type Rule } from '../src/rule-api.js';

const meta = defineMeta({
  id: 'ACR006',
  name: 'registry-cmk-identity-type',
  level: 'error',
  shortDescription: 'A registry that uses a customer-managed key must have a user-assigned identity.',
  fullDescription:
    "Customer-managed keys can only be enabled when a registry is created, and at creation the registry reads its key through a user-assigned managed identity (the system-assigned identity does not exist yet). A CMK registry whose identity.type does not include UserAssigned ('UserAssigned' or 'SystemAssigned, UserAssigned') cannot be created.",
  help: [
    'Give the registry a user-assigned identity and name its client id in the encryption settings:',
    '```json',
    '"identity": {',
    '  "type": "UserAssigned",',
    '  "userAssignedIdentities": { "[resourceId(\'Microsoft.ManagedIdentity/userAssignedIdentities\', parameters(\'identityName\'))]": {} }',
    '}',
    '```',
    'Use `"SystemAssigned, UserAssigned"` if the registry also needs its system-assigned identity.',
  ].join('\n'),
  tags: ['security', 'acr', 'cmk', 'identity'],
  precision: 'very-high',
  securitySeverity: '5.5',
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const { registry, cmk } of ctx.graph.cmkCandidates()) {
      const name = nameOf(registry);
      const type = read(registry, ['identity', 'type']);
      const has = type.state === 'missing' ? false : identityTypeIncludes(type.value, 'UserAssigned');
      if (cmk === undefined) {
        // Only a registry that might use CMK and might lack a user-assigned identity leaves the question open.
        if (has === true) continue;
        reportCmkUnknown(ctx, registry, `registry '${name}' needs a user-assigned identity`);
        continue;
      }
      if (type.state === 'missing') {
        const what = presentDepth(type) === 0 ? 'has no identity' : 'sets no identity.type';
        ctx.report({
          resource: registry,
          path: type.path,
          verdict: 'fail',
          message: `Registry '${name}' enables a customer-managed key but ${what}: CMK can only be enabled at creation, and creation needs a user-assigned identity that can read the key. Add "identity": {"type": "UserAssigned", "userAssignedIdentities": {"<identity resource id>": {}}}.`,
        });
        continue;
      }
      if (has === undefined) {
        ctx.report({ resource: registry, path: type.path, verdict: 'undetermined', message: `Cannot tell whether CMK registry '${name}' has a user-assigned identity, because ${describeOrigins(type.value)}.` });
      } else if (!has) {
        ctx.report({
          resource: registry,
          path: type.path,
          verdict: 'fail',
          message: `Registry '${name}' enables a customer-managed key with identity.type ${display(type.value)}, which has no user-assigned identity: CMK can only be enabled at creation, and at creation the registry reads its key through a user-assigned identity (a system-assigned identity can only be switched to later). Set identity.type to 'UserAssigned' (or 'SystemAssigned, UserAssigned') and list the identity in userAssignedIdentities.`,
        });
      } else ctx.report({ resource: registry, path: type.path, verdict: 'pass', message: `Registry '${name}' has a user-assigned identity.` });
    }
  },
};
