import { nameOf } from '../src/cmk-rules.js';
import { describeOrigins, possibleValues, type Value } from '../src/eval/value.js';
import { VAULT } from '../src/graph.js';
import { defineMeta } from '../src/meta.js';
import { asBoolean, display, option, read, type Rule } from '../src/rule-api.js';
import { recovered } from '../src/settings.js';

const meta = defineMeta({
  id: 'KV002',
  name: 'keyvault-soft-delete',
  level: 'error',
  shortDescription: 'Key Vaults must keep soft delete on with a retention of 7 to 90 days.',
  fullDescription:
    'Soft delete keeps a deleted vault or key recoverable. A vault must not set enableSoftDelete to false, and softDeleteRetentionInDays must be within 7..90 and not below option minRetentionDays (default 7). Absent enableSoftDelete passes: the platform default is on.',
  help: [
    'Remove `"enableSoftDelete": false`, and keep the retention within 7 to 90 days:',
    '```json',
    '"properties": { "enableSoftDelete": true, "softDeleteRetentionInDays": 90 }',
    '```',
  ].join('\n'),
  tags: ['security', 'keyvault', 'recovery'],
  precision: 'very-high',
  securitySeverity: '7.0',
  optionsSchema: {
    type: 'object',
    properties: { minRetentionDays: { type: 'integer', minimum: 7, maximum: 90 } },
    additionalProperties: false,
  },
  defaultOptions: { minRetentionDays: 7 },
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const minDays = option<number>(ctx, meta, 'minRetentionDays');
    for (const vault of ctx.graph.deployed(VAULT)) {
      const name = nameOf(vault);
      const soft = read(vault, ['properties', 'enableSoftDelete']);
      const recovery = recovered(vault);
      if (soft.state === 'unknown') {
        ctx.report({ resource: vault, path: soft.path, verdict: 'undetermined', message: `Cannot tell whether Key Vault '${name}' keeps soft delete on, because ${describeOrigins(soft.value)}.` });
      } else if (soft.state === 'known' && asBoolean(soft.value) !== true) {
        const why =
          recovery.recover === true
            ? "the vault is recovered (createMode 'recover'), so it had soft delete on, and soft delete cannot be turned off: ARM rejects or ignores the value"
            : 'deleted keys could not be recovered';
        ctx.report({ resource: vault, path: soft.path, verdict: 'fail', message: `Key Vault '${name}' sets enableSoftDelete to ${display(soft.value)}: ${why}. Remove the property or set it to true.` });
        continue;
      }
      // The retention is fixed when a vault is created: a recovered vault keeps the one it was created with.
      if (recovery.recover !== false) {
        const because = recovery.recover ? `${recovery.why}, and the retention is fixed when a vault is created: a recovered vault keeps the one it was created with, whatever the template says` : recovery.why;
        ctx.report({ resource: vault, path: recovery.path, verdict: 'undetermined', message: `Cannot tell the soft-delete retention of Key Vault '${name}', because ${because}.` });
        continue;
      }
      const days = read(vault, ['properties', 'softDeleteRetentionInDays']);
      if (days.state === 'missing') {
        if (soft.state !== 'unknown') ctx.report({ resource: vault, path: soft.path, verdict: 'pass', message: `Key Vault '${name}' keeps soft delete on with the default 90-day retention.` });
        continue;
      }
      const limit = minDays > 7 ? `${minDays}..90 (minRetentionDays is ${minDays})` : '7..90';
      // A choice of null (in an if()) leaves the property unset, as ARM drops null properties: the default 90 days.
      const asDays = (v: Value): Value => (v === null ? 90 : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
      const shown = (v: Value): string => (v === null ? 'not set (90)' : display(asDays(v)));
      const inRange = (v: Value): boolean => {
        const n = asDays(v);
        return typeof n === 'number' && n >= 7 && n <= 90 && n >= minDays;
      };
      if (days.state === 'unknown') {
        // An if() between known values: decided when every value it can take is judged the same.
        const choices = possibleValues(days.value);
        const bad = choices?.filter((v) => !inRange(v));
        const because = describeOrigins(days.value);
        const which = choices?.map(shown).join(' or ');
        if (bad?.length === choices?.length && bad?.length) {
          ctx.report({ resource: vault, path: days.path, verdict: 'fail', message: `Key Vault '${name}' sets softDeleteRetentionInDays to ${which} (depending on deployment: ${because}); it must be within ${limit}.` });
        } else if (bad && bad.length === 0) {
          if (soft.state !== 'unknown') ctx.report({ resource: vault, path: days.path, verdict: 'pass', message: `Key Vault '${name}' keeps soft delete on for ${which} days, whichever the deployment chooses.` });
        } else {
          const partly = bad ? `: it is ${which}, and ${bad.map((v) => display(v)).join(' and ')} is not within ${limit}` : '';
          ctx.report({ resource: vault, path: days.path, verdict: 'undetermined', message: `Cannot tell the soft-delete retention of Key Vault '${name}', because ${because}${partly}.` });
        }
        continue;
      }
      if (!inRange(days.value)) {
        ctx.report({ resource: vault, path: days.path, verdict: 'fail', message: `Key Vault '${name}' sets softDeleteRetentionInDays to ${display(days.value)}; it must be within ${limit}.` });
      } else if (soft.state !== 'unknown') {
        ctx.report({ resource: vault, path: days.path, verdict: 'pass', message: `Key Vault '${name}' keeps soft delete on for ${display(asDays(days.value))} days.` });
      }
    }
  },
};
