import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { evaluatedThroughCallers, repositoryRootFor, scan, type RuleSetting } from '../src/scan.js';
import type { Finding } from '../src/types.js';
import { only, PARAMETERS_SCHEMA, scanFiles, template, VAULT_MODULE, writeTree } from './helpers/scan.js';
import { cmkStack, findResource, text } from './rules/stack.js';

describe('scan', () => {
  it('reports progress once per template, in a stable order', async () => {
    const dir = writeTree({ 'b.json': text(cmkStack()), 'a.json': text(cmkStack()), 'c.txt': 'x', 'p.json': '{}' });
    const calls: [number, number][] = [];
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules, onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(result.files.map((f) => [f.uri, f.kind])).toEqual([
      ['a.json', 'template'],
      ['b.json', 'template'],
      ['p.json', 'skipped'],
    ]);
  });

  it('gives copy instances that get the same finding at the same place one finding, naming the instances', async () => {
    const t = cmkStack();
    const registry = findResource(t, 'Microsoft.ContainerRegistry/registries');
    registry['name'] = "[concat('reg', copyIndex())]";
    registry['copy'] = { name: 'regs', count: 3 };
    registry['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = 'https://absent-kv.vault.azure.net/keys/k';
    const { result } = await scanFiles({ 'main.json': text(t) });
    const kv001 = result.findings.filter((f) => f.ruleId === 'KV001');
    expect(kv001.map((f) => f.message)).toEqual([expect.stringMatching(/is not in the scanned templates.* \(instances 0, 1 and 2 of copy loop 'regs'\)\.$/)]);
    // Findings that name the instance stay one per instance.
    registry['sku'] = { name: 'Standard' };
    const { result: standard } = await scanFiles({ 'main.json': text(t) });
    expect(standard.findings.filter((f) => f.ruleId === 'ACR002').map((f) => f.message.match(/Registry '(reg\d)'/)?.[1])).toEqual(['reg0', 'reg1', 'reg2']);
  });

  it("pairs parameters.json and parameters.<env>.json with template.json, the layout of the portal's export", async () => {
    const t = cmkStack();
    t['parameters']['sku'] = { type: 'string' };
    findResource(t, 'Microsoft.ContainerRegistry/registries')['sku'] = { name: "[parameters('sku')]" };
    const params = (sku: string) => ({ $schema: PARAMETERS_SCHEMA, parameters: { sku: { value: sku } } });
    const dir = writeTree({
      'export/template.json': text(t),
      'export/parameters.json': params('Standard'),
      'export/parameters.test.json': params('Basic'),
      // Not an export: a parameters.json beside another template does not pair with it.
      'other/main.json': text(t),
      'other/parameters.json': params('Standard'),
    });
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules });
    expect(result.findings.filter((f) => f.ruleId === 'ACR002' && f.kind === 'fail').map((f) => [f.uri, f.parameterFile])).toEqual([
      ['export/template.json', 'export/parameters.json'],
      ['export/template.json', 'export/parameters.test.json'],
    ]);
    expect(result.findings.filter((f) => f.ruleId === 'TPL003').map((f) => f.uri)).toEqual(['other/main.json']);
    // A hook that passes only a staged parameter file still scans the exported template, with every file it pairs with.
    const staged = await scan({ paths: ['export/parameters.json'], cwd: dir, repoRoot: dir, rules });
    expect(staged.findings.filter((f) => f.ruleId === 'ACR002').map((f) => f.parameterFile)).toEqual(['export/parameters.json', 'export/parameters.test.json']);
  });

  it('scans the template a staged parameter file pairs with, when only the parameter file is passed', async () => {
    const t = cmkStack();
    t['parameters']['sku'] = { type: 'string' };
    findResource(t, 'Microsoft.ContainerRegistry/registries')['sku'] = { name: "[parameters('sku')]" };
    const dir = writeTree({ 'main.json': text(t), 'main.parameters.json': { $schema: PARAMETERS_SCHEMA, parameters: { sku: { value: 'Standard' } } }, 'other.json': text(cmkStack()) });
    const result = await scan({ paths: ['main.parameters.json'], cwd: dir, repoRoot: dir, rules });
    expect(result.findings.filter((f) => f.ruleId === 'ACR002').map((f) => [f.uri, f.parameterFile])).toEqual([['main.json', 'main.parameters.json']]);
    expect(result.files.filter((f) => f.kind === 'template').map((f) => f.uri)).toEqual(['main.json']);
  });

  it('reads no file that a symbolic link leads out of the scanned folder to: found in the folder, or paired as a parameter file', async () => {
    const outside = writeTree({ 'secret.json': { $schema: PARAMETERS_SCHEMA, parameters: { sku: { value: 'TOPSECRET' } } }, 'secret-template.json': text(cmkStack()) });
    const t = cmkStack();
    t['parameters']['sku'] = { type: 'string', defaultValue: 'Premium' };
    findResource(t, 'Microsoft.ContainerRegistry/registries')['sku'] = { name: "[parameters('sku')]" };
    const dir = writeTree({ 'main.json': text(t) });
    symlinkSync(path.join(outside, 'secret.json'), path.join(dir, 'main.parameters.json'));
    symlinkSync(path.join(outside, 'secret-template.json'), path.join(dir, 'linked.json'));
    for (const paths of [['.'], ['main.json']]) {
      const result = await scan({ paths, cwd: dir, repoRoot: dir, rules });
      expect(JSON.stringify(result.findings)).not.toContain('TOPSECRET');
      expect(result.files.filter((f) => f.kind === 'template').map((f) => f.uri)).toEqual(['main.json']);
    }
  });

  it('applies the configuration\'s exclude on repository-relative paths, whichever folder or file is scanned', async () => {
    const dir = writeTree({ 'infra/a.json': text(cmkStack()), 'infra/experimental/b.json': text(cmkStack()) });
    for (const paths of [['.'], ['infra'], ['infra/experimental/b.json', 'infra/a.json']]) {
      const result = await scan({ paths, cwd: dir, repoRoot: dir, rules, exclude: ['infra/experimental/**'] });
      expect(result.files.filter((f) => f.kind === 'template').map((f) => f.uri), paths.join()).toEqual(['infra/a.json']);
    }
  });

  it('reports a configured parameter mapping whose template does not exist, and scans the rest', async () => {
    const dir = writeTree({ 'a.json': text(cmkStack()), 'prod.parameters.json': { $schema: PARAMETERS_SCHEMA, parameters: {} } });
    const parameterMap = new Map([[`${dir}/renamed.json`, [`${dir}/prod.parameters.json`]]]);
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules, parameterMap });
    expect(result.inputErrors).toEqual(['configured parameter files for renamed.json: the template does not exist']);
    expect(result.files.some((f) => f.uri === 'a.json' && f.kind === 'template')).toBe(true);
  });
});

describe('repository paths', () => {
  it('are relative to the repository of the scanned files when cmkguard runs outside it, and to the working repository otherwise', async () => {
    const repo = writeTree({ '.git/HEAD': 'ref: refs/heads/main\n', 'infra/acr.json': text(cmkStack()) });
    const elsewhere = writeTree({ 'note.txt': 'not a repository' });
    const outside = await scan({ paths: [path.join(repo, 'infra')], cwd: elsewhere, rules });
    expect(outside.files.map((f) => f.uri)).toEqual(['infra/acr.json']);
    expect(repositoryRootFor(elsewhere, [path.join(repo, 'infra/acr.json')])).toBe(repo);
    expect(repositoryRootFor(path.join(repo, 'infra'), ['.'])).toBe(repo);
    // Two repositories, or none: the working directory, as before.
    const other = writeTree({ '.git/HEAD': 'x', 'b.json': '{}' });
    expect(repositoryRootFor(elsewhere, [repo, other])).toBe(elsewhere);
    expect(repositoryRootFor(elsewhere, [path.join(elsewhere, 'note.txt')])).toBe(elsewhere);
  });
});

describe('discovery', () => {
  it('finds templates whatever the size and wherever the $schema is: probed from the head, else read in full', async () => {
    const big = { ...cmkStack(), metadata: { padding: 'x'.repeat(10_000) } };
    // A $schema after 10 KB of metadata is past the probe: the file is still read, classified and scanned.
    const late = { metadata: { padding: 'y'.repeat(10_000) }, ...cmkStack() };
    const tiny = { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', resources: [] };
    const notArm = { $schema: 'https://json.schemastore.org/package.json', name: 'x'.repeat(10_000) };
    const dir = writeTree({ 'big.json': text(big), 'late.json': text(late), 'tiny.json': JSON.stringify(tiny), 'other.json': JSON.stringify(notArm) });
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules });
    expect(result.files.map((f) => [f.uri, f.kind])).toEqual([
      ['big.json', 'template'],
      ['late.json', 'template'],
      ['other.json', 'skipped'],
      ['tiny.json', 'template'],
    ]);
    expect(result.findings.filter((f) => f.ruleId === 'TPL001')).toEqual([]);
  });
});

describe('snippets', () => {
  it('keeps a window of a long minified line, not the line, and the text report still underlines the value', async () => {
    const t = cmkStack();
    (t['resources'] as { type: string; sku?: { name: string } }[]).find((x) => x.type === 'Microsoft.ContainerRegistry/registries')!.sku = { name: 'Basic' };
    const minified = JSON.stringify({ metadata: { padding: 'p'.repeat(20_000) }, ...t });
    const dir = writeTree({ 'min.json': minified });
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules });
    const f = result.findings.find((x) => x.ruleId === 'ACR002')!;
    expect(f.region.startLine).toBe(1);
    expect(f.region.startColumn).toBeGreaterThan(20_000);
    expect(f.snippet!.length).toBeLessThanOrEqual(512);
    expect(minified.slice(f.snippetColumn! - 1, f.snippetColumn! - 1 + f.snippet!.length)).toBe(f.snippet);
    const { formatText } = await import('../src/report/text.js');
    const lines = formatText({ ...result, findings: [f] }, { color: false }).split('\n');
    const code = lines.findIndex((l) => l.includes('"Basic"'));
    expect(code).toBeGreaterThan(-1);
    const caret = lines[code + 1]!;
    expect(lines[code]!.slice(caret.indexOf('^'), caret.lastIndexOf('^') + 1)).toBe('"Basic"');
  });
});

describe('isolation', () => {
  it('turns a rule that crashes on one template into an internal error for that template; the others keep their results', async () => {
    const { defineMeta } = await import('../src/meta.js');
    const crashing = {
      meta: defineMeta({ id: 'ACR999', name: 'crashes-on-boom', level: 'error', shortDescription: 'x', fullDescription: 'x', help: 'x', tags: [], precision: 'low' }),
      check(ctx: import('../src/rule-api.js').RuleContext) {
        for (const r of ctx.graph.deployed('Microsoft.ContainerRegistry/registries')) {
          if (r.name === 'boom') throw new Error('rule bug');
          ctx.report({ resource: r, path: [], verdict: 'fail', message: 'seen' });
        }
      },
    };
    const boom = cmkStack();
    (boom['resources'] as { type: string; name: string }[]).find((x) => x.type === 'Microsoft.ContainerRegistry/registries')!.name = 'boom';
    const dir = writeTree({ 'a.json': text(boom), 'b.json': text(cmkStack()) });
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules: [crashing] });
    expect(result.internalErrors).toHaveLength(1);
    expect(result.internalErrors[0]).toMatch(/^a\.json: rule ACR999 failed: Error: rule bug/);
    expect(result.findings.filter((f) => f.ruleId === 'ACR999').map((f) => f.uri)).toEqual(['b.json']);
  });
});

describe('modules of scanned templates', () => {
  const vaultModule = VAULT_MODULE;
  const caller = (softDelete: boolean, condition?: string) =>
    template({
      parameters: { deployVault: { type: 'bool', defaultValue: false } },
      resources: [
        {
          ...(condition ? { condition } : {}),
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'vault',
          properties: { mode: 'Incremental', templateLink: { relativePath: 'modules/vault.json' }, parameters: { vaultName: { value: 'contoso-kv' }, softDelete: { value: softDelete } } },
        },
      ],
    });
  const summary = (findings: Finding[]) => findings.map((f) => `${f.uri} ${f.ruleId} ${f.kind}${f.ruleId === 'TPL003' ? ` ${/'(\w+)'/.exec(f.message)![1]}` : ''}`).sort();

  it('checks a linked module with the values its caller passes, not again on its own with none', async () => {
    const { result } = await scanFiles({ 'main.json': text(caller(false)), 'modules/vault.json': text(vaultModule) });
    // Without its caller the module would report both parameters missing and KV002 undetermined.
    expect(summary(result.findings)).toEqual(['modules/vault.json KV002 fail']);
    expect(only(result.findings, 'KV002')[0]!.message).toMatch(/Key Vault 'contoso-kv' sets enableSoftDelete to false/);
    expect(result.files.map((f) => [f.uri, f.kind])).toEqual([
      ['main.json', 'template'],
      ['modules/vault.json', 'template'],
    ]);
    const fine = await scanFiles({ 'main.json': text(caller(true)), 'modules/vault.json': text(vaultModule) });
    expect(summary(fine.result.findings)).toEqual([]);
  });

  it('still evaluates a module on its own when its only caller does not deploy it, or when it has its own parameter file', async () => {
    const standalone = ['modules/vault.json KV002 open', 'modules/vault.json TPL003 fail softDelete', 'modules/vault.json TPL003 fail vaultName'];
    const off = await scanFiles({ 'main.json': text(caller(true, "[parameters('deployVault')]")), 'modules/vault.json': text(vaultModule) });
    expect(summary(off.result.findings)).toEqual(standalone);
    // A condition that is unknown may deploy it: the caller's evaluation stands for it.
    const maybe = template({ ...caller(true, "[parameters('deployVault')]"), parameters: { deployVault: { type: 'bool' } } });
    const unknown = await scanFiles({ 'main.json': text(maybe), 'modules/vault.json': text(vaultModule) });
    expect(summary(unknown.result.findings)).toEqual(['main.json TPL003 fail deployVault']);

    const ownParameters = { $schema: PARAMETERS_SCHEMA, contentVersion: '1.0.0.0', parameters: { vaultName: { value: 'other-kv' } } };
    const own = await scanFiles({ 'main.json': text(caller(true)), 'modules/vault.json': text(vaultModule), 'modules/vault.parameters.json': ownParameters });
    expect(summary(own.result.findings)).toEqual(['modules/vault.json KV002 open', 'modules/vault.json TPL003 fail softDelete']);
  });

  it('keeps templates that only link each other (no entry point) and drops the whole chain below an entry point', () => {
    const job = (file: string, parameterFiles = 0) => ({ file, parameterFiles: Array.from({ length: parameterFiles }, () => ({ path: `${file}.parameters.json`, json: {} })) });
    // main → child → grandchild: main's evaluation loads both; the child's loads the grandchild too.
    expect([...evaluatedThroughCallers([job('main'), job('child'), job('grandchild')], [{ linked: ['child', 'grandchild'] }, { linked: ['grandchild'] }, { linked: [] }])]).toEqual([
      'child',
      'grandchild',
    ]);
    // a ↔ b with no other caller: both stay entry points; a template that links itself is not its own module.
    expect([...evaluatedThroughCallers([job('a'), job('b'), job('self')], [{ linked: ['b'] }, { linked: ['a'] }, { linked: ['self'] }])]).toEqual([]);
    // A linked template with its own parameter file is an entry point too, and so are its callees' callers.
    expect([...evaluatedThroughCallers([job('main'), job('child', 1)], [{ linked: ['child'] }, { linked: [] }])]).toEqual([]);
  });

  it("applies a module's own template-level suppressions to what is found in it through its caller", async () => {
    const broken = template({
      metadata: { cmkguard: { suppress: [{ rule: 'TPL002', reason: 'fixed in the next release' }] } },
      parameters: { vaultName: { type: 'string' }, softDelete: { type: 'bool' } },
      outputs: { o: { type: 'string', value: "[variables('missing')]" } },
    });
    const { result } = await scanFiles({ 'main.json': text(caller(true)), 'modules/vault.json': text(broken) });
    expect(only(result.findings, 'TPL002').map((f) => [f.uri, f.suppression])).toEqual([['modules/vault.json', { kind: 'inSource', justification: 'fixed in the next release' }]]);
  });
});

describe('CMK chains (explain)', () => {
  const chainOf = async (t: object, settings?: Map<string, RuleSetting>) => {
    const dir = writeTree({ 'main.json': text(t) });
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules, chains: true, settings });
    expect(result.chains).toHaveLength(1);
    return Object.fromEntries(result.chains![0]!.links.map((l) => [l.role, { verdict: l.verdict, rules: l.verdicts.map((v) => `${v.ruleId} ${v.verdict}`) }]));
  };

  it('shows verdicts that point at a grant, a diagnostic setting or a replica on the link they judge', async () => {
    const links = await chainOf(cmkStack());
    expect(links['grant']).toEqual({ verdict: 'pass', rules: ['ACR009 pass', 'ACR010 pass'] });
    expect(links['vault']!.rules).toContain('KV006 pass');
    const replicated = cmkStack();
    (replicated['resources'] as object[]).push({
      type: 'Microsoft.ContainerRegistry/registries/replications',
      apiVersion: '2023-07-01',
      name: 'contosoreg/northeurope',
      location: 'northeurope',
      properties: {},
    });
    // ACR013 reports at level note: advice colours its link 'note', not 'fail'; the level configured counts.
    expect((await chainOf(replicated))['registry']).toEqual({ verdict: 'note', rules: expect.arrayContaining(['ACR001 pass', 'ACR013 note']) });
    const asWarning = new Map([['ACR013', { enabled: true, level: 'warning' as const }]]);
    expect((await chainOf(replicated, asWarning))['registry']!.verdict).toBe('fail');
  });

  it('marks the grant link failed when the role assignment names the identity by its client id', async () => {
    const t = cmkStack();
    findResource(t, 'Microsoft.Authorization/roleAssignments')['properties']['principalId'] = "[reference(variables('identityId')).clientId]";
    const links = await chainOf(t);
    expect(links['grant']!.verdict).toBe('fail');
    expect(links['grant']!.rules).toContain('ACR010 fail');
  });

  it('labels the vault and key of an invalid key identifier as not followed, not as missing from the scan', async () => {
    const t = cmkStack();
    findResource(t, 'Microsoft.ContainerRegistry/registries')['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = 'https://reg-kv.vault.azure.net/keys/reg-key/latest';
    const dir = writeTree({ 'main.json': text(t) });
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules, chains: true });
    const labels = Object.fromEntries(result.chains![0]!.links.map((l) => [l.role, l.label]));
    expect(labels['vault']).toBe('reg-kv (not followed: the key identifier is not valid, see ACR003)');
    expect(labels['key']).toBe('reg-key (not followed: the key identifier is not valid, see ACR003)');
  });
});

