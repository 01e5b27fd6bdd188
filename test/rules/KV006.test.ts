import { describe, expect, it } from 'vitest';
import { template } from '../helpers/scan.js';
import { expectOneAt, findingsOf } from './expect.js';
import { cmkStack, findResource, innerDeployment, type Json, nameVaultBy, REGISTRY, text, VAULT } from './stack.js';

const DIAG = 'Microsoft.Insights/diagnosticSettings';
const VAULT_FQN = 'Microsoft.KeyVault/vaults/reg-kv';
const WORKSPACE = '/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/z';

const withoutDiag = (): Json => {
  const t = cmkStack();
  t['resources'] = (t['resources'] as Json[]).filter((r) => r['type'] !== DIAG);
  return t;
};
const diag = (scope: string | undefined, logs: unknown, name = 'kv-audit'): Json => ({
  type: DIAG,
  apiVersion: '2021-05-01-preview',
  name,
  ...(scope === undefined ? {} : { scope }),
  properties: { workspaceId: WORKSPACE, logs },
});
const withLogs = (logs: unknown): Json => {
  const t = cmkStack();
  findResource(t, DIAG)['properties']['logs'] = logs;
  return t;
};
/** Where the vault resource object starts in the serialized stack. */
const VAULT_OBJECT = '{\n      "type": "Microsoft.KeyVault/vaults",';

describe('KV006 keyvault-audit-logs', () => {
  it('passes the stack: an extension diagnostic setting enabling AuditEvent', async () => {
    expect(await findingsOf('KV006', cmkStack())).toEqual([]);
  });

  it('passes the audit and allLogs category groups, in any case, and enabled as the string "true"', async () => {
    expect(await findingsOf('KV006', withLogs([{ categoryGroup: 'AUDIT', enabled: true }]))).toEqual([]);
    expect(await findingsOf('KV006', withLogs([{ categoryGroup: 'allLogs', enabled: 'true' }]))).toEqual([]);
    expect(await findingsOf('KV006', withLogs([{ category: 'AzurePolicyEvaluationDetails', enabled: true }, { category: 'auditevent', enabled: true }]))).toEqual([]);
  });

  it('passes a relative scope, as Bicep emits for scope: vault', async () => {
    const t = withoutDiag();
    (t['resources'] as Json[]).push(diag("[format('Microsoft.KeyVault/vaults/{0}', 'reg-kv')]", [{ categoryGroup: 'audit', enabled: true }]));
    expect(await findingsOf('KV006', t)).toEqual([]);
  });

  it('passes the classic vaults/providers/diagnosticSettings type, top level or nested in the vault', async () => {
    const top = withoutDiag();
    (top['resources'] as Json[]).push({
      type: 'Microsoft.KeyVault/vaults/providers/diagnosticSettings',
      apiVersion: '2021-05-01-preview',
      name: 'reg-kv/Microsoft.Insights/audit',
      properties: { workspaceId: WORKSPACE, logs: [{ category: 'AuditEvent', enabled: true }] },
    });
    expect(await findingsOf('KV006', top)).toEqual([]);
    const nested = withoutDiag();
    findResource(nested, VAULT)['resources'] = [
      { type: 'providers/diagnosticSettings', apiVersion: '2021-05-01-preview', name: 'Microsoft.Insights/audit', dependsOn: ['reg-kv'], properties: { workspaceId: WORKSPACE, logs: [{ category: 'AuditEvent', enabled: true }] } },
    ];
    expect(await findingsOf('KV006', nested)).toEqual([]);
  });

  it('fails a CMK vault without any diagnostic setting at the vault, as a warning', async () => {
    const t = withoutDiag();
    const f = expectOneAt(await findingsOf('KV006', t), t, VAULT_OBJECT);
    expect(f.level).toBe('warning');
    expect(f.message).toMatch(/'reg-kv' \(CMK vault of registry 'contosoreg'\) has no diagnostic setting/);
    expect(f.resource?.fullyQualifiedName).toBe(VAULT_FQN);
  });

  it('is undetermined, not failed, for a recovered vault without a setting in the scan: it may keep its earlier ones', async () => {
    const t = withoutDiag();
    findResource(t, VAULT)['properties']['createMode'] = 'recover';
    const f = expectOneAt(await findingsOf('KV006', t), t, '"recover"', 'open');
    expect(f.message).toMatch(/no scanned template attaches a diagnostic setting to it and the vault is recovered \(createMode 'recover'\) with its earlier settings, which may include diagnostic settings/);
  });

  it('fails a diagnostic setting that does not enable audit logs at its logs, naming the vault', async () => {
    for (const logs of [[{ category: 'AzurePolicyEvaluationDetails', enabled: true }], [{ categoryGroup: 'audit', enabled: false }], [{ category: 'AuditEvent' }]]) {
      const t = withLogs(logs);
      const f = expectOneAt(await findingsOf('KV006', t), t, '"logs"');
      expect(f.message).toMatch(/diagnostic setting 'kv-audit', but none enables the AuditEvent category/);
      expect(f.resource?.fullyQualifiedName).toBe(VAULT_FQN);
    }
  });

  it('fails when the only audit setting belongs to another vault or has a false condition', async () => {
    const other = withoutDiag();
    (other['resources'] as Json[]).push(diag("[resourceId('Microsoft.KeyVault/vaults', 'other-kv')]", [{ category: 'AuditEvent', enabled: true }]));
    expectOneAt(await findingsOf('KV006', other), other, VAULT_OBJECT);
    const off = cmkStack();
    findResource(off, DIAG)['condition'] = false;
    expectOneAt(await findingsOf('KV006', off), off, VAULT_OBJECT);
  });

  it('checks symbolic-name templates, with a symbolic or a relative scope', async () => {
    const t: Json = template({
      languageVersion: '2.0',
      resources: {
        kv: { type: VAULT, apiVersion: '2023-07-01', name: 'reg-kv', location: 'westeurope', properties: { tenantId: 'x', sku: { family: 'A', name: 'standard' } } },
        key: { type: 'Microsoft.KeyVault/vaults/keys', apiVersion: '2023-07-01', name: 'reg-kv/reg-key', dependsOn: ['kv'], properties: { kty: 'RSA' } },
        audit: { ...diag('kv', [{ category: 'AuditEvent', enabled: true }]), dependsOn: ['kv'] },
        reg: {
          type: REGISTRY,
          apiVersion: '2023-07-01',
          name: 'contosoreg',
          location: 'westeurope',
          sku: { name: 'Premium' },
          properties: { encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: "[reference('key').keyUri]", identity: 'x' } } },
        },
      },
    });
    expect(await findingsOf('KV006', t)).toEqual([]);
    t['resources']['audit']['scope'] = "[format('Microsoft.KeyVault/vaults/{0}', 'reg-kv')]";
    expect(await findingsOf('KV006', t)).toEqual([]);
    t['resources']['audit']['properties']['logs'] = [{ category: 'AuditEvent', enabled: false }];
    const f = expectOneAt(await findingsOf('KV006', t), t, '"logs"');
    expect(f.resource?.fullyQualifiedName).toBe(VAULT_FQN);
  });

  it('finds a diagnostic setting deployed by a nested deployment, and fails a nested vault without one', async () => {
    const t = withoutDiag();
    (t['resources'] as Json[]).push(
      innerDeployment(
        'monitoring',
        { vaultName: { value: 'reg-kv' } },
        template({
          parameters: { vaultName: { type: 'string' } },
          resources: [diag("[resourceId('Microsoft.KeyVault/vaults', parameters('vaultName'))]", [{ categoryGroup: 'allLogs', enabled: true }])],
        }),
      ),
    );
    expect(await findingsOf('KV006', t)).toEqual([]);

    const n = withoutDiag();
    const vault = findResource(n, VAULT);
    n['resources'] = (n['resources'] as Json[]).filter((r) => r !== vault);
    (n['resources'] as Json[]).push(innerDeployment('vault', undefined, template({ resources: [vault] })));
    const f = expectOneAt(await findingsOf('KV006', n), n, '{\n              "type": "Microsoft.KeyVault/vaults",');
    expect(f.resource?.fullyQualifiedName).toBe(VAULT_FQN);
  });

  it('follows the chain into other scanned templates', async () => {
    const t = withoutDiag();
    const monitoring = template({ resources: [diag("[resourceId('Microsoft.KeyVault/vaults', 'reg-kv')]", [{ category: 'AuditEvent', enabled: true }])] });
    expect(await findingsOf('KV006', t, { 'monitoring.json': text(monitoring) })).toEqual([]);

    const split = withoutDiag();
    const vault = findResource(split, VAULT);
    split['resources'] = (split['resources'] as Json[]).filter((r) => r !== vault);
    const findings = await findingsOf('KV006', split, { 'vault.json': text(template({ resources: [vault] })) });
    expect(findings.map((f) => [f.uri, f.kind, f.resource?.fullyQualifiedName])).toEqual([['vault.json', 'fail', VAULT_FQN]]);
  });

  it('never lends a setting to an equal vault id that another template deploys itself', async () => {
    const withAudit = cmkStack();
    const findings = await findingsOf('KV006', withAudit, { 'copy.json': text(withoutDiag()) });
    expect(findings.map((f) => [f.uri, f.kind, f.resource?.fullyQualifiedName])).toEqual([['copy.json', 'fail', VAULT_FQN]]);
  });

  it('passes a vault outside the scan when a scanned template attaches audit logs to it by name', async () => {
    const t = withoutDiag();
    t['resources'] = (t['resources'] as Json[]).filter((r) => r['type'] !== VAULT && r['type'] !== 'Microsoft.KeyVault/vaults/keys');
    findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = 'https://shared-kv.vault.azure.net/keys/acr';
    const monitoring = template({ resources: [diag("[resourceId('security-rg', 'Microsoft.KeyVault/vaults', 'shared-kv')]", [{ categoryGroup: 'audit', enabled: true }])] });
    expect(await findingsOf('KV006', t, { 'monitoring.json': text(monitoring) })).toEqual([]);
    const f = expectOneAt(await findingsOf('KV006', t), t, '"https://shared-kv', 'open');
    expect(f.message).toMatch(/no scanned template attaches an audit diagnostic setting to it and the Key Vault 'shared-kv' is not in the scanned templates/);
    expect(f.resource?.fullyQualifiedName).toBe('Microsoft.KeyVault/vaults/shared-kv');
  });

  it('passes an existing vault with an audit setting in the scan, is undetermined without one', async () => {
    const t = cmkStack();
    const vault = findResource(t, VAULT);
    vault['existing'] = true;
    t['languageVersion'] = '2.0';
    expect(await findingsOf('KV006', t)).toEqual([]);
    const bare = withoutDiag();
    findResource(bare, VAULT)['existing'] = true;
    bare['languageVersion'] = '2.0';
    const f = expectOneAt(await findingsOf('KV006', bare), bare, `"[reference(variables('keyId')).keyUri]"`, 'open');
    expect(f.message).toMatch(/declared 'existing'/);
    expect(f.resource?.fullyQualifiedName).toBe(VAULT_FQN);
  });

  it('is undetermined when logs, enabled, the scope or the condition of an audit setting is unknown', async () => {
    const logs = withLogs("[parameters('logs')]");
    logs['parameters']['logs'] = { type: 'array' };
    expect(expectOneAt(await findingsOf('KV006', logs), logs, `"[parameters('logs')]"`, 'open').message).toMatch(/parameter 'logs' has no value/);

    const enabled = withLogs([{ categoryGroup: 'audit', enabled: "[parameters('on')]" }]);
    enabled['parameters']['on'] = { type: 'bool' };
    expectOneAt(await findingsOf('KV006', enabled), enabled, '"logs"', 'open');

    const scope = withoutDiag();
    scope['parameters']['target'] = { type: 'string' };
    (scope['resources'] as Json[]).push(diag("[parameters('target')]", [{ category: 'AuditEvent', enabled: true }]));
    const s = expectOneAt(await findingsOf('KV006', scope), scope, `"[parameters('target')]"`, 'open');
    expect(s.message).toMatch(/scope is not known: parameter 'target' has no value/);
    expect(s.resource?.fullyQualifiedName).toBe(VAULT_FQN);

    const cond = cmkStack();
    cond['parameters']['audit'] = { type: 'bool' };
    findResource(cond, DIAG)['condition'] = "[parameters('audit')]";
    const c = expectOneAt(await findingsOf('KV006', cond), cond, '{\n      "type": "Microsoft.Insights/diagnosticSettings"', 'open');
    expect(c.message).toMatch(/has a condition \(\[parameters\('audit'\)\]\) that is only known at deployment/);
  });

  it('fails an audit setting that names no destination, passes one built from parts, is undetermined on an unknown one', async () => {
    const withDestination = (props: Record<string, unknown>, params: Json = {}): Json => {
      const t = cmkStack();
      const setting = findResource(t, DIAG);
      delete setting['properties']['workspaceId'];
      Object.assign(setting['properties'], props);
      Object.assign(t['parameters'], params);
      return t;
    };
    const none = withDestination({});
    const f = expectOneAt(await findingsOf('KV006', none), none, '"properties": {\n        "logs"', 'fail');
    expect(f.message).toMatch(/enables audit logs but names no destination \(workspaceId, storageAccountId, eventHubAuthorizationRuleId, marketplacePartnerId\), so the logs are kept nowhere/);
    // An empty workspace id (a parameter's '' default) is no destination either.
    const empty = withDestination({ workspaceId: "[parameters('ws')]" }, { ws: { type: 'string', defaultValue: '' } });
    expect((await findingsOf('KV006', empty)).map((x) => x.kind)).toEqual(['fail']);
    const built = withDestination({ storageAccountId: "[resourceId('Microsoft.Storage/storageAccounts', parameters('sa'))]" }, { sa: { type: 'string' } });
    expect(await findingsOf('KV006', built)).toEqual([]);
    const unknown = withDestination({ workspaceId: "[parameters('ws')]" }, { ws: { type: 'string' } });
    const u = await findingsOf('KV006', unknown);
    expect(u.map((x) => x.kind)).toEqual(['open']);
    expect(u[0]!.message).toMatch(/whether it names a destination is not known: parameter 'ws' has no value/);
  });

  it('matches a vault with a partly unknown name to settings built the same way, and leaves other vault scopes open', async () => {
    const t = nameVaultBy(cmkStack(), "format('kv-{0}', parameters('env'))", ['env']);
    expect(await findingsOf('KV006', t)).toEqual([]);
    findResource(t, DIAG)['scope'] = "[resourceId('Microsoft.KeyVault/vaults', 'kv-prod')]";
    const f = expectOneAt(await findingsOf('KV006', t), t, `"[resourceId('Microsoft.KeyVault/vaults', 'kv-prod')]"`, 'open');
    expect(f.message).toMatch(/enables audit logs for vault 'kv-prod', which may be this vault: the vault's name is not known \(parameter 'env' has no value/);
  });

  it('is undetermined when the key identifier is unknown', async () => {
    const t = cmkStack();
    t['parameters']['kid'] = { type: 'string' };
    findResource(t, REGISTRY)['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = "[parameters('kid')]";
    expectOneAt(await findingsOf('KV006', t), t, `"[parameters('kid')]"`, 'open');
  });

  it('keeps registries whose key comes from unnamed key resources apart, one note each, naming no placeholder vault', async () => {
    const t = cmkStack();
    t['resources'] = (t['resources'] as Json[]).filter((r) => r['type'] !== DIAG && r['type'] !== VAULT && !String(r['type']).startsWith(`${VAULT}/`));
    const first = findResource(t, REGISTRY);
    const second = structuredClone(first);
    second['name'] = 'otherreg';
    (t['resources'] as Json[]).push(second);
    t['parameters']['keyA'] = { type: 'string' };
    t['parameters']['keyB'] = { type: 'string' };
    first['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = "[reference(parameters('keyA'), '2023-07-01').keyUri]";
    second['properties']['encryption']['keyVaultProperties']['keyIdentifier'] = "[reference(parameters('keyB'), '2023-07-01').keyUri]";
    const found = await findingsOf('KV006', t);
    expect(found.map((f) => f.message.match(/registr\w+ '[^']+'|CMK vault sends/)?.[0])).toEqual(['CMK vault sends', 'CMK vault sends']);
    expect(found.map((f) => f.region.startLine)).toEqual([...new Set(found.map((f) => f.region.startLine))]);
    expect(found.every((f) => !f.message.includes('{vault}'))).toBe(true);
  });
});
