/**
 * A module passed without its caller (a pre-commit hook passes only the staged module) is checked through the
 * templates of the repository that deploy it.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { namesPathTo } from '../src/callers.js';
import { scan } from '../src/scan.js';
import type { Finding, ScanResult } from '../src/types.js';
import { PARAMETERS_SCHEMA, template, VAULT_MODULE, writeTree } from './helpers/scan.js';

const vaultModule = VAULT_MODULE;

/** A template deploying `link` (a relativePath) with the given parameters (plain values, or expressions). */
function caller(link: string, parameters: Record<string, unknown>, extra: { condition?: string; declare?: Record<string, unknown>; resources?: unknown[] } = {}) {
  return template({
    parameters: extra.declare ?? {},
    resources: [
      {
        ...(extra.condition ? { condition: extra.condition } : {}),
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'vault',
        properties: {
          mode: 'Incremental',
          expressionEvaluationOptions: { scope: 'inner' },
          templateLink: { relativePath: link },
          parameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, { value: v }])),
        },
      },
      ...(extra.resources ?? []),
    ],
  });
}

/** A repository (a `.git` folder makes its root the link root) scanned with only `paths` passed. */
async function scanIn(files: Record<string, string | object>, paths: string[], opts: { ignore?: string[]; exclude?: string[]; cwd?: string; maxFileBytes?: number } = {}) {
  const dir = writeTree({ '.git/HEAD': 'ref: refs/heads/main\n', ...files });
  const cwd = opts.cwd ? path.join(dir, opts.cwd) : dir;
  return scan({ paths, cwd, rules, ignore: opts.ignore, exclude: opts.exclude, maxFileBytes: opts.maxFileBytes });
}

const summary = (findings: Finding[]) => findings.map((f) => `${f.uri} ${f.ruleId} ${f.kind}${f.ruleId === 'TPL003' ? ` ${/'(\w+)'/.exec(f.message)![1]}` : ''}`).sort();
const callerFiles = (result: ScanResult) => result.files.filter((f) => f.kind === 'caller').map((f) => [f.uri, f.callerOf]);
/** What the module alone gives: both parameters missing, its soft-delete check undetermined. */
const STANDALONE = ['modules/vault.json KV002 open', 'modules/vault.json TPL003 fail softDelete', 'modules/vault.json TPL003 fail vaultName'];

describe('a module passed without its caller', () => {
  it('is checked through the template of the repository that deploys it, from another folder', async () => {
    const files = { 'infra/main.json': caller('../modules/vault.json', { vaultName: 'contoso-kv', softDelete: false }), 'modules/vault.json': vaultModule };
    const result = await scanIn(files, ['modules/vault.json']);
    expect(summary(result.findings)).toEqual(['modules/vault.json KV002 fail']);
    expect(result.findings[0]!.message).toMatch(/Key Vault 'contoso-kv' sets enableSoftDelete to false.*The value is passed by deployment 'vault' at infra\/main\.json:\d+:\d+/);
    expect(result.files.map((f) => [f.uri, f.kind])).toEqual([
      ['infra/main.json', 'caller'],
      ['modules/vault.json', 'template'],
    ]);
    expect(callerFiles(result)).toEqual([['infra/main.json', ['modules/vault.json']]]);
    // Passing the caller too gives the same findings.
    const both = await scanIn(files, ['modules/vault.json', 'infra/main.json']);
    expect(summary(both.findings)).toEqual(['modules/vault.json KV002 fail']);
    expect(callerFiles(both)).toEqual([]);
  });

  it('is looked up only when named as a file: a folder scan evaluates its templates as they are, without reading the rest', async () => {
    const files = { 'infra/main.json': caller('../modules/vault.json', { vaultName: 'contoso-kv', softDelete: false }), 'modules/vault.json': vaultModule };
    const folder = await scanIn(files, ['modules']);
    expect(summary(folder.findings)).toEqual(STANDALONE);
    expect(callerFiles(folder)).toEqual([]);
    const named = await scanIn(files, ['modules/vault.json']);
    expect(summary(named.findings)).toEqual(['modules/vault.json KV002 fail']);
  });

  it("finds a caller that links the module with uri() beside its own location, and evaluates it with each of its parameter files", async () => {
    const t = caller('x', { vaultName: 'contoso-kv', softDelete: "[parameters('keepDeleted')]" }, { declare: { keepDeleted: { type: 'bool' } } });
    const deployment = (t['resources'] as { properties: Record<string, unknown> }[])[0]!;
    deployment.properties['templateLink'] = { uri: "[uri(deployment().properties.templateLink.uri, 'nested/vault.json')]" };
    const params = (keep: boolean) => ({ $schema: PARAMETERS_SCHEMA, contentVersion: '1.0.0.0', parameters: { keepDeleted: { value: keep } } });
    const result = await scanIn(
      { 'azuredeploy.json': t, 'azuredeploy.parameters.dev.json': params(false), 'azuredeploy.parameters.prod.json': params(true), 'nested/vault.json': vaultModule },
      ['nested/vault.json'],
    );
    expect(result.findings.map((f) => [f.uri, f.ruleId, f.kind, f.parameterFile])).toEqual([['nested/vault.json', 'KV002', 'fail', 'azuredeploy.parameters.dev.json']]);
    expect(result.findings[0]!.message).toMatch(/comes from the parameter file at azuredeploy\.parameters\.dev\.json:/);
    expect(callerFiles(result)).toEqual([['azuredeploy.json', ['nested/vault.json']]]);
  });

  it('gives the findings of each caller when two callers pass different values', async () => {
    const result = await scanIn(
      {
        'one.json': caller('modules/vault.json', { vaultName: 'kv-one', softDelete: false }),
        'two/main.json': caller('../modules/vault.json', { vaultName: 'kv-two', softDelete: false }),
        'three.json': caller('modules/vault.json', { vaultName: 'kv-three', softDelete: true }),
        'modules/vault.json': vaultModule,
      },
      ['modules/vault.json'],
    );
    expect(result.findings.map((f) => [f.ruleId, f.kind, /Key Vault '([\w-]+)'/.exec(f.message)?.[1], /passed by deployment 'vault' at ([\w/.]+):/.exec(f.message)?.[1]])).toEqual([
      ['KV002', 'fail', 'kv-one', 'one.json'],
      ['KV002', 'fail', 'kv-two', 'two/main.json'],
    ]);
    expect(callerFiles(result)).toEqual([
      ['one.json', ['modules/vault.json']],
      ['three.json', ['modules/vault.json']],
      ['two/main.json', ['modules/vault.json']],
    ]);
  });

  it("does not report the caller's own findings, nor those of the other modules it deploys", async () => {
    const ownVault = { ...(vaultModule['resources'] as Record<string, unknown>[])[0]!, name: 'callers-own-kv', properties: { tenantId: '[subscription().tenantId]', sku: { family: 'A', name: 'standard' }, enableSoftDelete: false } };
    const other = { type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'other', properties: { mode: 'Incremental', templateLink: { relativePath: 'modules/other.json' } } };
    const result = await scanIn(
      {
        // The caller has a parameter without a value (TPL003), a vault of its own that fails KV001 and KV002, and another module.
        'main.json': caller('modules/vault.json', { vaultName: 'contoso-kv', softDelete: "[parameters('keepDeleted')]" }, { declare: { keepDeleted: { type: 'bool' } }, resources: [ownVault, other] }),
        'modules/vault.json': vaultModule,
        'modules/other.json': template({ resources: [{ ...ownVault, name: 'other-kv' }] }),
      },
      ['modules/vault.json'],
    );
    // The value the caller leaves unknown is undetermined in the module, and says why; nothing in main.json or other.json.
    expect(summary(result.findings)).toEqual(['modules/vault.json KV002 open']);
    expect(result.findings[0]!.message).toMatch(/because parameter 'keepDeleted' has no value.*passed by deployment 'vault' at main\.json:/);
    const all = await scanIn({ 'main.json': caller('modules/vault.json', {}, { resources: [ownVault] }) }, ['.']);
    expect(summary(all.findings)).toContain('main.json KV002 fail');
  });

  it('reports what the module deploys with the values of its caller, also where the module alone cannot tell what it links', async () => {
    // The module links `sub/<kind>.json`: alone, 'kind' has no value; its caller passes 'vault'.
    const mod = caller("[concat('sub/', parameters('kind'), '.json')]", { vaultName: 'kv-sub', softDelete: false }, { declare: { kind: { type: 'string' } } });
    const files = { 'main.json': caller('modules/mod.json', { kind: 'vault' }), 'modules/mod.json': mod, 'modules/sub/vault.json': vaultModule };
    const expected = ['modules/sub/vault.json KV002 fail'];
    expect(summary((await scanIn(files, ['.'])).findings)).toEqual(expected);
    expect(summary((await scanIn(files, ['modules/mod.json'])).findings)).toEqual(expected);
  });

  it('is evaluated on its own when its callers do not deploy it, when it has its own parameter file, or when it has no caller', async () => {
    const off = await scanIn({ 'main.json': caller('modules/vault.json', { vaultName: 'contoso-kv', softDelete: false }, { condition: '[equals(1, 2)]' }), 'modules/vault.json': vaultModule }, ['modules/vault.json']);
    expect(summary(off.findings)).toEqual(STANDALONE);
    expect(callerFiles(off)).toEqual([]);

    const ownParameters = { $schema: PARAMETERS_SCHEMA, contentVersion: '1.0.0.0', parameters: { vaultName: { value: 'own-kv' } } };
    const own = await scanIn(
      { 'main.json': caller('modules/vault.json', { vaultName: 'contoso-kv', softDelete: false }), 'modules/vault.json': vaultModule, 'modules/vault.parameters.json': ownParameters },
      ['modules/vault.json'],
    );
    expect(summary(own.findings)).toEqual(['modules/vault.json KV002 open', 'modules/vault.json TPL003 fail softDelete']);

    // A template that names a file of the same name in another folder, or a longer name, is no caller.
    const none = await scanIn(
      {
        'main.json': caller('other/vault.json', { vaultName: 'contoso-kv', softDelete: false }),
        'other/vault.json': vaultModule,
        'my.json': caller('modules/myvault.json', {}),
        'modules/vault.json': vaultModule,
      },
      ['modules/vault.json'],
    );
    expect(summary(none.findings)).toEqual(STANDALONE);
  });

  it('skips callers that --ignore, the exclude configuration or the file size limit leave out', async () => {
    const files = { 'infra/main.json': caller('../modules/vault.json', { vaultName: 'contoso-kv', softDelete: false }), 'modules/vault.json': vaultModule };
    expect(summary((await scanIn(files, ['modules/vault.json'])).findings)).toEqual(['modules/vault.json KV002 fail']);
    expect(summary((await scanIn(files, ['modules/vault.json'], { ignore: ['infra/**'] })).findings)).toEqual(STANDALONE);
    expect(summary((await scanIn(files, ['modules/vault.json'], { exclude: ['infra/main.json'] })).findings)).toEqual(STANDALONE);
    const large = { ...files, 'infra/main.json': { ...caller('../modules/vault.json', { vaultName: 'contoso-kv', softDelete: false }), metadata: { padding: 'x'.repeat(4000) } } };
    expect(summary((await scanIn(large, ['modules/vault.json'], { maxFileBytes: 3000 })).findings)).toEqual(STANDALONE);
    expect(summary((await scanIn(large, ['modules/vault.json'], { maxFileBytes: 30000 })).findings)).toEqual(['modules/vault.json KV002 fail']);
    // node_modules is never read.
    const vendored = { 'node_modules/pkg/main.json': caller('../../modules/vault.json', { vaultName: 'contoso-kv', softDelete: false }), 'modules/vault.json': vaultModule };
    expect(summary((await scanIn(vendored, ['modules/vault.json'])).findings)).toEqual(STANDALONE);
  });

  it('never looks for callers outside the link root', async () => {
    // The repository is repo/; the caller lies beside it.
    const outside = await scanIn(
      { 'repo/.git/HEAD': 'ref: refs/heads/main\n', 'repo/modules/vault.json': vaultModule, 'main.json': caller('repo/modules/vault.json', { vaultName: 'contoso-kv', softDelete: false }) },
      ['modules/vault.json'],
      { cwd: 'repo' },
    );
    expect(summary(outside.findings)).toEqual(STANDALONE);
    const inside = await scanIn({ 'repo/.git/HEAD': 'ref: refs/heads/main\n', 'repo/modules/vault.json': vaultModule, 'repo/main.json': caller('modules/vault.json', { vaultName: 'contoso-kv', softDelete: false }) }, ['modules/vault.json'], { cwd: 'repo' });
    expect(summary(inside.findings)).toEqual(['modules/vault.json KV002 fail']);
    // Without a repository the link root is the scanned folder: a caller above it is not read.
    const dir = writeTree({ 'main.json': caller('modules/vault.json', { vaultName: 'contoso-kv', softDelete: false }), 'modules/vault.json': vaultModule });
    const noRepo = await scan({ paths: ['vault.json'], cwd: path.join(dir, 'modules'), rules });
    expect(summary(noRepo.findings)).toEqual(STANDALONE.map((f) => f.replace('modules/', '')));
  });

  it('follows callers up: through the root of a chain of modules, or through a module that has its own parameter file', async () => {
    const mid = caller('vault.json', { vaultName: 'contoso-kv', softDelete: "[parameters('softDelete')]" }, { declare: { softDelete: { type: 'bool' } } });
    const files = {
      'main.json': caller('modules/mid.json', { softDelete: false }),
      'modules/mid.json': mid,
      'modules/vault.json': vaultModule,
    };
    const result = await scanIn(files, ['modules/vault.json']);
    expect(summary(result.findings)).toEqual(['modules/vault.json KV002 fail']);
    expect(callerFiles(result)).toEqual([
      ['main.json', ['modules/vault.json']],
      ['modules/mid.json', ['modules/vault.json']],
    ]);
    // The middle template with a parameter file of its own is a root: the module is checked through it, with its values.
    const midParameters = { $schema: PARAMETERS_SCHEMA, contentVersion: '1.0.0.0', parameters: { softDelete: { value: true } } };
    const rooted = await scanIn({ ...files, 'modules/mid.parameters.json': midParameters }, ['modules/vault.json']);
    expect(summary(rooted.findings)).toEqual([]);
    expect(callerFiles(rooted)).toEqual([['modules/mid.json', ['modules/vault.json']]]);
  });

  it('finds a module written as a path that leads to it, not a file of the same name elsewhere', () => {
    const file = path.join('/repo', 'infra', 'modules', 'vault.json');
    expect(namesPathTo('"relativepath": "../modules/vault.json"', file)).toBe(true);
    expect(namesPathTo('"relativepath": ".\\\\modules\\\\vault.json"', file)).toBe(true);
    expect(namesPathTo("[uri(deployment().properties.templatelink.uri, 'modules/vault.json?sv=1')]", file)).toBe(true);
    expect(namesPathTo("[concat(variables('dir'), '/vault.json')]", file)).toBe(true);
    expect(namesPathTo('"relativepath": "other/vault.json"', file)).toBe(false);
    expect(namesPathTo('"relativepath": "modules/myvault.json"', file)).toBe(false);
    expect(namesPathTo('"relativepath": "modules/vault.json5"', file)).toBe(false);
  });
});
