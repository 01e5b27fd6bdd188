import { cmkOf, forEachCmkKey, nameOf, type CmkKey } from '../src/cmk-rules.js';
import { PartialString, Unknown, describeOrigins, type Value } from '../src/eval/value.js';
import { KEY } from '../src/graph.js';
import { defineMeta } from '../src/meta.js';
import { asBoolean, display, equalsIgnoreCase, option, read, type Read, type Rule, type RuleContext } from '../src/rule-api.js';

const meta = defineMeta({
  id: 'KV004',
  name: 'keyvault-key-type',
  level: 'error',
  shortDescription: 'The registry key must be an RSA or RSA-HSM key of sufficient size that may wrap and unwrap.',
  fullDescription:
    'Azure Container Registry encrypts with RSA or RSA-HSM keys only; elliptic-curve and symmetric keys are rejected. The CMK key fails when its kty is anything else, when its keySize (2048 when absent, the ARM default) is below option minKeySize (default 2048), when it is RSA-HSM in a vault whose sku.name is not premium (HSM keys need a Premium vault), when its keyOps, if given, lack wrapKey or unwrapKey (ACR wraps and unwraps its data encryption key with it), or when its attributes make it unusable: enabled false, an exp in the past or an nbf in the future (judged at the time of the scan, or option asOf), since Key Vault then refuses to wrap and the registry cannot be created.',
  help: [
    'Create the registry key as RSA, 3072 bits or more, and allow wrapKey and unwrapKey:',
    '```json',
    '"properties": { "kty": "RSA", "keySize": 3072, "keyOps": ["wrapKey", "unwrapKey"] }',
    '```',
    'For an HSM-protected key (kty RSA-HSM), the vault needs `"sku": { "family": "A", "name": "premium" }`.',
  ].join('\n'),
  tags: ['security', 'keyvault', 'cmk', 'crypto'],
  precision: 'very-high',
  securitySeverity: '7.0',
  optionsSchema: {
    type: 'object',
    properties: {
      minKeySize: { enum: [2048, 3072, 4096] },
      asOf: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])(T([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d)?Z)?$' },
    },
    additionalProperties: false,
  },
  defaultOptions: { minKeySize: 2048 },
});

/** ARM's keySize default for RSA and RSA-HSM keys. */
const DEFAULT_KEY_SIZE = 2048;

/** Reads an integer that ARM may also receive as a numeric string. */
function asInteger(v: Value): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

function why(r: Read): string {
  return describeOrigins(r.state === 'missing' ? null : r.value);
}

function checkType(ctx: RuleContext, k: CmkKey): 'RSA' | 'RSA-HSM' | undefined {
  const { key, links } = k;
  const name = `Key '${nameOf(key)}'${cmkOf(links)}`;
  const kty = read(key, ['properties', 'kty']);
  const fix = "Set kty to 'RSA' (or 'RSA-HSM' in a premium vault).";
  if (kty.state === 'missing') {
    ctx.report({ resource: key, path: kty.path, verdict: 'fail', message: `${name} does not set kty, so the template does not create an RSA key; ACR supports only RSA and RSA-HSM keys. ${fix}` });
    return undefined;
  }
  if (kty.state === 'unknown') {
    ctx.report({ resource: key, path: kty.path, verdict: 'undetermined', message: `Cannot tell whether ${name} is an RSA key, because ${why(kty)}.` });
    return undefined;
  }
  if (equalsIgnoreCase(kty.value, 'RSA')) return 'RSA';
  if (equalsIgnoreCase(kty.value, 'RSA-HSM')) return 'RSA-HSM';
  ctx.report({
    resource: key,
    path: kty.path,
    verdict: 'fail',
    message: `${name} has kty ${display(kty.value)}, but ACR supports only RSA and RSA-HSM keys (no elliptic-curve or symmetric keys): the registry cannot use it. ${fix}`,
  });
  return undefined;
}

function checkSize(ctx: RuleContext, k: CmkKey, minKeySize: number): void {
  const { key, links } = k;
  const name = `Key '${nameOf(key)}'${cmkOf(links)}`;
  const size = read(key, ['properties', 'keySize']);
  if (size.state === 'unknown') {
    ctx.report({ resource: key, path: size.path, verdict: 'undetermined', message: `Cannot tell whether ${name} has at least ${minKeySize} bits, because ${why(size)}.` });
    return;
  }
  const bits = size.state === 'missing' ? DEFAULT_KEY_SIZE : asInteger(size.value);
  if (bits === undefined) {
    ctx.report({ resource: key, path: size.path, verdict: 'fail', message: `${name} sets keySize to ${display(size.state === 'known' ? size.value : null)}, which is not a number of bits. Set keySize to ${minKeySize} or more.` });
    return;
  }
  if (bits < minKeySize) {
    const what = size.state === 'missing' ? `does not set keySize, so it gets the ARM default of ${DEFAULT_KEY_SIZE} bits,` : `has ${bits} bits,`;
    ctx.report({
      resource: key,
      path: size.path,
      verdict: 'fail',
      message: `${name} ${what} below the minimum of ${minKeySize} bits (option minKeySize). Set keySize to ${minKeySize} or more (Key Vault RSA sizes: 2048, 3072, 4096).`,
    });
    return;
  }
  ctx.report({ resource: key, path: size.path, verdict: 'pass', message: `${name} has ${bits} bits.` });
}

function checkHsmVault(ctx: RuleContext, k: CmkKey, ktyPath: Read['path']): void {
  const { key, links, vault } = k;
  const name = `RSA-HSM key '${nameOf(key)}'${cmkOf(links)}`;
  if (!vault || vault.deployed === false) {
    const because = k.vaultMissing ?? `the vault of the key is not in the scanned templates: ${ctx.graph.whereElse(undefined)}`;
    ctx.report({ resource: key, path: ktyPath, verdict: 'undetermined', message: `Cannot tell whether the vault of ${name} is a premium vault, as HSM keys require, because ${because}.` });
    return;
  }
  const sku = read(vault, ['properties', 'sku', 'name']);
  const subject = { type: KEY, name: key.name };
  if (sku.state === 'unknown') {
    ctx.report({ resource: vault, path: sku.path, verdict: 'undetermined', subject, message: `Cannot tell whether Key Vault '${nameOf(vault)}', which holds ${name}, is a premium vault, because ${why(sku)}.` });
    return;
  }
  const premium = sku.state === 'known' && equalsIgnoreCase(sku.value, 'premium') === true;
  if (!premium) {
    const has = sku.state === 'missing' ? 'does not set sku.name premium' : `has sku.name ${display(sku.value)}`;
    ctx.report({
      resource: vault,
      path: sku.path,
      verdict: 'fail',
      subject,
      message: `Key Vault '${nameOf(vault)}' ${has}, but it holds ${name}: HSM-protected keys exist only in premium vaults, so the key cannot be created. Set the vault's sku.name to 'premium', or use kty 'RSA'.`,
    });
    return;
  }
  ctx.report({ resource: vault, path: sku.path, verdict: 'pass', subject, message: `Key Vault '${nameOf(vault)}' is premium and can hold ${name}.` });
}

function checkOps(ctx: RuleContext, k: CmkKey): void {
  const { key, links } = k;
  const name = `Key '${nameOf(key)}'${cmkOf(links)}`;
  const ops = read(key, ['properties', 'keyOps']);
  if (ops.state === 'missing') {
    ctx.report({ resource: key, path: ops.path, verdict: 'pass', message: `${name} does not restrict its operations.` });
    return;
  }
  if (ops.state === 'unknown') {
    ctx.report({ resource: key, path: ops.path, verdict: 'undetermined', message: `Cannot tell whether ${name} allows wrapKey and unwrapKey, because ${why(ops)}.` });
    return;
  }
  if (!Array.isArray(ops.value)) {
    ctx.report({ resource: key, path: ops.path, verdict: 'fail', message: `${name} sets keyOps to ${display(ops.value)}, not a list of operations; ACR needs wrapKey and unwrapKey. Set keyOps to ["wrapKey", "unwrapKey"] or leave it out.` });
    return;
  }
  const list = ops.value;
  const lacking = ['wrapKey', 'unwrapKey'].filter((op) => !list.some((v) => equalsIgnoreCase(v, op) === true));
  if (lacking.length === 0) {
    ctx.report({ resource: key, path: ops.path, verdict: 'pass', message: `${name} allows wrapKey and unwrapKey.` });
    return;
  }
  const unknownOps = list.filter((v) => v instanceof Unknown || v instanceof PartialString);
  const couldBe = unknownOps.filter((v) => lacking.some((op) => equalsIgnoreCase(v, op) !== false));
  if (couldBe.length) {
    ctx.report({ resource: key, path: ops.path, verdict: 'undetermined', message: `Cannot tell whether ${name} allows ${lacking.join(' and ')}, because ${describeOrigins(couldBe)}.` });
    return;
  }
  ctx.report({
    resource: key,
    path: ops.path,
    verdict: 'fail',
    message: `${name} limits keyOps to ${display(list)}, without ${lacking.join(' and ')}: ACR wraps and unwraps the registry's data encryption key with it, so encryption fails. Add ${lacking.map((o) => `'${o}'`).join(' and ')} to keyOps, or leave keyOps out.`,
  });
}

const utc = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** When exp and nbf are judged, in Unix seconds: option asOf (a UTC date or date-time), else the scan's clock. */
function judgedAt(ctx: RuleContext): { seconds: number; label: string } {
  const asOf = option<string | undefined>(ctx, meta, 'asOf');
  const ms = asOf === undefined ? Date.now() : Date.parse(asOf);
  // The scan's own time stays out of messages, so that they do not change from one run to the next.
  return { seconds: Math.floor(ms / 1000), label: asOf === undefined ? 'the time of the scan' : `${utc(Math.floor(ms / 1000))} (option asOf)` };
}

/** enabled, exp and nbf (domain.md §1.6): a disabled key allows no operation, and an expired or not yet valid one no wrap. */
function checkAttributes(ctx: RuleContext, k: CmkKey, at: { seconds: number; label: string }): void {
  const { key, links } = k;
  const name = `Key '${nameOf(key)}'${cmkOf(links)}`;
  const enabled = read(key, ['properties', 'attributes', 'enabled']);
  const exp = read(key, ['properties', 'attributes', 'exp']);
  const nbf = read(key, ['properties', 'attributes', 'nbf']);
  const fail = (r: Read, message: string): void => ctx.report({ resource: key, path: r.path, verdict: 'fail', message });
  const creation = 'ACR wraps its data encryption key with the CMK key when it creates the registry, so the deployment fails';
  if (enabled.state === 'known' && asBoolean(enabled.value) === false) {
    return fail(enabled, `${name} sets attributes.enabled to ${display(enabled.value)}: Key Vault allows no operation with a disabled key, the same as a revoked one. ${creation}, and an existing registry loses access to its content. Remove attributes.enabled or set it to true.`);
  }
  const expSeconds = exp.state === 'known' ? asInteger(exp.value) : undefined;
  if (expSeconds !== undefined && expSeconds <= at.seconds) {
    return fail(exp, `${name} expires at ${utc(expSeconds)} (attributes.exp ${expSeconds}), which is not after ${at.label}: Key Vault refuses to wrap with an expired key. ${creation}. Set attributes.exp to a later time (and rotate the key before it), or leave it out.`);
  }
  const nbfSeconds = nbf.state === 'known' ? asInteger(nbf.value) : undefined;
  if (nbfSeconds !== undefined && nbfSeconds > at.seconds) {
    return fail(nbf, `${name} is not valid before ${utc(nbfSeconds)} (attributes.nbf ${nbfSeconds}), which is after ${at.label}: Key Vault refuses to wrap with it until then. ${creation} if it runs before that time. Remove attributes.nbf or set it to a time before the deployment.`);
  }
  const open = [enabled, exp, nbf].find((r) => r.state === 'unknown');
  if (open) {
    ctx.report({ resource: key, path: open.path, verdict: 'undetermined', message: `Cannot tell whether ${name} is enabled and within its validity period, because ${why(open)}.` });
    return;
  }
  ctx.report({ resource: key, path: read(key, ['properties', 'attributes']).path, verdict: 'pass', message: `${name} is enabled and within its validity period as of ${at.label}.` });
}

export const rule: Rule = {
  meta,
  check(ctx) {
    const minKeySize = option<number>(ctx, meta, 'minKeySize');
    const at = judgedAt(ctx);
    forEachCmkKey(ctx, 'the CMK key is an RSA key ACR can use', (k) => {
      const type = checkType(ctx, k);
      if (type) {
        checkSize(ctx, k, minKeySize);
        if (type === 'RSA-HSM') checkHsmVault(ctx, k, read(k.key, ['properties', 'kty']).path);
      }
      checkOps(ctx, k);
      checkAttributes(ctx, k, at);
    });
  },
};
