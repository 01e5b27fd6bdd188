/**
 * The completeness gate (style.md §6, lessons 2 and 12): every rule in rules/index.ts carries metadata that
 * validates against schemas/rule-metadata.schema.json and satisfies GitHub code scanning, and ships with a
 * docs page, a test file and a violating fixture. A rule that is still a placeholder fails here until it is done.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import type { Rule } from '../../src/rule-api.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const AREAS = ['TPL', 'SCH', 'ACR', 'KV'];

const validateMeta = (() => {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'schemas/rule-metadata.schema.json'), 'utf8')));
})();

/** Catalogue order: area (TPL, SCH, ACR, KV), then number. */
function order(id: string): [number, number] {
  const m = /^([A-Z]+)(\d+)$/.exec(id);
  return m ? [AREAS.indexOf(m[1]!), Number(m[2])] : [Infinity, Infinity];
}

const violations = readdirSync(path.join(ROOT, 'fixtures/violations')).filter((f) => f.endsWith('.json') && !f.includes('.parameters.'));

describe('the rule pack', () => {
  it('has unique ids and names', () => {
    const ids = rules.map((r) => r.meta.id);
    const names = rules.map((r) => r.meta.name);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i), 'duplicate ids').toEqual([]);
    expect(names.filter((n, i) => names.indexOf(n) !== i), 'duplicate names').toEqual([]);
  });

  it('is sorted in catalogue order (TPL, SCH, ACR, KV; then by number)', () => {
    const ids = rules.map((r) => r.meta.id);
    const sorted = [...ids].sort((a, b) => {
      const [x, y] = [order(a), order(b)];
      return x[0] - y[0] || x[1] - y[1];
    });
    expect(ids).toEqual(sorted);
  });

  it('is listed in the README rule table: every rule once, in the same order, with its name, level and docs link', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| \[([A-Z]+\d{3})\]\(docs\/rules\/([A-Z]+\d{3})\.md\) \| ([^|]+) \| ([^|]+) \|/gm)].map((m) => ({
      id: m[1],
      link: m[2],
      name: m[3]!.trim(),
      level: m[4]!.trim(),
    }));
    expect(rows).toEqual(rules.map((r) => ({ id: r.meta.id, link: r.meta.id, name: r.meta.name, level: r.meta.level })));
  });

  it('has no violating fixture for a rule that does not exist', () => {
    const ids = new Set(rules.map((r) => r.meta.id));
    expect(violations.filter((f) => !ids.has(f.split('-')[0]!))).toEqual([]);
  });
});

describe.each(rules.map((r) => [r.meta.id, r] as [string, Rule]))('%s', (id, rule) => {
  const meta = rule.meta;

  it('has metadata that validates against schemas/rule-metadata.schema.json', () => {
    const ok = validateMeta(meta);
    expect(ok ? [] : validateMeta.errors!.map((e) => `${e.instancePath || '(meta)'} ${e.message}`)).toEqual([]);
  });

  it('has what GitHub code scanning needs: descriptions and help text, a numeric security severity on security rules', () => {
    expect(meta.shortDescription.trim(), 'shortDescription').not.toBe('');
    expect(meta.fullDescription.trim(), 'fullDescription').not.toBe('');
    expect(meta.helpText.trim(), 'helpText').not.toBe('');
    expect(meta.helpMarkdown.trim(), 'helpMarkdown').not.toBe('');
    if (meta.securitySeverity !== undefined) {
      expect(meta.securitySeverity, 'security-severity is a numeric string').toMatch(/^\d+(\.\d+)?$/);
      const n = Number(meta.securitySeverity);
      expect(n > 0 && n <= 10, `security-severity ${meta.securitySeverity} is in (0, 10]`).toBe(true);
      expect(meta.tags, 'a rule with a security severity is tagged security').toContain('security');
    }
    expect(meta.docsUrl.endsWith(`/docs/rules/${id}.md`), `docsUrl ${meta.docsUrl}`).toBe(true);
  });

  it(`has a docs page docs/rules/${id}.md titled "# ${id} <name>" with its level`, () => {
    const file = path.join(ROOT, 'docs/rules', `${id}.md`);
    expect(existsSync(file), `docs/rules/${id}.md exists`).toBe(true);
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    expect(lines[0]).toBe(`# ${id} ${meta.name}`);
    expect(lines.find((l) => l.startsWith('**Level:**')), 'the **Level:** line').toMatch(new RegExp(`^\\*\\*Level:\\*\\* ${meta.level}\\b`));
  });

  it(`has a test file test/rules/${id}.test.ts`, () => {
    expect(existsSync(path.join(ROOT, 'test/rules', `${id}.test.ts`))).toBe(true);
  });

  it(`has a violating fixture fixtures/violations/${id}-<slug>.json`, () => {
    expect(violations.filter((f) => f.startsWith(`${id}-`))).not.toEqual([]);
  });
});

describe('rule files depend on src/ only', () => {
  it('no rule imports another rule', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../../rules/', import.meta.url);
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .filter((f) => /from '\.\/[^']+'/.test(readFileSync(new URL(f, dir), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
