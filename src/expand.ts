/**
 * `cmkguard expand`: the evaluation of one template as stable JSON, so users can see what the rules see.
 * Known values print as JSON; unknown ones as {"$unknown": "<kind>", "expression": "<how it is built>"}.
 */
import path from 'node:path';
import { evaluateTemplate, type DeploymentContextInput } from './eval/template.js';
import { toDisplayJson, type Value } from './eval/value.js';
import { member } from './eval/expression.js';
import { DEFAULT_MAX_FILE_BYTES, isLoadError, loadFile } from './load.js';
import { PositionIndex } from './locate.js';
import { loadLinked } from './unit.js';

export function expand(file: string, parameterFiles: string[], context: DeploymentContextInput): { json: unknown; ok: boolean } {
  const loaded = loadFile(file);
  if (loaded === null || isLoadError(loaded) || loaded.kind !== 'template') {
    const message = loaded && isLoadError(loaded) ? `${loaded.message} at ${loaded.line}:${loaded.column}` : 'not an ARM deployment template (its $schema must name deploymentTemplate.json)';
    return { json: { file, error: message }, ok: false };
  }
  let parameters: { file: string; values: Record<string, unknown> } | undefined;
  if (parameterFiles[0]) {
    const p = loadFile(parameterFiles[0]);
    if (p === null || isLoadError(p) || p.kind !== 'parameters') {
      const error = p && isLoadError(p) ? `${p.message} at ${p.line}:${p.column}` : 'not a deployment parameter file (its $schema must name deploymentParameters.json)';
      return { json: { file: parameterFiles[0], error }, ok: false };
    }
    const values = (p.json as Record<string, unknown>)['parameters'];
    parameters = { file: p.path, values: typeof values === 'object' && values !== null ? (values as Record<string, unknown>) : {} };
  }
  const texts = new Map<string, PositionIndex>([[file, new PositionIndex(loaded.text)]]);
  const root = path.dirname(file);
  const linkedTexts = new Map<string, string>();
  const evaluation = evaluateTemplate({
    file,
    json: loaded.json,
    parameters,
    context,
    loadLinked: (from, rel) => {
      const linked = loadLinked(from, rel, root, DEFAULT_MAX_FILE_BYTES, linkedTexts);
      if (typeof linked !== 'string') texts.set(linked.file, new PositionIndex(linkedTexts.get(linked.file) ?? ''));
      return linked;
    },
  });
  const where = (f: string, at: (string | number)[]) => {
    const idx = texts.get(f);
    const r = idx?.locate(at).region;
    return { file: path.relative(process.cwd(), f) || f, line: r?.startLine ?? 1, column: r?.startColumn ?? 1 };
  };
  const show = (v: Value) => toDisplayJson(v);
  return {
    ok: true,
    json: {
      template: path.relative(process.cwd(), file) || file,
      parameterFile: parameters ? path.relative(process.cwd(), parameters.file) : null,
      resources: evaluation.resources.map((r) => {
        const fields: Record<string, unknown> = {};
        for (const k of Object.keys(r.body)) fields[k] = show(r.body[k]!);
        return {
          type: r.type,
          apiVersion: r.apiVersion,
          name: show(r.name),
          id: show(r.id),
          ...(r.symbolicName ? { symbolicName: r.symbolicName } : {}),
          condition: r.existing ? true : r.deployed,
          existing: r.existing,
          ...(r.copy ? { copy: r.copy } : {}),
          ...(r.deploymentPath.length ? { deploymentPath: r.deploymentPath } : {}),
          ...fields,
          dependsOn: r.dependsOn.length ? r.dependsOn.map((k) => k.slice(k.indexOf('#') + 1)) : undefined,
          source: where(r.file, r.path),
        };
      }),
      outputs: Object.fromEntries(Object.keys(evaluation.outputs).map((k) => [k, show(member(evaluation.outputs[k]!, 'value'))])),
      diagnostics: evaluation.diagnostics.map((d) => ({ ruleId: d.ruleId, message: d.message, ...where(d.file, d.path) })),
    },
  };
}
