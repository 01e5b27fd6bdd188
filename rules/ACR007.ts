import { compareApiVersions, parseApiVersion } from '../src/api-versions.js';
import { nameOf, reportCmkUnknown } from '../src/cmk-rules.js';
import type { EvaluatedResource } from '../src/eval/template.js';
import { defineMeta } from '../src/meta.js';
import type { Rule } from '../src/rule-api.js';

/** The first registries API version whose schema has `encryption` and `identity`. */
const MIN_CMK_API_VERSION = '2019-12-01-preview';
/** The first stable registries API version with `encryption`; recommended over any preview. */
const MIN_STABLE_CMK_API_VERSION = '2021-09-01';
const LATEST_STABLE_API_VERSION = '2025-11-01';

const meta = defineMeta({
  id: 'ACR007',
  name: 'registry-cmk-api-version',
  level: 'error',
  shortDescription: 'A registry that uses a customer-managed key must be declared with API version 2019-12-01-preview or later.',
  fullDescription:
    'The encryption and identity properties of Microsoft.ContainerRegistry/registries exist from API version 2019-12-01-preview on; with an older apiVersion the customer-managed key settings are not part of the request and the registry is created without CMK, which cannot be added later. A preview API version passes the minimum but earns a note: use a stable version, 2021-09-01 or later.',
  help: [
    'Declare the registry with a stable API version from 2021-09-01 on (2025-11-01 is the latest stable):',
    '```json',
    '{',
    '  "type": "Microsoft.ContainerRegistry/registries",',
    '  "apiVersion": "2025-11-01",',
    '  "name": "contosoreg",',
    '  "sku": { "name": "Premium" },',
    '  "properties": { "encryption": { "status": "enabled", "keyVaultProperties": { "keyIdentifier": "…", "identity": "…" } } }',
    '}',
    '```',
  ].join('\n'),
  tags: ['security', 'acr', 'cmk', 'api-version'],
  precision: 'very-high',
  securitySeverity: '7.0',
});

/** The apiVersion as written in the declaration (for messages about a value that is not known). */
function rawApiVersion(resource: EvaluatedResource): { found: boolean; value: unknown } {
  const key = Object.keys(resource.raw).find((k) => k.toLowerCase() === 'apiversion');
  return key === undefined ? { found: false, value: undefined } : { found: true, value: resource.raw[key] };
}

type Judgement =
  | { kind: 'ok'; version: string }
  | { kind: 'preview'; version: string }
  | { kind: 'old'; version: string }
  | { kind: 'malformed'; version: string }
  | { kind: 'unknown'; why: string };

function judge(resource: EvaluatedResource): Judgement {
  const text = resource.apiVersion;
  if (text === '') {
    const raw = rawApiVersion(resource);
    if (!raw.found) return { kind: 'unknown', why: 'the declaration has no apiVersion (ARM rejects it; add one)' };
    if (typeof raw.value === 'string') {
      return { kind: 'unknown', why: `its value, computed by "${raw.value}", is not a string known before deployment (give a parameter file that sets it, or write the version as a literal)` };
    }
    return { kind: 'unknown', why: `it is ${raw.value === null ? 'null' : typeof raw.value}, not a version string` };
  }
  const v = parseApiVersion(text);
  if (!v) return { kind: 'malformed', version: text };
  if (compareApiVersions(v, parseApiVersion(MIN_CMK_API_VERSION)!) < 0) return { kind: 'old', version: text };
  if (v.prerelease !== undefined) return { kind: 'preview', version: text };
  return { kind: 'ok', version: text };
}

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const { registry, cmk } of ctx.graph.cmkCandidates()) {
      const name = nameOf(registry);
      const j = judge(registry);
      const at = { resource: registry, path: ['apiVersion'] };
      if (cmk === undefined) {
        // Only an apiVersion that would matter for a CMK registry leaves the question open.
        if (j.kind === 'ok') continue;
        reportCmkUnknown(ctx, registry, `registry '${name}' (apiVersion ${j.kind === 'unknown' ? 'not known' : `'${j.version}'`}) needs API version ${MIN_CMK_API_VERSION} or later`);
        continue;
      }
      switch (j.kind) {
        case 'unknown':
          ctx.report({ ...at, verdict: 'undetermined', message: `Cannot tell whether CMK registry '${name}' is declared with API version ${MIN_CMK_API_VERSION} or later, because ${j.why}.` });
          break;
        case 'malformed':
          ctx.report({
            ...at,
            verdict: 'fail',
            message: `Registry '${name}' enables a customer-managed key but its apiVersion '${j.version}' is not an API version (YYYY-MM-DD or YYYY-MM-DD-preview): ARM rejects the deployment. Use a stable version from ${MIN_STABLE_CMK_API_VERSION} on, such as '${LATEST_STABLE_API_VERSION}'.`,
          });
          break;
        case 'old':
          ctx.report({
            ...at,
            verdict: 'fail',
            message: `Registry '${name}' enables a customer-managed key with apiVersion '${j.version}', which predates ${MIN_CMK_API_VERSION}: that version has no encryption or identity properties, so the registry is created without CMK (and CMK cannot be added after creation). Use a stable version from ${MIN_STABLE_CMK_API_VERSION} on, such as '${LATEST_STABLE_API_VERSION}'.`,
          });
          break;
        case 'preview':
          ctx.report({
            ...at,
            verdict: 'fail',
            level: 'note',
            message: `Registry '${name}' enables a customer-managed key with the preview apiVersion '${j.version}': it supports CMK, but preview versions can change and are retired without the notice stable ones get. Use a stable version from ${MIN_STABLE_CMK_API_VERSION} on, such as '${LATEST_STABLE_API_VERSION}'.`,
          });
          break;
        case 'ok':
          ctx.report({ ...at, verdict: 'pass', message: `Registry '${name}' is declared with API version '${j.version}', which supports customer-managed keys.` });
          break;
      }
    }
  },
};
