import { describe, expect, it } from 'vitest';
import { formatAzureDevOps, formatGithub } from '../../src/report/ci.js';
import type { Finding, ScanResult } from '../../src/types.js';

const region = { startLine: 12, startColumn: 9, endLine: 12, endColumn: 20 };
const finding = (over: Partial<Finding>): Finding => ({ ruleId: 'ACR002', level: 'error', kind: 'fail', message: 'Registry uses SKU Standard, 100%: use Premium.', file: '/r/infra/a,b.json', uri: 'infra/a,b.json', region, ...over });
const result = (findings: Finding[]): ScanResult => ({ toolVersion: '0', repoRoot: '/r', rules: [], files: [{ path: '/r/infra/a,b.json', uri: 'infra/a,b.json', kind: 'template' }], findings, internalErrors: [] });

describe('github format', () => {
  it('prints workflow commands with escaped properties and data', () => {
    const out = formatGithub(result([finding({}), finding({ ruleId: 'KV007', level: 'warning' }), finding({ ruleId: 'KV001', kind: 'open', level: 'note' })])).split('\n');
    expect(out[0]).toBe('::error file=infra/a%2Cb.json,line=12,col=9,endLine=12,endColumn=20,title=ACR002::Registry uses SKU Standard, 100%25: use Premium.');
    expect(out.find((l) => l.includes('title=KV007'))).toMatch(/^::warning file=/);
    expect(out.find((l) => l.includes('title=KV001'))).toMatch(/^::notice .*title=KV001 \(undetermined\)::/);
    expect(out[3]).toBe('cmkguard: 1 error, 1 warning, 0 notes, 1 undetermined in 1 template');
  });

  it('names the parameter file of the evaluation, so two evaluations of one template can be told apart', () => {
    const out = formatGithub(result([finding({ parameterFile: 'infra/prod.parameters.json' }), finding({ parameterFile: 'infra/dev.parameters.json' })])).split('\n');
    expect(out[0]).toMatch(/::Registry uses SKU Standard, 100%25: use Premium\. \(with infra\/prod\.parameters\.json\)$/);
    expect(out[1]).toMatch(/\(with infra\/dev\.parameters\.json\)$/);
  });

  it('leaves suppressed findings out', () => {
    expect(formatGithub(result([finding({ suppression: { kind: 'inSource', justification: 'x' } })])).split('\n')).toHaveLength(1);
  });
});

describe('summary line of github and azure-devops', () => {
  it('says the scan is incomplete when an input could not be read or an internal error happened', () => {
    const incomplete = { ...result([]), inputErrors: ['path not found: infra/old'], internalErrors: ['boom'] };
    for (const format of [formatGithub, formatAzureDevOps]) {
      expect(format(incomplete).split('\n').at(-1)).toBe('cmkguard: 0 errors, 0 warnings, 0 notes, 0 undetermined in 1 template; 1 input error; 1 internal error (incomplete scan)');
      expect(format(result([])).split('\n').at(-1)).toBe('cmkguard: 0 errors, 0 warnings, 0 notes, 0 undetermined in 1 template');
    }
  });
});

describe('azure-devops format', () => {
  it('prints logging commands for errors and warnings', () => {
    const out = formatAzureDevOps(result([finding({ message: 'a;b]c' }), finding({ ruleId: 'KV007', level: 'warning' }), finding({ kind: 'open', level: 'note' })])).split('\n');
    expect(out[0]).toBe('##vso[task.logissue type=error;sourcepath=infra/a,b.json;linenumber=12;columnnumber=9;code=ACR002]a%3Bb%5Dc');
    expect(out[1]).toMatch(/^##vso\[task\.logissue type=warning;.*code=KV007\]/);
    expect(out).toHaveLength(3);
  });
});
