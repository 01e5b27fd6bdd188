import { nameOf } from '../src/cmk-rules.js';
import { describeOrigins } from '../src/eval/value.js';
import { REGISTRY } from '../src/graph.js';
import { defineMeta } from '../src/meta.js';
import { display, isSetTo, read, type Rule } from '../src/rule-api.js';

const meta = defineMeta({
  id: 'ACR011',
  name: 'registry-network-restricted',
  level: 'warning',
  shortDescription: 'Container registries should not accept traffic from all networks.',
  fullDescription:
    'A registry whose publicNetworkAccess is not Disabled (absent means Enabled) and whose networkRuleSet.defaultAction is not Deny accepts pulls and pushes from any network: anyone holding a token or credential can reach it from the internet. Disable public network access and use private endpoints, or deny by default and allow selected IP ranges. Both settings need the Premium SKU.',
  help: [
    'Disable public access and reach the registry through private endpoints:',
    '```json',
    '"properties": { "publicNetworkAccess": "Disabled", "networkRuleBypassOptions": "AzureServices" }',
    '```',
    'or keep public access but deny by default and allow only known ranges:',
    '```json',
    '"properties": { "networkRuleSet": { "defaultAction": "Deny", "ipRules": [{ "action": "Allow", "value": "203.0.113.0/24" }] } }',
    '```',
  ].join('\n'),
  tags: ['security', 'acr', 'network'],
  precision: 'very-high',
  securitySeverity: '5.0',
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const registry of ctx.graph.deployed(REGISTRY)) {
      const name = nameOf(registry);
      const pna = read(registry, ['properties', 'publicNetworkAccess']);
      const deny = read(registry, ['properties', 'networkRuleSet', 'defaultAction']);
      const disabled = isSetTo(pna, 'Disabled');
      const denies = isSetTo(deny, 'Deny');
      if (disabled === true) {
        ctx.report({ resource: registry, path: pna.path, verdict: 'pass', message: `Registry '${name}' disables public network access.` });
        continue;
      }
      if (denies === true) {
        ctx.report({ resource: registry, path: deny.path, verdict: 'pass', message: `Registry '${name}' denies network access by default.` });
        continue;
      }
      if (disabled === undefined || denies === undefined) {
        const unknown = [pna, deny].flatMap((r) => (r.state === 'unknown' ? [r] : []));
        const at = unknown[0]!;
        const because = describeOrigins(...unknown.map((r) => r.value));
        ctx.report({
          resource: registry,
          path: at.path,
          verdict: 'undetermined',
          message: `Cannot tell whether registry '${name}' restricts public network access, because ${because}.`,
        });
        continue;
      }
      const pnaText = pna.state === 'known' ? `publicNetworkAccess is ${display(pna.value)}` : 'publicNetworkAccess is not set (Enabled)';
      const denyText = deny.state === 'known' ? `networkRuleSet.defaultAction is ${display(deny.value)}` : 'no networkRuleSet denies by default';
      // Point at what to change: publicNetworkAccess when written, else the defaultAction, else properties.
      const path = pna.state === 'known' ? pna.path : deny.state === 'known' ? deny.path : pna.path;
      ctx.report({
        resource: registry,
        path,
        verdict: 'fail',
        message: `Registry '${name}' is open to all networks: ${pnaText} and ${denyText}, so anyone with a credential can pull or push from the internet. Set publicNetworkAccess to 'Disabled' and use private endpoints, or set networkRuleSet.defaultAction to 'Deny' with ipRules for the ranges that need access.`,
      });
    }
  },
};
