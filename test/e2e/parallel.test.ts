/** Worker threads (--jobs): the report is the same as from one thread, whatever order workers finish in. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_SCHEMA, writeTree } from '../helpers/scan.js';

const CLI = path.resolve(import.meta.dirname, '../../dist/cli.js');

function registry(i: number): object {
  // Vault and key live in another file: linking across templates must survive the trip from a worker.
  return {
    $schema: TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: { sku: { type: 'string', defaultValue: i % 3 === 0 ? 'Standard' : 'Premium' }, seed: { type: 'string' } },
    resources: [
      { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: `id${i}`, location: 'westeurope' },
      {
        type: 'Microsoft.ContainerRegistry/registries',
        apiVersion: '2023-07-01',
        name: `[concat('acr${i}', uniqueString(parameters('seed')))]`,
        location: 'westeurope',
        sku: { name: "[parameters('sku')]" },
        identity: { type: 'UserAssigned', userAssignedIdentities: { [`[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id${i}')]`]: {} } },
        dependsOn: [`[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id${i}')]`],
        properties: {
          encryption: {
            status: 'enabled',
            keyVaultProperties: {
              keyIdentifier: `https://shared-kv${i % 4}.vault.azure.net/keys/k${i}`,
              identity: `[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id${i}'), '2023-01-31').clientId]`,
            },
          },
        },
      },
    ],
  };
}

function vault(n: number): object {
  return {
    $schema: TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    resources: [
      {
        type: 'Microsoft.KeyVault/vaults',
        apiVersion: '2023-07-01',
        name: `shared-kv${n}`,
        location: 'westeurope',
        properties: { tenantId: '[subscription().tenantId]', sku: { family: 'A', name: 'standard' }, enablePurgeProtection: n % 2 === 0, enableRbacAuthorization: true },
      },
    ],
  };
}

describe('cmkguard scan --jobs', () => {
  it('gives the same JSON report with 1 and 2 threads on many templates', () => {
    const files: Record<string, object | string> = {};
    for (let i = 0; i < 56; i++) files[`apps/registry-${String(i).padStart(2, '0')}.json`] = registry(i);
    for (let n = 0; n < 4; n++) files[`security/vault-${n}.json`] = vault(n);
    files['apps/broken.json'] = `{ "$schema": "${TEMPLATE_SCHEMA}", "resources": [ `;
    const dir = writeTree(files);
    const run = (jobs: string) => spawnSync(process.execPath, [CLI, 'scan', '.', '--format', 'json', '--jobs', jobs], { cwd: dir, encoding: 'utf8' });
    const one = run('1');
    const two = run('2');
    expect(two.status).toBe(one.status);
    expect(one.status).toBe(1);
    expect(two.stdout).toBe(one.stdout);
    const report = JSON.parse(one.stdout) as { findings: { ruleId: string }[] };
    const rules = new Set(report.findings.map((f) => f.ruleId));
    // Parse errors, parameters without value, the Standard SKU, and purge protection found across files.
    for (const id of ['TPL001', 'TPL003', 'ACR002', 'KV001']) expect(rules.has(id)).toBe(true);
  });

  it('refuses a bad --jobs value (exit 2)', () => {
    const r = spawnSync(process.execPath, [CLI, 'scan', '.', '--jobs', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--jobs takes a number of threads');
  });
});
