import { evaluateTemplate, type DeploymentContextInput, type Evaluation, type EvaluatedResource } from '../../src/eval/template.js';
import { member } from '../../src/eval/expression.js';
import type { Value } from '../../src/eval/value.js';

export const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

export function tpl(body: Record<string, unknown>): Record<string, unknown> {
  return { $schema: SCHEMA, contentVersion: '1.0.0.0', ...body };
}

export function run(template: Record<string, unknown>, opts: { params?: Record<string, unknown>; context?: DeploymentContextInput } = {}): Evaluation {
  return evaluateTemplate({
    file: '/virtual/main.json',
    json: template,
    parameters: opts.params ? { file: '/virtual/main.parameters.json', values: opts.params } : undefined,
    context: opts.context,
  });
}

/** Evaluates one expression as the value of a template output. */
export function evalExpr(expr: string, extra: Record<string, unknown> = {}, context?: DeploymentContextInput): { value: Value; diagnostics: Evaluation['diagnostics'] } {
  const e = run(tpl({ ...extra, outputs: { result: { type: 'object', value: expr } } }), { context });
  return { value: member(e.outputs['result']!, 'value'), diagnostics: e.diagnostics };
}

export function output(e: Evaluation, name: string): Value {
  return member(e.outputs[name]!, 'value');
}

export function byName(e: Evaluation, name: string): EvaluatedResource {
  const r = e.resources.find((x) => x.name === name);
  if (!r) throw new Error(`no resource named ${name}; have ${e.resources.map((x) => String(x.name)).join(', ')}`);
  return r;
}
