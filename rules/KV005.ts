import { cmkOf, forEachCmkKey, nameOf } from '../src/cmk-rules.js';
import { describeOrigins, type Value } from '../src/eval/value.js';
import { defineMeta } from '../src/meta.js';
import { equalsIgnoreCase, presentDepth, read, type Rule } from '../src/rule-api.js';
import { setting } from '../src/settings.js';

const meta = defineMeta({
  id: 'KV005',
  name: 'keyvault-key-rotation',
  level: 'warning',
  shortDescription: 'The registry key should have a rotation policy that rotates it automatically.',
  fullDescription:
    "A key that is never rotated protects more data for longer, and rotating by hand is easily forgotten. The CMK key should carry a rotationPolicy (Key Vault API version 2022-07-01 or later, or a preview from 2021-04-01-preview; older versions ignore it) whose lifetimeActions include an action of type rotate: Key Vault then creates new key versions on schedule, and a registry with a versionless key identifier switches to them within an hour.",
  help: [
    'Add a rotation policy with a rotate action to the key (here: rotate 18 months after creation, versions expire after 2 years):',
    '```json',
    '"rotationPolicy": {',
    '  "attributes": { "expiryTime": "P2Y" },',
    '  "lifetimeActions": [ { "trigger": { "timeAfterCreate": "P18M" }, "action": { "type": "rotate" } } ]',
    '}',
    '```',
    'Keep the registry key identifier versionless (ACR004) so that the registry follows the new versions.',
  ].join('\n'),
  tags: ['security', 'keyvault', 'cmk', 'rotation'],
  precision: 'very-high',
  securitySeverity: '4.0',
});

const FIX =
  "Add rotationPolicy.lifetimeActions with { \"trigger\": { \"timeAfterCreate\": \"P18M\" }, \"action\": { \"type\": \"rotate\" } } (needs Key Vault API version 2022-07-01 or later).";

export const rule: Rule = {
  meta,
  check(ctx) {
    forEachCmkKey(ctx, 'the CMK key has a rotation policy that rotates it', ({ key, links }) => {
      const name = `Key '${nameOf(key)}'${cmkOf(links)}`;
      // A rotationPolicy under a key API version that predates it (2021-10-01, say) is ignored by ARM.
      const policy = setting(key, ['properties', 'rotationPolicy', 'lifetimeActions']);
      if (policy.state === 'missing' && policy.ignored) {
        ctx.report({ resource: key, path: policy.path, verdict: 'fail', message: `${name} has a rotationPolicy, but ${policy.ignored}, so Key Vault never rotates the key. Declare the key with API version 2022-07-01 or later.` });
        return;
      }
      if (policy.state === 'unknown') {
        ctx.report({ resource: key, path: policy.path, verdict: 'undetermined', message: `Cannot tell whether ${name} is rotated automatically, because ${policy.why}.` });
        return;
      }
      const actions = read(key, ['properties', 'rotationPolicy', 'lifetimeActions']);
      if (actions.state === 'missing') {
        const what = presentDepth(actions) >= 2 ? 'has a rotationPolicy without lifetimeActions' : 'has no rotationPolicy';
        ctx.report({ resource: key, path: actions.path, verdict: 'fail', message: `${name} ${what}, so Key Vault never rotates it and the registry stays on one key version. ${FIX}` });
        return;
      }
      if (actions.state === 'unknown') return; // setting() reported it.
      const list = Array.isArray(actions.value) ? actions.value : [];
      const unknown: Value[] = [];
      for (let i = 0; i < list.length; i++) {
        const type = read(key, [...actions.path, i, 'action', 'type']);
        if (type.state === 'missing') continue;
        const rotate = equalsIgnoreCase(type.value, 'rotate');
        if (rotate === true) {
          ctx.report({ resource: key, path: type.path, verdict: 'pass', message: `${name} has a rotate lifetime action.` });
          return;
        }
        if (rotate === undefined) unknown.push(type.value);
      }
      if (unknown.length) {
        ctx.report({ resource: key, path: actions.path, verdict: 'undetermined', message: `Cannot tell whether ${name} has a rotate lifetime action, because ${describeOrigins(unknown)}.` });
        return;
      }
      ctx.report({
        resource: key,
        path: actions.path,
        verdict: 'fail',
        message: `${name} has a rotationPolicy whose lifetimeActions include no 'rotate' action (only notifications, if any), so Key Vault never rotates the key. ${FIX}`,
      });
    });
  },
};
