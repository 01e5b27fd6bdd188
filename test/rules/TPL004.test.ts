import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { scan } from '../../src/scan.js';
import { only, scanFiles, template, writeTree } from '../helpers/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { text } from './stack.js';

const linking = (link: object) =>
  template({ resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'child', properties: { mode: 'Incremental', templateLink: link } }] });

describe('TPL004 template-link-unresolved', () => {
  it('follows a relative path inside the scan root', async () => {
    const child = template({ resources: [] });
    expect(await findingsOf('TPL004', linking({ relativePath: 'modules/child.json' }), { 'modules/child.json': text(child) })).toEqual([]);
  });

  it('names a deployment whose name is partly unknown by how it is built, readably', async () => {
    const t = template({
      resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: "[concat('pe-', uniqueString(resourceGroup().id))]", properties: { mode: 'Incremental', templateLink: { uri: 'https://example.com/pe.json' } } }],
    });
    const [f] = await findingsOf('TPL004', t);
    expect(f!.message).toMatch(/^linked template of deployment 'pe-\{uniquestring\("\/subscriptions\/subscription\(\)\.subscriptionI\.\.\.\}' is a remote URI/);
    expect(f!.message).not.toMatch(/[⟨⟩]/);
  });

  it('never fetches a remote URI', async () => {
    const t = linking({ uri: 'https://example.com/child.json' });
    const f = expectOneAt(await findingsOf('TPL004', t), t, '"templateLink"');
    expect(f.message).toMatch(/never fetches/);
  });

  it('follows uri(deployment().properties.templateLink.uri, <relative>) as a relative path, also through an _artifactsLocation parameter', async () => {
    const vault = { type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: 'kv', location: 'westeurope', properties: { tenantId: '[subscription().tenantId]', sku: { family: 'A', name: 'standard' } } };
    const child = template({ resources: [vault] });
    const direct = linking({ uri: "[uri(deployment().properties.templateLink.uri, 'nested/child.json')]" });
    expect(await findingsOf('TPL004', direct, { 'nested/child.json': text(child) })).toEqual([]);
    // The child is evaluated: its vault disables nothing, but a schema problem in it is found there.
    const broken = template({ resources: [{ ...vault, properties: { ...vault.properties, sku: { family: 'A', name: 'gold' } } }] });
    const sch = await findingsOf('SCH001', direct, { 'nested/child.json': text(broken) });
    expect(sch.map((f) => f.uri)).toEqual(['nested/child.json']);

    const quickstart = {
      ...linking({ uri: "[uri(parameters('_artifactsLocation'), concat('nested/child.json', parameters('_artifactsLocationSasToken')))]" }),
      parameters: {
        _artifactsLocation: { type: 'string', defaultValue: '[deployment().properties.templateLink.uri]' },
        _artifactsLocationSasToken: { type: 'securestring', defaultValue: '' },
      },
    };
    expect(await findingsOf('TPL004', quickstart, { 'nested/child.json': text(child) })).toEqual([]);
    const missing = expectOneAt(await findingsOf('TPL004', quickstart), quickstart, `"[uri(parameters('_artifactsLocation')`);
    expect(missing.message).toMatch(/linked template 'nested\/child\.json' of deployment 'child' cannot be loaded: the file does not exist/);
  });

  it("resolves a module's link from the location its caller passes down as _artifactsLocation", async () => {
    const artifacts = {
      _artifactsLocation: { type: 'string', defaultValue: '[deployment().properties.templateLink.uri]' },
      _artifactsLocationSasToken: { type: 'securestring', defaultValue: '' },
    };
    const link = (rel: string) => ({ uri: `[uri(parameters('_artifactsLocation'), concat('${rel}', parameters('_artifactsLocationSasToken')))]` });
    const deployment = (name: string, rel: string) => ({
      type: 'Microsoft.Resources/deployments',
      apiVersion: '2022-09-01',
      name,
      properties: { mode: 'Incremental', templateLink: link(rel), parameters: { _artifactsLocation: { value: "[parameters('_artifactsLocation')]" }, _artifactsLocationSasToken: { value: "[parameters('_artifactsLocationSasToken')]" } } },
    });
    // main.json → nested/child.json → nested/grandchild.json, every path relative to main.json's folder.
    const main = template({ parameters: artifacts, resources: [deployment('child', 'nested/child.json')] });
    const child = template({ parameters: artifacts, resources: [deployment('grandchild', 'nested/grandchild.json')] });
    const grandchild = template({ resources: [{ type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: 'kv', location: 'westeurope', properties: { tenantId: '[subscription().tenantId]', sku: { family: 'A', name: 'gold' } } }] });
    const files = { 'nested/child.json': text(child), 'nested/grandchild.json': text(grandchild) };
    // Through main.json the chain resolves. nested/child.json is a module of main.json, so it is not also
    // evaluated on its own defaults (where its link would look beside itself and miss).
    expect(await findingsOf('TPL004', main, files)).toEqual([]);
    // The grandchild's vault is evaluated through the chain: its schema problem is found.
    expect((await findingsOf('SCH001', main, files)).map((f) => f.uri)).toEqual(['nested/grandchild.json']);
    // Scanned without its caller, the module is an entry point of its own, and its link resolves beside it.
    const { result } = await scanFiles(files);
    expect(only(result.findings, 'TPL004').map((f) => [f.uri, f.message])).toEqual([
      ['nested/child.json', expect.stringMatching(/^linked template 'nested\/grandchild\.json' of deployment 'grandchild' cannot be loaded: the file does not exist/)],
    ]);
  });

  it('still never fetches a link whose base is a real URL or not known', async () => {
    const given = { ...linking({ uri: "[uri(parameters('base'), 'nested/child.json')]" }), parameters: { base: { type: 'string', defaultValue: 'https://example.com/templates/' } } };
    expect((await findingsOf('TPL004', given, { 'nested/child.json': text(template({ resources: [] })) }))[0]?.message).toMatch(/never fetches/);
    const unknown = { ...linking({ uri: "[uri(parameters('base'), 'nested/child.json')]" }), parameters: { base: { type: 'string' } } };
    expect((await findingsOf('TPL004', unknown, { 'nested/child.json': text(template({ resources: [] })) }))[0]?.message).toMatch(/never fetches/);
  });

  it('follows a link into a sibling folder of the repository when only the caller is scanned (a pre-commit batch)', async () => {
    const files = { 'infra/main.json': text(linking({ relativePath: '../shared/child.json' })), 'shared/child.json': text(template({ resources: [] })) };
    const inRepo = writeTree({ ...files, '.git/HEAD': 'ref: refs/heads/main\n' });
    const repo = await scan({ paths: ['infra/main.json'], cwd: inRepo, rules });
    expect(only(repo.findings, 'TPL004')).toEqual([]);
    // Outside a repository the scan root is the folder of the scanned paths.
    const bare = writeTree(files);
    const alone = await scan({ paths: ['infra/main.json'], cwd: bare, rules });
    expect(only(alone.findings, 'TPL004').map((f) => f.message)).toEqual([expect.stringMatching(/resolves outside the scan root/)]);
  });

  it('reports a missing file and a path that leaves the scan root', async () => {
    expect((await findingsOf('TPL004', linking({ relativePath: 'nope.json' })))[0]?.message).toMatch(/does not exist/);
    expect((await findingsOf('TPL004', linking({ relativePath: '../../etc/passwd' })))[0]?.message).toMatch(/outside the scan root/);
  });
});
