import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rules } from '../../rules/index.js';
import { scan, type RuleSetting } from '../../src/scan.js';
import type { Finding } from '../../src/types.js';

export const TEMPLATE_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
export const PARAMETERS_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#';

/** Writes files (name → text, or an object to pretty-print) into a fresh temporary folder. */
export function writeTree(files: Record<string, string | object>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmkguard-test-'));
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(dir, name);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
  return dir;
}

export async function scanFiles(files: Record<string, string | object>, opts: { settings?: Map<string, RuleSetting>; context?: Record<string, string> } = {}) {
  const dir = writeTree(files);
  const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules, settings: opts.settings, context: opts.context });
  return { dir, result };
}

/** 1-based line and column of the n-th occurrence of `needle` in `text` (computed independently of the tool). */
export function positionOf(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i < occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' occurs fewer than ${occurrence} times`);
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - before.lastIndexOf('\n') };
}

export function only(findings: Finding[], ruleId: string): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}

export function template(body: Record<string, unknown>): Record<string, unknown> {
  return { $schema: TEMPLATE_SCHEMA, contentVersion: '1.0.0.0', ...body };
}

/** A module deploying one Key Vault, whose name and soft delete its caller passes (`vaultName`, `softDelete`). */
export const VAULT_MODULE = template({
  parameters: { vaultName: { type: 'string' }, softDelete: { type: 'bool' } },
  resources: [
    {
      type: 'Microsoft.KeyVault/vaults',
      apiVersion: '2023-07-01',
      name: "[parameters('vaultName')]",
      location: 'westeurope',
      properties: { tenantId: '[subscription().tenantId]', sku: { family: 'A', name: 'standard' }, enableSoftDelete: "[parameters('softDelete')]", enablePurgeProtection: true },
    },
  ],
});
