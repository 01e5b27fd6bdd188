/**
 * Maps a path in an evaluated resource back to the JSON text that produced it: the literal, or the expression
 * string that computed it (everything below an expression belongs to that expression). Property copy loops map
 * to their `input` body.
 */
import type { EvaluatedResource, JsonPath } from './eval/template.js';
import { findKey, isRecord } from './json.js';

/** The JSON path, in the resource's file, of the text behind `evalPath` (or of its closest ancestor). */
export function sourcePathOf(resource: EvaluatedResource, evalPath: JsonPath): JsonPath {
  return sourceOf(resource, evalPath).path;
}

/** That path, and the raw JSON value found there (the expression string, when an expression computed it). */
export function sourceOf(resource: EvaluatedResource, evalPath: JsonPath): { path: JsonPath; raw: unknown; loops: Map<string, number> } {
  const out: JsonPath = [...resource.path];
  /** The property copy loops the path goes through: loop name (lower case) → instance index. */
  const instances = new Map<string, number>();
  let node: unknown = resource.raw;
  for (let i = 0; i < evalPath.length; i++) {
    const seg = evalPath[i]!;
    if (Array.isArray(node)) {
      if (typeof seg !== 'number' || seg >= node.length) break;
      out.push(seg);
      node = node[seg];
      continue;
    }
    if (!isRecord(node)) break;
    const key = findKey(node, String(seg));
    if (key !== undefined) {
      out.push(key);
      node = node[key];
      continue;
    }
    const copyKey = findKey(node, 'copy');
    const loops = copyKey !== undefined ? node[copyKey] : undefined;
    if (Array.isArray(loops)) {
      const index = loops.findIndex((l) => isRecord(l) && typeof l['name'] === 'string' && l['name'].toLowerCase() === String(seg).toLowerCase());
      if (index >= 0) {
        out.push(copyKey!, index, 'input');
        node = (loops[index] as Record<string, unknown>)['input'];
        if (typeof evalPath[i + 1] === 'number') instances.set(String(seg).toLowerCase(), evalPath[++i] as number);
        continue;
      }
    }
    break;
  }
  return { path: out, raw: node, loops: instances };
}
