import { forEachCmkVault, nameOf, registryNames } from '../src/cmk-rules.js';
import type { EvaluatedResource } from '../src/eval/template.js';
import { VAULT } from '../src/graph.js';
import { defineMeta } from '../src/meta.js';
import { asBoolean, display, option, type RuleContext, type Rule } from '../src/rule-api.js';
import { setting } from '../src/settings.js';

const meta = defineMeta({
  id: 'KV001',
  name: 'keyvault-purge-protection',
  level: 'error',
  shortDescription: 'The Key Vault that holds a registry key must enable purge protection.',
  fullDescription:
    'If the vault or key holding a registry CMK is deleted and purged, every image in the registry becomes unreadable for good. Purge protection (enablePurgeProtection: true) keeps deleted vaults and keys recoverable for the retention period; absent counts as off, except on a vault recovered with createMode recover, which keeps its earlier setting (undetermined; with --live, read from the deleted vault it recovers). Option scope: cmk (default, vaults that hold a CMK key) or all (every vault).',
  help: [
    'Set purge protection on the vault (it cannot be turned off again):',
    '```json',
    '"properties": { "enableSoftDelete": true, "enablePurgeProtection": true }',
    '```',
  ].join('\n'),
  tags: ['security', 'keyvault', 'cmk', 'recovery'],
  precision: 'very-high',
  securitySeverity: '8.0',
  optionsSchema: { type: 'object', properties: { scope: { enum: ['cmk', 'all'] } }, additionalProperties: false },
  defaultOptions: { scope: 'cmk' },
});

function checkVault(ctx: RuleContext, vault: EvaluatedResource, why: string): void {
  const name = nameOf(vault);
  // A recovered vault keeps its earlier setting when the template sets none: then it is not known.
  const purge = setting(vault, ['properties', 'enablePurgeProtection']);
  if (purge.state === 'missing') {
    const unset = purge.ignored
      ? `declares enablePurgeProtection, but ${purge.ignored}, so purge protection stays off`
      : purge.isNull
        ? 'leaves enablePurgeProtection null (ARM treats that as not set, which means off)'
        : 'does not set enablePurgeProtection (absent means off)';
    ctx.report({ resource: vault, path: purge.path, verdict: 'fail', message: `Key Vault '${name}'${why} ${unset}: a purged key makes registry content unrecoverable. Set enablePurgeProtection to true.` });
    return;
  }
  if (purge.state === 'unknown') {
    ctx.report({ resource: vault, path: purge.path, verdict: 'undetermined', message: `Cannot tell whether Key Vault '${name}'${why} enables purge protection, because ${purge.why}.` });
    return;
  }
  const on = asBoolean(purge.value) === true;
  if (purge.live) {
    // Not set by the template of a recovered vault: the vault it recovers decides, as ARM shows it.
    const state = `is recovered (createMode 'recover') without setting enablePurgeProtection, and ${purge.live.what} has purge protection ${on ? 'on' : 'off'}`;
    if (on) ctx.report({ resource: vault, path: purge.path, verdict: 'pass', live: purge.live.id, message: `Key Vault '${name}' ${state}.` });
    else ctx.report({ resource: vault, path: purge.path, verdict: 'fail', live: purge.live.id, message: `Key Vault '${name}'${why} ${state}: a purged key makes registry content unrecoverable. Set enablePurgeProtection to true.` });
    return;
  }
  if (!on) {
    ctx.report({ resource: vault, path: purge.path, verdict: 'fail', message: `Key Vault '${name}'${why} sets enablePurgeProtection to ${display(purge.value)}: a purged key makes registry content unrecoverable. Set it to true.` });
    return;
  }
  ctx.report({ resource: vault, path: purge.path, verdict: 'pass', message: `Key Vault '${name}' enables purge protection.` });
}

export const rule: Rule = {
  meta,
  check(ctx) {
    const scope = option<'cmk' | 'all'>(ctx, meta, 'scope');
    const cmkVaults = new Set<EvaluatedResource>();
    forEachCmkVault(ctx, 'the CMK vault enables purge protection', (vault, links) => {
      cmkVaults.add(vault);
      checkVault(ctx, vault, ` (CMK vault of ${registryNames(links)})`);
    });
    if (scope === 'all') {
      for (const vault of ctx.graph.deployed(VAULT)) if (!cmkVaults.has(vault)) checkVault(ctx, vault, '');
    }
  },
};
