/**
 * Live mode against a loopback ARM: the real @azure/arm-resources and @azure/arm-authorization clients over
 * real HTTPS. The registry fixture only names its vault, key and identity; live mode must decide the checks
 * that stay undetermined statically, mark what it read, and turn ARM failures into undetermined findings.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { connectArm } from '../../src/live/arm.js';
import { scan } from '../../src/scan.js';
import type { Finding } from '../../src/types.js';
import { positionOf } from '../helpers/scan.js';
import { FakeArm, TEST_CA_FILE, TEST_TOKEN, error } from './arm-server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURE = path.join(ROOT, 'fixtures/live/registry-external-vault.json');
const SUB = '0b1f6471-1bf0-4dda-aec3-111122223333';
const RG = `/subscriptions/${SUB}/resourceGroups/security-rg`;
const VAULT_ID = `${RG}/providers/Microsoft.KeyVault/vaults/contoso-cmk-kv`;
const KEY_ID = `${VAULT_ID}/keys/acr-cmk`;
const IDENTITY_ID = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/acr-cmk-id`;
const PRINCIPAL = '6f1c2c55-5d4e-4b3a-9a1e-0a2b3c4d5e6f';
const CRYPTO_SERVICE_ENCRYPTION_USER = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6`;

function vault(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: VAULT_ID,
    name: 'contoso-cmk-kv',
    type: 'Microsoft.KeyVault/vaults',
    location: 'westeurope',
    properties: {
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      sku: { family: 'A', name: 'standard' },
      enableRbacAuthorization: true,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      enablePurgeProtection: true,
      publicNetworkAccess: 'Disabled',
      networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [] },
      vaultUri: 'https://contoso-cmk-kv.vault.azure.net/',
      provisioningState: 'Succeeded',
      ...overrides,
    },
  };
}

/** The security team's side of the chain, as ARM returns it. */
function healthyArm(arm: FakeArm): FakeArm {
  arm.add(vault());
  arm.add({
    id: KEY_ID,
    name: 'acr-cmk',
    type: 'Microsoft.KeyVault/vaults/keys',
    properties: {
      kty: 'RSA',
      keySize: 3072,
      keyOps: ['wrapKey', 'unwrapKey'],
      attributes: { enabled: true, exportable: false },
      keyUri: 'https://contoso-cmk-kv.vault.azure.net/keys/acr-cmk',
      keyUriWithVersion: 'https://contoso-cmk-kv.vault.azure.net/keys/acr-cmk/0123456789abcdef0123456789abcdef',
      rotationPolicy: {
        attributes: { expiryTime: 'P2Y' },
        lifetimeActions: [{ trigger: { timeAfterCreate: 'P18M' }, action: { type: 'rotate' } }],
      },
    },
  });
  arm.add({
    id: IDENTITY_ID,
    name: 'acr-cmk-id',
    type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
    location: 'westeurope',
    properties: { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', principalId: PRINCIPAL, clientId: '1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5' },
  });
  arm.roleAssignments.set(VAULT_ID.toLowerCase(), [
    {
      id: `${VAULT_ID}/providers/Microsoft.Authorization/roleAssignments/3d1f4a2b-0000-4000-8000-000000000001`,
      name: '3d1f4a2b-0000-4000-8000-000000000001',
      type: 'Microsoft.Authorization/roleAssignments',
      properties: { roleDefinitionId: CRYPTO_SERVICE_ENCRYPTION_USER, principalId: PRINCIPAL, principalType: 'ServicePrincipal', scope: VAULT_ID },
    },
  ]);
  arm.diagnosticSettings.set(VAULT_ID.toLowerCase(), [
    {
      id: `${VAULT_ID}/providers/microsoft.insights/diagnosticSettings/kv-audit`,
      name: 'kv-audit',
      type: 'Microsoft.Insights/diagnosticSettings',
      properties: { workspaceId: `${RG}/providers/Microsoft.OperationalInsights/workspaces/sec-logs`, logs: [{ categoryGroup: 'audit', enabled: true }] },
    },
  ]);
  return arm;
}

let arm: FakeArm;
beforeEach(async () => {
  arm = await new FakeArm().start();
});
afterEach(async () => {
  await arm.stop();
});

async function scanLive(options: { subscriptionId?: string; token?: string } = {}) {
  const subscriptionId = 'subscriptionId' in options ? options.subscriptionId : SUB;
  return scan({
    paths: [FIXTURE],
    cwd: ROOT,
    repoRoot: ROOT,
    rules,
    context: { subscriptionId },
    live: {
      subscriptionId,
      connect: () => connectArm({ endpoint: arm.endpoint, token: options.token ?? TEST_TOKEN, caFile: TEST_CA_FILE, subscriptionId, maxRetries: 2 }),
    },
  });
}

/** A live scan of a folder of test templates, in the given deployment context. */
function scanFolderLive(dir: string, context: { subscriptionId?: string; resourceGroup?: string } = {}) {
  return scan({
    paths: [dir],
    cwd: dir,
    repoRoot: dir,
    rules,
    context,
    live: { subscriptionId: context.subscriptionId, connect: () => connectArm({ endpoint: arm.endpoint, token: TEST_TOKEN, caFile: TEST_CA_FILE, maxRetries: 1 }) },
  });
}

function byRule(findings: Finding[]): Record<string, Finding[]> {
  const out: Record<string, Finding[]> = {};
  for (const f of findings) (out[f.ruleId] ??= []).push(f);
  return out;
}

describe('live mode', () => {
  it('decides every vault and key check of a registry whose vault is only referenced', async () => {
    healthyArm(arm);
    const statically = await scan({ paths: [FIXTURE], cwd: ROOT, repoRoot: ROOT, rules, context: { subscriptionId: SUB } });
    expect(statically.findings.filter((f) => f.kind === 'open').map((f) => f.ruleId).sort()).toEqual(['ACR010', 'KV001', 'KV003', 'KV004', 'KV005', 'KV006', 'KV007']);

    const result = await scanLive();
    expect(result.inputErrors).toEqual([]);
    expect(result.findings).toEqual([]);
    expect(result.live!.problems).toEqual([]);
    expect(result.live!.resources.map((id) => id.split('/').slice(-2).join('/')).sort()).toEqual([
      'diagnosticSettings/kv-audit',
      'keys/acr-cmk',
      'roleAssignments/3d1f4a2b-0000-4000-8000-000000000001',
      'userAssignedIdentities/acr-cmk-id',
      'vaults/contoso-cmk-kv',
    ]);
  });

  it('reads only, with a bearer token, and finds the vault by name in the given subscription', async () => {
    healthyArm(arm);
    await scanLive();
    expect(arm.requests.every((r) => r.method === 'GET')).toBe(true);
    expect(arm.requests.every((r) => r.authorization === `Bearer ${TEST_TOKEN}`)).toBe(true);
    const search = arm.requests.find((r) => r.path === `/subscriptions/${SUB}/resources`);
    expect(search?.query.get('$filter')).toBe("resourceType eq 'Microsoft.KeyVault/vaults' and name eq 'contoso-cmk-kv'");
    // One search, then vault, key, role assignments, diagnostic settings and the identity: no call twice.
    const paths = arm.requests.map((r) => r.path.toLowerCase());
    expect(paths).toHaveLength(6);
    expect(new Set(paths).size).toBe(6);
  });

  it('fails on live facts, marks them live and points at the key identifier', async () => {
    healthyArm(arm).add(vault({ enablePurgeProtection: false, networkAcls: { defaultAction: 'Deny', bypass: 'None' } }));
    const result = await scanLive();
    const found = byRule(result.findings);
    expect(Object.keys(found).sort()).toEqual(['KV001', 'KV003']);
    const kv001 = found['KV001']![0]!;
    expect(kv001.kind).toBe('fail');
    expect(kv001.message).toMatch(/^live: Key Vault 'contoso-cmk-kv'.*enablePurgeProtection to false/);
    expect(kv001.live).toEqual({ source: 'arm', resourceId: VAULT_ID });
    const text = readFileSync(FIXTURE, 'utf8');
    const at = positionOf(text, `"[parameters('keyIdentifier')]"`);
    expect([kv001.region.startLine, kv001.region.startColumn]).toEqual([at.line, at.column]);
    expect(found['KV003']![0]!.message).toMatch(/^live: .*bypass/i);
  });

  it('fails when the identity has no grant on the live vault, using the principal id read from ARM', async () => {
    healthyArm(arm);
    arm.roleAssignments.set(VAULT_ID.toLowerCase(), [
      {
        id: `${VAULT_ID}/providers/Microsoft.Authorization/roleAssignments/3d1f4a2b-0000-4000-8000-000000000002`,
        name: '3d1f4a2b-0000-4000-8000-000000000002',
        type: 'Microsoft.Authorization/roleAssignments',
        properties: { roleDefinitionId: CRYPTO_SERVICE_ENCRYPTION_USER, principalId: 'aaaaaaaa-0000-4000-8000-000000000000', scope: VAULT_ID },
      },
    ]);
    const result = await scanLive();
    const acr010 = result.findings.filter((f) => f.ruleId === 'ACR010');
    expect(acr010.map((f) => f.kind)).toEqual(['fail']);
    expect(acr010[0]!.message).toMatch(/Nothing grants identity 'acr-cmk-id'/);
  });

  it('keeps checks undetermined, naming the cause and the fix, when ARM refuses to show the vault (403)', async () => {
    healthyArm(arm).script(VAULT_ID, error(403, 'AuthorizationFailed', "The client does not have authorization to perform action 'Microsoft.KeyVault/vaults/read'."));
    const result = await scanLive();
    const open = result.findings.filter((f) => f.ruleId === 'KV001');
    expect(open.map((f) => f.kind)).toEqual(['open']);
    expect(open[0]!.message).toContain("live mode could not read it: reading vault 'contoso-cmk-kv': ARM answered 403 (AuthorizationFailed)");
    expect(open[0]!.message).toContain('Reader role');
    expect(result.findings.every((f) => f.kind === 'open')).toBe(true);
    expect(result.live!.problems).toHaveLength(1);
  });

  it('retries a throttled call (429 then 200) and decides', async () => {
    healthyArm(arm).script(IDENTITY_ID, { status: 429, headers: { 'retry-after': '0' }, body: { error: { code: 'TooManyRequests', message: 'slow down' } } });
    const result = await scanLive();
    expect(result.findings).toEqual([]);
    expect(arm.requests.filter((r) => r.path.toLowerCase() === IDENTITY_ID.toLowerCase())).toHaveLength(2);
  });

  it('keeps grants undetermined when the role assignments cannot be listed', async () => {
    healthyArm(arm).script(`${VAULT_ID}/providers/Microsoft.Authorization/roleAssignments`, error(403, 'AuthorizationFailed', 'no roleAssignments/read'));
    const result = await scanLive();
    const acr010 = result.findings.filter((f) => f.ruleId === 'ACR010');
    expect(acr010.map((f) => f.kind)).toEqual(['open']);
    expect(acr010[0]!.message).toContain('could not list its role assignments');
  });

  it('says a missing vault is missing and a bad token is refused, without failing the scan', async () => {
    const missing = await scanLive();
    expect(missing.findings.filter((f) => f.ruleId === 'KV001')[0]!.message).toContain(`no vault named 'contoso-cmk-kv' in subscription ${SUB}`);
    // A live scan never suggests --live.
    expect(missing.findings.filter((f) => f.message.includes('--live'))).toEqual([]);
    healthyArm(arm);
    const refused = await scanLive({ token: 'wrong' });
    expect(refused.findings.every((f) => f.kind === 'open')).toBe(true);
    expect(refused.findings.find((f) => f.ruleId === 'KV001')!.message).toContain('ARM answered 401');
  });

  it('needs a subscription to look a vault up by name, and says so', async () => {
    healthyArm(arm);
    const result = await scanLive({ subscriptionId: undefined });
    expect(result.findings.find((f) => f.ruleId === 'KV001')!.message).toContain("live mode needs --subscription-id to find vault 'contoso-cmk-kv'");
  });

  it('turns an unreachable endpoint into undetermined findings', async () => {
    await arm.stop();
    const result = await scanLive();
    expect(result.findings.length).toBeGreaterThan(0);
    expect(result.findings.every((f) => f.kind === 'open')).toBe(true);
    expect(result.live!.problems[0]).toMatch(/request failed|ECONNREFUSED/);
    arm = await new FakeArm().start();
  });
});

describe('live mode with an existing declaration', () => {
  it('reads the vault by the id of its existing declaration (no search) and points there', async () => {
    healthyArm(arm).add(vault({ enablePurgeProtection: false }));
    const { writeTree } = await import('../helpers/scan.js');
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      languageVersion: '2.0',
      contentVersion: '1.0.0.0',
      resources: {
        kv: { existing: true, type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: 'contoso-cmk-kv', subscriptionId: SUB, resourceGroup: 'security-rg' },
        registry: {
          type: 'Microsoft.ContainerRegistry/registries',
          apiVersion: '2023-07-01',
          name: 'contosoacr',
          location: 'westeurope',
          sku: { name: 'Premium' },
          identity: { type: 'UserAssigned', userAssignedIdentities: { [IDENTITY_ID]: {} } },
          properties: {
            adminUserEnabled: false,
            publicNetworkAccess: 'Disabled',
            encryption: {
              status: 'enabled',
              keyVaultProperties: { keyIdentifier: "[format('{0}keys/acr-cmk', reference('kv').vaultUri)]", identity: `[reference('${IDENTITY_ID}', '2023-01-31').clientId]` },
            },
          },
        },
      },
    };
    const dir = writeTree({ 'main.json': template });
    const result = await scanFolderLive(dir);
    expect(arm.requests.some((r) => r.path.endsWith('/resources'))).toBe(false);
    const kv001 = result.findings.filter((f) => f.ruleId === 'KV001');
    expect(kv001.map((f) => [f.kind, f.live?.resourceId])).toEqual([['fail', VAULT_ID]]);
    const text = readFileSync(path.join(dir, 'main.json'), 'utf8');
    expect(kv001[0]!.region.startLine).toBe(positionOf(text, '"kv": {').line);
  });
});

/** Vault 'apps-kv' with these properties (beside tenantId and sku), and a CMK registry whose key identifier names it. */
function appsStack(vaultProperties: Record<string, unknown>, location = 'westeurope') {
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources: [
      {
        type: 'Microsoft.KeyVault/vaults',
        apiVersion: '2023-07-01',
        name: 'apps-kv',
        location,
        properties: { tenantId: '[subscription().tenantId]', sku: { family: 'A', name: 'standard' }, ...vaultProperties },
      },
      {
        type: 'Microsoft.ContainerRegistry/registries',
        apiVersion: '2023-07-01',
        name: 'appsacr',
        location: 'westeurope',
        sku: { name: 'Premium' },
        dependsOn: ['apps-kv'],
        properties: { encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: 'https://apps-kv.vault.azure.net/keys/acr-key' } } },
      },
    ],
  };
}

describe('live mode for a key the scan does not deploy', () => {
  // The vault is in the template; its key is created by a script, as is common.
  const RG_NAME = 'apps-rg';
  const APPS_VAULT_ID = `/subscriptions/${SUB}/resourceGroups/${RG_NAME}/providers/Microsoft.KeyVault/vaults/apps-kv`;
  const template = appsStack({ enablePurgeProtection: true, enableRbacAuthorization: true });

  async function run() {
    const { writeTree } = await import('../helpers/scan.js');
    const result = await scanFolderLive(writeTree({ 'main.json': template }), { subscriptionId: SUB, resourceGroup: RG_NAME });
    return result.findings.filter((f) => f.ruleId === 'KV004');
  }

  it('reads the key from the vault id the template gives, and checks it', async () => {
    arm.add({
      id: `${APPS_VAULT_ID}/keys/acr-key`,
      name: 'acr-key',
      type: 'Microsoft.KeyVault/vaults/keys',
      properties: { kty: 'RSA', keySize: 2048, keyOps: ['encrypt', 'decrypt'] },
    });
    const kv004 = await run();
    expect(kv004.map((f) => f.kind)).toEqual(['fail']);
    expect(kv004[0]!.message).toMatch(/^live: .*wrapKey/);
    expect(arm.requests.map((r) => r.path)).toContain(`/subscriptions/${SUB}/resourceGroups/${RG_NAME}/providers/Microsoft.KeyVault/vaults/apps-kv/keys/acr-key`);
  });

  it('says the key does not exist yet when ARM does not have it', async () => {
    const kv004 = await run();
    expect(kv004.map((f) => f.kind)).toEqual(['open']);
    expect(kv004[0]!.message).toContain("live mode could not read it: reading key 'apps-kv/acr-key': ARM answered 404");
  });
});

describe('live mode for a vault recovered with createMode recover', () => {
  // The template deploys the vault with createMode 'recover' and leaves purge protection to the deleted vault.
  const RG_NAME = 'apps-rg';
  const APPS_VAULT_ID = `/subscriptions/${SUB}/resourceGroups/${RG_NAME}/providers/Microsoft.KeyVault/vaults/apps-kv`;
  const DELETED_ID = `/subscriptions/${SUB}/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/apps-kv`;
  const files = (location = 'West Europe') => ({ 'main.json': appsStack({ createMode: 'recover' }, location) });
  function deletedVault(purgeProtectionEnabled: boolean): Record<string, unknown> {
    return {
      id: DELETED_ID,
      name: 'apps-kv',
      type: 'Microsoft.KeyVault/deletedVaults',
      properties: { vaultId: APPS_VAULT_ID, location: 'westeurope', deletionDate: '2026-01-02T03:04:05Z', scheduledPurgeDate: '2026-04-02T03:04:05Z', tags: {}, purgeProtectionEnabled },
    };
  }

  async function run(location?: string) {
    const { writeTree } = await import('../helpers/scan.js');
    const dir = writeTree(files(location));
    const result = await scanFolderLive(dir, { subscriptionId: SUB, resourceGroup: RG_NAME });
    return { result, text: readFileSync(path.join(dir, 'main.json'), 'utf8'), found: byRule(result.findings) };
  }

  it('fails, marked live, at createMode, when the deleted vault it recovers has purge protection off', async () => {
    arm.add(deletedVault(false));
    const { result, text, found } = await run();
    const kv001 = found['KV001'] ?? [];
    expect(kv001.map((f) => f.kind)).toEqual(['fail']);
    expect(kv001[0]!.message).toMatch(/^live: Key Vault 'apps-kv' \(CMK vault of registry 'appsacr'\) is recovered \(createMode 'recover'\) without setting enablePurgeProtection, and the soft-deleted vault it recovers has purge protection off/);
    expect(kv001[0]!.live).toEqual({ source: 'arm', resourceId: DELETED_ID });
    expect(kv001[0]!.region.startLine).toBe(positionOf(text, '"recover"').line);
    // Read-only, at the location ARM writes ('West Europe' → westeurope), and counted.
    expect(arm.requests.every((r) => r.method === 'GET')).toBe(true);
    expect(arm.requests.filter((r) => r.path === DELETED_ID)).toHaveLength(1);
    expect(result.live!.resources).toContain(DELETED_ID);
    // ARM shows nothing else of a deleted vault: the network checks stay undetermined, and say so.
    expect(found['KV003']!.map((f) => [f.kind, f.live])).toEqual([['open', undefined]]);
    expect(found['KV003']![0]!.message).toContain('live mode reads only purge protection from the vault it recovers');
  });

  it('passes when the deleted vault it recovers has purge protection on', async () => {
    arm.add(deletedVault(true));
    const { found } = await run();
    expect(found['KV001']).toBeUndefined();
  });

  it('reads the vault itself when no deleted vault has the name, and takes its purge protection', async () => {
    arm.add({ id: APPS_VAULT_ID, name: 'apps-kv', type: 'Microsoft.KeyVault/vaults', location: 'westeurope', properties: { enablePurgeProtection: true } });
    expect((await run()).found['KV001']).toBeUndefined();
    arm.add({ id: APPS_VAULT_ID, name: 'apps-kv', type: 'Microsoft.KeyVault/vaults', location: 'westeurope', properties: { enableSoftDelete: true } });
    const kv001 = (await run()).found['KV001']!;
    expect(kv001.map((f) => [f.kind, f.live?.resourceId])).toEqual([['fail', APPS_VAULT_ID]]);
    expect(kv001[0]!.message).toContain('the vault of that name, which exists (it is not deleted) has purge protection off');
  });

  it('stays undetermined, and says why, when there is nothing to recover', async () => {
    const { result, found } = await run();
    const kv001 = found['KV001']!;
    expect(kv001.map((f) => [f.kind, f.live])).toEqual([['open', undefined]]);
    expect(kv001[0]!.message).toContain(`live mode could not read the vault it recovers: ARM has no soft-deleted vault 'apps-kv' in westeurope of subscription ${SUB} and no vault ${APPS_VAULT_ID}, so there is nothing to recover`);
    expect(result.live!.problems.join(' ')).toContain("no soft-deleted vault 'apps-kv'");
  });

  it('stays undetermined, naming the permission, when ARM refuses to show deleted vaults (403)', async () => {
    arm.add(deletedVault(false)).script(DELETED_ID, error(403, 'AuthorizationFailed', "The client does not have authorization to perform action 'Microsoft.KeyVault/locations/deletedVaults/read'."));
    const kv001 = (await run()).found['KV001']!;
    expect(kv001.map((f) => f.kind)).toEqual(['open']);
    expect(kv001[0]!.message).toContain("live mode could not read the vault it recovers: reading deleted vault 'apps-kv' in westeurope: ARM answered 403 (AuthorizationFailed)");
    expect(kv001[0]!.message).toContain('Reader role on the subscription');
  });

  it('stays undetermined when the location is only known at deployment', async () => {
    arm.add(deletedVault(false));
    const kv001 = (await run('[resourceGroup().location]')).found['KV001']!;
    expect(kv001.map((f) => f.kind)).toEqual(['open']);
    expect(kv001[0]!.message).toContain("live mode could not read the vault it recovers: the vault's location is not known before deployment");
    expect(arm.requests.some((r) => r.path.includes('deletedVaults'))).toBe(false);
  });

  it('without --live, stays undetermined as before and asks nothing', async () => {
    arm.add(deletedVault(false));
    const { writeTree } = await import('../helpers/scan.js');
    const dir = writeTree(files());
    const result = await scan({ paths: [dir], cwd: dir, repoRoot: dir, rules, context: { subscriptionId: SUB, resourceGroup: RG_NAME } });
    const kv001 = result.findings.filter((f) => f.ruleId === 'KV001');
    expect(kv001.map((f) => [f.kind, f.live])).toEqual([['open', undefined]]);
    expect(kv001[0]!.message).toMatch(/because the vault is recovered \(createMode 'recover'\) with its earlier settings, which the template does not show \(it does not set enablePurgeProtection\): set enablePurgeProtection in the template to decide it\.$/);
    expect(arm.requests).toEqual([]);
  });
});

describe('live mode without credentials', () => {
  it('tells how to sign in when the credential fails', async () => {
    const failing = Object.assign(new Error('ChainedTokenCredential authentication failed.'), { name: 'AggregateAuthenticationError' });
    const reader = {
      getById: () => Promise.reject(failing),
      findByName: () => Promise.reject(failing),
      roleAssignmentsAt: () => Promise.reject(failing),
      diagnosticSettingsOf: () => Promise.reject(failing),
      deletedVault: () => Promise.reject(failing),
      whatIf: () => Promise.reject(failing),
    };
    const result = await scan({ paths: [FIXTURE], cwd: ROOT, repoRoot: ROOT, rules, context: { subscriptionId: SUB }, live: { subscriptionId: SUB, connect: async () => reader } });
    const signIn = 'the request failed (AggregateAuthenticationError): ChainedTokenCredential authentication failed; sign in with `az login`, use workload identity or a managed identity, or set CMKGUARD_ARM_TOKEN';
    expect(result.live!.problems).toEqual([`finding vault 'contoso-cmk-kv': ${signIn}`, `reading identity 'acr-cmk-id': ${signIn}`]);
    expect(result.findings.every((f) => f.kind === 'open')).toBe(true);
  });
});

describe('cmkguard scan --live', () => {
  function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('reports live facts in SARIF properties and exits 1 on them', async () => {
    healthyArm(arm).add(vault({ enablePurgeProtection: false }));
    const r = await cli(
      ['scan', 'fixtures/live/registry-external-vault.json', '--live', '--subscription-id', SUB, '--arm-endpoint', arm.endpoint, '--arm-ca', TEST_CA_FILE, '--format', 'sarif'],
      { CMKGUARD_ARM_TOKEN: TEST_TOKEN },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/live: 6 ARM calls, 5 resources read/);
    const results = JSON.parse(r.stdout).runs[0].results as { ruleId: string; properties?: Record<string, unknown> }[];
    expect(results.map((x) => x.ruleId)).toEqual(['KV001']);
    expect(results[0]!.properties).toMatchObject({ live: true, liveSource: 'arm', liveResourceId: VAULT_ID });
  });

  it('refuses an http endpoint and endpoint flags without --live (exit 2)', async () => {
    const http = await cli(['scan', 'fixtures/live', '--live', '--arm-endpoint', 'http://127.0.0.1:1'], {});
    expect(http.code).toBe(2);
    expect(http.stderr).toContain('--arm-endpoint must be an https:// URL');
    const stray = await cli(['scan', 'fixtures/live', '--arm-endpoint', arm.endpoint], {});
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('only apply with --live');
  });
});

describe('--what-if', () => {
  const RG_NAME = 'apps-rg';
  const APPS_VAULT_ID = `/subscriptions/${SUB}/resourceGroups/${RG_NAME}/providers/Microsoft.KeyVault/vaults/apps-kv`;
  // Purge protection comes from a template linked by URI, which cmkguard never fetches: only ARM can tell.
  const files = {
    'main.json': {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'policy',
          properties: { mode: 'Incremental', templateLink: { uri: 'https://example.invalid/policy.json' } },
        },
        {
          type: 'Microsoft.KeyVault/vaults',
          apiVersion: '2023-07-01',
          name: 'apps-kv',
          location: 'westeurope',
          dependsOn: ['policy'],
          properties: {
            tenantId: '[subscription().tenantId]',
            sku: { family: 'A', name: 'standard' },
            enableSoftDelete: true,
            enablePurgeProtection: "[reference('policy').outputs.purgeProtection.value]",
          },
        },
      ],
    },
  };

  async function whatIfScan(dir: string) {
    return scan({
      paths: [dir],
      cwd: dir,
      repoRoot: dir,
      rules,
      settings: new Map([['KV001', { enabled: true, options: { scope: 'all' } }]]),
      context: { subscriptionId: SUB, resourceGroup: RG_NAME },
      live: {
        subscriptionId: SUB,
        whatIfResourceGroup: RG_NAME,
        connect: () => connectArm({ endpoint: arm.endpoint, token: TEST_TOKEN, caFile: TEST_CA_FILE, subscriptionId: SUB, maxRetries: 1 }),
      },
    });
  }

  it("fills what static evaluation cannot know with ARM's prediction, and marks the finding", async () => {
    const { writeTree } = await import('../helpers/scan.js');
    const dir = writeTree(files);
    const statically = await scan({ paths: [dir], cwd: dir, repoRoot: dir, rules, settings: new Map([['KV001', { enabled: true, options: { scope: 'all' } }]]) });
    expect(statically.findings.filter((f) => f.ruleId === 'KV001').map((f) => f.kind)).toEqual(['open']);

    arm.whatIfChanges = [
      {
        resourceId: APPS_VAULT_ID,
        changeType: 'Create',
        after: { id: APPS_VAULT_ID, name: 'apps-kv', type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', properties: { enableSoftDelete: true, enablePurgeProtection: false, tenantId: '[subscription().tenantId]' } },
      },
    ];
    const result = await whatIfScan(dir);
    const kv001 = result.findings.filter((f) => f.ruleId === 'KV001');
    expect(kv001.map((f) => f.kind)).toEqual(['fail']);
    expect(kv001[0]!.message).toMatch(/^what-if: Key Vault 'apps-kv'.*enablePurgeProtection to false/);
    expect(kv001[0]!.live).toEqual({ source: 'what-if', resourceId: APPS_VAULT_ID });
    const whatIf = arm.requests.find((r) => r.method === 'POST')!;
    expect(whatIf.path).toBe(`/subscriptions/${SUB}/resourcegroups/${RG_NAME}/providers/Microsoft.Resources/deployments/cmkguard-what-if-main/whatIf`);
    expect(result.live!.predicted).toBe(1);
  });

  it('keeps the check undetermined when what-if fails, and says so', async () => {
    const { writeTree } = await import('../helpers/scan.js');
    const dir = writeTree(files);
    arm.script(`/subscriptions/${SUB}/resourcegroups/${RG_NAME}/providers/Microsoft.Resources/deployments/cmkguard-what-if-main/whatIf`, error(403, 'AuthorizationFailed', 'no whatIf/action'));
    const result = await whatIfScan(dir);
    expect(result.findings.filter((f) => f.ruleId === 'KV001').map((f) => f.kind)).toEqual(['open']);
    expect(result.live!.problems.join(' ')).toMatch(/what-if of main\.json: ARM answered 403 \(AuthorizationFailed\)/);
  });
});

describe('without --live', () => {
  it('never loads the Azure SDK: it is imported dynamically, only by src/live/arm.ts', async () => {
    const { readdirSync } = await import('node:fs');
    const sources = readdirSync(path.join(ROOT, 'src'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && d.name.endsWith('.ts'))
      .map((d) => path.join(d.parentPath, d.name));
    const importers = sources.filter((f) => /['"]@azure\//.test(readFileSync(f, 'utf8')));
    expect(importers.map((f) => path.relative(ROOT, f))).toEqual([path.join('src', 'live', 'arm.ts')]);
    expect(readFileSync(path.join(ROOT, 'src/live/arm.ts'), 'utf8')).not.toMatch(/^import[^;]*['"]@azure\//m);
  });
});
