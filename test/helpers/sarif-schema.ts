/**
 * Validates SARIF text against the official SARIF 2.1.0 JSON schema, as GitHub's upload-sarif action
 * does before accepting a file (shared/spec/sarif-and-integrations.md §a.7, §b.2).
 *
 * The schema is test/data/sarif-schema-2.1.0.json, copied unchanged from the npm package
 * `@microsoft/sarif-multitool-linux@5.7.0` (file `package/sarif-2.1.0.json`, MIT, built from
 * microsoft/sarif-sdk): the schema the SARIF Multitool validates with. It declares JSON Schema
 * draft 2020-12 (like the copy vendored by github/codeql-action), so it is compiled with Ajv2020 and
 * ajv-formats (`uri`, `uri-reference`, `uuid`, `date-time`). The package itself is not a dependency:
 * it is a 43 MB download (a 95 MB native .NET binary) restricted to `os: linux`.
 * SHA-256 of the file: SARIF_SCHEMA_SHA256 below (checked by test/report/sarif-schema.test.ts).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';

export const SARIF_SCHEMA_PATH = new URL('../data/sarif-schema-2.1.0.json', import.meta.url);
export const SARIF_SCHEMA_SHA256 = '1c49a0f2b60444c71bb14878e21e0d882198eff4c539861b133093ad89ed798c';

// ajv-formats is CommonJS; its default export arrives as the function or wrapped in `default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

let validator: ValidateFunction | undefined;

function getValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(SARIF_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
    // strict: false because the official schema trips Ajv's strictRequired check (anyOf branches that
    // require properties declared one level up); instance validation is unaffected.
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    validator = ajv.compile(schema);
  }
  return validator;
}

function describe(e: ErrorObject): string {
  const where = e.instancePath === '' ? '/' : e.instancePath;
  const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
  return `${where}: ${e.message ?? e.keyword}${extra}`;
}

/** Schema errors of a SARIF document given as text; [] when valid. A JSON syntax error is one entry. */
export function validateSarif(text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return [`invalid JSON: ${(e as Error).message}`];
  }
  const validate = getValidator();
  if (validate(doc)) return [];
  return (validate.errors ?? []).map(describe);
}
