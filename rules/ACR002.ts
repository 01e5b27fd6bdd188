import { nameOf, reportCmkUnknown } from '../src/cmk-rules.js';
import { describeOrigins } from '../src/eval/value.js';
import { defineMeta } from '../src/meta.js';
import { display, equalsIgnoreCase, read, type Rule } from '../src/rule-api.js';

const meta = defineMeta({
  id: 'ACR002',
  name: 'registry-cmk-premium-sku',
  level: 'error',
  shortDescription: 'A registry that uses a customer-managed key must use the Premium SKU.',
  fullDescription:
    'Customer-managed keys are a Premium feature of Azure Container Registry. A CMK registry with the Basic or Standard SKU fails to deploy.',
  help: 'Set `"sku": { "name": "Premium" }` on every registry whose `encryption.status` is `enabled`.',
  tags: ['security', 'acr', 'cmk'],
  precision: 'very-high',
  securitySeverity: '5.5',
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const { registry, cmk } of ctx.graph.cmkCandidates()) {
      const name = nameOf(registry);
      const sku = read(registry, ['sku', 'name']);
      if (cmk === undefined) {
        // Only a registry that might use CMK and might not be Premium leaves the question open.
        if (sku.state === 'known' && equalsIgnoreCase(sku.value, 'Premium') === true) continue;
        reportCmkUnknown(ctx, registry, `registry '${name}' needs the Premium SKU`);
        continue;
      }
      if (sku.state === 'missing') {
        ctx.report({ resource: registry, path: sku.path, verdict: 'fail', message: `Registry '${name}' enables a customer-managed key but sets no sku.name: CMK needs "sku": {"name": "Premium"}.` });
        continue;
      }
      const premium = equalsIgnoreCase(sku.value, 'Premium');
      if (premium === undefined) {
        ctx.report({ resource: registry, path: sku.path, verdict: 'undetermined', message: `Cannot tell whether CMK registry '${name}' uses the Premium SKU, because ${describeOrigins(sku.value)}.` });
      } else if (!premium) {
        ctx.report({ resource: registry, path: sku.path, verdict: 'fail', message: `Registry '${name}' enables a customer-managed key with SKU ${display(sku.value)}; CMK is available only in Premium: set sku.name to 'Premium'.` });
      } else ctx.report({ resource: registry, path: sku.path, verdict: 'pass', message: `Registry '${name}' uses the Premium SKU.` });
    }
  },
};
