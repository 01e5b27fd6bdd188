import { describe, it, expect } from 'vitest';
import { formatNames, formatters, isFormatName } from '../../src/report/index.js';
import { formatJson } from '../../src/report/json.js';
import { formatSarif } from '../../src/report/sarif.js';
import { formatText } from '../../src/report/text.js';
import { scanResult } from './fixture.js';
import { validateSarif } from '../helpers/sarif-schema.js';

describe('formatter registry', () => {
  it('lists the formats', () => {
    expect(formatNames).toEqual(['text', 'json', 'sarif', 'github', 'azure-devops', 'markdown', 'junit']);
    expect(Object.keys(formatters).sort()).toEqual([...formatNames].sort());
    expect(isFormatName('sarif')).toBe(true);
    expect(isFormatName('xml')).toBe(false);
  });

  it('delegates to the formatters with their options', () => {
    const r = scanResult();
    expect(formatters.text(r)).toBe(formatText(r, { color: false }));
    expect(formatters.text(r, { color: true })).toBe(formatText(r, { color: true }));
    expect(formatters.json(r, { color: true })).toBe(formatJson(r));
    expect(formatters.sarif(r, { category: 'infra' })).toBe(formatSarif(r, { category: 'infra' }));
    expect(JSON.parse(formatters.sarif(r, { maxResults: 1 })).runs[0].results).toHaveLength(1);
  });

  it('returns reports without a trailing newline', () => {
    for (const name of formatNames) expect(formatters[name](scanResult()).endsWith('\n')).toBe(false);
  });

  it('produces valid SARIF through the registry', () => {
    expect(validateSarif(formatters.sarif(scanResult()))).toEqual([]);
  });
});
