import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SARIF_SCHEMA_PATH, SARIF_SCHEMA_SHA256, validateSarif } from '../helpers/sarif-schema.js';

describe('vendored SARIF 2.1.0 schema', () => {
  it('is the unchanged file from @microsoft/sarif-multitool-linux@5.7.0', () => {
    const bytes = readFileSync(SARIF_SCHEMA_PATH);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(SARIF_SCHEMA_SHA256);
    const schema = JSON.parse(bytes.toString('utf8'));
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema');
    expect(schema.additionalProperties).toBe(false);
  });

  it('accepts the minimal SARIF of the spec (a.8) with concrete values', () => {
    const minimal = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'cmkguard',
              version: '0.1.0',
              semanticVersion: '0.1.0',
              informationUri: 'https://example.invalid/cmkguard',
              rules: [
                {
                  id: 'ACR001',
                  name: 'registry-cmk-required',
                  shortDescription: { text: 'x.' },
                  fullDescription: { text: 'y.' },
                  help: { text: 'z.', markdown: '`z`.' },
                  helpUri: 'https://example.invalid/rules/ACR001',
                  defaultConfiguration: { level: 'error' },
                  properties: { tags: ['security'], precision: 'high', 'problem.severity': 'error', 'security-severity': '7.5' },
                },
              ],
            },
          },
          automationDetails: { id: 'cmkguard/' },
          originalUriBaseIds: { '%SRCROOT%': { uri: 'file:///work/repo/' } },
          results: [
            {
              ruleId: 'ACR001',
              ruleIndex: 0,
              level: 'error',
              message: { text: 'Registry is not encrypted.' },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: 'infra/main.json', uriBaseId: '%SRCROOT%' },
                    region: { startLine: 12, startColumn: 9, endLine: 12, endColumn: 45 },
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    expect(validateSarif(JSON.stringify(minimal))).toEqual([]);
  });

  it('rejects a non-final version', () => {
    const bad = { version: '2.0.0', runs: [] };
    expect(validateSarif(JSON.stringify(bad)).length).toBeGreaterThan(0);
  });
});
