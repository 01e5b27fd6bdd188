/**
 * `--what-if`: asks ARM to predict each scanned deployment (template and parameter file) in a resource group,
 * and fills what static evaluation could not know (values built from `reference()`, `newGuid()`, parameters
 * without value) with the predicted values. Known values stay as evaluated: they carry proofs the rules use
 * ("this identity is the clientId of that resource") that a predicted literal would lose.
 */
import path from 'node:path';
import { idKey } from '../eval/ids.js';
import type { EvaluatedResource, JsonPath } from '../eval/template.js';
import { PartialString, Unknown, fromJson, getProperty, isObject, newObject, type Value } from '../eval/value.js';
import { ArmError, toArmError, type ArmObject, type ArmReader } from './arm.js';

/** One evaluation of the scan: the template, its parameter file, and its resources in the scan's list. */
export interface WhatIfUnit {
  file: string;
  template: unknown;
  parameters: Record<string, unknown>;
  parameterFile?: string;
  /** Indexes of its resources in the scan's resource list. */
  start: number;
  end: number;
}

/** A predicted string that is still an expression: what-if could not compute it either. */
function unpredicted(v: unknown): boolean {
  return typeof v === 'string' && v.startsWith('[') && !v.startsWith('[[') && v.endsWith(']');
}

/** Fills the unknown parts of `known` from `predicted`; records the paths it filled. */
function fill(known: Value, predicted: unknown, at: JsonPath, filled: JsonPath[]): Value {
  if (predicted === undefined) return known;
  if (known instanceof Unknown || known instanceof PartialString) {
    if (unpredicted(predicted) || predicted === null) return known;
    filled.push(at);
    return fromJson(predicted);
  }
  if (isObject(known) && predicted !== null && typeof predicted === 'object' && !Array.isArray(predicted)) {
    const out = newObject();
    const p = fromJson(predicted);
    for (const k of Object.keys(known)) {
      const hit = isObject(p) ? getProperty(p, k) : { found: false as const };
      out[k] = fill(known[k]!, hit.found ? hit.value : undefined, [...at, k], filled);
    }
    return out;
  }
  if (Array.isArray(known) && Array.isArray(predicted) && known.length === predicted.length) {
    return known.map((item, i) => fill(item, predicted[i], [...at, i], filled));
  }
  return known;
}

function deploymentName(file: string): string {
  const base = path.basename(file).replace(/\.jsonc?$/i, '').replace(/[^\w.()-]/g, '-');
  return `cmkguard-what-if-${base}`.slice(0, 64);
}

export interface WhatIfOutcome {
  calls: number;
  problems: string[];
  /** Resources whose unknown values were filled. */
  predicted: number;
}

/** Runs what-if for every unit and replaces, in `resources`, each resource that it could fill. */
export async function applyWhatIf(resources: EvaluatedResource[], units: readonly WhatIfUnit[], reader: ArmReader, resourceGroup: string): Promise<WhatIfOutcome> {
  const outcome: WhatIfOutcome = { calls: 0, problems: [], predicted: 0 };
  // One at a time: a what-if is a long-running operation that ARM throttles hard.
  for (const unit of units) {
    outcome.calls++;
    let changes: ArmObject[];
    const label = `what-if of ${path.basename(unit.file)}${unit.parameterFile ? ` with ${path.basename(unit.parameterFile)}` : ''}`;
    try {
      changes = await reader.whatIf(resourceGroup, deploymentName(unit.file), unit.template, unit.parameters);
    } catch (err) {
      outcome.problems.push((err instanceof ArmError ? err : toArmError(err, label)).message);
      continue;
    }
    const byId = new Map<string, ArmObject>();
    for (const c of changes) {
      if (typeof c['resourceId'] === 'string' && c['after'] && typeof c['after'] === 'object') byId.set(idKey(c['resourceId']), c['after'] as ArmObject);
    }
    for (let i = unit.start; i < unit.end; i++) {
      const r = resources[i]!;
      const after = byId.get(idKey(r.id));
      if (!after) continue;
      const filled: JsonPath[] = [];
      const body = fill(r.body, after, [], filled);
      if (!filled.length || !isObject(body)) continue;
      resources[i] = { ...r, body, live: { source: 'what-if', id: String(after['id'] ?? r.id), filled } };
      outcome.predicted++;
    }
  }
  return outcome;
}
