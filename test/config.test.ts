/** Configuration, suppressions and baselines, through the built CLI and the library. */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { ConfigError, findConfig, loadConfig } from '../src/config.js';
import { applyInSource } from '../src/suppress.js';
import type { Finding } from '../src/types.js';
import { writeTree } from './helpers/scan.js';
import { REGISTRY, VAULT, cmkStack, findResource, text } from './rules/stack.js';

const CLI = path.resolve(import.meta.dirname, '../dist/cli.js');

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function jsonFindings(args: string[], cwd: string) {
  const r = cli([...args, '--format', 'json'], cwd);
  return { code: r.code, stderr: r.stderr, findings: JSON.parse(r.stdout).findings as { ruleId: string; kind: string; suppression?: { kind: string; justification: string }; message: string }[] };
}

/** A stack whose vault lacks purge protection (KV001) and whose registry pins a key version (ACR004). */
function twoFindingStack() {
  const t = cmkStack();
  delete findResource(t, VAULT)['properties']['enablePurgeProtection'];
  findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = "[reference(variables('keyId')).keyUriWithVersion]";
  return t;
}

describe('configuration', () => {
  it('is found by walking up to the repository root, and not beyond it', () => {
    const dir = writeTree({ '.git/HEAD': 'ref: x', '.cmkguard.yaml': 'rules: {}\n', 'infra/deep/x.txt': '' });
    expect(findConfig(path.join(dir, 'infra/deep'))).toBe(path.join(dir, '.cmkguard.yaml'));
    const repo = writeTree({ 'sub/.git/HEAD': 'ref: x' });
    expect(findConfig(path.join(repo, 'sub'))).toBeUndefined();
  });

  it('turns rules off, overrides levels and sets options, by id or name', async () => {
    const dir = writeTree({ '.git/HEAD': '', 'main.json': text(twoFindingStack()) });
    expect(jsonFindings(['scan', '.'], dir).findings.map((f) => f.ruleId)).toEqual(['KV001', 'ACR004']);
    writeFileSync(path.join(dir, '.cmkguard.yaml'), 'rules:\n  keyvault-purge-protection: off\n  ACR004:\n    level: error\n    options:\n      keyVersion: any\n');
    expect(jsonFindings(['scan', '.'], dir).findings).toEqual([]);
    writeFileSync(path.join(dir, '.cmkguard.yaml'), 'rules:\n  ACR004: error\n');
    const r = jsonFindings(['scan', '.'], dir);
    expect(r.findings.map((f) => f.ruleId)).toEqual(['KV001', 'ACR004']);
    expect(r.code).toBe(1);
  });

  it('rejects invalid configuration with exit code 2, naming the key and what is allowed', async () => {
    const bad = async (yaml: string) => {
      const dir = writeTree({ '.cmkguard.yaml': yaml });
      return loadConfig(path.join(dir, '.cmkguard.yaml'), rules).then(
        () => 'accepted',
        (e: Error) => (e instanceof ConfigError ? e.message : `unexpected ${e}`),
      );
    };
    expect(await bad('rulez: {}\n')).toMatch(/unknown key 'rulez'; allowed keys: rules, include/);
    expect(await bad('rules:\n  ACR004:\n    options:\n      keyVersion: sometimes\n')).toMatch(/'rules\.ACR004\.options\.keyVersion' must be one of versionless, versioned, any/);
    expect(await bad('rules:\n  ACR999: off\n')).toMatch(/'rules\.ACR999' is not a rule id or name/);
    expect(await bad('rules:\n  KV002:\n    options:\n      minRetentionDays: 3\n')).toMatch(/minRetentionDays/);
    expect(await bad('failLevel: sometimes\n')).toMatch(/'failLevel' must be one of error, warning, note, none/);
    expect(await bad('rules: [\n')).toMatch(/not valid YAML/);
    const dir = writeTree({ '.git/HEAD': '', '.cmkguard.yaml': 'rules:\n  ACR004: loud\n', 'main.json': text(cmkStack()) });
    const r = cli(['scan', '.'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.cmkguard\.yaml: 'rules\.ACR004'/);
  });

  it('names the key that is wrong inside a rule setting, suggests the nearest name, and prints paths as written', async () => {
    const bad = async (yaml: string) =>
      loadConfig(path.join(writeTree({ '.cmkguard.yaml': yaml }), '.cmkguard.yaml'), rules).then(
        () => 'accepted',
        (e: Error) => (e instanceof ConfigError ? e.message.replace(/^.*\.cmkguard\.yaml: /, '') : `unexpected ${e}`),
      );
    // An object setting: its own key or value is named, not the string form of the oneOf.
    expect(await bad('rules:\n  ACR012:\n    levle: warning\n')).toBe("'rules.ACR012' has unknown key 'levle'; allowed keys: enabled, level, options. Did you mean 'level'?");
    expect(await bad('rules:\n  ACR012:\n    level: warn\n')).toBe("'rules.ACR012.level' must be one of error, warning, note, not 'warn'.");
    expect(await bad('rules:\n  ACR012: warn\n')).toBe("'rules.ACR012' must be one of off, on, error, warning, note, not 'warn'.");
    // Typos get a suggestion.
    expect(await bad('rule: {}\n')).toMatch(/unknown key 'rule'; .* Did you mean 'rules'\?$/);
    expect(await bad('context:\n  subscription: x\n')).toMatch(/Did you mean 'subscriptionId'\?$/);
    expect(await bad('rules:\n  ACR04: off\n')).toBe("'rules.ACR04' is not a rule id or name. Did you mean 'ACR004'? Run 'cmkguard rules' for the list.");
    expect(await bad('rules:\n  registry-admin-user-disable: off\n')).toMatch(/Did you mean 'registry-admin-user-disabled'\?/);
    expect(await bad('rules:\n  ACR004:\n    options:\n      keyversion: any\n')).toMatch(/unknown option 'keyversion'; ACR004 takes keyVersion\. Did you mean 'keyVersion'\?$/);
    expect(await bad('rules:\n  ACR004:\n    options:\n      keyVersion: versoined\n')).toMatch(/not 'versoined'\. Did you mean 'versioned'\?$/);
    expect(await bad('suppressions:\n  - { rule: ACR12, reason: x }\n')).toBe("'suppressions[0].rule' 'ACR12' is not a rule id or name. Did you mean 'ACR012'?");
    // Keys with a slash are printed as written (not as JSON pointer escapes), a string-or-list as such.
    expect(await bad('parameters:\n  infra/main.json: 3\n')).toBe("'parameters.infra/main.json' must be a string or a list");
    expect(await bad('budgets:\n  copyCount: "5"\n')).toBe("'budgets.copyCount' must be an integer");
    // An expiry that is no calendar date would compare as a string and never (or at the wrong time) expire.
    expect(await bad('suppressions:\n  - { rule: ACR012, reason: x, expires: "2027-13-45" }\n')).toBe("'suppressions[0].expires' '2027-13-45' is not a calendar date (YYYY-MM-DD)");
  });

  it('maps templates to parameter files', async () => {
    const t = cmkStack();
    t['parameters']['status'] = { type: 'string' };
    findResource(t, REGISTRY)['properties']['encryption']['status'] = "[parameters('status')]";
    const params = { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#', parameters: { status: { value: 'disabled' } } };
    const dir = writeTree({ '.git/HEAD': '', 'infra/main.json': text(t), 'env/prod.json': params, '.cmkguard.yaml': 'parameters:\n  infra/main.json: env/prod.json\n' });
    expect(jsonFindings(['scan', 'infra'], dir).findings.map((f) => [f.ruleId, f.kind])).toEqual([['ACR001', 'fail']]);
  });
});

describe('suppressions', () => {
  const suppressed = (entry: object, at: 'resource' | 'template') => {
    const t = twoFindingStack();
    const target = at === 'resource' ? findResource(t, VAULT) : t;
    target['metadata'] = { cmkguard: { suppress: [entry] } };
    return writeTree({ '.git/HEAD': '', 'main.json': text(t) });
  };

  it('suppress in the template with a reason: kept in SARIF as inSource, not counted for the exit code', () => {
    const dir = suppressed({ rule: 'KV001', reason: 'vault is recreated nightly', expires: '2999-01-01' }, 'resource');
    const r = jsonFindings(['scan', '.'], dir);
    expect(r.findings.find((f) => f.ruleId === 'KV001')?.suppression).toEqual({ kind: 'inSource', justification: 'vault is recreated nightly' });
    expect(r.code).toBe(0);
    const sarif = JSON.parse(cli(['scan', '.', '--format', 'sarif'], dir).stdout);
    const result = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'KV001');
    expect(result.suppressions).toEqual([{ kind: 'inSource', justification: 'vault is recreated nightly' }]);
    expect(cli(['scan', '.'], dir).stdout).toMatch(/1 suppressed/);
  });

  it('applies template-level suppressions by rule name', () => {
    const dir = suppressed({ rule: 'registry-cmk-key-version', reason: 'pinned on purpose' }, 'template');
    expect(jsonFindings(['scan', '.'], dir).findings.find((f) => f.ruleId === 'ACR004')?.suppression?.kind).toBe('inSource');
  });

  it('reports expired suppressions and ignores ones without a reason', () => {
    const expired = jsonFindings(['scan', '.'], suppressed({ rule: 'KV001', reason: 'temporary', expires: '2020-01-01' }, 'resource'));
    const kv = expired.findings.find((f) => f.ruleId === 'KV001')!;
    expect(kv.suppression).toBeUndefined();
    expect(kv.message).toMatch(/expired on 2020-01-01/);
    expect(expired.code).toBe(1);
    const noReason = jsonFindings(['scan', '.'], suppressed({ rule: 'KV001' }, 'resource'));
    expect(noReason.findings.find((f) => f.ruleId === 'KV001')!.message).toMatch(/has no reason and is ignored/);
  });

  it('applies config suppressions by rule and resource', () => {
    const dir = writeTree({
      '.git/HEAD': '',
      'main.json': text(twoFindingStack()),
      '.cmkguard.yaml': 'suppressions:\n  - rule: KV001\n    resource: Microsoft.KeyVault/vaults/reg-*\n    reason: shared vault, owned by the platform team\n',
    });
    const r = jsonFindings(['scan', '.'], dir);
    expect(r.findings.find((f) => f.ruleId === 'KV001')?.suppression?.kind).toBe('external');
    expect(r.code).toBe(0);
  });

  it('applies a valid suppression listed after an expired one or one without a reason for the same rule', () => {
    // A renewed entry added next to the expired one, and a template-level entry under a resource-level one without a reason.
    const t = twoFindingStack();
    t['metadata'] = { cmkguard: { suppress: [{ rule: 'ACR004', reason: 'old', expires: '2020-01-01' }, { rule: 'registry-cmk-key-version', reason: 'renewed', expires: '2999-01-01' }] } };
    findResource(t, VAULT)['metadata'] = { cmkguard: { suppress: [{ rule: 'KV001' }] } };
    t['metadata']['cmkguard']['suppress'].push({ rule: 'KV001', reason: 'vault owned by the platform team' });
    const r = jsonFindings(['scan', '.'], writeTree({ '.git/HEAD': '', 'main.json': text(t) }));
    expect(r.findings.map((f) => [f.ruleId, f.suppression?.justification])).toEqual([
      ['KV001', 'vault owned by the platform team'],
      ['ACR004', 'renewed'],
    ]);
    expect(r.code).toBe(0);
    // With no valid entry left, the first problem is named.
    const f: Finding = { ruleId: 'KV001', level: 'error', kind: 'fail', message: 'm.', file: '/x', uri: 'x', region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 } };
    expect(applyInSource(f, undefined, [{ rule: 'KV001', reason: 'r', expires: '2020-01-01' }, { rule: 'KV001' }], '2030-01-01').message).toBe('m. (The suppression for KV001 expired on 2020-01-01: fix the problem or renew the suppression.)');
    expect(applyInSource(f, undefined, [{ rule: 'KV001', reason: 'r', expires: '2027-02-30' }], '2026-01-01').message).toMatch(/invalid "expires" date "2027-02-30"/);
  });

  it('applies a valid config suppression listed after an expired one', () => {
    const dir = writeTree({
      '.git/HEAD': '',
      'main.json': text(twoFindingStack()),
      '.cmkguard.yaml': 'suppressions:\n  - { rule: KV001, reason: first, expires: 2020-01-01 }\n  - { rule: KV001, reason: renewed, expires: 2999-01-01 }\n',
    });
    expect(jsonFindings(['scan', '.'], dir).findings.find((f) => f.ruleId === 'KV001')?.suppression).toEqual({ kind: 'external', justification: 'renewed' });
  });

  it('treats a suppression as valid on its expiry day', () => {
    const f: Finding = { ruleId: 'KV001', level: 'error', kind: 'fail', message: 'm.', file: '/x', uri: 'x', region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 } };
    expect(applyInSource(f, undefined, [{ rule: 'KV001', reason: 'r', expires: '2030-05-05' }], '2030-05-05').suppression).toBeDefined();
    expect(applyInSource(f, undefined, [{ rule: 'KV001', reason: 'r', expires: '2030-05-05' }], '2030-05-06').suppression).toBeUndefined();
  });
});

describe('baselines', () => {
  it('reports only new findings, matched by rule, file and resource rather than line', () => {
    const dir = writeTree({ '.git/HEAD': '', 'main.json': text(twoFindingStack()) });
    expect(cli(['scan', '.', '--write-baseline', 'baseline.json', '--format', 'json'], dir).code).toBe(1);
    // Edits elsewhere move every line down; the old findings stay known.
    const shifted = text(twoFindingStack()).replace('{\n', '{\n  "contentVersion": "1.0.0.0",\n  "metadata": { "note": "moved" },\n');
    writeFileSync(path.join(dir, 'main.json'), shifted.replace('"contentVersion": "1.0.0.0",\n  "parameters"', '"parameters"'));
    const again = jsonFindings(['scan', '.', '--baseline', 'baseline.json'], dir);
    expect(again.findings).toEqual([]);
    expect(again.code).toBe(0);
    // A new problem is still reported.
    const t = twoFindingStack();
    findResource(t, REGISTRY)['sku']['name'] = 'Standard';
    writeFileSync(path.join(dir, 'main.json'), text(t));
    expect(jsonFindings(['scan', '.', '--baseline', 'baseline.json'], dir).findings.map((f) => f.ruleId)).toEqual(['ACR002']);
  });

  it('accepts a SARIF report as the baseline', () => {
    const dir = writeTree({ '.git/HEAD': '', 'main.json': text(twoFindingStack()) });
    cli(['scan', '.', '--format', 'sarif', '--output', 'base.sarif'], dir);
    expect(readFileSync(path.join(dir, 'base.sarif'), 'utf8')).toMatch(/KV001/);
    expect(jsonFindings(['scan', '.', '--baseline', 'base.sarif'], dir).findings).toEqual([]);
    expect(cli(['scan', '.', '--baseline', 'nope.json'], dir).code).toBe(2);
  });

  it('matches a SARIF baseline on files whose names SARIF percent-encodes (+, #, comma, @)', () => {
    const dir = writeTree({ '.git/HEAD': '', 'infra/a+b@c/x,y#1.json': text(twoFindingStack()) });
    cli(['scan', '.', '--format', 'sarif', '--output', 'base.sarif'], dir);
    expect(readFileSync(path.join(dir, 'base.sarif'), 'utf8')).toContain('infra/a%2Bb%40c/x%2Cy%231.json');
    expect(jsonFindings(['scan', '.', '--baseline', 'base.sarif'], dir).findings).toEqual([]);
  });

  it('matches a finding without a resource by its message, whether the baseline is JSON or SARIF', () => {
    // A TPL002 in a variable has no resource; its message ends with a question, not a period.
    const t = { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', variables: { v: "[concatt('a', 'b')]" }, outputs: { o: { type: 'string', value: "[variables('v')]" } } };
    const dir = writeTree({ '.git/HEAD': '', 'main.json': t });
    const first = jsonFindings(['scan', '.', '--write-baseline', 'base.json'], dir);
    expect(first.findings.map((f) => [f.ruleId, f.message])).toEqual([['TPL002', expect.stringMatching(/Did you mean 'concat'\?$/)]]);
    cli(['scan', '.', '--format', 'sarif', '--output', 'base.sarif'], dir);
    expect(JSON.parse(readFileSync(path.join(dir, 'base.sarif'), 'utf8')).runs[0].results[0].message.text).toMatch(/Did you mean 'concat'\?$/);
    expect(jsonFindings(['scan', '.', '--baseline', 'base.json'], dir).findings).toEqual([]);
    expect(jsonFindings(['scan', '.', '--baseline', 'base.sarif'], dir).findings).toEqual([]);
  });

  it('reads the old baseline before writing the new one when both name the same file', () => {
    const dir = writeTree({ '.git/HEAD': '', 'main.json': text(twoFindingStack()) });
    cli(['scan', '.', '--write-baseline', 'baseline.json'], dir);
    const t = twoFindingStack();
    findResource(t, REGISTRY)['sku']['name'] = 'Standard';
    writeFileSync(path.join(dir, 'main.json'), text(t));
    // The new ACR002 is reported against the old baseline, and the baseline is then updated to include it.
    const r = jsonFindings(['scan', '.', '--baseline', 'baseline.json', '--write-baseline', 'baseline.json'], dir);
    expect(r.findings.map((f) => f.ruleId)).toEqual(['ACR002']);
    expect(r.code).toBe(1);
    expect(JSON.parse(readFileSync(path.join(dir, 'baseline.json'), 'utf8')).findings.map((f: { ruleId: string }) => f.ruleId)).toContain('ACR002');
    expect(jsonFindings(['scan', '.', '--baseline', 'baseline.json'], dir).findings).toEqual([]);
  });
});

describe('budgets', () => {
  it('come from the configuration and stop a template that exceeds them, with a TPL002 naming the budget', () => {
    const variables: Record<string, string> = { v0: 'x' };
    for (let i = 1; i <= 30; i++) variables[`v${i}`] = `[concat(variables('v${i - 1}'), 'x')]`;
    const t = { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', variables, outputs: { o: { type: 'string', value: "[variables('v30')]" } } };
    const dir = writeTree({ '.git/HEAD': '', 'main.json': t });
    expect(jsonFindings(['scan', '.'], dir).findings.filter((f) => f.ruleId === 'TPL002')).toEqual([]);
    writeFileSync(path.join(dir, '.cmkguard.yaml'), 'budgets:\n  evaluationSteps: 50\n');
    const limited = jsonFindings(['scan', '.'], dir).findings.filter((f) => f.ruleId === 'TPL002');
    expect(limited.map((f) => f.message)).toContainEqual(expect.stringMatching(/more than 50 steps/));
    writeFileSync(path.join(dir, '.cmkguard.yaml'), 'budgets:\n  evaluationSteps: lots\n');
    expect(cli(['scan', '.'], dir).code).toBe(2);
    // YAML's .inf and 1e309 are numbers that pass as integers in JSON Schema: they would turn a budget off.
    for (const endless of ['.inf', '1e309']) {
      writeFileSync(path.join(dir, '.cmkguard.yaml'), `budgets:\n  stringLength: ${endless}\n`);
      const r = cli(['scan', '.'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/'budgets\.stringLength' must be <= 9007199254740991/);
    }
  });
});
