/** End to end against the built executable (dist/cli.js): argv, exit codes, stdout, files. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateSarif } from '../helpers/sarif-schema.js';
import { TEMPLATE_SCHEMA, writeTree } from '../helpers/scan.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');

function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[], cwd = ROOT) {
  const r = cli([...args, '--format', 'json'], cwd);
  return { ...r, report: JSON.parse(r.stdout) as { findings: { ruleId: string; kind: string; file: string; line: number; level: string }[] } };
}

describe('cmkguard scan', () => {
  it('exits 0 on the compliant fixture and prints a clean summary', () => {
    const r = cli(['scan', 'fixtures/cmk-registry.json', 'fixtures/cmk-registry.parameters.json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/No problems/);
  });

  it('exits 1 on findings at or above the fail level, 0 below it', () => {
    expect(cli(['scan', 'fixtures/violations/ACR002-standard-sku.json', 'fixtures/violations/ACR002-standard-sku.parameters.json']).code).toBe(1);
    const warningOnly = ['scan', 'fixtures/violations/ACR004-pinned-key-version.json', 'fixtures/violations/ACR004-pinned-key-version.parameters.json'];
    expect(cli(warningOnly).code).toBe(0);
    expect(cli([...warningOnly, '--fail-level', 'warning']).code).toBe(1);
    expect(cli(['scan', 'fixtures/violations/ACR002-standard-sku.json', '--fail-level', 'none']).code).toBe(0);
  });

  it('counts undetermined results as notes: --fail-level note fails on them, warning does not', () => {
    // Only undetermined results: the vault lives outside the scanned templates.
    const undeterminedOnly = ['scan', 'fixtures/live/registry-external-vault.json', '--format', 'json'];
    const report = JSON.parse(cli(undeterminedOnly).stdout) as { findings: { kind: string; level: string }[] };
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.every((f) => f.kind === 'open' && f.level === 'note')).toBe(true);
    expect(cli([...undeterminedOnly, '--fail-level', 'warning']).code).toBe(0);
    expect(cli([...undeterminedOnly, '--fail-level', 'note']).code).toBe(1);
  });

  it('exits 2 on usage errors, naming the problem', () => {
    const bad = cli(['scan', '--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of text, json, sarif/);
    expect(cli(['scan', '--no-such-flag']).code).toBe(2);
    expect(cli(['frobnicate']).code).toBe(2);
    const missing = cli(['scan', 'does/not/exist']);
    expect(missing.code).toBe(2);
    // The text report says so itself (never "No problems found"); other formats and report files get it on stderr.
    expect(missing.stdout).toBe('error: path not found: does/not/exist\n\nIncomplete scan: 1 input error; 0 templates scanned.\n');
    const asJson = json(['scan', 'fixtures/cmk-registry.json', 'does/not/exist']);
    expect(asJson.code).toBe(2);
    expect(asJson.stderr).toMatch(/path not found: does\/not\/exist/);
    expect((asJson.report as unknown as { inputErrors: string[] }).inputErrors).toEqual(['path not found: does/not/exist']);
  });

  it('marks the SARIF run failed when a given parameter file cannot be read, and names it', () => {
    const r = cli(['scan', 'fixtures/cmk-registry.json', '-p', 'no-such.parameters.json', '--format', 'sarif']);
    expect(r.code).toBe(2);
    const invocation = JSON.parse(r.stdout).runs[0].invocations[0];
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications[0].message.text).toMatch(/^--parameters no-such\.parameters\.json: cannot read the file: ENOENT/);
    expect(validateSarif(r.stdout)).toEqual([]);
  });

  it('skips package.json and other JSON, reports a malformed template and still scans the next file', () => {
    const dir = writeTree({
      'package.json': { name: 'x', version: '1.0.0' },
      'settings.json': { editor: true },
      'a-broken.json': `{ "$schema": "${TEMPLATE_SCHEMA}", "resources": [ }`,
      'b-registry.json': {
        $schema: TEMPLATE_SCHEMA,
        resources: [{ type: 'Microsoft.ContainerRegistry/registries', apiVersion: '2023-07-01', name: 'reg', sku: { name: 'Premium' }, properties: {} }],
      },
    });
    const r = json(['scan', '.'], dir);
    expect(r.code).toBe(1);
    expect([...new Set(r.report.findings.map((f) => f.file))]).toEqual(['a-broken.json', 'b-registry.json']);
    expect(r.report.findings.filter((f) => f.file === 'a-broken.json').map((f) => f.ruleId)).toEqual(['TPL001']);
    expect(r.report.findings.filter((f) => f.file === 'b-registry.json').map((f) => f.ruleId)).toContain('ACR001');
  });

  it('writes SARIF that validates against the SARIF 2.1.0 schema, to --output', () => {
    const dir = writeTree({});
    const out = path.join(dir, 'out.sarif');
    const r = cli(['scan', 'fixtures', '--format', 'sarif', '--output', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const text = readFileSync(out, 'utf8');
    expect(validateSarif(text)).toEqual([]);
    const sarif = JSON.parse(text);
    expect(sarif.runs).toHaveLength(1);
    expect(sarif.runs[0].results.length).toBeGreaterThan(5);
    for (const result of sarif.runs[0].results) {
      expect(result.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^fixtures\//);
      expect(result.locations[0].physicalLocation.region.startColumn).toBeGreaterThan(0);
    }
  });

  it('writes the same SARIF to --sarif while printing another format', () => {
    const dir = writeTree({});
    // Report folders are created as needed (CI artifact folders often do not exist yet).
    const alongside = path.join(dir, 'CodeAnalysisLogs', 'alongside.sarif');
    const only = path.join(dir, 'only.sarif');
    const r = cli(['scan', 'fixtures/violations', '--format', 'text', '--sarif', alongside, '--write-baseline', path.join(dir, 'new/folder/baseline.json')]);
    expect(JSON.parse(readFileSync(path.join(dir, 'new/folder/baseline.json'), 'utf8')).findings.length).toBeGreaterThan(5);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ACR002/);
    cli(['scan', 'fixtures/violations', '--format', 'sarif', '--output', only]);
    expect(readFileSync(alongside, 'utf8')).toBe(readFileSync(only, 'utf8'));
    // A report that cannot be written is exit code 2 with the reason, not a crash.
    const blocked = cli(['scan', 'fixtures/violations', '--sarif', path.join(only, 'x.sarif')]);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toMatch(/^cmkguard: cannot write .*x\.sarif: (ENOTDIR|EEXIST)\n$/);
    // A folder that can never be created (Node's own recursive mkdir loops forever under /proc).
    const proc = spawnSync(process.execPath, [CLI, 'scan', 'fixtures/violations', '-o', '/proc/self/nope/x.json'], { cwd: process.cwd(), encoding: 'utf8', timeout: 20_000 });
    expect(proc.status).toBe(2);
    expect(proc.stderr).toMatch(/^cmkguard: cannot write \/proc\/self\/nope\/x\.json: ENOENT\n$/);
  });

  it('prints the offending line in the text report', () => {
    const r = cli(['scan', 'fixtures/violations/KV003-firewall-blocks-trusted-services.json', 'fixtures/violations/KV003-firewall-blocks-trusted-services.parameters.json']);
    expect(r.stdout).toMatch(/fixtures\/violations\/KV003-firewall-blocks-trusted-services\.json/);
    expect(r.stdout).toMatch(/"bypass": "None"/);
    expect(r.stdout).toMatch(/KV003/);
  });
});

describe('fixtures', () => {
  const violations = readdirSync(path.join(ROOT, 'fixtures/violations')).filter((f) => !f.includes('.parameters.'));

  it.each(violations)('%s fails exactly the rule it was written for', (file) => {
    const expected = file.split('-')[0]!;
    const params = file.replace(/\.json$/, '.parameters.json');
    const args = ['scan', `fixtures/violations/${file}`];
    if (readdirSync(path.join(ROOT, 'fixtures/violations')).includes(params)) args.push(`fixtures/violations/${params}`);
    const r = json(args);
    const failing = [...new Set(r.report.findings.filter((f) => f.kind === 'fail').map((f) => f.ruleId))];
    expect(failing).toEqual([expected]);
  });

  it('scanned together, every violation file still fails only its own rule (same ids never alias across templates)', () => {
    const r = json(['scan', 'fixtures']);
    const byFile = new Map<string, string[]>();
    for (const f of r.report.findings.filter((x) => x.kind === 'fail')) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f.ruleId]);
    expect(byFile.has('fixtures/cmk-registry.json')).toBe(false);
    for (const file of violations) expect(byFile.get(`fixtures/violations/${file}`)).toEqual([file.split('-')[0]]);
  });

  it('the compliant stack passes every rule, with nothing undetermined', () => {
    const r = json(['scan', 'fixtures/cmk-registry.json', 'fixtures/cmk-registry.parameters.json']);
    expect(r.report.findings).toEqual([]);
  });
});

describe('a registry module that takes the vault, key and identity by resource id (the Azure Verified Modules pattern)', () => {
  const main = 'fixtures/modules/main.json';

  it('passes every rule, with nothing undetermined, and explain links the module to the caller\'s vault, key and identity', () => {
    expect(json(['scan', 'fixtures/modules']).report.findings).toEqual([]);
    const tree = cli(['explain', 'fixtures/modules']).stdout;
    for (const role of ['registry', 'identity', 'grant', 'vault', 'key', 'network']) expect(tree).toMatch(new RegExp(`${role}: .*\\[✓ pass\\]`));
    expect(tree).toMatch(/vault: kv-mod-\{…\}/);
    expect(tree).toMatch(/ACR005 pass: Registry 'crmod\{…\}' names attached identity 'id-mod-registry' by its client id/);
  });

  it("finds the caller's mistakes through the module, at the caller's lines", () => {
    const t = JSON.parse(readFileSync(path.join(ROOT, main), 'utf8'));
    const vault = t.resources.find((r: { type: string }) => r.type === 'Microsoft.KeyVault/vaults');
    vault.properties.enablePurgeProtection = false;
    const deployment = t.resources.find((r: { name: string }) => r.name === 'registry');
    deployment.properties.parameters.managedIdentities.value.userAssignedResourceIds = ["[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'someone-else')]"];
    const text = JSON.stringify(t, null, 2);
    const dir = writeTree({ 'main.json': text, 'modules/registry.json': readFileSync(path.join(ROOT, 'fixtures/modules/modules/registry.json'), 'utf8') });
    const failing = json(['scan', '.', '--fail-level', 'none'], dir).report.findings.filter((f) => f.kind === 'fail');
    const line = text.split('\n').findIndex((l) => l.includes('"enablePurgeProtection": false')) + 1;
    expect(failing.map((f) => [f.ruleId, f.file, f.ruleId === 'KV001' ? f.line : 0]).sort()).toEqual([
      ['ACR005', 'modules/registry.json', 0],
      ['KV001', 'main.json', line],
    ]);
  });

  it('checks the module through its caller when only the module is passed (a pre-commit hook that stages only it)', () => {
    const registry = readFileSync(path.join(ROOT, 'fixtures/modules/modules/registry.json'), 'utf8');
    const dir = writeTree({ '.git/HEAD': 'ref: refs/heads/main\n', 'main.json': readFileSync(path.join(ROOT, main), 'utf8'), 'modules/registry.json': registry });
    // On its own the module has no name (TPL003) and no encryption (ACR001): neither is true of the deployment.
    const r = json(['scan', 'modules/registry.json'], dir);
    expect([r.code, r.report.findings]).toEqual([0, []]);
    expect((r.report as unknown as { callers: unknown }).callers).toEqual([{ file: 'main.json', modules: ['modules/registry.json'] }]);
    expect(cli(['scan', 'modules/registry.json'], dir).stdout).toMatch(/^Checked through templates that deploy them \(not passed; their own findings are not reported\): modules\/registry\.json through main\.json\.$/m);
    expect(cli(['scan', 'modules/registry.json', '--format', 'markdown'], dir).stdout).toMatch(/^Checked through templates that deploy them \(not passed; their own findings are not reported\): `modules\/registry\.json` through `main\.json`\.$/m);
    const sarif = cli(['scan', 'modules/registry.json', '--format', 'sarif'], dir).stdout;
    expect(validateSarif(sarif)).toEqual([]);
    expect(JSON.parse(sarif).runs[0].properties).toEqual({ callers: [{ file: 'main.json', modules: ['modules/registry.json'] }] });

    // A caller's mistake that reaches the module is reported in the module; the caller's own finding (its vault) is not.
    const t = JSON.parse(readFileSync(path.join(ROOT, main), 'utf8'));
    t.resources.find((x: { type: string }) => x.type === 'Microsoft.KeyVault/vaults').properties.enablePurgeProtection = false;
    t.resources.find((x: { name: string }) => x.name === 'registry').properties.parameters.managedIdentities.value.userAssignedResourceIds = [
      "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'someone-else')]",
    ];
    const broken = writeTree({ '.git/HEAD': 'ref: refs/heads/main\n', 'main.json': JSON.stringify(t, null, 2), 'modules/registry.json': registry });
    const staged = json(['scan', 'modules/registry.json', '--fail-level', 'none'], broken).report.findings.filter((f) => f.kind === 'fail');
    expect(staged.map((f) => [f.ruleId, f.file])).toEqual([['ACR005', 'modules/registry.json']]);
    // A verdict about the module's registry is reported even where it points into the caller: a grant that does not give its identity the key.
    const reader = readFileSync(path.join(ROOT, main), 'utf8').replace('e147488a-f6f5-4113-8e2d-b22465e65bf6', 'acdd72a7-3385-48ef-bd42-f606fba81ae7');
    const noAccess = writeTree({ '.git/HEAD': 'ref: refs/heads/main\n', 'main.json': reader, 'modules/registry.json': registry });
    const grant = json(['scan', 'modules/registry.json'], noAccess);
    expect([grant.code, grant.report.findings.map((f) => [f.ruleId, f.kind, f.file])]).toEqual([1, [['ACR010', 'fail', 'main.json']]]);
  });
});

describe('Bicep symbolic-name output with modules', () => {
  const file = 'fixtures/bicep/cmk-registry-modules.json';

  it('expand shows module outputs flowing into the consuming resources', () => {
    const out = JSON.parse(cli(['expand', file]).stdout);
    const registry = out.resources.find((x: { type: string }) => x.type === 'Microsoft.ContainerRegistry/registries');
    const uami = out.resources.find((x: { type: string }) => x.type === 'Microsoft.ManagedIdentity/userAssignedIdentities');
    expect(uami.deploymentPath).toEqual(['registry-identity']);
    // The module's output `clientId` is reference(uami).clientId, and the registry's identity key is the uami's id.
    const uamiId = uami.id.expression as string; // partly unknown: subscription and resource group are not given
    expect(registry.properties.encryption.keyVaultProperties.identity.expression.toLowerCase()).toBe(`reference(${JSON.stringify(uamiId)}).properties.clientid`.toLowerCase());
    expect(Object.keys(registry.identity.userAssignedIdentities)).toEqual([uamiId]);
    expect(out.outputs.registryIdentityClientId).toEqual(registry.properties.encryption.keyVaultProperties.identity);
  });

  it('passes every rule, and a principal id passed through the module fails ACR005 at the consuming expression', () => {
    expect(json(['scan', file]).report.findings).toEqual([]);
    const text = readFileSync(path.join(ROOT, file), 'utf8').replace(/outputs\.clientId\.value\]"\n/, 'outputs.principalId.value]"\n');
    const dir = writeTree({ 'main.json': text });
    const findings = json(['scan', '.'], dir).report.findings;
    expect(findings.map((f) => f.ruleId)).toEqual(['ACR005']);
    const line = text.split('\n').findIndex((l) => l.includes('"identity": "[reference(\'identity\').outputs.principalId.value]"')) + 1;
    expect(findings[0]!.line).toBe(line);
  });
});

describe('cmkguard rules and expand', () => {
  it('lists the rules', () => {
    const out = execFileSync(process.execPath, [CLI, 'rules', '--format', 'json'], { encoding: 'utf8' });
    const ids = (JSON.parse(out) as { id: string }[]).map((r) => r.id);
    expect(ids).toContain('ACR001');
    expect(ids).toContain('KV003');
  });

  it('expands a template with its parameter file', () => {
    const r = cli(['expand', 'fixtures/cmk-registry.json', '--parameters', 'fixtures/cmk-registry.parameters.json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const registry = out.resources.find((x: { type: string }) => x.type === 'Microsoft.ContainerRegistry/registries');
    expect(registry.sku).toEqual({ name: 'Premium' });
    expect(registry.properties.encryption.keyVaultProperties.identity).toEqual({ $unknown: 'resource', expression: expect.stringContaining('.properties.clientid') });
    expect(registry.source.line).toBeGreaterThan(1);
  });

  it('says why a parameter file cannot be used', () => {
    const missing = cli(['expand', 'fixtures/cmk-registry.json', '--parameters', 'no-such.parameters.json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error).toBe('cannot read the file: ENOENT at 1:1');
    const template = cli(['expand', 'fixtures/cmk-registry.json', '--parameters', 'fixtures/cmk-registry.json']);
    expect(JSON.parse(template.stdout).error).toMatch(/^not a deployment parameter file \(its \$schema must name deploymentParameters\.json\)$/);
  });
});

describe('pre-commit style runs', () => {
  it('pairs a staged template with the parameter files next to it', () => {
    // Only the template is passed (as a pre-commit hook does); the parameter file beside it still applies.
    const r = json(['scan', 'fixtures/cmk-registry.json']);
    expect(r.report.findings).toEqual([]);
  });
});

describe('cmkguard explain', () => {
  const kv001 = ['fixtures/violations/KV001-no-purge-protection.json', 'fixtures/violations/KV001-no-purge-protection.parameters.json'];

  it('prints each CMK chain as a tree with every rule verdict on its link', () => {
    const r = cli(['explain', ...kv001]);
    expect(r.code).toBe(0);
    const vaultLine = r.stdout.split('\n').find((l) => l.includes('vault: contoso-acr-kv'));
    expect(vaultLine).toMatch(/\[✗ fail\]/);
    expect(r.stdout).toMatch(/KV001 fail: Key Vault 'contoso-acr-kv'/);
    expect(r.stdout.split('\n').find((l) => l.includes('identity:'))).toMatch(/\[✓ pass\]/);
  });

  it('draws Mermaid and Graphviz pictures, and the markdown report embeds the Mermaid chain', () => {
    const mermaid = cli(['explain', ...kv001, '--format', 'mermaid']).stdout;
    expect(mermaid).toMatch(/^flowchart LR/);
    expect(mermaid).toMatch(/c0_vault\["vault: contoso-acr-kv<br\/>KV001 fail[^"]*"\]:::fail/);
    const dot = cli(['explain', ...kv001, '--format', 'dot']).stdout;
    expect(dot).toMatch(/^digraph cmk \{/);
    expect(dot).toMatch(/c0_vault \[label="vault: contoso-acr-kv\\nKV001 fail/);
    const md = cli(['scan', ...kv001, '--format', 'markdown']).stdout;
    expect(md).toMatch(/```mermaid\nflowchart LR/);
  });
});
