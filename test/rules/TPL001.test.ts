import { describe, expect, it } from 'vitest';
import { only, positionOf, scanFiles, TEMPLATE_SCHEMA } from '../helpers/scan.js';
import { cmkStack, text } from './stack.js';

const broken = `{
  "$schema": "${TEMPLATE_SCHEMA}",
  "resources": [
    { "type": "Microsoft.KeyVault/vaults" "name": "kv" }
  ]
}
`;

describe('TPL001 template-parse-error', () => {
  it('reports the first syntax error of a template and still scans the other files', async () => {
    const { result } = await scanFiles({ 'a-broken.json': broken, 'b-ok.json': text(cmkStack()) });
    const f = only(result.findings, 'TPL001');
    expect(f).toHaveLength(1);
    expect(f[0]!.uri).toBe('a-broken.json');
    expect({ line: f[0]!.region.startLine, column: f[0]!.region.startColumn }).toEqual(positionOf(broken, '"name"'));
    expect(f[0]!.message).toMatch(/invalid JSON: ',' is expected/);
    expect(result.files.find((x) => x.uri === 'b-ok.json')?.kind).toBe('template');
  });

  it('accepts comments, trailing commas and a UTF-8 BOM', async () => {
    const jsonc = `\uFEFF{\n  // comment\n  "$schema": "${TEMPLATE_SCHEMA}",\n  "resources": [],\n}\n`;
    const { result } = await scanFiles({ 'c.json': jsonc });
    expect(result.findings).toEqual([]);
    expect(result.files[0]!.kind).toBe('template');
  });

  it('skips non-template JSON silently, broken or not', async () => {
    const { result } = await scanFiles({ 'package.json': '{"name": "x"}', 'random.json': '{ not json', 'data.jsonc': '[1,2,]' });
    expect(result.findings).toEqual([]);
    expect(result.files.map((f) => f.kind)).toEqual(['skipped', 'skipped', 'skipped']);
  });
});
