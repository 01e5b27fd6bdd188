import { describe, it, expect } from 'vitest';
import { buildSarif, formatSarif, toArtifactUri, toRootUri, withPeriod } from '../../src/report/sarif.js';
import type { Finding } from '../../src/types.js';
import { validateSarif } from '../helpers/sarif-schema.js';
import { F_ACR001, F_KV005, F_OPEN, F_SUPPRESSED, F_TPL003, RULES, CLEAN, scanResult } from './fixture.js';

type Json = Record<string, any>;

function parse(text: string): Json {
  return JSON.parse(text) as Json;
}

/** Results in report order: main.json 12 (ACR001), 40 (KV005); my templates/acr.json 5 (TPL003), 21 (open), 30 (suppressed). */
const text = formatSarif(scanResult());
const log = parse(text);
const run = log.runs[0];
const [rAcr, rKv, rTpl, rOpen, rSup] = run.results as Json[];

describe('formatSarif: log and run', () => {
  it('validates against the SARIF 2.1.0 schema', () => {
    expect(validateSarif(text)).toEqual([]);
  });

  it('has the final schema URL, version 2.1.0 and exactly one run', () => {
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(Object.keys(log)).toEqual(['$schema', 'version', 'runs']);
  });

  it('describes the driver', () => {
    const d = run.tool.driver;
    expect(d.name).toBe('cmkguard');
    expect(d.version).toBe('0.1.0');
    expect(d.semanticVersion).toBe('0.1.0');
    expect(d.informationUri).toMatch(/^https:\/\//);
    expect(d.rules.map((r: Json) => r.id)).toEqual(RULES.map((r) => r.id));
  });

  it('writes full rule descriptors', () => {
    const acr = run.tool.driver.rules[0];
    expect(acr).toEqual({
      id: 'ACR001',
      name: 'registry-cmk-required',
      shortDescription: { text: RULES[0]!.shortDescription },
      fullDescription: { text: RULES[0]!.fullDescription },
      help: { text: RULES[0]!.helpText, markdown: RULES[0]!.helpMarkdown },
      helpUri: RULES[0]!.docsUrl,
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['security', 'azure', 'acr', 'cmk'], precision: 'high', 'problem.severity': 'error', 'security-severity': '8.0' },
    });
  });

  it('maps problem.severity and writes security-severity only for security rules', () => {
    const [, kv, acr13, tpl] = run.tool.driver.rules as Json[];
    expect(kv!.properties).toEqual({ tags: ['azure', 'keyvault', 'cmk'], precision: 'very-high', 'problem.severity': 'warning' });
    expect(acr13!.properties['problem.severity']).toBe('recommendation');
    expect(acr13!.defaultConfiguration.level).toBe('note');
    expect(tpl!.properties).not.toHaveProperty('security-severity');
  });

  it('sets automationDetails.id from the category, appending a slash', () => {
    expect(run.automationDetails).toEqual({ id: 'cmkguard/' });
    expect(parse(formatSarif(scanResult(), { category: 'infra-prod' })).runs[0].automationDetails.id).toBe('infra-prod/');
    expect(parse(formatSarif(scanResult(), { category: 'mono/infra/' })).runs[0].automationDetails.id).toBe('mono/infra/');
    expect(parse(formatSarif(scanResult(), { category: '' })).runs[0].automationDetails.id).toBe('cmkguard/');
  });

  it('declares %SRCROOT% as the percent-encoded file URI of the repository root', () => {
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///home/runner/work/my%20repo/' } });
    expect(toRootUri('/src/')).toBe('file:///src/');
    expect(toRootUri('/a/b#c')).toBe('file:///a/b%23c/');
  });

  it('reports a successful invocation', () => {
    expect(run.invocations).toEqual([{ executionSuccessful: true }]);
    expect(run).not.toHaveProperty('properties');
  });

  it('never writes partialFingerprints', () => {
    expect(text).not.toContain('partialFingerprints');
    expect(text).not.toContain('fingerprints');
  });

  it('emits results: [] for a clean scan', () => {
    const clean = formatSarif(CLEAN());
    expect(parse(clean).runs[0].results).toEqual([]);
    expect(parse(clean).runs[0].tool.driver.rules).toHaveLength(RULES.length);
    expect(validateSarif(clean)).toEqual([]);
  });
});

describe('formatSarif: results', () => {
  it('writes every finding, suppressed ones included, in report order', () => {
    expect(run.results).toHaveLength(5);
    expect(run.results.map((r: Json) => r.ruleId)).toEqual(['ACR001', 'KV005', 'TPL003', 'ACR001', 'ACR013']);
  });

  it('points ruleIndex at the rule in driver.rules', () => {
    for (const r of run.results as Json[]) {
      expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    }
    expect(rTpl!.ruleIndex).toBe(3);
  });

  it('writes level always and kind only for undetermined results', () => {
    expect(rAcr).toMatchObject({ level: 'error' });
    expect(rAcr).not.toHaveProperty('kind');
    expect(rKv).toMatchObject({ level: 'warning' });
    expect(rOpen).toMatchObject({ level: 'note', kind: 'open' });
  });

  it('ends every message as a sentence, with exactly one period unless it ends with ? or !', () => {
    expect(rAcr!.message.text).toBe(`${F_ACR001.message}.`);
    expect(rKv!.message.text).toBe(F_KV005.message);
    expect(rTpl!.message.text).toBe(`${F_TPL003.message}.`);
    for (const r of run.results as Json[]) {
      expect(r.message.text).toMatch(/[^.]\.$/);
    }
    expect(withPeriod('done.  ')).toBe('done.');
    // A question stays one ("Did you mean 'concat'?", not "...'concat'?."): SARIF2001 checks only rule messageStrings.
    expect(withPeriod("unknown function 'concatt'. Did you mean 'concat'?")).toBe("unknown function 'concatt'. Did you mean 'concat'?");
    expect(withPeriod('stop!')).toBe('stop!');
  });

  it('writes a relative, percent-encoded URI with %SRCROOT% and all four region fields', () => {
    const loc = rAcr!.locations[0].physicalLocation;
    expect(loc.artifactLocation).toEqual({ uri: 'infra/main.json', uriBaseId: '%SRCROOT%' });
    expect(loc.region).toEqual({ startLine: 12, startColumn: F_ACR001.region.startColumn, endLine: 12, endColumn: F_ACR001.region.endColumn });
    expect(rOpen!.locations[0].physicalLocation.artifactLocation.uri).toBe('infra/my%20templates/acr.json');
    expect(rKv!.locations[0].physicalLocation.region).toEqual({ startLine: 40, startColumn: 7, endLine: 52, endColumn: 8 });
    expect(rAcr!.locations).toHaveLength(1);
  });

  it('encodes reserved characters and strips leading ./ and /', () => {
    expect(toArtifactUri('./infra/main.json')).toBe('infra/main.json');
    expect(toArtifactUri('/infra/main.json')).toBe('infra/main.json');
    expect(toArtifactUri('deploy/a b#1%?.json')).toBe('deploy/a%20b%231%25%3F.json');
    expect(toArtifactUri("x/it's (v2)!*.json")).toBe('x/it%27s%20%28v2%29%21%2A.json');
    expect(toArtifactUri('c:/a+b=c;d@e,f&g$h.json')).toBe('c%3A/a%2Bb%3Dc%3Bd%40e%2Cf%26g%24h.json');
    expect(toArtifactUri('infra/ré sumé.json')).toBe('infra/r%C3%A9%20sum%C3%A9.json');
    const odd: Finding = { ...F_ACR001, uri: './deploy/a b#1.json' };
    const t = formatSarif(scanResult({ findings: [odd] }));
    expect(parse(t).runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('deploy/a%20b%231.json');
    expect(validateSarif(t)).toEqual([]);
  });

  it('names the resource in logicalLocations', () => {
    expect(rAcr!.locations[0].logicalLocations).toEqual([
      { fullyQualifiedName: 'Microsoft.ContainerRegistry/registries/contosoreg', kind: 'resource', name: 'contosoreg' },
    ]);
    expect(rKv!.locations[0].logicalLocations[0].fullyQualifiedName).toBe('Microsoft.KeyVault/vaults/contoso-kv/keys/acr-cmk');
    expect(rTpl!.locations[0]).not.toHaveProperty('logicalLocations');
  });

  it('carries the parameter file in properties', () => {
    expect(rKv!.properties).toEqual({ parameterFile: 'infra/main.prod.parameters.json' });
    expect(rAcr).not.toHaveProperty('properties');
  });

  it('writes suppressions', () => {
    expect(rSup!.suppressions).toEqual([{ kind: 'inSource', justification: F_SUPPRESSED.suppression!.justification }]);
    expect(rAcr).not.toHaveProperty('suppressions');
    const ext = formatSarif(scanResult({ findings: [{ ...F_ACR001, suppression: { kind: 'external', justification: '' } }] }));
    expect(parse(ext).runs[0].results[0].suppressions).toEqual([{ kind: 'external' }]);
    expect(validateSarif(ext)).toEqual([]);
  });

  it('puts input errors into a failed invocation, before internal errors', () => {
    const t = formatSarif(scanResult({ inputErrors: ['path not found: infra/old'], internalErrors: ['bug'] }));
    const inv = parse(t).runs[0].invocations[0];
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications.map((n: { descriptor: { id: string } }) => n.descriptor.id)).toEqual(['input-error', 'internal-error']);
    expect(validateSarif(t)).toEqual([]);
  });

  it('puts internal errors into a failed invocation', () => {
    const t = formatSarif(scanResult({ internalErrors: ['cannot read infra/broken.json: EACCES', 'bug in rule KV004.'] }));
    const inv = parse(t).runs[0].invocations;
    expect(inv).toHaveLength(1);
    expect(inv[0].executionSuccessful).toBe(false);
    expect(inv[0].toolExecutionNotifications).toEqual([
      { level: 'error', message: { text: 'cannot read infra/broken.json: EACCES.' }, descriptor: { id: 'internal-error' } },
      { level: 'error', message: { text: 'bug in rule KV004.' }, descriptor: { id: 'internal-error' } },
    ]);
    expect(validateSarif(t)).toEqual([]);
  });
});

describe('formatSarif: truncation', () => {
  function many(n: number, template: Finding, prefix: string): Finding[] {
    return Array.from({ length: n }, (_, i) => ({
      ...template,
      suppression: undefined,
      uri: `${prefix}/t${String(i).padStart(5, '0')}.json`,
      region: { startLine: 1 + (i % 50), startColumn: 1, endLine: 1 + (i % 50), endColumn: 2 },
    }));
  }
  const notes: Finding = { ...F_SUPPRESSED, suppression: undefined };
  // Listed so that report order (by uri) puts the least severe first.
  const findings = [
    ...many(4975, notes, 'a-notes'),
    ...many(100, F_OPEN, 'b-open'),
    ...many(10, F_KV005, 'c-warnings'),
    ...many(10, F_ACR001, 'd-errors'),
    { ...F_ACR001, uri: 'e-suppressed.json' },
  ];
  findings[findings.length - 1]!.suppression = { kind: 'external', justification: 'accepted risk' };
  const { log: big, warnings } = buildSarif(scanResult({ findings }));
  const bigRun = big.runs[0];

  it('keeps the 5000 most severe results: error > warning > note, fail before open, suppressed last', () => {
    expect(bigRun.results).toHaveLength(5000);
    const count = (p: (r: (typeof bigRun.results)[number]) => boolean) => bigRun.results.filter(p).length;
    expect(count((r) => r.level === 'error' && !r.suppressions)).toBe(10);
    expect(count((r) => r.level === 'warning')).toBe(10);
    expect(count((r) => r.level === 'note' && r.kind === undefined)).toBe(4975);
    expect(count((r) => r.kind === 'open')).toBe(5);
    expect(count((r) => r.suppressions !== undefined)).toBe(0);
  });

  it('keeps report order among the kept results', () => {
    const uris = bigRun.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect([...uris].sort()).toEqual(uris);
  });

  it('reports the truncation in run.properties, a warning notification and the returned warnings', () => {
    expect(bigRun.properties).toEqual({ truncated: { total: 5096, kept: 5000 } });
    expect(bigRun.invocations[0]!.executionSuccessful).toBe(true);
    expect(bigRun.invocations[0]!.toolExecutionNotifications).toEqual([
      { level: 'warning', message: { text: expect.stringContaining('5096 results found') }, descriptor: { id: 'results-truncated' } },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('only the 5000 most severe');
  });

  it('stays valid SARIF', () => {
    expect(validateSarif(JSON.stringify(big))).toEqual([]);
  });

  it('honours maxResults and does not truncate at or below the limit', () => {
    const small = buildSarif(scanResult(), { maxResults: 2 });
    expect(small.log.runs[0].results.map((r) => r.ruleId)).toEqual(['ACR001', 'KV005']);
    expect(small.log.runs[0].properties).toEqual({ truncated: { total: 5, kept: 2 } });
    const exact = buildSarif(scanResult(), { maxResults: 5 });
    expect(exact.warnings).toEqual([]);
    expect(exact.log.runs[0]).not.toHaveProperty('properties');
  });
});

describe('validateSarif', () => {
  it('catches what GitHub would reject', () => {
    const bad = parse(text);
    bad.extra = true;
    delete bad.runs[0].results[0].message;
    bad.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    const errors = validateSarif(JSON.stringify(bad));
    expect(errors).toContain('/: must NOT have additional properties (extra)');
    expect(errors.some((e) => e.startsWith('/runs/0/results/0') && e.includes('message'))).toBe(true);
    expect(errors.some((e) => e.includes('/region/startLine'))).toBe(true);
    expect(validateSarif('{')).toEqual([expect.stringMatching(/^invalid JSON/)]);
  });
});
