import { describe, expect, it } from 'vitest';
import { findingsOf, expectOneAt } from './expect.js';
import { cmkStack, findResource, innerDeployment, REGISTRY, text } from './stack.js';
import { PARAMETERS_SCHEMA, TEMPLATE_SCHEMA, positionOf, template } from '../helpers/scan.js';

describe('ACR002 registry-cmk-premium-sku', () => {
  it('passes a Premium CMK registry', async () => {
    expect(await findingsOf('ACR002', cmkStack())).toEqual([]);
  });

  it('fails a Standard CMK registry at sku.name', async () => {
    const t = cmkStack();
    findResource(t, REGISTRY)['sku']['name'] = 'Standard';
    const f = expectOneAt(await findingsOf('ACR002', t), t, '"Standard"');
    expect(f.message).toMatch(/Premium/);
  });

  it('fails a SKU computed by an expression, pointing at the expression', async () => {
    const t = cmkStack();
    t['parameters']['tier'] = { type: 'string', defaultValue: 'Basic' };
    findResource(t, REGISTRY)['sku'] = "[createObject('name', parameters('tier'))]";
    expectOneAt(await findingsOf('ACR002', t), t, `"[createObject('name', parameters('tier'))]"`);
  });

  it('says where a module\'s SKU value is written: by the calling deployment, or in the parameter file behind it', async () => {
    const registryModule = {
      $schema: TEMPLATE_SCHEMA,
      contentVersion: '1.0.0.0',
      parameters: { sku: { type: 'string' } },
      resources: [
        {
          type: REGISTRY,
          apiVersion: '2023-07-01',
          name: 'modreg',
          location: 'westeurope',
          sku: { name: "[parameters('sku')]" },
          properties: { encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: 'https://kv1.vault.azure.net/keys/k', identity: '00000000-0000-0000-0000-000000000001' } } },
        },
      ],
    };
    const caller = (sku: string) =>
      template({
        parameters: { callerSku: { type: 'string' } },
        resources: [
          innerDeployment('acr', { sku: { value: sku } }, registryModule),
        ],
      });
    const literal = caller('Standard');
    const f = expectOneAt(await findingsOf('ACR002', literal), literal, `"[parameters('sku')]"`);
    expect(f.message).toMatch(new RegExp(`The value is passed by deployment 'acr' at main\\.json:${positionOf(text(literal), '"Standard"').line}:\\d+\\.$`));
    const fromFile = caller("[parameters('callerSku')]");
    const params = text({ $schema: PARAMETERS_SCHEMA, contentVersion: '1.0.0.0', parameters: { callerSku: { value: 'Basic' } } });
    // Bicep's conditional module argument: the whole parameter entry is one expression.
    const conditional = caller('unused');
    conditional['parameters'] = {};
    conditional['resources'][0]['properties']['parameters']['sku'] = "[if(equals(1, 2), createObject('value', 'Premium'), createObject('value', 'Standard'))]";
    expect((await findingsOf('ACR002', conditional)).map((x) => x.kind)).toEqual(['fail']);
    expect(await findingsOf('TPL003', conditional)).toEqual([]);
    const g = (await findingsOf('ACR002', fromFile, { 'main.parameters.json': params }))[0]!;
    expect(g.message).toMatch(new RegExp(`The value comes from the parameter file at main\\.parameters\\.json:${positionOf(params, '"Basic"').line}:${positionOf(params, '"Basic"').column}\\.$`));
    // A deployment whose name is only partly known is named by what is known of it, not by its type.
    const unnamed = caller('Standard');
    unnamed['parameters']['suffix'] = { type: 'string' };
    unnamed['resources'][0]['name'] = "[format('acr-{0}', parameters('suffix'))]";
    const h = expectOneAt(await findingsOf('ACR002', unnamed), unnamed, `"[parameters('sku')]"`);
    expect(h.message).toMatch(/The value is passed by deployment 'acr-\{…\}' at main\.json:\d+:\d+\.$/);
  });

  it('says where the parameter file writes a value the template reads through a variable, an object property or an expression', async () => {
    const params = text({ $schema: PARAMETERS_SCHEMA, contentVersion: '1.0.0.0', parameters: { cfg: { value: { tier: 'Standard', other: 1 } }, suffix: { value: 'ard' } } });
    const viaVariable = cmkStack();
    viaVariable['parameters']['cfg'] = { type: 'object' };
    viaVariable['variables']['settings'] = "[parameters('cfg')]";
    findResource(viaVariable, REGISTRY)['sku']['name'] = "[variables('settings').tier]";
    const f = (await findingsOf('ACR002', viaVariable, { 'main.parameters.json': params }))[0]!;
    expect(f.message).toMatch(new RegExp(`The value comes from the parameter file at main\\.parameters\\.json:${positionOf(params, '"Standard"').line}:${positionOf(params, '"Standard"').column}\\.$`));
    const computed = cmkStack();
    computed['parameters']['suffix'] = { type: 'string' };
    computed['parameters']['cfg'] = { type: 'object' };
    findResource(computed, REGISTRY)['sku']['name'] = "[concat('Stand', parameters('suffix'))]";
    const g = (await findingsOf('ACR002', computed, { 'main.parameters.json': params }))[0]!;
    expect(g.message).toMatch(new RegExp(`The value is computed from parameter 'suffix' \\(set in the parameter file at main\\.parameters\\.json:${positionOf(params, '"ard"').line}:${positionOf(params, '"ard"').column}\\)\\.$`));
  });

  it('ignores registries without CMK', async () => {
    const t = cmkStack();
    const reg = findResource(t, REGISTRY);
    reg['sku']['name'] = 'Basic';
    delete reg['properties']['encryption'];
    expect(await findingsOf('ACR002', t)).toEqual([]);
  });

  it('is undetermined for a non-Premium registry whose encryption status is not known', async () => {
    const t = cmkStack();
    t['parameters']['status'] = { type: 'string' };
    const reg = findResource(t, REGISTRY);
    reg['properties']['encryption']['status'] = "[parameters('status')]";
    reg['sku']['name'] = 'Standard';
    expectOneAt(await findingsOf('ACR002', t), t, `"[parameters('status')]"`, 'open');
    reg['sku']['name'] = 'Premium';
    expect(await findingsOf('ACR002', t)).toEqual([]);
  });
  it('decides a SKU chosen by if() between known values when every choice answers the same', async () => {
    const withSku = (expression: string) => {
      const t = cmkStack();
      t['parameters']['env'] = { type: 'string' };
      findResource(t, REGISTRY)['sku']['name'] = expression;
      return t;
    };
    const neither = withSku("[if(equals(parameters('env'), 'prod'), 'Standard', 'Basic')]");
    const f = expectOneAt(await findingsOf('ACR002', neither), neither, `"[if(equals(parameters('env'), 'prod'), 'Standard', 'Basic')]"`);
    expect(f.message).toMatch(/with SKU 'Standard' or 'Basic' \(depending on deployment\); CMK is available only in Premium/);
    // Premium either way (spelled differently): nothing to report, although 'env' has no value.
    expect(await findingsOf('ACR002', withSku("[if(equals(parameters('env'), 'prod'), 'Premium', 'premium')]"))).toEqual([]);
    const either = withSku("[if(equals(parameters('env'), 'prod'), 'Premium', 'Standard')]");
    expectOneAt(await findingsOf('ACR002', either), either, `"[if(equals(parameters('env'), 'prod'), 'Premium', 'Standard')]"`, 'open');
  });
});
