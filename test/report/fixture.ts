/** Hand-built ScanResults for the formatter tests. */
import type { Finding, RuleMeta, ScanResult } from '../../src/types.js';

export const RULES: RuleMeta[] = [
  {
    id: 'ACR001',
    name: 'registry-cmk-required',
    level: 'error',
    shortDescription: 'Container registries must encrypt with a customer-managed key.',
    fullDescription:
      'A Microsoft.ContainerRegistry/registries resource must set properties.encryption.status to enabled and give keyVaultProperties.keyIdentifier.',
    helpText: 'Set properties.encryption.status to "enabled" and properties.encryption.keyVaultProperties.keyIdentifier to a Key Vault key URI.',
    helpMarkdown:
      'Set `properties.encryption.status` to `enabled` and `properties.encryption.keyVaultProperties.keyIdentifier` to a Key Vault key URI.',
    docsUrl: 'https://github.com/cmkguard/cmkguard/blob/main/docs/rules/ACR001.md',
    tags: ['security', 'azure', 'acr', 'cmk'],
    precision: 'high',
    securitySeverity: '8.0',
  },
  {
    id: 'KV005',
    name: 'keyvault-key-rotation',
    level: 'warning',
    shortDescription: 'The CMK key should have a rotation policy.',
    fullDescription: 'The Key Vault key used as the registry CMK should declare a rotationPolicy with a rotate lifetime action.',
    helpText: 'Add properties.rotationPolicy with a lifetimeActions entry whose action type is rotate.',
    helpMarkdown: 'Add `properties.rotationPolicy` with a `lifetimeActions` entry whose `action.type` is `rotate`.',
    docsUrl: 'https://github.com/cmkguard/cmkguard/blob/main/docs/rules/KV005.md',
    tags: ['azure', 'keyvault', 'cmk'],
    precision: 'very-high',
  },
  {
    id: 'ACR013',
    name: 'registry-geo-replication-key-vault',
    level: 'note',
    shortDescription: 'Geo-replicated CMK registries depend on one key vault.',
    fullDescription: 'Every replica of a CMK registry depends on the one CMK vault; plan for its recovery.',
    helpText: 'Enable purge protection, back up the key and plan vault failover.',
    helpMarkdown: 'Enable purge protection, back up the key and plan vault failover.',
    docsUrl: 'https://github.com/cmkguard/cmkguard/blob/main/docs/rules/ACR013.md',
    tags: ['azure', 'acr', 'reliability'],
    precision: 'medium',
  },
  {
    id: 'TPL003',
    name: 'template-parameter-missing',
    level: 'warning',
    shortDescription: 'A template parameter has no value.',
    fullDescription: 'A parameter has neither a default value nor a value in the parameter file; checks that depend on it become undetermined.',
    helpText: 'Give the parameter a default value or scan with a parameter file.',
    helpMarkdown: 'Give the parameter a `defaultValue` or scan with `--parameters`.',
    docsUrl: 'https://github.com/cmkguard/cmkguard/blob/main/docs/rules/TPL003.md',
    tags: ['azure', 'template'],
    precision: 'very-high',
  },
];

export const REPO_ROOT = '/home/runner/work/my repo';
export const MAIN = 'infra/main.json';
export const SPACED = 'infra/my templates/acr.json';

export const ACR001_SNIPPET = '        "encryption": { "status": "disabled" },';
const encStart = ACR001_SNIPPET.indexOf('"encryption"') + 1;
const encEnd = ACR001_SNIPPET.lastIndexOf('}') + 2;

export const F_ACR001: Finding = {
  ruleId: 'ACR001',
  level: 'error',
  kind: 'fail',
  message: "Registry 'contosoreg' does not enable a customer-managed key: encryption.status is 'disabled'",
  file: `${REPO_ROOT}/${MAIN}`,
  uri: MAIN,
  region: { startLine: 12, startColumn: encStart, endLine: 12, endColumn: encEnd },
  snippet: ACR001_SNIPPET,
  resource: {
    fullyQualifiedName: 'Microsoft.ContainerRegistry/registries/contosoreg',
    type: 'Microsoft.ContainerRegistry/registries',
    name: 'contosoreg',
  },
};

export const F_KV005: Finding = {
  ruleId: 'KV005',
  level: 'warning',
  kind: 'fail',
  message: "Key 'acr-cmk' in vault 'contoso-kv' has no rotation policy.",
  file: `${REPO_ROOT}/${MAIN}`,
  uri: MAIN,
  region: { startLine: 40, startColumn: 7, endLine: 52, endColumn: 8 },
  snippet: '      "properties": {',
  resource: {
    fullyQualifiedName: 'Microsoft.KeyVault/vaults/contoso-kv/keys/acr-cmk',
    type: 'Microsoft.KeyVault/vaults/keys',
    name: 'contoso-kv/acr-cmk',
  },
  parameterFile: 'infra/main.prod.parameters.json',
};

const OPEN_SNIPPET = '          "status": "[parameters(\'cmkStatus\')]",';
const openStart = OPEN_SNIPPET.indexOf('"[') + 1;
const openEnd = OPEN_SNIPPET.lastIndexOf('"') + 2;

export const F_OPEN: Finding = {
  ruleId: 'ACR001',
  level: 'note',
  kind: 'open',
  message:
    "Undetermined: whether registry 'reg2' enables a customer-managed key depends on parameter 'cmkStatus', which has no value; give a parameter file",
  file: `${REPO_ROOT}/${SPACED}`,
  uri: SPACED,
  region: { startLine: 21, startColumn: openStart, endLine: 21, endColumn: openEnd },
  snippet: OPEN_SNIPPET,
  resource: {
    fullyQualifiedName: 'Microsoft.ContainerRegistry/registries/reg2',
    type: 'Microsoft.ContainerRegistry/registries',
    name: 'reg2',
  },
};

export const F_SUPPRESSED: Finding = {
  ruleId: 'ACR013',
  level: 'note',
  kind: 'fail',
  message: "Registry 'reg2' is geo-replicated to 2 regions; plan the recovery of vault 'contoso-kv'.",
  file: `${REPO_ROOT}/${SPACED}`,
  uri: SPACED,
  region: { startLine: 30, startColumn: 5, endLine: 30, endColumn: 20 },
  snippet: '    "replications": [',
  suppression: { kind: 'inSource', justification: 'Vault recovery is covered by runbook RB-12.' },
};

export const F_TPL003: Finding = {
  ruleId: 'TPL003',
  level: 'warning',
  kind: 'fail',
  message: "Parameter 'cmkStatus' has no value",
  file: `${REPO_ROOT}/${SPACED}`,
  uri: SPACED,
  region: { startLine: 5, startColumn: 5, endLine: 5, endColumn: 16 },
};

export function scanResult(overrides: Partial<ScanResult> = {}): ScanResult {
  return {
    toolVersion: '0.1.0',
    repoRoot: REPO_ROOT,
    rules: RULES,
    files: [
      { path: `${REPO_ROOT}/${MAIN}`, uri: MAIN, kind: 'template' },
      { path: `${REPO_ROOT}/infra/main.prod.parameters.json`, uri: 'infra/main.prod.parameters.json', kind: 'parameters' },
      { path: `${REPO_ROOT}/${SPACED}`, uri: SPACED, kind: 'template' },
      { path: `${REPO_ROOT}/infra/kv.json`, uri: 'infra/kv.json', kind: 'template' },
      { path: `${REPO_ROOT}/README.json`, uri: 'README.json', kind: 'skipped' },
    ],
    // Deliberately not in report order.
    findings: [F_OPEN, F_KV005, F_SUPPRESSED, F_ACR001, F_TPL003],
    internalErrors: [],
    ...overrides,
  };
}

export const CLEAN = (): ScanResult => scanResult({ findings: [] });
