import { nameOf } from '../src/cmk-rules.js';
import { describeOrigins } from '../src/eval/value.js';
import { defineMeta } from '../src/meta.js';
import { display, isSetTo, read, type Rule } from '../src/rule-api.js';

const meta = defineMeta({
  id: 'ACR008',
  name: 'registry-cmk-content-trust',
  level: 'error',
  shortDescription: 'A registry that uses a customer-managed key must not enable content trust.',
  fullDescription:
    'Content trust (Docker Content Trust, properties.policies.trustPolicy.status enabled) is not supported in a registry encrypted with a customer-managed key. Content trust is also deprecated and is removed from Azure Container Registry on March 31, 2028; sign images with Notation (Notary Project) instead.',
  help: [
    'Turn content trust off (or drop `trustPolicy`) on a CMK registry, and sign images with Notation instead:',
    '```json',
    '"policies": {',
    '  "trustPolicy": { "type": "Notary", "status": "disabled" }',
    '}',
    '```',
  ].join('\n'),
  tags: ['security', 'acr', 'cmk', 'content-trust'],
  precision: 'very-high',
  securitySeverity: '4.0',
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const { registry, cmk } of ctx.graph.cmkCandidates()) {
      const name = nameOf(registry);
      const trust = read(registry, ['properties', 'policies', 'trustPolicy', 'status']);
      // Absent status: content trust is off (the platform default).
      const enabled = isSetTo(trust, 'enabled');
      if (enabled === false) {
        if (cmk) ctx.report({ resource: registry, path: trust.path, verdict: 'pass', message: `CMK registry '${name}' does not enable content trust.` });
        continue;
      }
      if (cmk === undefined) {
        const status = read(registry, ['properties', 'encryption', 'status']);
        const trustText = enabled ? 'enables content trust' : 'may enable content trust';
        ctx.report({
          resource: registry,
          path: status.path,
          verdict: 'undetermined',
          message: `Cannot tell whether registry '${name}', which ${trustText}, uses a customer-managed key (where content trust is not supported), because ${describeOrigins(status.state === 'missing' ? null : status.value)}.`,
        });
        continue;
      }
      if (enabled === undefined) {
        ctx.report({
          resource: registry,
          path: trust.path,
          verdict: 'undetermined',
          message: `Cannot tell whether CMK registry '${name}' enables content trust, because ${describeOrigins(trust.state === 'missing' ? null : trust.value)}.`,
        });
        continue;
      }
      ctx.report({
        resource: registry,
        path: trust.path,
        verdict: 'fail',
        message: `Registry '${name}' enables a customer-managed key and sets policies.trustPolicy.status to ${trust.state === 'known' ? display(trust.value) : "'enabled'"}: content trust is not supported in CMK registries (and is deprecated, removed on March 31, 2028). Set trustPolicy.status to 'disabled' and sign images with Notation instead.`,
      });
    }
  },
};
