/**
 * Which diagnostic settings of the scan apply to a vault: extension resources scoped to it, and the classic
 * `vaults/providers/diagnosticSettings` children.
 */
import { idKey } from './eval/ids.js';
import type { EvaluatedResource } from './eval/template.js';
import { Unknown, textWithHoles, type Value } from './eval/value.js';
import { VAULT, type ScanGraph } from './graph.js';
import type { Tri } from './rule-api.js';
import { addTo } from './collections.js';

const EXTENSION = 'Microsoft.Insights/diagnosticSettings';
const CLASSIC = 'Microsoft.KeyVault/vaults/providers/diagnosticSettings';

const VAULT_SCOPE = /(?:^|\/)microsoft\.keyvault\/vaults\/([^/]+)$/i;

/** The vault name a scope ends in, when that name is known. */
export function scopeVaultName(scope: Value): string | undefined {
  const text = textWithHoles(scope);
  const m = text === undefined ? null : VAULT_SCOPE.exec(text.replace(/\/+$/, ''));
  return m && !m[1]!.includes('\u0000') ? m[1] : undefined;
}

/**
 * Whether a diagnostic setting's scope is the vault. Vault names are globally unique (they are DNS names), so
 * a scope naming the vault by name is the vault, even when its subscription or resource group is unknown or
 * it is relative (`Microsoft.KeyVault/vaults/kv`, which Bicep emits for `scope: vault`).
 */
export function scopeIsVault(scope: Value, vaultId: Value | undefined, vaultName: string | undefined): Tri {
  if (vaultId !== undefined && idKey(scope) === idKey(vaultId)) return true;
  const text = textWithHoles(scope);
  if (text === undefined) return scope instanceof Unknown ? undefined : false;
  const m = VAULT_SCOPE.exec(text.replace(/\/+$/, ''));
  if (!m) {
    // A known scope that does not end in a vault, or holes that could hide one.
    return text.includes('\u0000') ? holesCouldName(text, vaultName) : false;
  }
  // The vault's own name not known: any vault could be it.
  if (vaultName === undefined) return undefined;
  const named = m[1]!;
  if (!named.includes('\u0000')) return named.toLowerCase() === vaultName.toLowerCase();
  return holesCouldName(text, vaultName);
}

function holesCouldName(text: string, vaultName: string | undefined): Tri {
  const pattern = text
    .replace(/\/+$/, '')
    .split('\u0000')
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const candidate = `/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/${vaultName ?? 'v'}`;
  return new RegExp(`(?:^|/)${pattern}$`, 'i').test(candidate) ? undefined : false;
}

export const knownName = (r: EvaluatedResource): string | undefined => (typeof r.name === 'string' ? r.name : undefined);

/** The deployed diagnostic settings of the scan, indexed by the vault name their scope ends in, when known. */
export class SettingIndex {
  private readonly byName = new Map<string, EvaluatedResource[]>();
  /** Settings whose scope could name any vault (unknown parts). */
  private readonly open: EvaluatedResource[] = [];
  private readonly all: EvaluatedResource[];
  private readonly vaultsByUnit = new Map<string, EvaluatedResource[]>();
  private readonly ownVaults = new Map<EvaluatedResource, EvaluatedResource[]>();

  constructor(graph: ScanGraph) {
    this.all = [...graph.deployed(EXTENSION), ...graph.deployed(CLASSIC)];
    for (const s of this.all) {
      const text = textWithHoles(s.scope);
      const named = scopeVaultName(s.scope);
      if (named !== undefined) {
        const k = named.toLowerCase();
        addTo(this.byName, k, s);
      } else if (text === undefined || text.includes('\u0000')) this.open.push(s);
      // A fully known scope that does not end in a vault never names one.
    }
    for (const v of graph.deployed(VAULT)) addTo(this.vaultsByUnit, v.unit, v);
  }

  /** Settings that may be attached to a vault of this name (every setting when the name is unknown). */
  candidates(vaultName: string | undefined): EvaluatedResource[] {
    if (vaultName === undefined) return this.all;
    return [...(this.byName.get(vaultName.toLowerCase()) ?? []), ...this.open];
  }

  /**
   * A setting belongs to a vault that its own evaluation deploys, when there is one: equal ids in different
   * templates never alias (as the graph links a registry to the vault of its own evaluation first).
   */
  belongsElsewhere(s: EvaluatedResource, vault: EvaluatedResource | undefined): boolean {
    let own = this.ownVaults.get(s);
    if (!own) {
      own = (this.vaultsByUnit.get(s.unit) ?? []).filter((v) => scopeIsVault(s.scope, v.id, knownName(v)) === true);
      this.ownVaults.set(s, own);
    }
    return own.length > 0 && own.every((v) => v !== vault);
  }
}
