import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without type declarations (run by `npm run generate`).
import { GENERATED_DIR, generate } from '../../scripts/generate-types.mjs';

describe('src/generated', () => {
  it('is up to date with the schemas (run `npm run generate` after changing a schema)', async () => {
    const expected = (await generate()) as Map<string, string>;
    const actual = existsSync(GENERATED_DIR) ? readdirSync(GENERATED_DIR).sort() : [];
    expect(actual, 'files in src/generated').toEqual([...expected.keys()].sort());
    for (const [name, content] of expected) {
      const onDisk = readFileSync(path.join(GENERATED_DIR as string, name), 'utf8');
      expect(onDisk === content, `src/generated/${name} is stale: run \`npm run generate\``).toBe(true);
    }
  }, 30000);

  it('every generated file says it is generated', () => {
    for (const name of readdirSync(GENERATED_DIR)) {
      expect(readFileSync(path.join(GENERATED_DIR as string, name), 'utf8')).toMatch(/^\/\* eslint-disable \*\/\n\/\*\*\n \* GENERATED FILE, do not edit/);
    }
  });
});
