import { nameOf } from '../src/cmk-rules.js';
import { describeOrigins } from '../src/eval/value.js';
import { REGISTRY } from '../src/graph.js';
import { defineMeta } from '../src/meta.js';
import { asBoolean, display, read, type Rule } from '../src/rule-api.js';

const meta = defineMeta({
  id: 'ACR012',
  name: 'registry-admin-user-disabled',
  level: 'warning',
  shortDescription: 'Container registries should keep the admin user disabled.',
  fullDescription:
    'The admin user (adminUserEnabled: true) is a single shared account with push and pull rights on the whole registry. Its passwords bypass Azure RBAC and Microsoft Entra ID: sign-ins are not tied to a person or workload, cannot be scoped, and are hard to audit or revoke. Leave adminUserEnabled false (the default) and grant identities AcrPull/AcrPush roles instead.',
  help: [
    'Leave the admin user off (the default) and authenticate with Microsoft Entra identities and role assignments such as AcrPull:',
    '```json',
    '"properties": { "adminUserEnabled": false }',
    '```',
  ].join('\n'),
  tags: ['security', 'acr', 'identity'],
  precision: 'very-high',
  securitySeverity: '5.0',
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const registry of ctx.graph.deployed(REGISTRY)) {
      const name = nameOf(registry);
      const admin = read(registry, ['properties', 'adminUserEnabled']);
      if (admin.state === 'missing') {
        ctx.report({ resource: registry, path: admin.path, verdict: 'pass', message: `Registry '${name}' keeps the admin user disabled (the default).` });
        continue;
      }
      if (admin.state === 'unknown') {
        ctx.report({ resource: registry, path: admin.path, verdict: 'undetermined', message: `Cannot tell whether registry '${name}' enables the admin user, because ${describeOrigins(admin.value)}.` });
        continue;
      }
      if (asBoolean(admin.value) === true) {
        ctx.report({
          resource: registry,
          path: admin.path,
          verdict: 'fail',
          message: `Registry '${name}' sets adminUserEnabled to ${display(admin.value)}: the admin user is a shared account whose passwords bypass Azure RBAC and Entra ID sign-in. Set adminUserEnabled to false and grant identities AcrPull or AcrPush roles instead.`,
        });
        continue;
      }
      ctx.report({ resource: registry, path: admin.path, verdict: 'pass', message: `Registry '${name}' keeps the admin user disabled.` });
    }
  },
};
