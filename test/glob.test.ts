import { describe, expect, it } from 'vitest';
import { glob } from '../src/glob.js';

describe('glob', () => {
  it('matches ** as any folders (also none), * and ? within one segment, case-insensitively', () => {
    expect(glob('**/main.json').test('main.json')).toBe(true);
    expect(glob('**/main.json').test('infra/env/main.json')).toBe(true);
    expect(glob('**/main.json').test('infra/xmain.json')).toBe(false);
    expect(glob('infra/**').test('infra/a/b.json')).toBe(true);
    expect(glob('infra/*.json').test('infra/a/b.json')).toBe(false);
    expect(glob('infra/?.JSON').test('INFRA/a.json')).toBe(true);
    expect(glob('a/**/b/**').test('a/b/c')).toBe(true);
    expect(glob('**').test('anything/at/all')).toBe(true);
  });

  it('treats repeated stars as one, so a long run cannot make matching exponential', () => {
    const hostile = glob(`${'**/'.repeat(40)}b`);
    expect(hostile.source).toBe(glob('**/b').source);
    expect(hostile.test(`${'a/'.repeat(30)}c`)).toBe(false);
    expect(glob('a***b').source).toBe(glob('a**b').source);
    expect(glob('x/****/y').test('x/1/2/y')).toBe(true);
  });
});
