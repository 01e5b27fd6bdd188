/** The search for a module's callers reads the repository's JSON files as text and parses only candidates. */
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const parsed = vi.hoisted(() => new Set<string>());
vi.mock('../src/load.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/load.js')>();
  return {
    ...original,
    loadFile: (file: string, maxBytes?: number) => {
      parsed.add(file);
      return original.loadFile(file, maxBytes);
    },
  };
});

const { rules } = await import('../rules/index.js');
const { scan } = await import('../src/scan.js');
const { template, writeTree } = await import('./helpers/scan.js');

const module = template({ parameters: { vaultName: { type: 'string' } }, resources: [] });
const deploys = (link: string) =>
  template({
    resources: [
      { type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'm', properties: { mode: 'Incremental', templateLink: { relativePath: link }, parameters: { vaultName: { value: 'kv' } } } },
    ],
  });

describe('the caller prefilter', () => {
  it('parses only the templates whose text names the module in a templateLink, never the other files of the repository', async () => {
    // Invalid JSON far larger than the rest: parsing it would be slow, and it names neither templateLink nor the module.
    const huge = `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "x": [${'1,'.repeat(2_000_000)}`;
    const dir = writeTree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'modules/vault.json': module,
      'main.json': deploys('modules/vault.json'),
      // Templates that link other modules, or name a file of the same name elsewhere, or mention the name without a link.
      'other.json': deploys('modules/storage.json'),
      'elsewhere.json': deploys('lib/vault.json'),
      'readme.json': { note: 'see modules/vault.json' },
      'huge.json': huge,
    });
    const result = await scan({ paths: ['modules/vault.json'], cwd: dir, rules });
    expect(result.files.filter((f) => f.kind === 'caller').map((f) => f.uri)).toEqual(['main.json']);
    expect([...parsed].map((f) => path.relative(dir, f)).sort()).toEqual(['main.json', 'modules/vault.json']);
  });
});
