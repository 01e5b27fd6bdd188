import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PARAMETERS_SCHEMA, positionOf } from '../helpers/scan.js';
import { expectOneAt, findingsOf } from './expect.js';
import { KEY, REGISTRY, VAULT, cmkStack, findResource, text, type Json } from './stack.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROLE = 'Microsoft.Authorization/roleAssignments';
const DIAG = 'Microsoft.Insights/diagnosticSettings';

describe('SCH001 schema-violation', () => {
  describe('passes', () => {
    it('the compliant stack', async () => {
      expect(await findingsOf('SCH001', cmkStack())).toEqual([]);
    });

    it('the compliant fixture', async () => {
      const t = readFileSync(path.join(ROOT, 'fixtures/cmk-registry.json'), 'utf8');
      const p = readFileSync(path.join(ROOT, 'fixtures/cmk-registry.parameters.json'), 'utf8');
      expect(await findingsOf('SCH001', t, { 'main.parameters.json': p })).toEqual([]);
    });

    it('enum values in any letter case (ARM compares them case-insensitively)', async () => {
      const t = cmkStack();
      const reg = findResource(t, REGISTRY);
      reg['sku']['name'] = 'premium';
      reg['identity']['type'] = 'systemassigned,UserAssigned';
      reg['properties']['encryption']['status'] = 'Enabled';
      reg['properties']['publicNetworkAccess'] = 'DISABLED';
      findResource(t, KEY)['properties']['kty'] = 'rsa-hsm';
      findResource(t, VAULT)['properties']['networkAcls']['bypass'] = 'azureservices';
      findResource(t, ROLE)['properties']['principalType'] = 'servicePrincipal';
      expect(await findingsOf('SCH001', t)).toEqual([]);
    });

    it("principalType '', which Azure Verified Modules write for \"not set\"", async () => {
      const t = cmkStack();
      findResource(t, ROLE)['properties']['principalType'] = '';
      expect(await findingsOf('SCH001', t)).toEqual([]);
    });

    it("an empty networkRuleSet (the registry API takes defaultAction 'Allow'), as a Microsoft quickstart writes it", async () => {
      const t = cmkStack();
      findResource(t, REGISTRY)['properties']['networkRuleSet'] = "[if(false(), createObject('defaultAction', 'Deny'), createObject())]";
      expect(await findingsOf('SCH001', t)).toEqual([]);
    });

    it('booleans and integers written as strings, as ARM accepts them', async () => {
      const t = cmkStack();
      findResource(t, KEY)['properties']['keySize'] = '3072';
      findResource(t, VAULT)['properties']['enablePurgeProtection'] = 'true';
      findResource(t, REGISTRY)['properties']['adminUserEnabled'] = 'False';
      expect(await findingsOf('SCH001', t)).toEqual([]);
    });

    it('property names in any letter case: TenantId satisfies the required tenantId', async () => {
      const t = cmkStack();
      const props = findResource(t, VAULT)['properties'];
      props['TenantId'] = props['tenantId'];
      delete props['tenantId'];
      expect(await findingsOf('SCH001', t)).toEqual([]);
    });

    it('properties the schema does not know (newer API versions)', async () => {
      const t = cmkStack();
      const reg = findResource(t, REGISTRY);
      reg['properties']['someFutureSetting'] = { anything: [1, 'two'] };
      reg['zones'] = ['1'];
      expect(await findingsOf('SCH001', t)).toEqual([]);
    });

    it('resources that are not deployed: condition false, or existing', async () => {
      const t = cmkStack();
      const kv = findResource(t, VAULT);
      kv['condition'] = false;
      kv['properties']['sku']['name'] = 'platinum';
      expect(await findingsOf('SCH001', t)).toEqual([]);
      delete kv['condition'];
      kv['existing'] = true;
      expect(await findingsOf('SCH001', t)).toEqual([]);
    });
  });

  describe('fails', () => {
    it('a value not in the enum, at the value, naming what is allowed', async () => {
      const t = cmkStack();
      findResource(t, REGISTRY)['sku']['name'] = 'Premiun';
      const f = expectOneAt(await findingsOf('SCH001', t), t, '"Premiun"');
      expect(f.message).toBe("Registry 'contosoreg': sku.name is 'Premiun', which is not one of Classic, Basic, Standard, Premium. Did you mean 'Premium'?");
      expect(f.level).toBe('error');
    });

    it('a misspelled principal type, which no other rule reads', async () => {
      const t = cmkStack();
      findResource(t, ROLE)['properties']['principalType'] = 'ServicePrinciple';
      const f = expectOneAt(await findingsOf('SCH001', t), t, '"ServicePrinciple"');
      expect(f.message).toMatch(/^Role assignment '[^']+': properties\.principalType is 'ServicePrinciple', which is not one of User, Group, ServicePrincipal, ForeignGroup, Device\. Did you mean 'ServicePrincipal'\?$/);
      expect(f.resource?.type).toBe(ROLE);
    });

    it('an enum value inside an array', async () => {
      const t = cmkStack();
      findResource(t, KEY)['properties']['keyOps'] = ['wrapKey', 'unwrap'];
      const f = expectOneAt(await findingsOf('SCH001', t), t, '"unwrap"');
      expect(f.message).toMatch(/properties\.keyOps\[1\] is 'unwrap', which is not one of encrypt, decrypt, sign, verify, wrapKey, unwrapKey, import, release\. Did you mean 'unwrapKey'\?/);
    });

    it('a value of the wrong type', async () => {
      const t = cmkStack();
      findResource(t, KEY)['properties']['keySize'] = 'large';
      const f = expectOneAt(await findingsOf('SCH001', t), t, '"large"');
      expect(f.message).toBe("Key 'reg-kv/reg-key': properties.keySize is 'large', which is not an integer.");
    });

    it('an object where an array belongs', async () => {
      const t = cmkStack();
      findResource(t, DIAG)['properties']['logs'] = { category: 'AuditEvent', enabled: true };
      const f = expectOneAt(await findingsOf('SCH001', t), t, '"logs"');
      expect(f.message).toBe("Diagnostic setting 'kv-audit': properties.logs is an object, which is not an array.");
    });

    it('a boolean that is neither true nor false', async () => {
      const t = cmkStack();
      findResource(t, REGISTRY)['properties']['adminUserEnabled'] = 'no';
      const f = expectOneAt(await findingsOf('SCH001', t), t, '"no"');
      expect(f.message).toBe("Registry 'contosoreg': properties.adminUserEnabled is 'no', which is not a boolean (true or false).");
    });

    it('a malformed GUID', async () => {
      const t = cmkStack();
      findResource(t, VAULT)['properties']['tenantId'] = 'contoso.onmicrosoft.com';
      const f = expectOneAt(await findingsOf('SCH001', t), t, '"contoso.onmicrosoft.com"');
      expect(f.message).toMatch(/properties\.tenantId is 'contoso\.onmicrosoft\.com', which is not a GUID/);
    });

    it('a missing required property, at its parent object', async () => {
      const t = cmkStack();
      delete findResource(t, VAULT)['properties']['tenantId'];
      // The vault's "properties" is the first in the template.
      const f = expectOneAt(await findingsOf('SCH001', t), t, '"properties"');
      expect(f.message).toBe("Key Vault 'reg-kv': properties.tenantId is missing, and it is required (a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)).");
    });

    it('a missing required property of a role assignment', async () => {
      const t = cmkStack();
      delete findResource(t, ROLE)['properties']['roleDefinitionId'];
      const f = expectOneAt(await findingsOf('SCH001', t), t, '"properties"', 'fail', 4);
      expect(f.message).toMatch(/^Role assignment '[^']+': properties\.roleDefinitionId is missing, and it is required \(a string\)\.$/);
    });

    it('a missing required top-level field, at the resource', async () => {
      const t = cmkStack();
      delete findResource(t, REGISTRY)['sku'];
      const f = expectOneAt(await findingsOf('SCH001', t), t, '{\n      "type": "Microsoft.ContainerRegistry/registries"');
      expect(f.message).toBe("Registry 'contosoreg': sku is missing, and it is required (an object).");
    });

    it('a required property missing in an access policy entry', async () => {
      const t = cmkStack();
      const props = findResource(t, VAULT)['properties'];
      props['enableRbacAuthorization'] = false;
      props['accessPolicies'] = [{ tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } }];
      const f = expectOneAt(await findingsOf('SCH001', t), t, '{\n            "tenantId": "72f988bf');
      expect(f.message).toMatch(/properties\.accessPolicies\[0\]\.objectId is missing, and it is required/);
    });

    it('names the property as written when its letter case differs from the schema', async () => {
      const t = cmkStack();
      const props = findResource(t, KEY)['properties'];
      delete props['kty'];
      props['Kty'] = 'RSA-HMS';
      const f = expectOneAt(await findingsOf('SCH001', t), t, '"RSA-HMS"');
      expect(f.message).toMatch(/properties\.Kty is 'RSA-HMS', which is not one of EC, EC-HSM, RSA, RSA-HSM, oct-HSM\. Did you mean 'RSA-HSM'\?/);
    });

    it('a value computed by an expression, pointing at the expression', async () => {
      const t = cmkStack();
      t['parameters']['kind'] = { type: 'string', defaultValue: 'Service' };
      findResource(t, ROLE)['properties']['principalType'] = "[concat(parameters('kind'), 'Principle')]";
      expectOneAt(await findingsOf('SCH001', t), t, `"[concat(parameters('kind'), 'Principle')]"`);
    });

    it('one finding per mistake', async () => {
      const t = cmkStack();
      findResource(t, REGISTRY)['sku']['name'] = 'Gold';
      findResource(t, KEY)['properties']['keySize'] = true;
      const findings = await findingsOf('SCH001', t);
      expect(findings.map((f) => f.message).sort()).toEqual([
        "Key 'reg-kv/reg-key': properties.keySize is true, which is not an integer.",
        "Registry 'contosoreg': sku.name is 'Gold', which is not one of Classic, Basic, Standard, Premium.",
      ]);
    });
  });

  describe('never fails on a value known only at deployment', () => {
    const unset = (t: Json, name: string, type = 'string'): string => {
      t['parameters'][name] = { type };
      return `[parameters('${name}')]`;
    };

    it('an unknown enum value', async () => {
      const t = cmkStack();
      findResource(t, REGISTRY)['sku']['name'] = unset(t, 'sku');
      findResource(t, ROLE)['properties']['principalType'] = unset(t, 'principalType');
      expect(await findingsOf('SCH001', t)).toEqual([]);
    });

    it('a partly known string', async () => {
      const t = cmkStack();
      findResource(t, ROLE)['properties']['principalType'] = `[concat('Service', parameters('suffix'))]`;
      t['parameters']['suffix'] = { type: 'string' };
      findResource(t, VAULT)['properties']['tenantId'] = `[concat('not-a-guid-', parameters('suffix'))]`;
      expect(await findingsOf('SCH001', t)).toEqual([]);
    });

    it('an unknown value of the wrong-looking type', async () => {
      const t = cmkStack();
      findResource(t, KEY)['properties']['keySize'] = unset(t, 'keySize', 'int');
      findResource(t, DIAG)['properties']['logs'] = unset(t, 'logs', 'array');
      expect(await findingsOf('SCH001', t)).toEqual([]);
    });

    it('an unknown object: its required properties are not reported missing', async () => {
      const t = cmkStack();
      findResource(t, VAULT)['properties'] = unset(t, 'vaultProperties', 'object');
      findResource(t, ROLE)['properties'] = unset(t, 'roleProperties', 'object');
      findResource(t, REGISTRY)['sku'] = unset(t, 'registrySku', 'object');
      expect(await findingsOf('SCH001', t)).toEqual([]);
    });

    it('an unknown entry in an array', async () => {
      const t = cmkStack();
      findResource(t, KEY)['properties']['keyOps'] = ['wrapKey', unset(t, 'op')];
      const props = findResource(t, VAULT)['properties'];
      props['accessPolicies'] = [unset(t, 'policy', 'object'), { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', objectId: unset(t, 'oid'), permissions: { keys: [unset(t, 'perm')] } }];
      expect(await findingsOf('SCH001', t)).toEqual([]);
    });

    it('an object with a property name computed from an unknown value', async () => {
      const t = cmkStack();
      const props = findResource(t, ROLE)['properties'];
      delete props['principalId'];
      props[unset(t, 'which')] = '00000000-0000-0000-0000-000000000001';
      expect(await findingsOf('SCH001', t)).toEqual([]);
    });

    it('runtime values: reference(), newGuid(), utcNow()', async () => {
      const t = cmkStack();
      t['parameters']['stamp'] = { type: 'string', defaultValue: '[utcNow()]' };
      findResource(t, KEY)['properties']['attributes'] = { exp: "[add(dateTimeToEpoch(parameters('stamp')), 31536000)]" };
      findResource(t, VAULT)['properties']['tenantId'] = "[reference(variables('identityId')).tenantId]";
      expect(await findingsOf('SCH001', t)).toEqual([]);
    });
  });

  it('leaves properties another rule checks in full to that rule (softDeleteRetentionInDays: KV002)', async () => {
    const t = cmkStack();
    findResource(t, VAULT)['properties']['softDeleteRetentionInDays'] = 3;
    expect(await findingsOf('SCH001', t)).toEqual([]);
    expect(await findingsOf('KV002', t)).toHaveLength(1);
  });

  it('never compiles schemas at run time in the built package: the build ships standalone validators', () => {
    const script = [
      "import { createRequire } from 'node:module';",
      "const cache = createRequire(import.meta.url).cache;",
      "const ajvLoaded = () => Object.keys(cache).some((k) => /[\\\\/]node_modules[\\\\/]ajv[\\\\/]dist[\\\\/](ajv|core)\\.js$/.test(k));",
      "const validatorsLoaded = () => Object.keys(cache).some((k) => /[\\\\/]dist[\\\\/]validators[\\\\/]/.test(k));",
      "const { rules } = await import('./dist/rules/index.js');",
      "const { scan } = await import('./dist/src/scan.js');",
      'const before = validatorsLoaded();',
      "await scan({ paths: ['fixtures/cmk-registry.json'], cwd: process.cwd(), rules });",
      'console.log(JSON.stringify({ before, after: validatorsLoaded(), compiler: ajvLoaded() }));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ before: false, after: true, compiler: false });
  });
});

describe('SCH001 and null properties', () => {
  it('treats a null property as not set, as ARM does', async () => {
    const t = cmkStack();
    findResource(t, VAULT)['properties']['publicNetworkAccess'] = null;
    findResource(t, VAULT)['properties']['networkAcls']['bypass'] = null;
    expect(await findingsOf('SCH001', t)).toEqual([]);
  });
});

describe('SCH001 where a property copy loop value is written', () => {
  it("follows copyIndex('loop') into the parameter file entry of that instance", async () => {
    const t = cmkStack();
    t['parameters']['policies'] = { type: 'array' };
    findResource(t, VAULT)['properties']['enableRbacAuthorization'] = false;
    findResource(t, VAULT)['properties']['copy'] = [
      {
        name: 'accessPolicies',
        count: "[length(parameters('policies'))]",
        input: { tenantId: "[parameters('policies')[copyIndex('accessPolicies')].tenantId]", objectId: "[parameters('policies')[copyIndex('accessPolicies')].objectId]", permissions: { keys: ['get'] } },
      },
    ];
    const params = text({
      $schema: PARAMETERS_SCHEMA,
      contentVersion: '1.0.0.0',
      parameters: { policies: { value: [{ tenantId: '00000000-0000-0000-0000-000000000001', objectId: '00000000-0000-0000-0000-000000000002' }, { tenantId: 'not-a-tenant', objectId: '00000000-0000-0000-0000-000000000003' }] } },
    });
    const f = expectOneAt(await findingsOf('SCH001', t, { 'main.parameters.json': params }), t, `"[parameters('policies')[copyIndex('accessPolicies')].tenantId]"`);
    const at = positionOf(params, '"not-a-tenant"');
    expect(f.message).toMatch(new RegExp(`accessPolicies\\[1\\]\\.tenantId is 'not-a-tenant'.* The value comes from the parameter file at main\\.parameters\\.json:${at.line}:${at.column}\\.$`));
  });
});
