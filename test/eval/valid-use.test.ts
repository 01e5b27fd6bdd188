import { describe, expect, it } from 'vitest';
import { byName, evalExpr, output, run, tpl } from './helpers.js';
import { Unknown } from '../../src/eval/value.js';

const REF = "reference(resourceId('Microsoft.Storage/storageAccounts','st1'),'2022-09-01')";

function storage(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'Microsoft.Storage/storageAccounts', apiVersion: '2022-09-01', name, location: 'westus', kind: 'StorageV2', sku: { name: 'Standard_LRS' }, properties: {}, ...extra };
}

describe('reference() where ARM does not expect it', () => {
  it('is refused in a variable, reported at the variable that calls it', () => {
    const e = run(tpl({ variables: { blob: `[${REF}.primaryEndpoints.blob]` }, resources: [storage('st2', { properties: { x: "[variables('blob')]" } })] }));
    const tpl002 = e.diagnostics.filter((d) => d.ruleId === 'TPL002');
    expect(tpl002).toHaveLength(1);
    expect(tpl002[0]!.path).toEqual(['variables', 'blob']);
    expect(tpl002[0]!.message).toMatch(/^reference\(\) is not allowed in variables: ARM refuses it \("The template function 'reference' is not expected at this location"\)/);
    expect(tpl002[0]!.message).toMatch(/Write the reference\(\) where the value is used/);
  });

  it("is refused in a resource's top-level location, not in its properties", () => {
    const e = run(tpl({ resources: [storage('st2', { location: `[${REF}.primaryLocation]`, properties: { loc: `[${REF}.primaryLocation]` } })] }));
    const tpl002 = e.diagnostics.filter((d) => d.ruleId === 'TPL002');
    expect(tpl002).toHaveLength(1);
    expect(tpl002[0]!.path).toEqual(['resources', 0, 'location']);
    expect(tpl002[0]!.message).toMatch(/^reference\(\) is not allowed in a resource's top-level location/);
    expect(byName(e, 'st2').body['properties']).toMatchObject({ loc: expect.any(Unknown) });
  });

  it('still allows reference() in properties and outputs, and leaves escaped [[ text alone', () => {
    const e = run(
      tpl({
        variables: { literal: `[[${REF}]` },
        resources: [storage('st2', { properties: { p: `[${REF}.primaryLocation]` } })],
        outputs: { o: { type: 'string', value: `[${REF}.primaryLocation]` }, lit: { type: 'string', value: "[variables('literal')]" } },
      }),
    );
    expect(e.diagnostics.filter((d) => d.ruleId === 'TPL002')).toEqual([]);
    expect(output(e, 'lit')).toBe(`[${REF}]`);
  });
});

describe('list*() where ARM does not expect it', () => {
  const LIST = "listKeys(resourceId('Microsoft.Storage/storageAccounts','st1'),'2022-09-01')";

  it('is refused in a variable, named as the template writes it', () => {
    const e = run(tpl({ variables: { key: `[${LIST}.keys[0].value]` }, resources: [storage('st2', { properties: { x: "[variables('key')]" } })] }));
    const tpl002 = e.diagnostics.filter((d) => d.ruleId === 'TPL002');
    expect(tpl002.map((d) => d.path)).toEqual([['variables', 'key']]);
    expect(tpl002[0]!.message).toMatch(/^listKeys\(\) is not allowed in variables: ARM refuses it \("The template function 'listKeys' is not expected at this location"\)/);
  });

  it('is still allowed in resource properties and outputs', () => {
    const e = run(tpl({ resources: [storage('st2', { properties: { x: `[${LIST}.keys[0].value]` } })], outputs: { k: { type: 'object', value: `[${LIST}]` } } }));
    expect(e.diagnostics.filter((d) => d.ruleId === 'TPL002')).toEqual([]);
  });
});

describe('reference() and list*() in a user-defined function', () => {
  const udf = (value: string) => [{ namespace: 'ns', members: { f: { parameters: [{ name: 'id', type: 'string' }], output: { type: 'string', value } } } }];

  it('are refused, as the docs say a user-defined function cannot use them', () => {
    for (const [body, fn] of [
      ["[reference(parameters('id'), '2022-09-01').primaryLocation]", 'reference'],
      ["[listSecrets(parameters('id'), '2022-09-01').value]", 'listSecrets'],
    ] as const) {
      const e = run(tpl({ functions: udf(body), resources: [storage('st2', { properties: { x: "[ns.f('st1')]" } })] }));
      const tpl002 = e.diagnostics.filter((d) => d.ruleId === 'TPL002');
      expect(tpl002).toHaveLength(1);
      expect(tpl002[0]!.message).toMatch(new RegExp(`^${fn}\\(\\) is not allowed in a user-defined function: ARM refuses`));
      expect(tpl002[0]!.message).toMatch(/pass its result to the function as a parameter/);
    }
  });

  it('leave other functions of a user-defined function alone', () => {
    const e = run(tpl({ functions: udf("[toUpper(parameters('id'))]"), resources: [storage('st2', { properties: { x: "[ns.f('st1')]" } })] }));
    expect(e.diagnostics.filter((d) => d.ruleId === 'TPL002')).toEqual([]);
    expect(byName(e, 'st2').body['properties']).toEqual({ x: 'ST1' });
  });
});

describe('lambda() where ARM does not expect it', () => {
  it('is refused anywhere but directly as an argument of a lambda function', () => {
    for (const expr of ["[lambda('x', lambdaVariables('x'))]", "[if(true(), lambda('x', 1), createArray())]", "[createArray(lambda('x', 1))]"]) {
      const { diagnostics } = evalExpr(expr);
      expect(diagnostics).toHaveLength(1);
      expect(diagnostics[0]!.message).toMatch(/^lambda\(\) can only be written directly as an argument of filter, map, reduce, sort, toObject, mapValues or groupBy; ARM refuses it anywhere else/);
    }
  });

  it('still works as a direct argument, also nested in another lambda', () => {
    const { value, diagnostics } = evalExpr("[map(createArray(1, 2), lambda('a', filter(createArray(1, 2, 3), lambda('b', greater(lambdaVariables('b'), lambdaVariables('a'))))))]");
    expect(diagnostics).toEqual([]);
    expect(value).toEqual([[2, 3], [3]]);
  });

  it('refuses lambda variables inside reference() and list*(), not other runtime calls in a lambda', () => {
    const names = { variables: { names: ['st1', 'st2'] } };
    for (const fn of [`reference(resourceId('Microsoft.Storage/storageAccounts', lambdaVariables('n')), '2022-09-01').primaryLocation`, `listKeys(resourceId('Microsoft.Storage/storageAccounts', lambdaVariables('n')), '2022-09-01').keys[0].value`]) {
      const { diagnostics } = evalExpr(`[map(variables('names'), lambda('n', ${fn}))]`, names);
      expect(diagnostics).toHaveLength(1);
      expect(diagnostics[0]!.message).toMatch(/^(reference|listKeys)\(\) cannot take lambda variables: ARM does not support lambdaVariables\(\) inside reference\(\) or list\*\(\) functions/);
      expect(diagnostics[0]!.message).toMatch(/Use a copy loop/);
    }
    expect(evalExpr(`[map(variables('names'), lambda('n', concat(lambdaVariables('n'), ${REF}.primaryLocation)))]`, names).diagnostics).toEqual([]);
  });
});

describe('references() in resource copy loops', () => {
  const group = (name: string, count: number, properties: Record<string, unknown>) => ({
    copy: { name, count },
    type: 'Microsoft.ContainerInstance/containerGroups',
    apiVersion: '2023-05-01',
    name: `[format('${name}-{0}', copyIndex())]`,
    location: 'westus',
    properties,
  });
  const template = (others: Record<string, unknown>) =>
    tpl({ languageVersion: '2.0', resources: { workers: group('workers', 2, { osType: 'Linux' }), others }, outputs: { n: { type: 'int', value: "[length(references('workers'))]" } } });

  it('is refused inside a resource copy loop, allowed in outputs and in resources without copy', () => {
    const looped = run(template(group('others', 2, { osType: 'Linux', n: "[length(references('workers'))]" })));
    const tpl002 = looped.diagnostics.filter((d) => d.ruleId === 'TPL002');
    expect(tpl002).toHaveLength(1);
    expect(tpl002[0]!.path).toEqual(['resources', 'others', 'properties', 'n']);
    expect(tpl002[0]!.message).toMatch(/^references\(\) cannot be used inside a resource copy loop \(loop 'others'\): ARM refuses it/);
    expect(output(looped, 'n')).toBe(2);

    const single = { ...group('single', 1, { osType: 'Linux', n: "[length(references('workers'))]" }), copy: undefined, name: 'single' };
    const e = run(template(single));
    expect(e.diagnostics.filter((d) => d.ruleId === 'TPL002')).toEqual([]);
    expect(byName(e, 'single').body['properties']).toMatchObject({ n: 2 });
  });
});
