import { describe, expect, it } from 'vitest';
import type { ParameterOrigin } from '../src/eval/template.js';
import { traceOrigins } from '../src/origin.js';

const fromFile = (name: string, raw: unknown): [string, ParameterOrigin] => [name.toLowerCase(), { file: 'main.parameters.json', path: ['parameters', name, 'value'], raw }];

describe('traceOrigins', () => {
  const origins = new Map([fromFile('sku', 'Basic'), fromFile('cfg', { sku: 'Basic', admin: true }), fromFile('regions', [{ sku: 'Premium' }, { sku: 'Basic' }]), fromFile('env', 'dev')]);

  it('follows a bare parameter, its property and index accesses, and copyIndex() of the resource', () => {
    expect(traceOrigins("[parameters('sku')]", origins, undefined)).toMatchObject({ direct: true, origins: [{ parameter: 'sku', path: ['parameters', 'sku', 'value'] }] });
    expect(traceOrigins("[parameters('cfg').sku]", origins, undefined).origins[0]!.path).toEqual(['parameters', 'cfg', 'value', 'sku']);
    expect(traceOrigins("[parameters('regions')[copyIndex()].sku]", origins, undefined, 1).origins[0]!.path).toEqual(['parameters', 'regions', 'value', 1, 'sku']);
    // Without a copy index the path stops at the array: still the right parameter, not a guessed element.
    expect(traceOrigins("[parameters('regions')[copyIndex()].sku]", origins, undefined)).toMatchObject({ direct: false, origins: [{ path: ['parameters', 'regions', 'value'] }] });
  });

  it('follows variables, also through each other and into their objects, with the accesses applied', () => {
    const variables = { tier: "[parameters('sku')]", settings: { sku: "[variables('tier')]" }, all: "[parameters('cfg')]" };
    expect(traceOrigins("[variables('settings').sku]", origins, variables)).toMatchObject({ direct: true, origins: [{ parameter: 'sku' }] });
    expect(traceOrigins("[variables('ALL').admin]", origins, variables).origins[0]!.path).toEqual(['parameters', 'cfg', 'value', 'admin']);
  });

  it('names every parameter a computed value is made of, and says it is computed', () => {
    const t = traceOrigins("[concat('acr', parameters('env'), toLower(parameters('sku')))]", origins, undefined);
    expect(t.direct).toBe(false);
    expect(t.origins.map((o) => o.parameter)).toEqual(['env', 'sku']);
  });

  it('follows a caller that passes its own parameter on, up to where the value is written', () => {
    const top = new Map([fromFile('callerSku', 'Standard')]);
    const passed: ParameterOrigin = { file: 'main.json', path: ['resources', 0, 'properties', 'parameters', 'sku', 'value'], deployment: 'acr', raw: "[variables('s')]", outer: top, variables: { s: "[parameters('callerSku')]" } };
    const t = traceOrigins("[parameters('sku')]", new Map([['sku', passed]]), undefined);
    expect(t).toMatchObject({ direct: true, origins: [{ parameter: 'callerSku', origin: { file: 'main.parameters.json' } }] });
  });

  it('reads tryGet(x, \'a\', ...) (Bicep\'s x.?a) as the same accesses, also through a caller that passes it on', () => {
    expect(traceOrigins("[tryGet(parameters('cfg'), 'sku')]", origins, undefined)).toMatchObject({ direct: true, origins: [{ parameter: 'cfg', path: ['parameters', 'cfg', 'value', 'sku'] }] });
    expect(traceOrigins("[tryGet(parameters('regions'), 1, 'sku')]", origins, undefined).origins[0]!.path).toEqual(['parameters', 'regions', 'value', 1, 'sku']);
    // A key only known at deploy time: still the right parameter, computed rather than passed through.
    expect(traceOrigins("[tryGet(parameters('cfg'), parameters('env'))]", origins, undefined)).toMatchObject({ direct: false });
    const top = new Map([fromFile('acr', { customerManagedKey: { keyName: 'k' } })]);
    const passed: ParameterOrigin = { file: 'main.json', path: ['resources', 0, 'properties', 'parameters', 'cmk', 'value'], deployment: 'acr', raw: "[tryGet(parameters('acr'), 'customerManagedKey')]", outer: top, variables: {} };
    const t = traceOrigins("[parameters('cmk').keyName]", new Map([['cmk', passed]]), undefined);
    expect(t).toMatchObject({ direct: true, origins: [{ parameter: 'acr', origin: { file: 'main.parameters.json' }, path: ['parameters', 'acr', 'value', 'customerManagedKey', 'keyName'] }] });
    // Computed from parts of the passed-on value: each part is followed up, and the whole covers its parts.
    const parts = traceOrigins("[if(empty(parameters('cmk')), null(), tryGet(parameters('cmk'), 'keyName'))]", new Map([['cmk', passed]]), undefined);
    expect(parts).toMatchObject({ direct: false, origins: [{ parameter: 'acr', path: ['parameters', 'acr', 'value', 'customerManagedKey'] }] });
    expect(parts.origins).toHaveLength(1);
    expect(traceOrigins("[concat(tryGet(parameters('cmk'), 'keyName'), tryGet(parameters('cmk'), 'keyVersion'))]", new Map([['cmk', passed]]), undefined).origins.map((o) => o.path.slice(3))).toEqual([
      ['customerManagedKey', 'keyName'],
      ['customerManagedKey', 'keyVersion'],
    ]);
  });

  it("follows copyIndex('loop') of a named loop the value is in, with an offset", () => {
    const loops = new Map([['policies', 1]]);
    expect(traceOrigins("[parameters('regions')[copyIndex('policies')].sku]", origins, undefined, undefined, loops)).toMatchObject({ direct: true, origins: [{ path: ['parameters', 'regions', 'value', 1, 'sku'] }] });
    expect(traceOrigins("[parameters('regions')[copyIndex('Policies', -1)].sku]", origins, undefined, undefined, loops).origins[0]!.path).toEqual(['parameters', 'regions', 'value', 0, 'sku']);
    // Another loop's index is not known here: the whole array, computed.
    expect(traceOrigins("[parameters('regions')[copyIndex('other')].sku]", origins, undefined, 3, loops)).toMatchObject({ direct: false, origins: [{ path: ['parameters', 'regions', 'value'] }] });
  });

  it('gives nothing for literals, templates without outside values, unknown names and broken expressions', () => {
    expect(traceOrigins('Basic', origins, undefined).origins).toEqual([]);
    expect(traceOrigins("[parameters('sku')]", undefined, undefined).origins).toEqual([]);
    expect(traceOrigins("[parameters('nope')]", origins, { v: 1 }).origins).toEqual([]);
    expect(traceOrigins("[variables('nope')]", origins, { v: 1 }).origins).toEqual([]);
    expect(traceOrigins("[concat(parameters('sku')]", origins, undefined).origins).toEqual([]);
  });

  it('stops on variables that refer to each other in a cycle (ARM refuses them; the trace must still end)', () => {
    expect(traceOrigins("[variables('a')]", origins, { a: "[variables('b')]", b: "[variables('a')]" }).origins).toEqual([]);
  });
});
