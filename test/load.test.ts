import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { decode, loadFile, parseJsonText } from '../src/load.js';
import { scan } from '../src/scan.js';
import { TEMPLATE_SCHEMA, writeTree } from './helpers/scan.js';
import { cmkStack, findResource, REGISTRY, text } from './rules/stack.js';

const json = `{"$schema": "${TEMPLATE_SCHEMA}", "resources": []}`;

describe('decode', () => {
  it('reads UTF-16 with and without a byte order mark, and refuses UTF-32 instead of skipping it', () => {
    const le = Buffer.from(json, 'utf16le');
    const be = Buffer.from(le).swap16();
    expect(decode(le)).toBe(json);
    expect(decode(be)).toBe(json);
    expect(decode(Buffer.concat([Buffer.from([0xff, 0xfe]), le]))).toBe(json);
    expect(decode(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe(json);
    const utf32le = Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from([...json].flatMap((c) => [c.charCodeAt(0), 0, 0, 0]))]);
    expect(decode(utf32le)).toEqual({ error: expect.stringMatching(/UTF-32.*save it as UTF-8/) });
  });

  it('reports a UTF-32 template (either byte order) but skips any other UTF-32 JSON file, such as a package.json', () => {
    const utf32 = (text: string, order: 'le' | 'be') =>
      Buffer.concat([Buffer.from(order === 'le' ? [0xff, 0xfe, 0, 0] : [0, 0, 0xfe, 0xff]), Buffer.from([...text].flatMap((c) => (order === 'le' ? [c.charCodeAt(0), 0, 0, 0] : [0, 0, 0, c.charCodeAt(0)])))]);
    const dir = writeTree({ 'le.json': 'x', 'be.json': 'x', 'package.json': 'x' });
    writeFileSync(path.join(dir, 'le.json'), utf32(json, 'le'));
    writeFileSync(path.join(dir, 'be.json'), utf32(json, 'be'));
    writeFileSync(path.join(dir, 'package.json'), utf32('{"name": "x"}', 'le'));
    expect(loadFile(path.join(dir, 'le.json'))).toMatchObject({ message: expect.stringMatching(/UTF-32/) });
    expect(loadFile(path.join(dir, 'be.json'))).toMatchObject({ message: expect.stringMatching(/UTF-32/) });
    expect(loadFile(path.join(dir, 'package.json'))).toBeNull();
  });
});

describe('files that are not regular files', () => {
  it('are reported, never read: a named pipe would block the scan forever, a device never ends', async () => {
    const dir = writeTree({
      'main.json': {
        $schema: TEMPLATE_SCHEMA,
        contentVersion: '1.0.0.0',
        resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'linked', properties: { mode: 'Incremental', templateLink: { relativePath: 'pipe.json' } } }],
      },
      'ok.json': text(cmkStack()),
    });
    execFileSync('mkfifo', [path.join(dir, 'pipe.json')]);
    symlinkSync('/dev/zero', path.join(dir, 'zero.json'));
    mkdirSync(path.join(dir, 'loop'));
    symlinkSync(path.join(dir, 'loop/a.json'), path.join(dir, 'loop/b.json'));
    symlinkSync(path.join(dir, 'loop/b.json'), path.join(dir, 'loop/a.json'));
    expect(loadFile(path.join(dir, 'pipe.json'))).toMatchObject({ message: 'it is not a regular file (a named pipe); cmkguard reads only regular files' });

    const result = await scan({ paths: ['main.json', 'pipe.json', 'zero.json', 'loop/a.json', 'ok.json'], cwd: dir, repoRoot: dir, rules });
    expect(result.inputErrors).toEqual([
      'path is not a regular file or a folder (a named pipe): pipe.json',
      'path is not a regular file or a folder (a device): zero.json',
      'path is a symbolic link loop: loop/a.json',
    ]);
    const linked = result.findings.find((f) => f.ruleId === 'TPL004')!;
    expect(linked.message).toMatch(/cannot be loaded: it is not a regular file \(a named pipe\)/);
    expect(result.files.map((f) => f.uri)).toEqual(['main.json', 'ok.json']);
  });

  it('still scan a registry template saved as UTF-16 without a byte order mark', async () => {
    const t = cmkStack();
    findResource(t, REGISTRY)['sku']['name'] = 'Standard';
    const dir = writeTree({});
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(dir, 'u16.json'), Buffer.from(text(t), 'utf16le'));
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules });
    expect(result.findings.filter((f) => f.ruleId === 'ACR002').map((f) => f.uri)).toEqual(['u16.json']);
  });
});

describe('parseJsonText: strings that span lines (ARM extended JSON)', () => {
  it('parses a string broken over lines, keeping the line break in the value and in expressions as blank', () => {
    const src = '{\n  "a": "line one\n line two", // a comment with "quotes\n  "b": "[\n    concat(\'x\', \'y\')\n  ]",\n  "c\td": 1, "e": "tab\there"\n}';
    const parsed = parseJsonText(src);
    expect(parsed).toEqual({ json: { a: 'line one\n line two', b: "[\n    concat('x', 'y')\n  ]", 'c\td': 1, e: 'tab\there' } });
  });

  it('keeps a __proto__ key a key, and leaves real errors and texts with the stand-in characters as errors', () => {
    const proto = parseJsonText('{"__proto__": {"x": "a\nb"}}') as { json: Record<string, unknown> };
    expect(Object.keys(proto.json)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(proto.json)).toBe(Object.prototype);
    // In JSON with comments too, also when the key is spelt with escapes.
    for (const key of ['__proto__', '\\u005f_proto__']) {
      const jsonc = parseJsonText(`{"${key}": {"polluted": true}, // comment\n}`) as { json: Record<string, unknown> };
      expect(Object.keys(jsonc.json)).toEqual(['__proto__']);
      expect((jsonc.json as { polluted?: boolean }).polluted).toBeUndefined();
    }
    expect(parseJsonText('{"a": "never closed\n}')).toMatchObject({ error: 'unterminated string' });
    expect(parseJsonText('{"a": "x\ny", "b": "\ue00a"}')).toMatchObject({ error: 'unterminated string' });
  });

  it('reports the real error of a text whose strings span lines, where it is, not the allowed line break', () => {
    const src = '{\n  "a": "line one\nline two",\n  "b": 1\n  "c": 2\n}';
    const parsed = parseJsonText(src) as { error: string; offset: number };
    expect(parsed.error).not.toBe('unterminated string');
    // jsonc-parser flags the token after the missing comma: `"c"`.
    expect(parsed.offset).toBe(src.indexOf('"c"'));
    // A string that never closes is still shown where it starts.
    const open = '{\n  "a": "never closed\n}';
    expect(parseJsonText(open)).toMatchObject({ error: 'unterminated string', offset: open.indexOf('"never') });
  });

  it('evaluates and locates findings in a template with a multi-line string', async () => {
    const t = cmkStack();
    findResource(t, REGISTRY)['tags'] = { purpose: 'images\nfor the app' };
    findResource(t, REGISTRY)['sku'] = { name: 'Standard' };
    // JSON.stringify escapes the line break; write it raw, as an editor would.
    const body = text(t).replace('images\\nfor', 'images\nfor');
    expect(body).toContain('images\nfor');
    const dir = writeTree({ 'main.json': body });
    const result = await scan({ paths: ['.'], cwd: dir, repoRoot: dir, rules });
    expect(result.findings.filter((f) => f.ruleId === 'TPL001')).toEqual([]);
    const acr002 = result.findings.filter((f) => f.ruleId === 'ACR002');
    expect(acr002).toHaveLength(1);
    expect(body.split('\n')[acr002[0]!.region.startLine - 1]).toContain('"Standard"');
  });
});
