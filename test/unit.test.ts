import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateUnit, type UnitEnv } from '../src/unit.js';
import { template, writeTree } from './helpers/scan.js';
import { cmkStack } from './rules/stack.js';

function envFor(dir: string): UnitEnv {
  return { repoRoot: dir, maxBytes: 1 << 24, linkRoot: dir, budgets: {}, templateRules: [] };
}

const storage = { type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: 'st1', location: 'westeurope', kind: 'StorageV2', sku: { name: 'Standard_LRS' }, properties: { minimumTlsVersion: 'TLS1_2' } };

describe('what an evaluation leaves for the scan graph', () => {
  it('keeps modelled resources whole and other resources of the same evaluation as identity and links only', () => {
    const t = cmkStack();
    (t['resources'] as object[]).push(storage);
    const dir = writeTree({ 'main.json': t });
    const outcome = evaluateUnit({ file: path.join(dir, 'main.json'), parameterFiles: [] }, envFor(dir));
    const resources = outcome.runs[0]!.resources;
    const st = resources.find((r) => r.type === 'Microsoft.Storage/storageAccounts')!;
    expect(st.name).toBe('st1');
    expect(Object.keys(st.body)).toEqual([]);
    const vault = resources.find((r) => r.type === 'Microsoft.KeyVault/vaults')!;
    expect(Object.keys(vault.body)).toContain('properties');
  });

  it('leaves nothing when no resource of the evaluation is one a rule reads', () => {
    const dir = writeTree({ 'storage.json': template({ resources: [storage] }) });
    const outcome = evaluateUnit({ file: path.join(dir, 'storage.json'), parameterFiles: [] }, envFor(dir));
    expect(outcome.scanned.kind).toBe('template');
    expect(outcome.runs).toHaveLength(1);
    expect(outcome.runs[0]!.resources).toEqual([]);
  });

  it('keeps a nested deployment that holds a modelled resource, with its contents', () => {
    const nested = {
      type: 'Microsoft.Resources/deployments',
      apiVersion: '2022-09-01',
      name: 'inner',
      properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, template: template({ resources: [storage, (cmkStack()['resources'] as object[])[0]] }) },
    };
    const dir = writeTree({ 'outer.json': template({ resources: [nested] }) });
    const outcome = evaluateUnit({ file: path.join(dir, 'outer.json'), parameterFiles: [] }, envFor(dir));
    expect(outcome.runs[0]!.resources.map((r) => r.type).sort()).toEqual(['Microsoft.ManagedIdentity/userAssignedIdentities', 'Microsoft.Resources/deployments', 'Microsoft.Storage/storageAccounts']);
  });
});

describe('what a message says to do about a resource the scan lacks', () => {
  it('suggests --live only when the scan did not read Azure, and passes on what live mode could not read', async () => {
    const { ScanGraph } = await import('../src/graph.js');
    expect(new ScanGraph([]).whereElse(undefined)).toBe('scan the template that deploys it too, or read it from Azure with --live');
    expect(new ScanGraph([], new Map(), true).whereElse(undefined)).toBe('scan the template that deploys it too');
    expect(new ScanGraph([], new Map(), true).whereElse("ARM answered 403")).toBe('live mode could not read it: ARM answered 403');
  });
});
